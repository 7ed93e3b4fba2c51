"""Tests of the baselines: each completes validly under the occasion and uses only what it may know."""

from __future__ import annotations

from decimal import Decimal

from configurator.catalog.check import find_violations
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.simulate.baselines import BASELINES, History, baseline_proposals
from configurator.simulate.occasions import Occasion, Searcher


def test_every_baseline_is_valid_and_meets_the_occasion(bike: Catalog) -> None:
    """Every proposal passes the checker, has the occasion's requirements and fits its budget."""
    searcher = Searcher(bike, country="PT")
    history = History()
    history.add("ann", Configuration({"frame": {"carbon": 1}, "motor": {"mid": 1}}))
    history.freeze()
    occasion = Occasion(("bell.horn",), Decimal(1500))
    proposals = baseline_proposals(searcher, history, "ann", occasion)
    assert tuple(proposals) == BASELINES
    for name, config in proposals.items():
        assert not find_violations(bike, config), name
        assert searcher.fits(config, occasion), name


def test_repeat_last_repeats_only_when_it_still_fits(bike: Catalog) -> None:
    """Repeat-last proposes the last purchase when it meets the occasion, the defaults otherwise."""
    searcher = Searcher(bike, country="PT")
    history = History()
    last = Configuration({"frame": {"steel": 1}, "motor": {"hub": 1}})
    history.add("ann", last)
    assert baseline_proposals(searcher, history, "ann", Occasion((), None))["repeat_last"] == last
    other = baseline_proposals(searcher, history, "ann", Occasion(("motor.mid",), None))
    assert other["repeat_last"] == other["defaults"]


def test_most_popular_sees_only_frozen_purchases(bike: Catalog) -> None:
    """Most-popular knows the purchases up to the last refresh, as the product's population model does."""
    searcher = Searcher(bike, country="PT")
    history = History()
    history.add("bob", Configuration({"frame": {"steel": 1}, "motor": {"hub": 1}}))
    before = baseline_proposals(searcher, history, "ann", Occasion((), None))
    assert before["most_popular"] == before["defaults"]
    history.freeze()
    after = baseline_proposals(searcher, history, "ann", Occasion((), None))
    assert after["most_popular"].selections["frame"] == {"steel": 1}
