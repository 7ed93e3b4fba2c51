"""Catalog needs view: variables, rows, events as evidence, population rows, option weights, explanations."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import configurator
from configurator.catalog.models import Catalog
from configurator.customers.events import Event, validate_event
from configurator.errors import ConfigurationError
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.customer import CustomerNeeds, Evidence

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)

BIKE = Catalog.model_validate(
    {
        "catalog": "bike",
        "version": "1",
        "currency": "EUR",
        "locales": ["en"],
        "modules": {
            "frame": {"default": ["alu"], "options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
            "motor": {"choose": "optional", "options": {"hub": {"price": 700}, "mid": {"price": 900}}},
            "extras": {"choose": "any", "options": {"bell": {}, "rack": {}, "light": {}}},
        },
    }
)
EXAMPLES = {
    c.catalog: c for c in (configurator.load_catalog(p) for p in sorted((ROOT / "catalogs").glob("*.yaml")))
}


def _event(event_id: str, kind: str, minutes: int = 0, **fields: Any) -> Event:
    data = {"event_id": event_id, "type": kind, "customer_id": "c1", "channel": "web", **fields}
    data["ts"] = (T0 + dt.timedelta(minutes=minutes)).isoformat()
    return validate_event(data, tenant="shop")


def _configured(event_id: str, selections: dict[str, Any], *, complete: bool = True, **fields: Any) -> Event:
    return _event(event_id, "configured", catalog="bike", selections=selections, complete=complete, **fields)


def _population(view: CatalogNeedsView) -> CustomerNeeds:
    sales = [_configured(f"s{i}", {"frame": "alu", "motor": "hub", "extras": ["bell"]}) for i in range(6)]
    sales += [_configured(f"t{i}", {"frame": "carbon", "extras": ["rack"]}) for i in range(2)]
    return CustomerNeeds(view.fit_population(sales))


def test_variables_follow_module_cardinality() -> None:
    """Single-choice modules are one variable (0 only when optional); multi-choice options are 0/1 each."""
    view = CatalogNeedsView(BIKE)
    assert view.domains == {
        "frame": (1, 2),
        "motor": (0, 1, 2),
        "extras.bell": (0, 1),
        "extras.rack": (0, 1),
        "extras.light": (0, 1),
    }
    assert view.variable_of("motor", "mid") == ("motor", 2)
    assert view.option_of("extras.rack", 1) == ("extras", "rack")
    assert view.option_of("extras.rack", 0) is None
    with pytest.raises(ConfigurationError, match=r"unknown need variable 'motr' .*did you mean 'motor'"):
        view.option_of("motr", 1)
    with pytest.raises(ConfigurationError, match=r"expected one of \(1, 2\), got 0"):
        view.option_of("frame", 0)


def test_complete_and_partial_rows() -> None:
    """A complete configuration fixes every variable it can; a partial one only what was chosen."""
    view = CatalogNeedsView(BIKE)
    selections = {"frame": {"carbon": 1}, "extras": {"rack": 2, "bell": 0}}
    assert view.row(selections) == {
        "frame": 2,
        "motor": 0,
        "extras.bell": 0,
        "extras.rack": 1,
        "extras.light": 0,
    }
    assert view.row(selections, complete=False) == {"frame": 2, "extras.bell": 0, "extras.rack": 1}
    assert view.selections(view.row(selections)) == {"frame": {"carbon": 1}, "extras": {"rack": 1}}


@pytest.mark.parametrize(
    ("selections", "message"),
    [
        (
            {"frame": {"alu_m": 1}},
            r"unknown option 'frame.alu_m' in catalog 'bike' \(did you mean 'frame.alu'\?\)",
        ),
        ({"frames": {"alu": 1}}, r"unknown module 'frames' in catalog 'bike' \(did you mean 'frame'\?\)"),
        ({"frame": {"alu": 1, "carbon": 1}}, r"module 'frame' of catalog 'bike' takes one option, got 2"),
    ],
)
def test_row_names_bad_references(selections: dict[str, dict[str, int]], message: str) -> None:
    """Unknown modules or options and two options of a single-choice module raise ConfigurationError."""
    with pytest.raises(ConfigurationError, match=message):
        CatalogNeedsView(BIKE).row(selections)


@st.composite
def _complete_rows(draw: st.DrawFn) -> tuple[CatalogNeedsView, dict[str, int]]:
    view = CatalogNeedsView(EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))])
    return view, {name: draw(st.sampled_from(domain)) for name, domain in view.domains.items()}


@given(_complete_rows())
def test_rows_round_trip_through_selections(drawn: tuple[CatalogNeedsView, dict[str, int]]) -> None:
    """On the example catalogs, a complete row -> selections -> row is the identity."""
    view, row = drawn
    assert view.row(view.selections(row)) == row


def test_example_configurations_are_rows() -> None:
    """Every example configuration (valid or not) of the example catalogs maps to a row and back."""
    paths = sorted((ROOT / "catalogs" / "examples").glob("*.yaml"))
    assert len(paths) >= 4
    for path in paths:
        config = configurator.load_configuration(path)
        view = CatalogNeedsView(EXAMPLES[config.catalog or ""])
        row = view.row(config.selections)
        assert view.row(view.selections(row)) == row, path.name


def test_purchases_are_complete_configurations_of_their_lines() -> None:
    """A purchased line of this catalog is evidence on every variable; other catalogs' lines are not."""
    view = CatalogNeedsView(BIKE)
    order = _event(
        "p1",
        "purchased",
        order_id="o1",
        margin=10,
        lines=[
            {"item": "bike", "catalog": "bike", "unit_price": 1000, "selections": {"frame": "alu"}},
            {"item": "bell", "catalog": "bike", "unit_price": 10},
            {"item": "car", "catalog": "car", "unit_price": 9000, "selections": {"frame": "big"}},
        ],
    )
    found = view.evidence(order)
    assert {(e.variable, e.value) for e in found} == {
        ("frame", 1),
        ("motor", 0),
        ("extras.bell", 0),
        ("extras.rack", 0),
        ("extras.light", 0),
    }
    assert {(e.kind, e.source, e.importance, e.ts) for e in found} == {("purchased", "p1", 1.0, T0)}


