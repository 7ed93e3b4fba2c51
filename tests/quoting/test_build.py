"""Building quotes: totals from the waterfall, the independent re-check, lifecycle round trip, stored customers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import configurator
from configurator.assembly import AssembledBundle, assemble, context_from_events
from configurator.catalog.check import find_violations
from configurator.catalog.configuration import Configuration
from configurator.errors import (
    InvalidBundleError,
    NoFittingBundleError,
    QuoteBuildError,
    UnknownCustomerError,
)
from configurator.quoting.build import (
    DEFAULT_TERMS,
    build_quote,
    customer_details,
    quote_for_customer,
    render_many,
)
from configurator.quoting.lifecycle import load_quote, save_quote
from configurator.quoting.model import Quote
from configurator.storage import SqlStore
from support import demo_store

ROOT = Path(__file__).resolve().parents[2]
AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
CATALOGS = {
    c.catalog: c for c in (configurator.load_catalog(p) for p in sorted((ROOT / "catalogs").glob("*.yaml")))
}
CUSTOMERS = {  # demo customers with a history in each example catalog, and their profile languages
    "ebike-urban": ("c-1004", "pt_PT"),
    "kitchen-modular": ("c-1022", "sv_SE"),
    "laptop-pro14": ("c-1008", "es_ES"),
    "valve-pn5": ("c-1030", "pt_PT"),
}
TIERS = ("mvc", "mgc", "standard", "below_zero")


@pytest.fixture(scope="module")
def store() -> Iterator[SqlStore]:
    """The demo event log in an in-memory SQLite database (tenant ``demo``)."""
    store = demo_store()
    yield store
    store.engine.dispose()


def _bike() -> configurator.Catalog:
    return configurator.Catalog.model_validate(
        {
            "catalog": "bike",
            "version": "1",
            "currency": "EUR",
            "locales": ["en", "pt"],
            "modules": {
                "frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
                "motor": {"choose": "optional", "options": {"hub": {"price": 700}}},
            },
            "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}],
            "pricing": {"tiers": {"mvc": {"discount_pct": 6}}},
            "services": {
                "fit": {"kind": "advisory", "price": 80, "included_for": ["mvc"]},
                "course": {"kind": "training", "price": 100},
            },
        }
    )


def _bundle(tier: str = "mvc") -> tuple[configurator.Catalog, AssembledBundle]:
    bike = _bike()
    customer = context_from_events(bike, "ann", [], tier=tier, country="PT")
    return bike, assemble(bike, customer, requirements=["motor.hub"], k=1)[0]


def _build(catalog: configurator.Catalog, bundle: AssembledBundle, **changes: object) -> Quote:
    args: dict[str, object] = {
        "customer_id": "ann",
        "tenant": "shop",
        "quote_id": "Q-1",
        "locale": "pt_PT",
        "country": "PT",
        "tier": bundle.tier,
        "created_at": AT,
    } | changes
    return build_quote(catalog, bundle, **args)  # type: ignore[arg-type]


def _assert_consistent(quote: Quote, catalog: configurator.Catalog) -> None:
    steps = quote.waterfall.steps
    assert quote.total == quote.waterfall.total == sum((s.amount for s in steps), Decimal(0))
    assert steps[0].kind == "list" and steps[0].amount == sum(
        (line.amount for line in quote.lines), Decimal(0)
    )
    priced = sum((s.price for s in quote.services if not s.included), Decimal(0))
    assert sum((s.amount for s in steps if s.kind == "services"), Decimal(0)) == priced
    assert find_violations(catalog, quote.configuration, on=quote.created_at.date()) == []


def test_totals_equal_the_waterfall_and_the_lines() -> None:
    """The total is the waterfall's; the list step is the sum of the lines; only chosen priced services are added."""
    bike, bundle = _bundle("mvc")
    quote = _build(bike, bundle, quantity=2, services={"course": True})
    _assert_consistent(quote, bike)
    assert [(line.key, line.qty) for line in quote.lines] == [("frame.alu", 1), ("motor.hub", 1)]
    assert [(s.kind, s.amount) for s in quote.waterfall.steps if s.kind in ("quantity", "tier")] == [
        ("quantity", Decimal(1100)),
        ("tier", Decimal("-132.00")),
    ]
    assert [s.ref for s in quote.waterfall.steps if s.kind == "services"] == ["course"]  # fit is included
    assert quote.reasons == bundle.reasons and quote.services == bundle.services
    assert quote.terms == DEFAULT_TERMS and quote.valid_until == dt.date(2026, 12, 23)
    assert quote.configuration.catalog == "bike" and quote.status == "draft" and quote.version == 1


