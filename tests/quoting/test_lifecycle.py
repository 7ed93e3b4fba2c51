"""Quote lifecycle on SQLite and PostgreSQL: immutable versions, revisions, sending, approval, acceptance."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from configurator.errors import (
    ConfiguratorError,
    QuoteCustomerMismatchError,
    QuoteError,
    QuoteNotFoundError,
    QuoteStateError,
    QuoteVersionConflictError,
)
from configurator.offer.waterfall import Step, Waterfall
from configurator.quoting.lifecycle import (
    accept_quote,
    approve,
    expire_quotes,
    load_quote,
    mark_sent,
    quote_versions,
    revise,
    save_quote,
)
from configurator.quoting.model import EXAMPLE, Quote
from configurator.storage import SqlStore
from configurator.storage.models import Quote as QuoteRow
from pg import Database, table_rows
from pg import database as database

AT = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
"""Before the example's valid_until (2026-12-23)."""
MARGIN = Decimal("120.00")


def _quote(quote_id: str = "Q1", **changes: Any) -> Quote:
    return dataclasses.replace(Quote.from_data(EXAMPLE), quote_id=quote_id, **changes)


def _needing_approval(quote_id: str = "Q1") -> Quote:
    base = _quote(quote_id)
    return dataclasses.replace(base, waterfall=dataclasses.replace(base.waterfall, needs_approval=True))


def _priced(total: str, quantity: int, quote_id: str = "Q1") -> Quote:
    step = Step("list", "bike-city", Decimal(total), Decimal(total))
    return _quote(quote_id, quantity=quantity, waterfall=Waterfall("EUR", (step,), Decimal(0)))


def _events(database: Database, kind: str) -> list[str]:
    frame = SqlStore(database.engine, "shop").events_frame()
    return sorted(frame.filter(frame["type"] == kind)["event_id"].to_list())


@pytest.fixture
def store(database: Database) -> SqlStore:
    """A store of tenant ``shop`` on the test database."""
    return SqlStore(database.engine, "shop")


def test_errors_are_configurator_errors() -> None:
    """Every quote error is a QuoteError, a ConfiguratorError and a ValueError."""
    for cls in (QuoteNotFoundError, QuoteVersionConflictError, QuoteStateError):
        assert issubclass(cls, QuoteError)
    assert issubclass(QuoteError, ConfiguratorError) and issubclass(QuoteError, ValueError)


def test_saving_the_same_version_again_is_a_no_op(store: SqlStore, database: Database) -> None:
    """Saving an identical version twice stores one version and returns the stored quote."""
    quote = _quote()
    assert save_quote(store, quote) == quote
    before = table_rows(database.engine)
    assert save_quote(store, dataclasses.replace(quote, status="sent")) == quote  # status is not content
    assert table_rows(database.engine) == before
    assert load_quote(store, "Q1") == quote


def test_a_stored_version_is_never_overwritten(store: SqlStore, database: Database) -> None:
    """Saving a stored version with other content is refused, naming what differs; the stored one stays."""
    quote = save_quote(store, _quote())
    before = table_rows(database.engine)
    with pytest.raises(
        QuoteVersionConflictError, match=r"version 1 is stored with other content \(quantity, lines\)"
    ):
        save_quote(store, dataclasses.replace(quote, quantity=3, lines=()))
    assert table_rows(database.engine) == before
    assert load_quote(store, "Q1", 1) == quote


def test_version_numbers_start_at_one_and_have_no_gaps(store: SqlStore) -> None:
    """A new quote starts at version 1; the next version is the latest + 1, nothing else."""
    with pytest.raises(QuoteVersionConflictError, match="its first version is 1, got 2"):
        save_quote(store, _quote(version=2))
    save_quote(store, _quote())
    with pytest.raises(QuoteVersionConflictError, match="the next version is 2, got 3"):
        save_quote(store, _quote(version=3))
    assert save_quote(store, _quote(version=2, tier="mgc")).version == 2


