"""Assembly: tier policies, budgets, hard needs, reasons, repeat purchases, next best offers and repairs."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

import configurator
from configurator.assembly.assemble import assemble, next_best, parse_requirement, repairs, repeat_purchase
from configurator.assembly.context import (
    NO_TIER_REASON,
    CustomerContext,
    context_from_events,
    customer_context,
    snapshot_tier,
)
from configurator.assembly.needs import transfer_for
from configurator.assembly.policy import DEFAULT_POLICIES, PolicyBook, load_policy
from configurator.catalog.check import find_violations
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Tier
from configurator.customers.events import Event, validate_event
from configurator.customers.tiers import TierAssigner
from configurator.errors import AssemblyError, ConfigurationError, PolicyError
from configurator.solver.session import Bundle, ConfigurationSession
from configurator.storage import SqlStore, make_engine, upgrade
from support import DEMO_CUSTOMERS, example_catalogs, transfer_shop

ROOT = Path(__file__).resolve().parent.parent
ON = dt.date(2026, 11, 23)
CATALOGS = example_catalogs()
CUSTOMERS = DEMO_CUSTOMERS


@pytest.fixture(scope="module")
def contexts(demo: Engine) -> dict[str, CustomerContext]:
    """Per example catalog: its demo customer's context (tier standard unless a test says otherwise)."""
    return {
        cid: customer_context(SqlStore(demo, "demo"), "demo", customer, CATALOGS[cid], tiers="standard")
        for cid, customer in CUSTOMERS.items()
    }


def _event(event_id: str, customer: str, **fields: Any) -> Event:
    data = {"event_id": event_id, "customer_id": customer, "channel": "web", "ts": "2026-05-01T12:00:00Z"}
    return validate_event(data | fields, tenant="shop")


def _bike() -> configurator.Catalog:
    return configurator.Catalog.model_validate(
        {
            "catalog": "bike",
            "version": "1",
            "currency": "EUR",
            "locales": ["en"],
            "modules": {
                "frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
                "motor": {"choose": "optional", "options": {"hub": {"price": 700}}},
                "bell": {"choose": "optional", "options": {"ding": {"price": 10}}},
            },
            "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}],
            "services": {
                "fit": {"kind": "advisory", "price": 80, "included_for": ["mvc"]},
                "course": {"kind": "training", "price": 100},
            },
        }
    )


def test_tiers_change_what_is_offered(contexts: dict[str, CustomerContext]) -> None:
    """For the same needs, below_zero gets no free services and no dearer bundle than mvc; mvc gets premium ones included."""
    included_for_mvc = 0
    for cid, context in contexts.items():
        catalog = CATALOGS[cid]
        mvc = assemble(catalog, dataclasses.replace(context, tier="mvc"), on=ON)
        low = assemble(catalog, dataclasses.replace(context, tier="below_zero"), on=ON)
        assert low[0].price <= mvc[0].price, cid
        for bundle in low:
            assert bundle.channel == "self_service" and bundle.tier == "below_zero"
            assert not any(s.included for s in bundle.services)
            assert all(s.price == s.list_price for s in bundle.services)
            assert not any(s.kind == "advisory" for s in bundle.services)
        for bundle in mvc:
            assert bundle.channel == "dedicated_advisor"
            for line in bundle.services:
                if line.kind in ("post_sale", "advisory"):
                    assert line.included and line.price == 0, (cid, line)
            included_for_mvc += sum(s.included for s in bundle.services)
    assert included_for_mvc > 0


def test_growth_tier_sees_an_upgrade_and_training(contexts: dict[str, CustomerContext]) -> None:
    """An mgc customer gets one upgrade bundle, a step above the budget at most, and discounted training."""
    catalog = CATALOGS["laptop-pro14"]
    mgc = dataclasses.replace(contexts["laptop-pro14"], tier="mgc")
    free = assemble(catalog, mgc, on=ON)
    assert [b.role for b in free][-1] == "upgrade"
    assert free[-1].configuration.selections not in [b.configuration.selections for b in free[:-1]]
    assert any(r.because == "tier" and r.detail.get("policy") == "upgrade" for r in free[-1].reasons)
    training = [s for b in free for s in b.services if s.kind == "training"]
    assert training and all(s.price < s.list_price for s in training)
    budget = free[0].total
    assert budget is not None
    bounded = assemble(catalog, mgc, budget=budget, on=ON)
    assert bounded
    stretch = budget * (1 + DEFAULT_POLICIES["mgc"].upgrade_stretch_pct / 100)
    for bundle in bounded:
        assert bundle.total is not None
        assert bundle.total <= (stretch if bundle.role == "upgrade" else budget)


