"""Event validation: every type of the union, field-level reasons, and Hypothesis properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from configurator.customers.events import (
    CHANNELS,
    EVENT_TYPES,
    INTERACTION_TYPES,
    MAX_ID_LENGTH,
    EventLimits,
    Measures,
    Purchased,
    measures,
    validate_event,
)
from configurator.errors import InvalidEventError
from configurator.storage.models import ID

BASE = {"event_id": "e1", "customer_id": "c1", "channel": "web", "ts": "2026-03-01T10:00:00+01:00"}
EXAMPLES: dict[str, dict[str, Any]] = {
    "viewed": {"catalog": "ebike-urban", "item": "frame.alu_lowstep", "seconds": 42.5},
    "configured": {
        "catalog": "ebike-urban",
        "selections": {"frame": "alu", "extras": ["bell"], "x": {"y": 2}},
    },
    "quote_requested": {"catalog": "ebike-urban", "message": "Can you deliver in May?"},
    "quote_sent": {"quote_id": "q1", "total": "4290.00", "currency": "EUR", "valid_until": "2026-04-01"},
    "purchased": {
        "order_id": "o1",
        "lines": [
            {"item": "bike", "unit_price": "3990", "unit_margin": "1000"},
            {"item": "bell", "unit_price": 9.5},
        ],
        "margin": "1003.20",
    },
    "returned": {"order_id": "o1", "amount": "9.50", "margin": "3.20", "items": ["bell"], "reason": "broken"},
    "support_ticket": {
        "ticket_id": "t1",
        "cost": "42.00",
        "topic": "battery",
        "minutes": 45,
        "resolved": True,
    },
    "referral": {"referred_customer_id": "c2", "converted": True},
    "review": {"rating": 5, "text": "Great"},
    "stated_need": {"need": "budget", "value": 5000, "importance": 0.8},
    "feedback": {"text": "Financing please", "score": 9},
    "consent": {"purpose": "profiling", "granted": False},
}


def _record(kind: str, **changes: Any) -> dict[str, Any]:
    return {**BASE, "type": kind, **EXAMPLES[kind], **changes}


def _reason(data: Any, tenant: str = "shop") -> tuple[str, str]:
    with pytest.raises(InvalidEventError) as info:
        validate_event(data, tenant=tenant)
    return info.value.field, info.value.reason


def test_every_type_has_an_example() -> None:
    """The examples cover every type of the union (11 interactions and consent)."""
    assert set(EXAMPLES) == set(EVENT_TYPES) and len(INTERACTION_TYPES) == 11


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_every_type_validates_and_round_trips(kind: str) -> None:
    """Each type validates, stores its timestamp in UTC, and re-validates from its JSON dump unchanged."""
    event = validate_event(_record(kind), tenant="shop")
    assert (event.type, event.tenant, event.schema_version) == (kind, "shop", 1)
    assert event.ts == dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC) and event.ts.tzinfo == dt.UTC
    assert validate_event(event.model_dump(mode="json"), tenant="shop") == event


def test_measures_per_type() -> None:
    """Purchases give total and margin, returns refund and lost margin, tickets their cost, others zero."""
    purchase = validate_event(_record("purchased"), tenant="t")
    assert measures(purchase) == Measures(amount=Decimal("3999.5"), margin=Decimal("1003.20"))
    assert measures(validate_event(_record("returned"), tenant="t")) == Measures(
        amount=Decimal("9.50"), margin=Decimal("3.20")
    )
    assert measures(validate_event(_record("support_ticket"), tenant="t")).cost == Decimal("42.00")
    assert measures(validate_event(_record("review"), tenant="t")) == Measures()


def test_purchase_totals_default_to_the_lines() -> None:
    """Without total and margin, a purchase sums its lines; margin is required unless every line has one."""
    event = validate_event(
        _record(
            "purchased",
            margin=None,
            lines=[
                {"item": "a", "unit_price": "10", "unit_margin": "4", "quantity": 3},
                {"item": "b", "unit_price": 5, "unit_margin": -1},
            ],
        ),
        tenant="t",
    )
    assert isinstance(event, Purchased)
    assert (event.order_total, event.order_margin) == (Decimal("35"), Decimal("11"))
    field, reason = _reason(_record("purchased", margin=None))
    assert (field, reason) == ("", "margin is required unless every line has a unit_margin")


def test_configurations_accept_every_selection_shape() -> None:
    """A configuration may name an option, a list of options, or options with quantities."""
    event = validate_event(_record("configured"), tenant="t")
    assert event.model_dump()["selections"] == {"frame": {"alu": 1}, "extras": {"bell": 1}, "x": {"y": 2}}


def test_configurations_and_order_lines_record_what_was_required() -> None:
    """``required`` holds ``module.option`` and ``!module.option``; anything else is refused on its item."""
    event = validate_event(_record("configured", required=["frame.alu", "!extras.bell"]), tenant="t")
    assert event.required == ["frame.alu", "!extras.bell"]  # type: ignore[union-attr]
    line = {"item": "a", "unit_price": "1", "required": ["frame.alu"]}
    order = validate_event(_record("purchased", lines=[line]), tenant="t")
    assert order.lines[0].required == ["frame.alu"]  # type: ignore[union-attr]
    assert validate_event(_record("configured"), tenant="t").required is None  # type: ignore[union-attr]
    for bad in ("frame", "frame.", ".alu", "!!frame.alu", "fra\x01me.alu"):
        field, reason = _reason(_record("configured", required=["frame.alu", bad]))
        assert (field, reason.split(" '")[0]) == ("required.1", "String should match pattern"), bad


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"ts": "2026-03-01T10:00:00"}, "ts", "Input should have timezone info"),
        ({"ts": "yesterday"}, "ts", "Input should be a valid datetime"),
        (
            {"channel": "fax"},
            "channel",
            "Input should be 'web', 'sales_rep', 'email', 'phone', 'store' or 'api'",
        ),
        (
            {"channel": None},
            "channel",
            "Input should be 'web', 'sales_rep', 'email', 'phone', 'store' or 'api'",
        ),
        ({"rating": 7}, "rating", "Input should be less than or equal to 5"),
        ({"rating": "five"}, "rating", "Input should be a valid integer"),
        ({"customer_id": None}, "", "customer_id or anonymous_id is required"),
        ({"event_id": ""}, "event_id", "String should have at least 1 character"),
        ({"event_id": "a\nb"}, "event_id", "String should match pattern"),
        ({"schema_version": 2}, "schema_version", "unsupported schema version (supported: 1)"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"traits": {"email": "nope"}}, "traits.email", "not a valid email address"),
        ({"traits": {"phone": "12"}}, "traits.phone", "not a valid phone number for region PT"),
        ({"text": "bad\x00text"}, "text", "must not contain NUL characters"),
        ({"tenant": "other"}, "tenant", "event of tenant 'other', ingesting into 'shop'"),
    ],
)
def test_invalid_review_names_the_field(changes: dict[str, Any], field: str, reason: str) -> None:
    """An invalid event names the offending field (dotted path) and the reason."""
    got_field, got_reason = _reason(_record("review", **changes))
    assert got_field == field
    assert got_reason.startswith(reason)


def test_nested_errors_have_dotted_paths() -> None:
    """Errors inside order lines name the line and the field."""
    bad = _record("purchased", lines=[{"item": "a", "unit_price": "1"}, {"item": "b", "unit_price": "-1"}])
    assert _reason(bad) == ("lines.1.unit_price", "Input should be greater than or equal to 0")


def test_unknown_or_missing_types_list_the_known_ones() -> None:
    """A missing or unknown type is reported on ``type`` with the list of known types."""
    assert _reason({**BASE, "type": "clicked"})[1].startswith("unknown event type 'clicked' (one of viewed,")
    assert _reason(dict(BASE)) == ("type", f"missing (one of {', '.join(EVENT_TYPES)})")
    assert _reason(["not", "an", "object"]) == ("", "expected a JSON object, got list")


def test_consent_needs_a_customer() -> None:
    """Consent is recorded for a known customer, not for an anonymous visitor."""
    assert (
        _reason(_record("consent", customer_id=None, anonymous_id="a1"))[1] == "consent needs a customer_id"
    )


# -- Hypothesis ---------------------------------------------------------------------------------------------

ids = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp", "Zs")),
    min_size=1,
    max_size=30,
)
money = st.decimals(min_value=0, max_value=40_000, places=2, allow_nan=False, allow_infinity=False)
"""Amounts whose order totals (4 lines of at most 50) stay within the default limit."""
timestamps = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2026, 1, 1), timezones=st.timezones()
)


@st.composite
def valid_records(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event of any type, as plain JSON-like data with random ids, channel, amounts and time zone."""
    kind = draw(st.sampled_from(EVENT_TYPES))
    record: dict[str, Any] = {
        "event_id": draw(ids),
        "type": kind,
        "channel": draw(st.sampled_from(CHANNELS)),
        "ts": draw(timestamps).isoformat(),
    }
    who = draw(
        st.sampled_from(["customer", "anonymous", "both"]) if kind != "consent" else st.just("customer")
    )
    if who in ("customer", "both"):
        record["customer_id"] = draw(ids)
    if who in ("anonymous", "both"):
        record["anonymous_id"] = draw(ids)
    extra: dict[str, Any] = dict(EXAMPLES[kind])
    if kind == "purchased":
        lines = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"item": ids, "unit_price": money.map(str), "quantity": st.integers(1, 50)},
                    optional={"unit_margin": money.map(str)},
                ),
                min_size=1,
                max_size=4,
            )
        )
        extra = {"order_id": draw(ids), "lines": lines, "margin": str(draw(money))}
    elif kind == "support_ticket":
        extra = {"ticket_id": draw(ids), "cost": str(draw(money))}
    elif kind == "review":
        extra = {"rating": draw(st.integers(1, 5))}
    return {**record, **extra}