def test_paid_services_are_only_offered_unless_chosen() -> None:
    """By default the tier's included service is in the quote and a paid one is offered but not in the total."""
    bike, bundle = _bundle("mvc")
    quote = _build(bike, bundle)
    assert [s.service for s in quote.services] == ["fit"] and [s.service for s in quote.declined] == [
        "course"
    ]
    assert [s.ref for s in quote.waterfall.steps if s.kind == "services"] == []
    declined = _build(bike, bundle, services={"fit": False})
    assert declined.service_state("fit") == "declined" and declined.total == quote.total


def test_an_invalid_bundle_is_refused_whatever_the_caller_passes() -> None:
    """A tampered configuration (excluded pair, two frames) is re-checked and refused, naming the rules."""
    bike, bundle = _bundle()
    tampered = dataclasses.replace(
        bundle, configuration=Configuration({"frame": {"carbon": 1}, "motor": {"hub": 1}})
    )
    with pytest.raises(InvalidBundleError, match="no-hub") as caught:
        _build(bike, tampered)
    assert [v.rule_id for v in caught.value.violations] == ["no-hub"]
    two_frames = dataclasses.replace(bundle, configuration=Configuration({"frame": {"alu": 1, "carbon": 1}}))
    with pytest.raises(InvalidBundleError, match="module:frame:choose"):
        _build(bike, two_frames)
    other = dataclasses.replace(bundle, configuration=Configuration({"frame": {"alu": 1}}, catalog="car"))
    with pytest.raises(QuoteBuildError, match="catalog 'car'"):
        _build(bike, other)


def test_bad_arguments_are_refused_with_what_was_expected() -> None:
    """A tier other than the bundle's, a naive time and a negative validity each name the argument."""
    bike, bundle = _bundle("mvc")
    with pytest.raises(QuoteBuildError, match="priced for tier 'mvc', not 'standard'"):
        _build(bike, bundle, tier="standard")
    with pytest.raises(QuoteBuildError, match="aware datetime"):
        _build(bike, bundle, created_at=dt.datetime(2026, 11, 23, 10))
    with pytest.raises(QuoteBuildError, match="valid_days"):
        _build(bike, bundle, valid_days=-1)
    assert _build(bike, bundle, locale="sv-se").locale == "sv_SE"


def test_a_quote_round_trips_through_the_lifecycle(store: SqlStore) -> None:
    """A built quote saved and loaded back is the same quote, a draft."""
    catalog = CATALOGS["kitchen-modular"]
    quote = quote_for_customer(store, catalog, "c-1022", tiers="mgc", created_at=AT, best=True)[0]
    save_quote(store, quote)
    loaded = load_quote(store, quote.quote_id)
    assert loaded == quote and loaded.status == "draft"
    assert loaded.reasons and all(
        r.events for r in loaded.reasons if r.because in ("purchased", "configured")
    )


def test_a_stored_customer_is_quoted_in_their_language_and_country(store: SqlStore) -> None:
    """Locale and country come from the profile; one quote per bundle, numbered by rank; the tier as given."""
    quotes = quote_for_customer(
        store, CATALOGS["laptop-pro14"], "c-1008", tiers={"c-1008": "mvc"}, created_at=AT
    )
    assert len(quotes) > 1
    assert [q.quote_id for q in quotes] == [f"Q-20261123-c-1008-LP-{i}" for i in range(1, len(quotes) + 1)]
    assert {(q.locale, q.tier, q.waterfall.steps[-2].ref) for q in quotes} == {("es_ES", "mvc", "ES")}
    english = quote_for_customer(
        store, CATALOGS["laptop-pro14"], "c-1008", tiers="standard", locale="en-gb", created_at=AT, best=True
    )
    assert [(q.locale, q.waterfall.steps[-2].ref) for q in english] == [("en_GB", "ES")]
    assert customer_details(store, "c-1008")["name"] == "Lucía Fernández"


