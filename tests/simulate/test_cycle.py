"""Tests of the simulated learning loop on the product's path (store, assemble, quote acceptance, ingestion)."""

from __future__ import annotations

import pytest

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.customers.events import Configured, Purchased
from configurator.simulate.baselines import History
from configurator.simulate.cycle import ON, Simulation, simulate, withdraw, withdrawal_index


@pytest.fixture(scope="module")
def result(bike: Catalog) -> Simulation:
    """Five customers, three purchases each, on the small bike."""
    return simulate(bike, customers=5, purchases=3, seed=2, history=30)


def test_every_purchase_is_an_accepted_quote_with_its_events(result: Simulation) -> None:
    """Each cycle leaves an order from quote acceptance and a complete configured event in the store."""
    store = result.store
    for taste in result.tastes:
        orders = store.orders_for(taste.customer_id)
        assert [o["order_id"] for o in orders] == [f"SIM-{taste.customer_id}-{i}" for i in (1, 2, 3)]
        types = [e.type for e in store.customer_events(taste.customer_id)]
        assert types.count("purchased") == 3 and types.count("configured") == 3


def test_each_occasions_requirements_are_recorded_with_its_purchase(result: Simulation) -> None:
    """The quote, its order line and the configured event carry the occasion's requirements, met by the bundle."""
    required = 0
    for taste in result.tastes:
        events = result.store.customer_events(taste.customer_id)
        orders = [e for e in events if isinstance(e, Purchased) and e.order_id.startswith("SIM-")]
        configured = {e.ts: e for e in events if isinstance(e, Configured)}
        for order in orders:
            (line,) = order.lines
            assert line.required == configured[order.ts].required
            for text in line.required or ():
                module, _, option = text.lstrip("!").rpartition(".")
                assert (option in (line.selections or {}).get(module, {})) != text.startswith("!")
                required += 1
    assert required > 0


def test_every_system_is_measured_for_every_purchase(result: Simulation) -> None:
    """The learned system, each baseline and the oracle have one measure per customer and purchase."""
    for series in (result.learned, result.oracle, *result.baselines.values()):
        assert [len(e) for e in series.edits] == [5, 5, 5]
    assert all(len(s) == 5 for s in result.learned.seconds)


def test_oracle_is_the_ceiling(result: Simulation) -> None:
    """No proposal does better than the customer's own best: regret is never below 0; the oracle's is 0."""
    assert all(r == 0 for rs in result.oracle.regrets for r in rs)
    for series in (result.learned, *result.baselines.values()):
        assert all(r >= -1e-6 for rs in series.regrets for r in rs)
        assert all((e == 0) <= (abs(r) < 1e-9) for es, rs in zip(series.edits, series.regrets, strict=True)
                   for e, r in zip(es, rs, strict=True))  # fmt: skip


def test_rejected_proposal_options_flow_back(result: Simulation) -> None:
    """An edited first proposal sends the options the customer changed away from back as rejections."""
    edited = sum(e for es in result.learned.edits for e in es)
    rejections = [
        e for t in result.tastes for e in result.store.customer_events(t.customer_id)
        if e.type == "stated_need" and e.value is False
    ]  # fmt: skip
    assert edited > 0 and rejections


def test_the_same_seed_gives_the_same_figures(bike: Catalog, result: Simulation) -> None:
    """A run is reproducible from its seed."""
    again = simulate(bike, customers=5, purchases=3, seed=2, history=30)
    assert again.learned.edits == result.learned.edits
    assert again.learned.regrets == result.learned.regrets


def test_the_shop_has_a_history_before_the_measured_customers(result: Simulation) -> None:
    """Earlier customers' purchases are in the store; no measured customer is among them."""
    sales = result.store.catalog_sales(result.catalog.catalog)
    earlier = {e.customer_id for e in sales if e.customer_id and e.customer_id.startswith("hist-")}
    assert len(earlier) == 30
    assert not earlier & {t.customer_id for t in result.tastes}


def test_new_customers_are_measured_with_and_without_questions(result: Simulation) -> None:
    """At purchase 1 every customer is new: the unguided proposal is measured beside the guided one."""
    assert len(result.unguided.edits[0]) == len(result.learned.edits[0]) == 5
    assert result.unguided.purchases == 1


def test_a_negative_history_is_refused(bike: Catalog) -> None:
    """``history`` below 0 raises the product's error, not a builtin one."""
    from configurator.errors import ConfiguratorError

    with pytest.raises(ConfiguratorError, match="history"):
        simulate(bike, customers=1, purchases=1, history=-1)


def test_purchases_only_records_orders_and_nothing_else(bike: Catalog) -> None:
    """Scenario ``purchases-only``: each purchase is an order; no configured event, no rejection."""
    run = simulate(bike, customers=3, purchases=2, seed=4, history=10, scenario="purchases-only")
    for taste in run.tastes:
        types = [e.type for e in run.store.customer_events(taste.customer_id)]
        assert types.count("purchased") == 2 and "configured" not in types and "stated_need" not in types


def test_partial_records_only_part_of_each_configuration(bike: Catalog) -> None:
    """Scenario ``partial``: no order; one incomplete configured event per purchase."""
    run = simulate(bike, customers=3, purchases=2, seed=4, history=10, scenario="partial")
    for taste in run.tastes:
        events = run.store.customer_events(taste.customer_id)
        configured = [e for e in events if e.type == "configured"]
        assert not run.store.orders_for(taste.customer_id)
        assert len(configured) == 2 and not any(e.complete for e in configured)