@given(valid_records())
def test_valid_events_round_trip(record: dict[str, Any]) -> None:
    """Any valid event validates, has a UTC timestamp and non-negative amount and cost, and round-trips."""
    event = validate_event(record, tenant="shop")
    assert event.ts.utcoffset() == dt.timedelta(0)
    assert event.ts == dt.datetime.fromisoformat(record["ts"])
    m = measures(event)
    assert m.amount >= 0 and m.cost >= 0
    assert validate_event(event.model_dump(mode="json"), tenant="shop") == event


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
field_names = st.sampled_from(
    [
        "event_id",
        "type",
        "channel",
        "ts",
        "customer_id",
        "anonymous_id",
        "tenant",
        "traits",
        "rating",
        "lines",
        "order_id",
        "cost",
        "amount",
        "selections",
        "schema_version",
        "referred_customer_id",
        "purpose",
    ]
)


@given(st.dictionaries(field_names | st.text(max_size=10), json_values, max_size=8))
def test_arbitrary_data_is_accepted_or_rejected_with_a_reason(data: dict[str, Any]) -> None:
    """Validation never crashes: arbitrary JSON objects give an event or an InvalidEventError with a reason."""
    try:
        validate_event(data, tenant="shop")
    except InvalidEventError as exc:
        assert exc.reason