def test_configurations_and_quotes() -> None:
    """Complete configurations count every variable, partial ones only what was chosen, quotes what they name."""
    view = CatalogNeedsView(BIKE)
    complete = view.evidence(_configured("c1", {"frame": "carbon"}))
    assert len(complete) == 5 and {e.importance for e in complete} == {1.0}
    partial = view.evidence(_configured("c2", {"frame": "carbon"}, complete=False))
    assert partial == [Evidence("frame", 2, "configured", "c2", 1.0, ts=T0)]
    quote = _event("q1", "quote_requested", catalog="bike", selections={"extras": ["light"]})
    assert view.evidence(quote) == [Evidence("extras.light", 1, "quote_requested", "q1", ts=T0)]
    assert view.evidence(_event("q2", "quote_requested", catalog="bike")) == []


def test_views_stated_needs_and_returns() -> None:
    """Option views, stated needs (hard at importance 1, rejected when false) and returned items."""
    view = CatalogNeedsView(BIKE)
    assert view.evidence(_event("v1", "viewed", catalog="bike", item="motor.mid")) == [
        Evidence("motor", 2, "viewed", "v1", ts=T0)
    ]
    assert view.evidence(_event("v2", "viewed", catalog="bike", item="bike")) == []
    stated = _event("n1", "stated_need", need="option:extras.rack", value=True, importance=0.6)
    assert view.evidence(stated) == [Evidence("extras.rack", 1, "stated", "n1", 0.6, False, T0)]
    hard = _event("n2", "stated_need", need="option:frame.carbon", importance=1, catalog="bike")
    assert view.evidence(hard) == [Evidence("frame", 2, "stated", "n2", 1.0, True, T0)]
    rejected = _event("n3", "stated_need", need="option:motor.hub", value=False, importance=1)
    assert view.evidence(rejected) == [Evidence("motor", 1, "rejected", "n3", 1.0, False, T0)]
    assert view.evidence(_event("n4", "stated_need", need="budget", value=3000)) == []
    returned = _event("r1", "returned", order_id="o1", amount=10, items=["extras.bell", "wheel.big", "bike"])
    assert view.evidence(returned) == [Evidence("extras.bell", 1, "returned", "r1", ts=T0)]