def test_quotes_of_another_tenant_and_naive_times_are_refused(store: SqlStore) -> None:
    """The store's tenant only; created_at and step times need a time zone."""
    with pytest.raises(QuoteError, match="of tenant 'other'"):
        save_quote(store, _quote(tenant="other"))
    with pytest.raises(QuoteError, match="has no time zone"):
        save_quote(store, _quote(created_at=dt.datetime(2026, 11, 23, 10)))
    save_quote(store, _quote())
    with pytest.raises(QuoteError, match="has no time zone"):
        accept_quote(store, "Q1", 1, dt.datetime(2026, 11, 25), margin=MARGIN)


def test_revise_makes_the_next_version_and_supersedes_the_previous(store: SqlStore) -> None:
    """revise: version n+1 as a draft with the changes; version n is superseded; the head points at n+1."""
    v1 = save_quote(store, _quote())
    mark_sent(store, "Q1", 1, AT)
    v2 = revise(store, load_quote(store, "Q1"), quantity=2, created_at=AT)
    assert (v2.version, v2.quantity, v2.status, v2.created_at) == (2, 2, "draft", AT)
    assert load_quote(store, "Q1") == v2
    assert load_quote(store, "Q1", 1) == dataclasses.replace(v1, status="superseded")
    assert [(v.version, v.status) for v in quote_versions(store, "Q1")] == [(1, "superseded"), (2, "draft")]
    head = store.quote_head("Q1")
    assert head is not None and (head.version, head.status) == (2, "draft")
    with pytest.raises(QuoteVersionConflictError, match=r"revise the latest version \(2\), not version 1"):
        revise(store, v1, quantity=5)
    with pytest.raises(QuoteError, match="revise cannot change customer_id, version"):
        revise(store, v2, version=7, customer_id="c-2")
    with pytest.raises(QuoteNotFoundError, match="unknown quote 'Q9'"):
        revise(store, _quote("Q9"))


def test_a_quote_number_belongs_to_one_customer(store: SqlStore) -> None:
    """No version of a number for another customer, by revise or save_quote, open or accepted; the quote stays."""
    v1 = save_quote(store, _quote())
    theirs = dataclasses.replace(v1, customer_id="c-2")
    with pytest.raises(QuoteCustomerMismatchError, match="'Q1' belongs to another customer than 'c-2'"):
        revise(store, theirs, quantity=3)
    with pytest.raises(QuoteCustomerMismatchError):
        save_quote(store, dataclasses.replace(theirs, version=2, quantity=3))
    with pytest.raises(QuoteCustomerMismatchError):
        save_quote(store, theirs)
    assert [(v.version, v.status) for v in quote_versions(store, "Q1")] == [(1, "draft")]
    assert load_quote(store, "Q1") == v1
    accept_quote(store, "Q1", 1, AT, margin=MARGIN)
    with pytest.raises(QuoteCustomerMismatchError):
        revise(store, dataclasses.replace(load_quote(store, "Q1"), customer_id="c-2"), quantity=3)
    assert len(quote_versions(store, "Q1")) == 1


def test_a_merged_customers_quote_continues_under_the_merged_profile(store: SqlStore) -> None:
    """After a merge the head follows the surviving profile: both the stored id and the survivor revise it."""
    v1 = save_quote(store, _quote())
    store.repoint("c-1", "c-9")
    v2 = revise(store, load_quote(store, "Q1"), quantity=2)
    v3 = revise(store, dataclasses.replace(v2, customer_id="c-9"), quantity=3)
    assert (v1.customer_id, v2.customer_id, v3.version, v3.customer_id) == ("c-1", "c-1", 3, "c-9")
    with pytest.raises(QuoteCustomerMismatchError):
        revise(store, dataclasses.replace(v3, customer_id="c-2"), quantity=4)