@given(valid_records(), st.sampled_from(["event_id", "channel", "ts", "type"]), json_values)
def test_breaking_a_required_field_is_reported_on_it(record: dict[str, Any], name: str, value: Any) -> None:
    """Replacing a required field by arbitrary data either still validates or is reported on that field."""
    broken = {**record, name: value}
    try:
        validate_event(broken, tenant="shop")
    except InvalidEventError as exc:
        assert exc.field == name or (name == "event_id" and exc.field == "")


# -- ingestion limits: time, money, budgets and identifiers ----------------------------------------------------

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def _bought(price: Any = "10", margin: Any = "1", **fields: Any) -> dict[str, Any]:
    return _record("purchased", lines=[{"item": "bike", "unit_price": price}], margin=margin, **fields)


def _refused(data: Any, **options: Any) -> tuple[str, str]:
    with pytest.raises(InvalidEventError) as caught:
        validate_event(data, tenant="shop", now=NOW, **options)
    return caught.value.field, caught.value.reason


@pytest.mark.parametrize(
    "ts",
    [
        "0001-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "2026-06-02T12:00:01Z",
        "2030-01-01T00:00:00Z",
        "9999-12-31T00:00:00Z",
    ],
)
def test_events_dated_outside_the_window_are_refused(ts: str) -> None:
    """An event before 1970 or more than a day after now is refused on ``ts``, naming the window and the date."""
    field, reason = _refused(_bought(ts=ts))
    assert field == "ts"
    assert "expected between 1970-01-01T00:00:00+00:00 and 2026-06-02T12:00:00+00:00" in reason
    assert reason.endswith(f"got {dt.datetime.fromisoformat(ts).isoformat()}")