def test_other_catalogs_and_other_events_say_nothing() -> None:
    """Events of another catalog, and events that are not about options, give no evidence."""
    view = CatalogNeedsView(BIKE)
    others = [
        _event("x1", "configured", catalog="car", selections={"frame": "alu"}, complete=True),
        _event("x2", "viewed", catalog="car", item="frame.alu"),
        _event("x3", "stated_need", catalog="car", need="option:frame.alu", value=True),
        _event("x4", "review", rating=5),
        _event("x5", "support_ticket", ticket_id="t1", cost=5),
    ]
    assert [view.evidence(e) for e in others] == [[]] * len(others)
    assert not view.skipped


def test_unknown_references_are_skipped_and_counted_or_raised() -> None:
    """By default an unknown option of this catalog is skipped and counted; strict raises naming the event."""
    view = CatalogNeedsView(BIKE)
    event = _configured("c9", {"frame": "carbn", "motor": "hub"})
    found = view.evidence(event)
    assert ("motor", 1) in {(e.variable, e.value) for e in found}
    assert "frame" not in {e.variable for e in found}
    assert view.skipped == {
        "unknown option 'frame.carbn' in catalog 'bike' (did you mean 'frame.carbon'?)": 1
    }
    with pytest.raises(ConfigurationError, match=r"event 'c9' \(configured\): unknown option 'frame.carbn'"):
        view.evidence(event, strict=True)
    stated = _event("n1", "stated_need", catalog="bike", need="option:wheel.big", value=True)
    assert view.evidence(stated) == []
    assert view.skipped["unknown module 'wheel' in catalog 'bike'"] == 1
    weird = _event("n2", "stated_need", need="option:frame.alu", value="maybe")
    with pytest.raises(ConfigurationError, match="expected true, false or a number, got 'maybe'"):
        view.evidence(weird, strict=True)


def test_population_rows_are_purchases_and_complete_configurations() -> None:
    """Population rows: purchased lines of this catalog and complete configurations; not partial ones."""
    view = CatalogNeedsView(BIKE)
    events = [
        _configured("c1", {"frame": "alu"}),
        _configured("c2", {"frame": "carbon"}, complete=False),
        _event("q1", "quote_requested", catalog="bike", selections={"frame": "carbon"}),
        _event(
            "p1",
            "purchased",
            order_id="o1",
            margin=1,
            lines=[{"item": "b", "catalog": "bike", "unit_price": 1, "selections": {"frame": "carbon"}}],
        ),
    ]
    assert [row["frame"] for row in view.population_rows(events)] == [1, 2]


def test_cold_catalog_population_is_its_defaults() -> None:
    """Without sales the population is the catalog's defaults, every value keeping some probability."""
    view = CatalogNeedsView(BIKE)
    population = view.fit_population([])
    assert population.recommend("frame", {})[0][0] == 1
    assert all(p > 0 for p in population.distribution("motor", {}).values())


_SIGNALS = [
    _configured("c1", {"frame": "carbon", "extras": ["rack"]}),
    _configured("c2", {"motor": "mid"}, complete=False),
    _event("v1", "viewed", catalog="bike", item="extras.light"),
    _event("v2", "viewed", 5, catalog="bike", item="motor.hub"),
    _event("n1", "stated_need", 1, need="option:frame.alu", importance=1),
    _event("n2", "stated_need", 2, need="option:frame.carbon", value=True, importance=1),
    _event("n3", "stated_need", need="option:extras.bell", value=False, importance=0.7),
    _event("r1", "returned", order_id="o1", amount=1, items=["extras.rack"]),
    _event("q1", "quote_requested", catalog="bike", selections={"motor": "hub"}),
]