def test_unknown_quotes_and_versions(store: SqlStore) -> None:
    """Loading or accepting an unknown quote or version is QuoteNotFoundError; listing one is empty."""
    assert quote_versions(store, "nope") == []
    with pytest.raises(QuoteNotFoundError, match="unknown quote 'nope'"):
        load_quote(store, "nope")
    with pytest.raises(QuoteNotFoundError, match="unknown quote 'nope'"):
        accept_quote(store, "nope", 1, AT, margin=MARGIN)
    save_quote(store, _quote())
    with pytest.raises(QuoteNotFoundError, match="has no version 4"):
        load_quote(store, "Q1", 4)
    with pytest.raises(QuoteNotFoundError, match="has no version 2"):
        mark_sent(store, "Q1", 2, AT)


def test_accept_creates_the_order_installed_base_and_purchase_once(
    store: SqlStore, database: Database
) -> None:
    """Accepting writes one purchased event; the projection makes one order and its installed base."""
    quote = save_quote(store, _quote())
    assert accept_quote(store, "Q1", 1, AT, margin=MARGIN, order_id="O-1") == "O-1"
    before = table_rows(database.engine)
    assert accept_quote(store, "Q1", 1, AT + dt.timedelta(hours=1), margin=Decimal(0)) == "O-1"
    assert table_rows(database.engine) == before
    (order,) = SqlStore(database.engine, "shop").orders_for("c-1")
    assert (order["order_id"], order["total"], order["margin"], order["currency"]) == (
        "O-1",
        quote.total,
        MARGIN,
        "EUR",
    )
    (item,) = SqlStore(database.engine, "shop").installed_base_for("c-1")
    assert (item["item"], item["catalog_id"], item["quantity"]) == ("bike-city", "bike-city", 1)
    assert item["configuration"] == {"frame": {"alu_m": 1}}
    assert _events(database, "purchased") == ["quote-accepted:Q1:v1"]
    head = SqlStore(database.engine, "shop").quote_head("Q1")
    assert head is not None and (head.status, head.order_id, head.accepted_at) == ("accepted", "O-1", AT)
    assert load_quote(store, "Q1").status == "accepted"


def test_order_total_is_the_quote_total_when_the_division_is_inexact(
    store: SqlStore, database: Database
) -> None:
    """100.00 for 3 bundles: unit price 33.3333, order total exactly 100.00 (the quote's)."""
    save_quote(store, _priced("100.00", 3))
    accept_quote(store, "Q1", 1, AT, margin=MARGIN)
    (order,) = SqlStore(database.engine, "shop").orders_for("c-1")
    assert order["total"] == Decimal("100.00")
    assert order["lines"][0]["unit_price"] == "33.3333" and order["lines"][0]["quantity"] == 3


def test_the_order_line_carries_the_quotes_requirements(store: SqlStore) -> None:
    """What the customer required of the quote reaches the order line as ``required``; none: no field."""
    save_quote(store, _quote(requirements=("frame.alu_m", "!frame.carbon_m")))
    save_quote(store, _quote("Q2"))
    accept_quote(store, "Q1", 1, AT, margin=MARGIN)
    accept_quote(store, "Q2", 1, AT, margin=MARGIN)
    lines = {o["order_id"]: o["lines"][0] for o in store.orders_for("c-1")}
    assert lines["Q1"]["required"] == ["frame.alu_m", "!frame.carbon_m"]
    assert "required" not in lines["Q2"]
    (event,) = [e for e in store.customer_events("c-1") if e.event_id == "quote-accepted:Q1:v1"]
    assert event.lines[0].required == ["frame.alu_m", "!frame.carbon_m"]  # type: ignore[union-attr]


def test_the_order_line_carries_the_quotes_budget(store: SqlStore) -> None:
    """The budget a quote was made for reaches the order line and survives storage; none: no field."""
    save_quote(store, _quote(budget=Decimal("1500")))
    save_quote(store, _quote("Q2"))
    assert load_quote(store, "Q1").budget == Decimal("1500") and "budget" not in _quote("Q2").to_data()
    accept_quote(store, "Q1", 1, AT, margin=MARGIN)
    accept_quote(store, "Q2", 1, AT, margin=MARGIN)
    (event,) = [e for e in store.customer_events("c-1") if e.event_id == "quote-accepted:Q1:v1"]
    assert event.lines[0].budget == Decimal("1500")  # type: ignore[union-attr]
    (other,) = [e for e in store.customer_events("c-1") if e.event_id == "quote-accepted:Q2:v1"]
    assert other.lines[0].budget is None  # type: ignore[union-attr]