def test_budget_is_respected_and_the_trade_off_explained(contexts: dict[str, CustomerContext]) -> None:
    """Under a binding budget every bundle's payable total fits it, and traded options say what they replace and save."""
    catalog = CATALOGS["ebike-urban"]
    context = contexts["ebike-urban"]
    best = assemble(catalog, context, on=ON, k=1)[0]
    assert best.total is not None
    budget = (best.total * Decimal("0.85")).quantize(Decimal(1))
    bundles = assemble(catalog, context, budget=budget, on=ON)
    assert bundles and all(b.total is not None and b.total <= budget and b.budget == budget for b in bundles)
    traded = [r for r in bundles[0].reasons if r.because == "budget"]
    assert traded
    for reason in traded:
        assert best.configuration.quantity(reason.module, reason.detail["instead_of"].split(",")[0]) > 0
        assert Decimal(reason.detail["saves"]) > 0
    stated = dataclasses.replace(context, budget=budget)
    assert all(b.total is not None and b.total <= budget for b in assemble(catalog, stated, on=ON))


def test_hard_needs_and_requirements_are_honoured() -> None:
    """A hard stated need and the request's requirements are in every bundle, with their reasons."""
    catalog = _bike()
    events = [
        _event("n1", "ann", type="stated_need", need="option:bell.ding", importance=1),
        _event("v1", "ann", type="viewed", catalog="bike", item="frame.carbon"),
    ]
    ann = context_from_events(catalog, "ann", events)
    bundles = assemble(catalog, ann, requirements=["motor.hub"], k=2)
    assert bundles
    for bundle in bundles:
        selections = bundle.configuration.selections
        assert selections["bell"] == {"ding": 1} and selections["motor"] == {"hub": 1}
        reasons = {(r.module, r.option): r for r in bundle.reasons}
        assert reasons[("bell", "ding")].because == "stated" and reasons[("bell", "ding")].events == ("n1",)
        assert reasons[("motor", "hub")].detail == {"source": "request"}
        assert reasons[("frame", "alu")].because == "required"
    excluded = assemble(catalog, ann, requirements=["!frame.carbon"], k=1)
    assert excluded[0].configuration.quantity("frame", "carbon") == 0
    with pytest.raises(ConfigurationError, match=r"unknown option frame\.steel"):
        assemble(catalog, ann, requirements=["frame.steel"])
    with pytest.raises(ConfigurationError, match=r"expected 'module\.option'"):
        parse_requirement("frame")


def test_reasons_cite_the_customers_events(demo: Engine, contexts: dict[str, CustomerContext]) -> None:
    """Every reason from history cites events of this customer that the needs were learned from."""
    cited = 0
    for cid, context in contexts.items():
        own = {e.event_id for e in SqlStore(demo, "demo").customer_events(CUSTOMERS[cid])}
        for bundle in assemble(CATALOGS[cid], context, on=ON):
            assert len(bundle.reasons) == len(list(bundle.configuration.items()))
            for reason in bundle.reasons:
                if reason.because in ("purchased", "configured", "viewed"):
                    assert reason.events and set(reason.events) <= own
                    variable, value = context.view.variable_of(reason.module, reason.option)
                    assert set(reason.events) <= set(context.needs.why(variable, value))
                    cited += 1
    assert cited > 0


def test_infeasible_request_is_repaired_by_needs() -> None:
    """Conflicting requirements give bundles that drop what the customer cares least about, and say so."""
    catalog = _bike()
    sale = {"type": "configured", "catalog": "bike", "complete": True}
    hub_fan = context_from_events(
        catalog,
        "hub",
        [_event(f"h{i}", "hub", **sale, selections={"frame": "alu", "motor": "hub"}) for i in range(3)],
    )
    carbon_fan = context_from_events(
        catalog, "carb", [_event(f"c{i}", "carb", **sale, selections={"frame": "carbon"}) for i in range(3)]
    )
    request = ["frame.carbon", "motor.hub"]
    assert repairs(catalog, hub_fan, request)[0].drop == ("frame.carbon",)
    assert repairs(catalog, carbon_fan, request)[0].drop == ("motor.hub",)
    ranked = repairs(catalog, hub_fan, request)
    assert [p.cost for p in ranked] == sorted(p.cost for p in ranked) and len(ranked) == 2
    assert repairs(catalog, hub_fan, ["frame.alu"]) == []
    bundles = assemble(catalog, hub_fan, requirements=request)
    assert bundles and all(b.role == "repaired" for b in bundles)
    assert bundles[0].repair is not None and bundles[0].repair.drop == ("frame.carbon",)
    assert all(b.configuration.quantity("motor", "hub") == 1 for b in bundles)


