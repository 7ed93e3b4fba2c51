"""Tests of the shop's history: earlier customers' purchases seeded before the run."""

from __future__ import annotations

from configurator.catalog.models import Catalog
from configurator.simulate.baselines import History
from configurator.simulate.history import earlier_customers, seed_history
from configurator.simulate.occasions import Searcher
from configurator.simulate.tastes import draw_population


def test_each_earlier_customer_buys_once_and_is_counted(bike: Catalog) -> None:
    """One purchased event per earlier customer, with a line of the catalog; the population's counts grow."""
    earlier = earlier_customers(draw_population(bike, 4, seed=3))
    history = History()
    records = seed_history(bike, earlier, Searcher(bike, country="PT"), history, seed=3)
    assert [r["customer_id"] for r in records] == ["hist-0001", "hist-0002", "hist-0003", "hist-0004"]
    assert history.purchases == 4 and sorted(history.by_customer) == [t.customer_id for t in earlier]
    line = records[0]["lines"][0]  # type: ignore[index]
    assert line["catalog"] == bike.catalog and set(line["selections"]) <= set(bike.modules)


def test_history_is_reproducible(bike: Catalog) -> None:
    """The same seed gives the same earlier purchases."""
    earlier = earlier_customers(draw_population(bike, 3, seed=1))
    searcher = Searcher(bike, country="PT")
    assert seed_history(bike, earlier, searcher, History(), seed=1) == seed_history(
        bike, earlier, searcher, History(), seed=1
    )