def test_a_budget_an_order_line_cannot_hold_does_not_stop_the_acceptance(store: SqlStore) -> None:
    """A budget with more decimals is rounded for the order line; one too large for it is left out."""
    save_quote(store, _quote(budget=Decimal("1500.123456")))
    save_quote(store, _quote("Q2", budget=Decimal("1e15")))
    accept_quote(store, "Q1", 1, AT, margin=MARGIN)
    accept_quote(store, "Q2", 1, AT, margin=MARGIN)
    lines = {e.event_id: e.lines[0] for e in store.customer_events("c-1") if e.type == "purchased"}
    assert lines["quote-accepted:Q1:v1"].budget == Decimal("1500.1235")
    assert lines["quote-accepted:Q2:v1"].budget is None


def test_a_stored_quote_keeps_its_requirements(store: SqlStore) -> None:
    """Requirements survive storage; a quote without any stores no key (older versions read the same)."""
    save_quote(store, _quote(requirements=("frame.alu_m",)))
    assert load_quote(store, "Q1").requirements == ("frame.alu_m",)
    assert "requirements" not in _quote("Q2").to_data()


def test_accept_refuses_another_version_once_accepted(store: SqlStore) -> None:
    """After acceptance: no other version may be accepted and no new version saved or revised."""
    v1 = save_quote(store, _quote())
    revise(store, v1, quantity=2)
    accept_quote(store, "Q1", 2, AT, margin=MARGIN)
    with pytest.raises(QuoteStateError, match="version 2 is accepted"):
        accept_quote(store, "Q1", 1, AT, margin=MARGIN)
    with pytest.raises(QuoteStateError, match="accepted as version 2: it has no new versions"):
        revise(store, load_quote(store, "Q1"), quantity=3)
    with pytest.raises(QuoteStateError, match="accepted as version 2"):
        save_quote(store, _quote(version=3))


def test_superseded_versions_cannot_be_sent_or_accepted(store: SqlStore, database: Database) -> None:
    """A superseded version is refused by mark_sent, approve and accept_quote; nothing is written."""
    revise(store, save_quote(store, _quote()), quantity=2)
    before = table_rows(database.engine)
    for step in (
        lambda: mark_sent(store, "Q1", 1, AT),
        lambda: approve(store, "Q1", 1, "boss", AT),
        lambda: accept_quote(store, "Q1", 1, AT, margin=MARGIN),
    ):
        with pytest.raises(QuoteStateError, match="superseded by version 2"):
            step()
    assert table_rows(database.engine) == before


def test_expired_quotes_are_refused(store: SqlStore, database: Database) -> None:
    """A version past valid_until cannot be sent or accepted; expire_quotes marks the heads expired."""
    save_quote(store, _quote())
    save_quote(store, _quote("Q2", valid_until=dt.date(2027, 1, 31)))
    late = dt.datetime(2026, 12, 24, 8, tzinfo=dt.UTC)
    with pytest.raises(QuoteStateError, match=r"expired \(valid until 2026-12-23, now 2026-12-24\)"):
        accept_quote(store, "Q1", 1, late, margin=MARGIN)
    with pytest.raises(QuoteStateError, match="expired"):
        mark_sent(store, "Q1", 1, late)
    assert expire_quotes(store, late.date()) == ["Q1"]
    assert expire_quotes(store, late.date()) == []
    assert load_quote(store, "Q1").status == "expired"
    with pytest.raises(QuoteStateError, match="expired"):
        accept_quote(store, "Q1", 1, AT, margin=MARGIN)  # expired heads stay expired
    assert SqlStore(database.engine, "shop").orders_for("c-1") == []
    renewed = revise(store, load_quote(store, "Q1"), valid_until=dt.date(2027, 1, 15))
    assert renewed.status == "draft"
    assert accept_quote(store, "Q1", 2, late, margin=MARGIN) == "Q1"