def test_the_time_window_is_configurable() -> None:
    """Within a day of now is accepted; the skew is a parameter."""
    assert validate_event(_bought(ts="2026-06-02T12:00:00Z"), tenant="shop", now=NOW).ts.day == 2
    tight = EventLimits(max_future=dt.timedelta(minutes=5))
    assert _refused(_bought(ts="2026-06-01T12:06:00Z"), limits=tight)[0] == "ts"
    assert validate_event(_bought(ts="9999-01-01T00:00:00Z"), tenant="shop", limits=None).ts.year == 9999


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_bought(price="1000000000001"), "lines.0.unit_price"),
        (_bought(price=1e30), "lines.0.unit_price"),
        (_bought(price="Infinity"), "lines.0.unit_price"),
        (_bought(margin="NaN"), "margin"),
        (_bought(margin="-1000000000000.01"), "margin"),
        (
            _record(
                "purchased", margin=None, lines=[{"item": "b", "unit_price": "9", "unit_margin": "-1e13"}]
            ),
            "lines.0.unit_margin",
        ),
        (
            _record(
                "purchased", lines=[{"item": "b", "unit_price": "900000000000", "quantity": 2}], margin=1
            ),
            "total",
        ),
        (_record("returned", order_id="o1", amount="2e12"), "amount"),
        (_record("support_ticket", ticket_id="t", cost="1234567890123"), "cost"),
        (_record("quote_sent", quote_id="q", total="9999999999999"), "total"),
    ],
)
def test_money_out_of_range_is_refused(data: dict[str, Any], field: str) -> None:
    """Amounts, margins and costs are finite and at most 10**12 in absolute value."""
    assert _refused(data)[0] == field


def test_money_within_range_is_kept() -> None:
    """A large but plausible order is accepted; the limit is configurable."""
    assert measures(validate_event(_bought(price="999999"), tenant="shop", now=NOW)).amount == Decimal(999999)
    assert (
        _refused(_bought(price="999999"), limits=EventLimits(max_money=Decimal(100_000)))[0]
        == "lines.0.unit_price"
    )


@pytest.mark.parametrize("value", [1e20, float("inf"), 0, -5, 10**12 + 1])
def test_stated_budgets_out_of_range_are_refused(value: float) -> None:
    """A stated budget is a finite number above 0 and at most the money limit."""
    field, reason = _refused(_record("stated_need", need="budget", value=value))
    assert field == "value" and "got" in reason


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_id", "c\u200b1"),
        ("order_id", "\ufeffo1"),
        ("event_id", "e\u202e1"),
        ("anonymous_id", "a\u2066b"),
        ("customer_id", "c\u00a01"),
        ("order_id", "o" * 201),
    ],
)
def test_identifiers_with_invisible_characters_or_too_long_are_refused(field: str, value: str) -> None:
    """Identifiers may not hide characters (zero-width, byte-order mark, bidi controls) nor exceed the columns."""
    data = _bought(**{field: value}) if field != "anonymous_id" else _bought(anonymous_id=value)
    assert _refused(data)[0] == field


def test_identifiers_are_nfc_normalised() -> None:
    """Two spellings of the same id (composed or not) are one id."""
    event = validate_event(_bought(customer_id="jose\u0301", order_id="o\u0301"), tenant="shop", now=NOW)
    assert isinstance(event, Purchased)
    assert (event.customer_id, event.order_id) == ("jos\u00e9", "\u00f3")
    assert MAX_ID_LENGTH == ID  # the width of the storage id columns