def test_budget_below_every_bundle_proposes_the_cheapest() -> None:
    """A budget no bundle meets gives the cheapest bundle, over budget, with the payable total it needs."""
    catalog = _bike()
    ann = context_from_events(catalog, "ann", [])
    [bundle] = assemble(catalog, ann, budget=100)
    assert bundle.role == "over_budget" and bundle.price == Decimal(400)
    assert bundle.total == Decimal(400)  # no country known: no tax; paid services only when chosen
    assert bundle.repair is not None and bundle.repair.raise_budget_to == bundle.total


def test_repeat_purchase_changes_only_what_was_asked(contexts: dict[str, CustomerContext]) -> None:
    """The same as last time, with a new paint: only the paint changes, and kept options cite the purchase."""
    catalog = CATALOGS["ebike-urban"]
    context = contexts["ebike-urban"]
    assert context.installed
    last = repeat_purchase(catalog, context, context.installed[-1], on=ON).configuration
    assert find_violations(catalog, last, on=ON) == []
    again = repeat_purchase(catalog, context, last, on=ON)
    assert again.configuration.selections == last.selections and again.changes == ()
    old = next(o for o, q in last.selections["paint"].items() if q)
    new = "sage_green" if old != "sage_green" else "matt_black"
    changed = repeat_purchase(catalog, context, last, [f"paint.{new}"], on=ON)
    assert changed.role == "repeat" and changed.changes == (f"-paint.{old}", f"+paint.{new}")
    reasons = {(r.module, r.option): r for r in changed.reasons}
    assert reasons[("paint", new)].because == "stated"
    assert all(r.detail.get("same_as") == "installed" for k, r in reasons.items() if k[0] != "paint")
    with pytest.raises(AssemblyError, match="no valid ebike-urban bundle meets the changes"):
        repeat_purchase(catalog, context, last, ["paint.raw_carbon", "frame.alu_diamond"], on=ON)


def test_next_best_is_compatible_with_what_they_own(contexts: dict[str, CustomerContext]) -> None:
    """Upgrades and add-ons keep everything owned outside their module, ranked by the customer's gain."""
    for cid in ("ebike-urban", "laptop-pro14"):
        catalog, context = CATALOGS[cid], contexts[cid]
        owned = repeat_purchase(catalog, context, context.installed[-1], on=ON).configuration
        offers = next_best(catalog, context, owned, n=3, on=ON)
        assert 0 < len(offers) <= 3
        gains = [b.utility for b in offers]
        assert gains == sorted(gains, reverse=True)
        for offer in offers:
            assert offer.role == "next_best" and find_violations(catalog, offer.configuration, on=ON) == []
            added = {c[1:].rsplit(".", 1)[0] for c in offer.changes if c.startswith("+")}
            for change in offer.changes:
                if change.startswith("-"):
                    module = change[1:].rsplit(".", 1)[0]
                    assert module in added and catalog.modules[module].max_choices == 1, (cid, offer.changes)
            assert any(r.detail.get("gain") for r in offer.reasons)