def test_approval_is_required_below_the_floor(store: SqlStore, database: Database) -> None:
    """A waterfall that needs approval cannot be sent or accepted until approved; approvals are audited."""
    save_quote(store, _needing_approval())
    with pytest.raises(QuoteStateError, match="needs approval first"):
        mark_sent(store, "Q1", 1, AT)
    with pytest.raises(QuoteStateError, match="needs approval first"):
        accept_quote(store, "Q1", 1, AT, margin=MARGIN)
    assert approve(store, "Q1", 1, "manager-7", AT)
    assert not approve(store, "Q1", 1, "someone-else", AT + dt.timedelta(hours=1))  # the first one stands
    (info,) = quote_versions(store, "Q1")
    assert (info.approved_by, info.approved_at) == ("manager-7", AT)
    assert mark_sent(store, "Q1", 1, AT).status == "sent"
    assert accept_quote(store, "Q1", 1, AT, margin=MARGIN) == "Q1"
    (entry,) = [a for a in SqlStore(database.engine, "shop").audit_entries() if a.action == "quote_approved"]
    assert (entry.actor, entry.subject, dict(entry.details)) == (
        "manager-7",
        "c-1",
        {"quote_id": "Q1", "version": 1},
    )


def test_mark_sent_records_one_quote_sent_event(store: SqlStore, database: Database) -> None:
    """Sending: head status sent, sent_at stamped once, one quote_sent event however often it is recorded."""
    save_quote(store, _quote())
    assert mark_sent(store, "Q1", 1, AT).status == "sent"
    assert mark_sent(store, "Q1", 1, AT + dt.timedelta(days=1)).status == "sent"
    assert _events(database, "quote_sent") == ["quote-sent:Q1:v1"]
    (info,) = quote_versions(store, "Q1")
    assert (info.status, info.sent_at) == ("sent", AT)
    accept_quote(store, "Q1", 1, AT, margin=MARGIN)
    assert mark_sent(store, "Q1", 1, AT).status == "accepted"  # a replay after acceptance is harmless


