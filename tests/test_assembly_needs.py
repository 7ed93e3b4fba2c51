"""Assembly of learned needs: needs from the store, solver weights, recommendations within session domains."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

import configurator
from configurator.assembly.context import customer_context
from configurator.assembly.needs import (
    learned_needs,
    needs_for,
    population_sales,
    recommendations,
    weights_for,
)
from configurator.assembly.requirements import customer_evidence
from configurator.catalog.check import find_violations
from configurator.customers.events import validate_event
from configurator.errors import ConfiguratorError
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.customer import CustomerNeeds, Evidence
from configurator.needs.models import NeedsModel
from configurator.solver.session import ConfigurationSession, Weights
from configurator.storage import SqlStore, make_engine, upgrade
from support import DEMO_CUSTOMERS, example_catalogs

ROOT = Path(__file__).resolve().parent.parent
ON = dt.date(2026, 11, 23)
CATALOGS = example_catalogs()
CUSTOMERS = DEMO_CUSTOMERS


@pytest.fixture(scope="module")
def learned(demo: Engine) -> dict[str, tuple[CatalogNeedsView, CustomerNeeds]]:
    """Per example catalog: its needs view and the learned needs of its demo customer."""
    out: dict[str, tuple[CatalogNeedsView, CustomerNeeds]] = {}
    for catalog_id, customer in CUSTOMERS.items():
        view = CatalogNeedsView(CATALOGS[catalog_id])
        out[catalog_id] = view, needs_for(SqlStore(demo, "demo"), "demo", customer, view.catalog, view=view)
    return out


@pytest.fixture(scope="module")
def sessions() -> dict[str, ConfigurationSession]:
    """One configuration session per example catalog (cleared by each test that uses it)."""
    return {catalog_id: ConfigurationSession(c, on=ON) for catalog_id, c in CATALOGS.items()}


def test_needs_for_learns_from_the_customers_events(
    demo: Engine, learned: dict[str, tuple[CatalogNeedsView, CustomerNeeds]]
) -> None:
    """A customer's purchases, quotes and configurations drive their recommendations and are named as reasons.

    Karin bought the carbon frame, then the low-step one, which she also configured twice: her two frames lead,
    the one she chose most often first.
    """
    view, needs = learned["ebike-urban"]
    assert needs.profiling and needs.n_observed_ > 0
    top = [value for value, _ in needs.recommend("frame", {})[:2]]
    assert top == [view.variable_of("frame", f)[1] for f in ("alu_lowstep", "carbon_diamond")]
    assert {"ev-00553", "ev-00555"} <= set(view.explain(needs, "frame", "carbon_diamond"))
    assert {"ev-00557", "ev-00560", "ev-00564"} <= set(view.explain(needs, "frame", "alu_lowstep"))
    population = view.fit_population(SqlStore(demo, "demo").catalog_sales("ebike-urban"))
    assert population.n_rows_ == needs.population.n_rows_


def test_cold_start_and_shared_population(demo: Engine) -> None:
    """An unknown customer gets the population; a given population is used as it is."""
    catalog = CATALOGS["valve-pn5"]
    view = CatalogNeedsView(catalog)
    population = view.fit_population(SqlStore(demo, "demo").catalog_sales(catalog.catalog))
    nobody = needs_for(SqlStore(demo, "demo"), "demo", "c-unknown", catalog, population=population)
    assert nobody.population is population and nobody.n_observed_ == 0
    for variable in view.variables:
        assert nobody.recommend(variable, {}) == population.recommend(variable, {})
    with pytest.raises(ConfiguratorError, match="the store is of tenant 'demo', asked for tenant 'other'"):
        needs_for(SqlStore(demo, "demo"), "other", "c-1001", catalog)


def _bike_store() -> tuple[Engine, configurator.Catalog]:
    catalog = configurator.Catalog.model_validate(
        {
            "catalog": "bike",
            "version": "1",
            "currency": "EUR",
            "locales": ["en"],
            "modules": {
                "frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
                "motor": {"choose": "optional", "options": {"hub": {"price": 700}}},
            },
            "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}],
        }
    )
    engine = make_engine("sqlite://")
    upgrade(engine)

    def event(event_id: str, customer: str, **fields: Any) -> Any:
        data = {"event_id": event_id, "customer_id": customer, "channel": "web", **fields}
        return validate_event({"ts": "2026-05-01T12:00:00Z", **data}, tenant="shop")

    sale = {"type": "configured", "catalog": "bike", "complete": True}
    events = [event(f"s{i}", f"c{i}", **sale, selections={"frame": "alu", "motor": "hub"}) for i in range(4)]
    events += [
        event("m1", "me", **sale, selections={"frame": "carbon"}),
        event("m2", "me", type="stated_need", need="option:frame.carbon", importance=1),
    ]
    SqlStore(engine, "shop").write_events(events)
    return engine, catalog


def test_profiling_objection_gives_population_recommendations() -> None:
    """After an objection to profiling, the customer's events are ignored: population recommendations."""
    engine, catalog = _bike_store()
    view = CatalogNeedsView(catalog)
    session = ConfigurationSession(catalog)
    before = needs_for(SqlStore(engine, "shop"), "shop", "me", catalog, view=view)
    assert recommendations(session, view, before)["frame"][0][0] == "carbon"
    objection: dict[str, Any] = {"event_id": "k1", "type": "consent", "customer_id": "me", "channel": "email"}
    objection |= {"ts": "2026-06-01T00:00:00Z", "purpose": "profiling", "granted": False}
    SqlStore(engine, "shop").write_events([validate_event(objection, tenant="shop")])
    after = needs_for(SqlStore(engine, "shop"), "shop", "me", catalog, view=view)
    assert not after.profiling and after.n_observed_ == 0
    population = CustomerNeeds(after.population)
    assert recommendations(session, view, after) == recommendations(session, view, population)
    assert recommendations(session, view, after)["frame"][0][0] == "alu"
    assert view.option_weights(after) == view.option_weights(population)