@given(st.lists(st.sampled_from(_SIGNALS), max_size=12), st.randoms(use_true_random=False))
def test_needs_do_not_depend_on_the_order_of_events(events: list[Event], rnd: Any) -> None:
    """A shuffled multiset of events gives the same preferences, requirements and explanations."""
    view = CatalogNeedsView(BIKE)
    population = _population(view).population
    shuffled = list(events)
    rnd.shuffle(shuffled)
    a = CustomerNeeds(population)
    b = CustomerNeeds(population)
    for event in events:
        a.observe(*view.evidence(event))
    for event in shuffled:
        b.observe(*view.evidence(event))
    pa, pb = a.preferences(), b.preferences()
    assert pa.keys() == pb.keys()
    for variable, logs in pa.items():
        assert logs == pytest.approx(pb[variable], abs=1e-9)
    assert a.requirements_ == b.requirements_
    for module, mod in BIKE.modules.items():
        for option in mod.options:
            assert view.explain(a, module, option) == view.explain(b, module, option)
    wa, wb = view.option_weights(a), view.option_weights(b)
    assert wa == pytest.approx(wb, abs=1e-9)


def test_profiling_objection_gives_the_population() -> None:
    """A customer who objected to profiling gets the population's recommendations, whatever they did."""
    view = CatalogNeedsView(BIKE)
    population = _population(view).population
    objector = CustomerNeeds(population, profiling=False)
    for event in _SIGNALS:
        objector.observe(*view.evidence(event))
    assert objector.n_observed_ == 0 and objector.n_ignored_ > 0
    for variable in view.variables:
        assert objector.recommend(variable, {}) == population.recommend(variable, {})
    assert view.option_weights(objector) == view.option_weights(CustomerNeeds(population))
    assert view.explain(objector, "frame", "carbon") == []


def test_option_weights_use_none_or_the_best_option_as_reference() -> None:
    """Required modules: 0 for the most likely option; optional: against none; multi: log-odds of taking it."""
    view = CatalogNeedsView(BIKE)
    needs = _population(view)
    weights = view.option_weights(needs)
    assert set(weights) == {f"{m}.{o}" for m, mod in BIKE.modules.items() for o in mod.options}
    assert weights["frame.alu"] == 0 and weights["frame.carbon"] < 0
    prefs = needs.preferences()
    assert weights["motor.hub"] == pytest.approx(prefs["motor"][1] - prefs["motor"][0])
    assert weights["motor.hub"] > 0 > weights["motor.mid"]
    assert weights["extras.bell"] == pytest.approx(prefs["extras.bell"][1] - prefs["extras.bell"][0])
    decided = view.option_weights(needs, {"frame": {"carbon": 1}})
    assert not any(key.startswith("frame.") for key in decided)
    assert decided["extras.rack"] > weights["extras.rack"]  # carbon buyers took racks
    assert all(math.isfinite(w) for w in weights.values())


def test_explain_names_the_events_behind_a_preference() -> None:
    """explain: the sorted, distinct event ids that pushed an option; a hard need is its own reason."""
    view = CatalogNeedsView(BIKE)
    needs = _population(view)
    for event in _SIGNALS:
        needs.observe(*view.evidence(event))
    assert view.explain(needs, "extras", "light") == ["v1"]
    assert view.explain(needs, "extras", "rack") == ["c1", "r1"]  # configured, then returned
    assert view.explain(needs, "frame", "carbon") == ["n2"]  # the later hard need wins
    assert view.option_weights(needs)["frame.carbon"] == 0 > view.option_weights(needs)["frame.alu"]
    with pytest.raises(ConfigurationError, match=r"unknown option 'frame\.steel'"):
        view.explain(needs, "frame", "steel")


def test_budget_is_the_latest_stated_for_this_catalog() -> None:
    """budget: the latest numeric budget need of this catalog or of none; other catalogs' are ignored."""
    view = CatalogNeedsView(BIKE)
    events = [
        _event("b1", "stated_need", 0, need="budget", value=2000),
        _event("b2", "stated_need", 5, need="budget", value=2500.5, catalog="bike"),
        _event("b3", "stated_need", 9, need="budget", value=9000, catalog="car"),
        _event("b4", "stated_need", 9, need="budget", value="cheap"),
    ]
    assert view.budget(events) == Decimal("2500.5")
    assert view.budget(events[:1]) == Decimal(2000)
    assert view.budget([]) is None