def test_accept_is_one_transaction(
    store: SqlStore, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the purchase is written and before the head is accepted leaves nothing half-written."""
    save_quote(store, _quote())
    before = table_rows(database.engine)

    def fail(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(store, "set_quote_status", fail)
    with pytest.raises(RuntimeError, match="simulated crash"):
        accept_quote(store, "Q1", 1, AT, margin=MARGIN)
    assert table_rows(database.engine) == before
    monkeypatch.undo()
    assert accept_quote(store, "Q1", 1, AT, margin=MARGIN) == "Q1"
    assert len(SqlStore(database.engine, "shop").orders_for("c-1")) == 1


def test_save_is_one_transaction(
    store: SqlStore, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the version row is written and before the head moves leaves no version behind."""
    save_quote(store, _quote())
    before = table_rows(database.engine)

    def fail(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(store, "advance_quote_head", fail)
    with pytest.raises(RuntimeError, match="simulated crash"):
        revise(store, load_quote(store, "Q1"), quantity=2)
    assert table_rows(database.engine) == before


def test_an_order_id_in_use_is_refused(store: SqlStore, database: Database) -> None:
    """Accepting into an order id another purchase holds is refused; nothing is written."""
    save_quote(store, _quote())
    save_quote(store, _quote("Q2"))
    accept_quote(store, "Q1", 1, AT, margin=MARGIN, order_id="O-1")
    before = table_rows(database.engine)
    with pytest.raises(QuoteError, match="order 'O-1' or event 'quote-accepted:Q2:v1' already exists"):
        accept_quote(store, "Q2", 1, AT, margin=MARGIN, order_id="O-1")
    assert table_rows(database.engine) == before


_QUOTE_IDS = itertools.count()
_OPERATIONS = (
    "revise",
    "revise_old",
    "send",
    "approve",
    "accept",
    "accept_old",
    "expire",
    "resave",
    "change",
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    needs_approval=st.booleans(),
    operations=st.lists(st.sampled_from(_OPERATIONS), max_size=8),
)
def test_any_sequence_keeps_the_invariants(
    store: SqlStore, database: Database, needs_approval: bool, operations: list[str]
) -> None:
    """Any sequence of steps: one head, versions 1..n, only the latest not superseded, one order if accepted."""
    quote_id = f"H{next(_QUOTE_IDS)}"
    base = _needing_approval(quote_id) if needs_approval else _quote(quote_id)
    save_quote(store, base)
    for operation in operations:
        latest = load_quote(store, quote_id)
        with contextlib.suppress(QuoteError):  # a refused step is part of the exploration
            if operation == "revise":
                revise(store, latest, quantity=latest.quantity + 1)
            elif operation == "revise_old":
                revise(store, dataclasses.replace(latest, version=1), quantity=9)
            elif operation == "send":
                mark_sent(store, quote_id, latest.version, AT)
            elif operation == "approve":
                approve(store, quote_id, latest.version, "boss", AT)
            elif operation == "accept":
                accept_quote(store, quote_id, latest.version, AT, margin=MARGIN, order_id=quote_id)
            elif operation == "accept_old":
                accept_quote(store, quote_id, 1, AT, margin=MARGIN, order_id=quote_id)
            elif operation == "expire":
                expire_quotes(store, dt.date(2027, 1, 1))
            elif operation == "resave":
                save_quote(store, latest)
            else:
                save_quote(store, dataclasses.replace(latest, tier="changed"))
    versions = quote_versions(store, quote_id)
    assert [v.version for v in versions] == list(range(1, len(versions) + 1))
    assert all(v.status == "superseded" for v in versions[:-1])
    assert versions[-1].status in ("draft", "pending_approval", "sent", "accepted", "expired")
    with store.atomic():
        heads = store.session.execute(
            select(func.count()).where(QuoteRow.tenant == "shop", QuoteRow.quote_id == quote_id)
        ).scalar()
    assert heads == 1
    accepted = versions[-1].status == "accepted"
    orders = [o for o in SqlStore(database.engine, "shop").orders_for("c-1") if o["order_id"] == quote_id]
    purchases = [e for e in _events(database, "purchased") if e.startswith(f"quote-accepted:{quote_id}:")]
    assert len(orders) == len(purchases) == int(accepted)
    if accepted and needs_approval:
        assert versions[-1].approved_by == "boss"


def test_concurrent_accepts_make_one_order(database: Database) -> None:
    """Two writers accepting the same version at once: both get the order id, one order and one purchase exist."""
    save_quote(SqlStore(database.engine, "shop"), _quote())
    barrier = threading.Barrier(2)

    def accept(_: int) -> str:
        store = SqlStore(database.engine, "shop")
        barrier.wait()
        return accept_quote(store, "Q1", 1, AT, margin=MARGIN)

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(accept, range(2))) == ["Q1", "Q1"]
    assert len(SqlStore(database.engine, "shop").orders_for("c-1")) == 1
    assert _events(database, "purchased") == ["quote-accepted:Q1:v1"]


def test_concurrent_revisions_make_one_next_version(database: Database) -> None:
    """Two writers revising the same latest version at once: one makes version 2, the other is refused."""
    v1 = save_quote(SqlStore(database.engine, "shop"), _quote())
    barrier = threading.Barrier(2)

    def revise_it(quantity: int) -> int | str:
        store = SqlStore(database.engine, "shop")
        barrier.wait()
        try:
            return revise(store, v1, quantity=quantity).version
        except QuoteVersionConflictError as exc:
            return str(exc)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(revise_it, (2, 3)))
    assert sorted(map(str, results))[0] == "2", results
    assert "revise the latest version (2), not version 1" in str(sorted(map(str, results))[1])
    assert [v.version for v in quote_versions(SqlStore(database.engine, "shop"), "Q1")] == [1, 2]