def test_objectors_sales_do_not_feed_the_population() -> None:
    """A customer who objected to profiling is left out of the population's sales."""
    engine, _ = _bike_store()
    store = SqlStore(engine, "shop")
    assert {e.customer_id for e in population_sales(store, "bike")} == {"c0", "c1", "c2", "c3", "me"}
    objection: dict[str, Any] = {"event_id": "k2", "type": "consent", "customer_id": "c0", "channel": "email"}
    objection |= {"ts": "2026-06-01T00:00:00Z", "purpose": "profiling", "granted": False}
    store.write_events([validate_event(objection, tenant="shop")])
    assert {e.customer_id for e in population_sales(store, "bike")} == {"c1", "c2", "c3", "me"}


def test_learned_weights_drive_optimize_and_top_k() -> None:
    """The learned weights reach the solver: the stated carbon frame wins, and every bundle is valid."""
    engine, catalog = _bike_store()
    view = CatalogNeedsView(catalog)
    needs = needs_for(SqlStore(engine, "shop"), "shop", "me", catalog, view=view)
    session = ConfigurationSession(catalog)
    best = session.optimize(weights_for(view, needs))
    assert best is not None and dict(best.configuration.selections) == {"frame": {"carbon": 1}}
    assert find_violations(catalog, best.configuration) == []
    bundles = session.top_k(weights_for(view, needs, price=-0.001), k=2)
    assert [b.configuration.quantity("frame", "carbon") for b in bundles] == [1, 0]
    assert all(find_violations(catalog, b.configuration) == [] for b in bundles)
    population = weights_for(view, CustomerNeeds(needs.population))
    chosen = session.optimize(population)
    assert chosen is not None and chosen.configuration.quantity("motor", "hub") == 1
    assert weights_for(view, needs, price=-0.5, scale=10).price == -0.5


@pytest.mark.parametrize("catalog_id", sorted(CATALOGS))
def test_optimal_bundle_under_learned_weights_passes_the_checker(
    catalog_id: str,
    learned: dict[str, tuple[CatalogNeedsView, CustomerNeeds]],
    sessions: dict[str, ConfigurationSession],
) -> None:
    """On every example catalog, optimize and top_k with a demo customer's weights give valid bundles."""
    view, needs = learned[catalog_id]
    session = sessions[catalog_id]
    session.clear()
    weights = weights_for(view, needs)
    best = session.optimize(weights)
    assert best is not None and best.status == "optimal"
    assert find_violations(view.catalog, best.configuration, on=ON) == []
    # the solver counts an option's utility once per selected option, whatever its quantity
    utility = sum(weights.options.get(f"{m}.{o}", 0.0) for m, o, _ in best.configuration.items())
    assert best.utility == pytest.approx(utility, abs=0.01 * (1 + len(weights.options)))
    top = session.top_k(weights, k=2, distance=2)
    assert top
    for bundle in top:
        assert find_violations(view.catalog, bundle.configuration, on=ON) == []
        assert bundle.utility <= best.utility + 1e-6


@st.composite
def _steps(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]], tuple[int, int] | None]:
    catalog_id = draw(st.sampled_from(sorted(CATALOGS)))
    picks = draw(st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99)), max_size=4))
    hard = draw(st.none() | st.tuples(st.integers(0, 99), st.integers(0, 99)))
    return catalog_id, picks, hard