def test_a_bundle_that_fails_the_checker_is_not_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the solver hands back an invalid bundle, assemble raises instead of returning it."""
    catalog = _bike()
    bad = Configuration({"frame": {"carbon": 1}, "motor": {"hub": 1}})

    def broken(self: ConfigurationSession, *args: Any, **kwargs: Any) -> list[Bundle]:
        return [Bundle(bad, "optimal", 1.0, Decimal(1900))]

    monkeypatch.setattr(ConfigurationSession, "top_k", broken)
    with pytest.raises(AssemblyError, match=r"fails the checker .*no-hub"):
        assemble(catalog, context_from_events(catalog, "ann", []))


def test_customer_context_reads_the_store(demo: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader finds tier, country, installed base and stated budget; a tier may be given or stored."""
    store = SqlStore(demo, "demo")
    catalog = CATALOGS["ebike-urban"]
    stated = customer_context(store, "demo", "c-1027", catalog, tiers={"c-1027": "mgc"})
    assert stated.tier == "mgc" and stated.budget == Decimal(5000)
    assert all(b.total is not None and b.total <= 5000 for b in assemble(catalog, stated, on=ON))
    store.refresh_tiers()
    assert store.tier_of("c-1001") == ("mvc", store.tier_of("c-1001")[1])  # type: ignore[index]

    def no_fit(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a request fitted the tiers")

    monkeypatch.setattr(TierAssigner, "fit", no_fit)
    stored = customer_context(store, "demo", "c-1001", CATALOGS["kitchen-modular"])
    assert stored.tier == "mvc" and stored.installed
    known = customer_context(store, "demo", "c-1019", catalog, tiers="standard")
    assert known.country == "SE" and len(known.installed) >= 1 and known.evidence
    with pytest.raises(AssemblyError, match="context is for catalog 'ebike-urban', not 'valve-pn5'"):
        assemble(CATALOGS["valve-pn5"], known)


def test_a_customer_without_a_stored_tier_is_standard(monkeypatch: pytest.MonkeyPatch) -> None:
    """No snapshot row (new since the last refresh, or no refresh yet): standard, and nothing is fitted."""

    def no_fit(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a request fitted the tiers")

    monkeypatch.setattr(TierAssigner, "fit", no_fit)
    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    bike = _bike()
    bought = _event(
        "e1", "ann", type="purchased", order_id="o1", lines=[{"item": "bell", "unit_price": 9}], margin=3
    )
    store.write_events([bought])
    assert store.tier_of("ann") is None
    assert customer_context(store, "shop", "ann", bike).tier == "standard"
    assert snapshot_tier(store, "ann") == ("standard", NO_TIER_REASON)
    assert "configurator customers tiers --refresh" in NO_TIER_REASON


def test_policy_overrides_and_errors(tmp_path: Path) -> None:
    """Policies merge per catalog over the defaults; errors name the field, the file and the tier."""
    book = PolicyBook.from_data(
        {"tiers": {"standard": {"channel": "web"}}, "catalogs": {"bike": {"mvc": {"price_weight": 5}}}}
    )
    assert book.policy("standard").channel == "web"
    assert book.policy("mvc", "bike").price_weight == 5 and book.policy("mvc", "other").price_weight == 0.5
    assert book.policy("mvc", "bike").services == DEFAULT_POLICIES["mvc"].services
    with pytest.raises(PolicyError, match=r"policy catalogs\.bike\.mvc\.services\.training\.offer"):
        PolicyBook.from_data({"catalogs": {"bike": {"mvc": {"services": {"training": {"offer": "free"}}}}}})
    with pytest.raises(PolicyError, match=r"expected a tier .* got 'gold'"):
        PolicyBook.from_data({"tiers": {"gold": {}}})
    with pytest.raises(PolicyError, match="unknown key 'tier'"):
        PolicyBook.from_data({"tier": {}})
    with pytest.raises(PolicyError, match=r"tiers\.mvc\.colour: Extra inputs are not permitted"):
        PolicyBook.from_data({"tiers": {"mvc": {"colour": "red"}}})
    path = tmp_path / "policy.yaml"
    path.write_text("tiers:\n  below_zero:\n    price_weight: -3\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy.yaml: policy tiers\.below_zero\.price_weight"):
        load_policy(path)
    path.write_text("catalogs:\n  bike:\n    mvc: {free_services: false}\n", encoding="utf-8")
    catalog = _bike()
    ann = context_from_events(catalog, "ann", [], tier="mvc")
    assert not any(s.included for s in assemble(catalog, ann, policy=load_policy(path))[0].services)
    assert any(s.included for s in assemble(catalog, ann)[0].services)


@st.composite
def _requests(draw: st.DrawFn) -> tuple[str, float, list[str], Tier]:
    catalog_id = draw(st.sampled_from(sorted(CATALOGS)))
    options = [f"{m}.{o}" for m, mod in CATALOGS[catalog_id].modules.items() for o in mod.options]
    picks = draw(st.lists(st.sampled_from(options), max_size=2, unique=True))
    negate = draw(st.lists(st.booleans(), min_size=len(picks), max_size=len(picks)))
    requirements = [("!" if n else "") + p for p, n in zip(picks, negate, strict=True)]
    fraction = draw(st.floats(0.3, 1.5))
    tier: Tier = draw(st.sampled_from(sorted(DEFAULT_POLICIES)))
    return catalog_id, fraction, requirements, tier


def test_every_bundle_is_valid_within_budget_and_diverse(contexts: dict[str, CustomerContext]) -> None:
    """On every example catalog, with random budgets and requirements: valid, within budget, pairwise different."""

    @settings(max_examples=12, deadline=None)
    @given(_requests())
    def check(request: tuple[str, float, list[str], Tier]) -> None:
        _check_request(contexts, request)

    check()


def _check_request(contexts: dict[str, CustomerContext], request: tuple[str, float, list[str], Tier]) -> None:
    catalog_id, fraction, requirements, tier = request
    catalog = CATALOGS[catalog_id]
    context = dataclasses.replace(contexts[catalog_id], tier=tier)
    budget = Decimal(str(round(fraction * float(_reference_price(catalog_id, context)), 2)))
    bundles = assemble(catalog, context, budget=budget, requirements=requirements, k=3, on=ON)
    stretch = budget * (1 + DEFAULT_POLICIES[tier].upgrade_stretch_pct / 100)
    for bundle in bundles:
        assert find_violations(catalog, bundle.configuration, on=ON) == []
        if bundle.role == "over_budget":
            assert bundle.repair is not None and bundle.total is not None
            assert bundle.repair.raise_budget_to == bundle.total > budget
        else:
            assert bundle.total is not None
            assert bundle.total <= (stretch if bundle.role == "upgrade" else budget)
    # diversity counts the solver's variables, sub-assemblies' included: configurations differ pairwise
    configurations = [b.configuration for b in bundles]
    assert all(a != b for i, a in enumerate(configurations) for b in configurations[i + 1 :])


_REFERENCE: dict[str, Decimal] = {}


def _reference_price(catalog_id: str, context: CustomerContext) -> Decimal:
    """The list price of the standard tier's best bundle without budget (cached per catalog)."""
    if catalog_id not in _REFERENCE:
        standard = dataclasses.replace(context, tier="standard")
        _REFERENCE[catalog_id] = assemble(CATALOGS[catalog_id], standard, k=1, on=ON)[0].price
    return _REFERENCE[catalog_id]


def test_a_stored_budget_out_of_bounds_never_breaks_bundles_or_quotes() -> None:
    """A budget of 1e20 (or inf) already in the store is ignored with a reason; the last sound one applies."""
    from configurator.quoting.build import quote_for_customer

    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    bike = _bike()
    need = {"type": "stated_need", "need": "budget", "customer_id": "ann", "channel": "phone"}
    sound = _event("b1", "ann", type="stated_need", need="budget", value=5000)
    # Written as an older version of the product would have: without the ingestion limits.
    huge = validate_event(
        {**need, "event_id": "b2", "ts": "2026-05-02T12:00:00Z", "value": 1e20}, tenant="shop", limits=None
    )
    endless = validate_event(
        {**need, "event_id": "b3", "ts": "2026-05-03T12:00:00Z", "value": float("inf")},
        tenant="shop",
        limits=None,
    )
    store.write_events([sound, huge, endless])
    context = customer_context(store, "shop", "ann", bike, tiers="standard")
    assert context.budget == Decimal(5000)
    assert [reason.split(" ignored")[0] for reason in context.ignored] == [
        "stated budget of event b2",
        "stated budget of event b3",
    ]
    assert assemble(bike, context, on=ON)
    assert quote_for_customer(store, bike, "ann", tiers="standard", country="PT", on=ON)


@pytest.mark.parametrize("profiling", [True, False])
def test_orders_from_another_catalog_transfer_through_attributes(profiling: bool) -> None:
    """A lighter frame than others buy makes the lightest chassis the laptop's first proposal, and says why."""
    store, bike, laptop = transfer_shop(profiling=profiling)
    transfer = transfer_for(store, {"bike": bike, "laptop": laptop}, besides="laptop")
    assert set(transfer.catalogs) == {"bike"} and not transfer.reference.empty
    context = customer_context(store, "shop", "ann", laptop, tiers="standard", transfer=transfer)
    plain = customer_context(store, "shop", "ann", laptop, tiers="standard")
    transferred = [e for e in context.evidence if e.kind == "transferred"]
    assert not [e for e in plain.evidence if e.kind == "transferred"]
    if not profiling:
        assert not transferred
        return
    assert {e.source for e in transferred if e.importance > 0} == {"O-ann"}
    bundle = assemble(laptop, context, k=1)[0]
    assert bundle.configuration.selections == {"chassis": {"light": 1}}
    assert [(r.option, r.because, r.events) for r in bundle.reasons] == [("light", "transferred", ("O-ann",))]