def test_drift_moves_tastes_between_purchases(bike: Catalog) -> None:
    """Scenario ``drift``: the same seed measures different preferences from the second purchase on."""
    stable = simulate(bike, customers=6, purchases=3, seed=4, history=10)
    drifting = simulate(bike, customers=6, purchases=3, seed=4, history=10, scenario="drift")
    assert drifting.learned.edits[0] == stable.learned.edits[0]
    assert drifting.oracle.regrets == stable.oracle.regrets and drifting.scenario == "drift"
    assert drifting.learned.regrets[1:] != stable.learned.regrets[1:]


def test_a_withdrawn_option_is_never_sold_again_and_is_reported(bike: Catalog) -> None:
    """Scenario ``withdrawn``: from the new version on, no purchase holds the option bought most before it."""
    run = simulate(bike, customers=5, purchases=3, seed=4, history=10, scenario="withdrawn")
    assert run.withdrawn is not None
    option, index = run.withdrawn
    assert index == withdrawal_index(3) == 1 and option.startswith("frame.") and option != "frame.alu"
    module, name = option.split(".")
    for taste in run.tastes:
        owned = run.store.installed_base_for(taste.customer_id)
        assert len(owned) == 3
        assert all(name not in row["configuration"].get(module, {}) for row in owned[index:]), owned
    assert [len(e) for e in run.learned.edits] == [5, 5, 5]


def test_withdraw_ends_the_most_bought_option_in_a_new_version(bike: Catalog) -> None:
    """The most bought option outside the defaults gets an end date before the simulated day; versions differ."""
    history = History()
    history.add("c1", Configuration({"frame": {"steel": 1}}))
    history.add("c2", Configuration({"frame": {"carbon": 1}}))
    history.add("c3", Configuration({"frame": {"carbon": 1}}))
    history.add("c4", Configuration({"frame": {"alu": 1}}))
    sold, option = withdraw(bike, history)
    assert option == "frame.carbon" and sold.version == f"{bike.version}-w"
    assert not sold.modules["frame"].options["carbon"].effective(ON) and bike.modules["frame"].options[
        "carbon"
    ].effective(ON)


def test_a_catalog_without_an_option_to_withdraw_is_refused(bike: Catalog) -> None:
    """No module with three options besides its default: the scenario says so."""
    from configurator.errors import ConfiguratorError

    small = bike.model_copy(update={"modules": {"motor": bike.modules["motor"]}})
    with pytest.raises(ConfiguratorError, match="no option to withdraw"):
        withdraw(small, History())


def test_an_unknown_scenario_is_refused(bike: Catalog) -> None:
    """An unknown scenario raises the product's error naming the known ones."""
    from configurator.errors import ConfiguratorError

    with pytest.raises(ConfiguratorError, match="purchases-only"):
        simulate(bike, customers=1, purchases=1, scenario="weekly")


def test_cross_catalog_the_last_purchase_is_from_the_other_catalog(bike: Catalog) -> None:
    """Scenario ``cross-catalog``: the last order names the other catalog; the transfer is measured beside."""
    other = bike.model_copy(update={"catalog": "bike-two"})
    run = simulate(bike, customers=3, purchases=2, seed=3, history=10, scenario="cross-catalog", other=other)
    assert run.other is other
    for taste in run.tastes:
        rows = run.store.installed_base_for(taste.customer_id)
        assert [r["catalog_id"] for r in rows] == [bike.catalog, "bike-two"]
    assert len(run.untransferred.edits[1]) == 3 and len(run.unguided.edits[1]) == 3
    assert not run.untransferred.edits[0]


@pytest.mark.parametrize(
    ("scenario", "purchases", "other", "expected"),
    [
        ("cross-catalog", 2, None, "expected another catalog"),
        ("cross-catalog", 2, "same", "the same catalog"),
        ("cross-catalog", 1, "two", "at least 2 purchases"),
        ("default", 2, "two", "only for scenario cross-catalog"),
    ],
)
def test_cross_catalog_needs_another_catalog_and_two_purchases(
    bike: Catalog, scenario: str, purchases: int, other: str | None, expected: str
) -> None:
    """A missing or identical other catalog, one purchase, or another catalog without the scenario is refused."""
    from configurator.errors import ConfiguratorError

    catalogs = {None: None, "same": bike, "two": bike.model_copy(update={"catalog": "bike-two"})}
    with pytest.raises(ConfiguratorError, match=expected):
        simulate(bike, customers=1, purchases=purchases, seed=1, history=0, scenario=scenario,
                 other=catalogs[other])  # fmt: skip


def test_an_unpriced_catalog_is_simulated_without_budgets(bike: Catalog) -> None:
    """A catalog with no prices (an imported feature model) runs the loop; no occasion carries a budget."""
    data = bike.model_dump(mode="json", exclude_none=True)
    for module in data["modules"].values():
        for option in module["options"].values():
            option["price"] = "0"
    free = Catalog.model_validate(data)
    run = simulate(free, customers=2, purchases=2, seed=1, history=5)
    assert [len(e) for e in run.learned.edits] == [2, 2]
    for taste in run.tastes:
        orders = [e for e in run.store.customer_events(taste.customer_id) if isinstance(e, Purchased)]
        assert len(orders) == 2 and all(line.budget is None for o in orders for line in o.lines)