@settings(max_examples=40)
@given(_steps())
def test_recommendations_stay_within_session_domains(
    learned: dict[str, tuple[CatalogNeedsView, CustomerNeeds]],
    sessions: dict[str, ConfigurationSession],
    steps: tuple[str, list[tuple[int, int]], tuple[int, int] | None],
) -> None:
    """After any valid choices, even with a hard need, every open module is ranked, with available options only."""
    catalog_id, picks, hard = steps
    view, learned_needs = learned[catalog_id]
    needs = copy.deepcopy(learned_needs, {id(learned_needs.population): learned_needs.population})
    options = [(m, o) for m, mod in view.catalog.modules.items() for o in mod.options]
    if hard is not None:
        variable, value = view.variable_of(*options[(hard[0] * 100 + hard[1]) % len(options)])
        needs.observe(Evidence(variable, value, "stated", "n", hard=True))
    session = sessions[catalog_id]
    session.clear()

    def open_modules() -> list[str]:
        domains = session.domains()
        return [m for m in domains if domains[m] and not any(c.module == m for c in session.choices)]

    for a, b in picks:
        undecided = open_modules()
        if len(undecided) <= 1:  # leave at least one module to recommend for
            break
        module = undecided[a % len(undecided)]
        options_left = session.domains()[module]
        session.select(module, options_left[b % len(options_left)])
    domains = session.domains()
    undecided = open_modules()
    ranked = recommendations(session, view, needs)
    assert undecided and set(undecided) <= set(ranked)
    chosen = {(c.module, c.option) for c in session.choices}
    for module, options_ranked in ranked.items():
        assert options_ranked, module
        assert {o for o, _ in options_ranked} <= set(domains[module])
        assert not any((module, o) in chosen for o, _ in options_ranked)
        probabilities = [p for _, p in options_ranked]
        assert probabilities == sorted(probabilities, reverse=True)
        assert all(0.0 <= p <= 1.0 + 1e-9 for p in probabilities)
        if view.is_single(module):
            assert sum(probabilities) <= 1.0 + 1e-9


def test_recommendations_need_the_same_catalog(
    learned: dict[str, tuple[CatalogNeedsView, CustomerNeeds]],
) -> None:
    """A session of one catalog and a needs view of another are refused."""
    view, needs = learned["valve-pn5"]
    session = ConfigurationSession(CATALOGS["valve-pn5"])
    other, _ = learned["ebike-urban"]
    with pytest.raises(ConfiguratorError, match="session is of catalog 'valve-pn5'"):
        recommendations(session, other, needs)
    assert recommendations(session, view, needs)


def test_customer_events_give_the_evidence_of_needs_for(
    demo: Engine, learned: dict[str, tuple[CatalogNeedsView, CustomerNeeds]]
) -> None:
    """needs_for observes exactly the evidence of the customer's stored events."""
    view, needs = learned["laptop-pro14"]
    fresh = CustomerNeeds(needs.population)
    for event in SqlStore(demo, "demo").customer_events(CUSTOMERS["laptop-pro14"]):
        fresh.observe(*view.evidence(event))
    assert fresh.n_observed_ == needs.n_observed_ > 0
    assert fresh.evidence_ == needs.evidence_


def test_learned_needs_keep_the_evidence_they_observed(demo: Engine) -> None:
    """learned_needs reads the events once: its evidence is what the needs observed and what the context explains."""
    catalog, customer = CATALOGS["ebike-urban"], CUSTOMERS["ebike-urban"]
    store = SqlStore(demo, "demo")
    view = CatalogNeedsView(catalog)
    learned = learned_needs(store, "demo", customer, catalog, view=view)
    assert learned.events and learned.evidence == tuple(
        customer_evidence(view, store.customer_events(customer))
    )
    assert learned.needs.n_observed_ == len(learned.evidence)
    assert learned.needs.evidence_ == needs_for(store, "demo", customer, catalog, view=view).evidence_
    context = customer_context(
        store, "demo", customer, catalog, population=learned.needs.population, view=view
    )
    assert context.evidence == learned.evidence
    nobody = learned_needs(store, "demo", "c-unknown", catalog, population=learned.needs.population)
    assert nobody.evidence == () and nobody.events == () and nobody.needs.n_observed_ == 0


def test_population_model_is_replaceable(demo: Engine) -> None:
    """Any fitted NeedsModel over the view's variables can be the population."""
    from configurator.needs.models import NaiveBayesNeeds

    catalog = CATALOGS["ebike-urban"]
    view = CatalogNeedsView(catalog)
    model: NeedsModel = view.fit_population(
        SqlStore(demo, "demo").catalog_sales(catalog.catalog), NaiveBayesNeeds()
    )
    needs = needs_for(SqlStore(demo, "demo"), "demo", "c-1019", catalog, population=model)
    assert isinstance(needs.population, NaiveBayesNeeds)
    session = ConfigurationSession(catalog, on=ON)
    best = session.optimize(weights_for(view, needs))
    assert best is not None and find_violations(catalog, best.configuration, on=ON) == []
    assert isinstance(weights_for(view, needs), Weights)