def test_unknown_customers_and_unmet_requests_are_clear_errors(store: SqlStore) -> None:
    """An unknown id suggests the nearest; a budget too low names the repair, or quotes it when accepted."""
    catalog = CATALOGS["ebike-urban"]
    with pytest.raises(UnknownCustomerError, match="did you mean 'c-1004'"):
        quote_for_customer(store, catalog, "c-10004", tiers="standard", created_at=AT)
    with pytest.raises(NoFittingBundleError, match="raise the budget to") as caught:
        quote_for_customer(store, catalog, "c-1004", tiers="mvc", budget=100, created_at=AT)
    assert caught.value.repair is not None and caught.value.repair.raise_budget_to is not None
    over = quote_for_customer(
        store, catalog, "c-1004", tiers="mvc", budget=100, created_at=AT, accept_repair=True, best=True
    )
    assert over[0].total == caught.value.repair.raise_budget_to  # the payable total the budget needs


def test_a_catalog_without_any_valid_bundle_cannot_be_quoted_even_with_a_repair(store: SqlStore) -> None:
    """When no configuration satisfies the rules, quoting refuses with no repair to accept."""
    data = _bike().model_dump(mode="json", exclude_none=True)
    data["rules"] = [{"id": "impossible", "requires": "frame.alu and frame.carbon"}]
    impossible = configurator.Catalog.model_validate(data)
    with pytest.raises(NoFittingBundleError, match="no valid bike bundle exists") as caught:
        quote_for_customer(store, impossible, "c-1004", tiers="mvc", created_at=AT, accept_repair=True)
    assert caught.value.repair is None


def test_render_many_in_a_pool_matches_one_process(store: SqlStore) -> None:
    """A process pool renders the same documents, in order, as a single process."""
    quotes = [
        quote_for_customer(store, CATALOGS[cid], customer, tiers="standard", created_at=AT, best=True)[0]
        for cid, (customer, _) in CUSTOMERS.items()
    ]
    serial = render_many(quotes, CATALOGS, format="txt")
    pooled = render_many(quotes, CATALOGS, format="txt", processes=2)
    assert [r.content for r in pooled] == [r.content for r in serial]
    assert [r.locale for r in serial] == [locale for _, locale in CUSTOMERS.values()]
    with pytest.raises(QuoteBuildError, match="no catalog for ebike-urban"):
        render_many(quotes[:1], {}, format="txt")


@settings(max_examples=15, deadline=None)
@given(
    st.sampled_from(sorted(CUSTOMERS)),
    st.sampled_from([*sorted(c for c, _ in CUSTOMERS.values()), "c-1001", "c-1017", "c-1031"]),
    st.sampled_from(TIERS),
    st.one_of(st.none(), st.integers(min_value=200, max_value=9000)),
)
def test_every_quote_built_passes_the_checker(
    store: SqlStore, catalog_id: str, customer: str, tier: str, budget: int | None
) -> None:
    """For random customers, tiers and budgets on the example catalogs, every quote is valid and adds up."""
    catalog = CATALOGS[catalog_id]
    # every example catalog has a valid bundle, and a budget too low is repaired: a quote is always built
    quotes = quote_for_customer(
        store, catalog, customer, tiers=tier, budget=budget, created_at=AT, k=2, accept_repair=True
    )
    assert 1 <= len(quotes) <= 3  # k=2, and a growth tier adds an upgrade
    for quote in quotes:
        _assert_consistent(quote, catalog)
        assert quote.tier == tier and quote.customer_id == customer
