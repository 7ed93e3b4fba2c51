"""Tests of purchase occasions and of the best configuration under an occasion (the product's solver)."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

from configurator.catalog.check import find_violations
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.simulate.occasions import Occasion, Searcher, draw_occasion
from configurator.simulate.tastes import draw_population, price_span


def _all_valid(bike: Catalog) -> list[Configuration]:
    out = []
    for frame, motor, bell in itertools.product(bike.modules["frame"].options, bike.modules["motor"].options,
                                                [None, "ding", "horn"]):  # fmt: skip
        selections = {"frame": {frame: 1}, "motor": {motor: 1}} | ({"bell": {bell: 1}} if bell else {})
        config = Configuration(selections)
        if not find_violations(bike, config):
            out.append(config)
    return out


def test_best_is_the_best_valid_configuration_by_enumeration(bike: Catalog) -> None:
    """The solver's best under a taste equals the best of all valid configurations meeting the occasion."""
    searcher = Searcher(bike, country="PT")
    for taste in draw_population(bike, 6, seed=7):
        occasion = Occasion(("motor.mid",), Decimal(2000))
        best = searcher.best(taste.weights(), occasion)
        assert best is not None
        candidates = [c for c in _all_valid(bike) if searcher.fits(c, occasion)]
        top = max(taste.utility(bike, c) for c in candidates)
        assert abs(taste.utility(bike, best) - top) < 1e-3


def test_settle_drops_what_cannot_be_met(bike: Catalog) -> None:
    """A requirement the budget cannot pay is dropped; the best then fits the budget."""
    searcher = Searcher(bike, country="PT")
    taste = draw_population(bike, 1, seed=1)[0]
    settled, best = searcher.settle(taste.weights(), Occasion(("frame.carbon",), Decimal(1200)))
    assert settled.requirements == ()
    assert searcher.total(best) <= Decimal(1200)


def test_occasions_differ_and_are_seeded(bike: Catalog) -> None:
    """Occasions carry one or two requirements of known options and a budget; a seed repeats them."""
    searcher = Searcher(bike, country="PT")
    taste = draw_population(bike, 1, seed=1)[0]
    drawn = [draw_occasion(bike, taste, searcher, random.Random(i)) for i in range(12)]
    assert drawn[3] == draw_occasion(bike, taste, searcher, random.Random(3))
    assert len({o for o in drawn}) > 1
    for occasion in drawn:
        assert 1 <= len(occasion.requirements) <= 2
        for requirement in occasion.requirements:
            module, _, option = requirement.partition(".")
            assert option in bike.modules[module].options
        assert occasion.budget is not None and occasion.budget > 0


def _priced(bike: Catalog, factor: Decimal) -> Catalog:
    """The bike with every price multiplied by ``factor``."""
    data = bike.model_dump(mode="json", exclude_none=True)
    for module in data["modules"].values():
        for option in module["options"].values():
            option["price"] = str(Decimal(str(option.get("price", 0))) * factor)
    return Catalog.model_validate(data)


def test_an_unpriced_catalog_draws_occasions_without_a_budget(bike: Catalog) -> None:
    """With nothing priced there is no trade-off to budget for: occasions carry requirements only."""
    free = _priced(bike, Decimal(0))
    searcher = Searcher(free, country="PT")
    taste = draw_population(free, 1, seed=1)[0]
    drawn = [draw_occasion(free, taste, searcher, random.Random(i)) for i in range(6)]
    assert all(o.budget is None and o.requirements for o in drawn)
    assert searcher.best(taste.weights(), drawn[0]) is not None


def test_small_budgets_keep_their_cents(bike: Catalog) -> None:
    """Prices in cents give budgets in cents between the cheapest and the dearest, never rounded to 0."""
    cheap = _priced(bike, Decimal("0.0001"))
    searcher = Searcher(cheap, country="PT")
    budget = searcher.budget_for(0.5)
    assert budget is not None and Decimal("0.07") <= budget <= Decimal("0.3")
    assert budget == budget.quantize(Decimal("0.01"))


def test_quantities_beyond_the_price_span_still_give_budgets(bike: Catalog) -> None:
    """When the cheapest configuration costs more than one of each module's dearest option, budgets still vary."""
    data = bike.model_dump(mode="json", exclude_none=True)
    data["modules"]["bell"]["choose"] = "exactly_one"
    for option in data["modules"]["bell"]["options"].values():
        option["qty"] = {"min": 200, "max": 300}
    heavy = Catalog.model_validate(data)
    searcher = Searcher(heavy, country="PT")
    assert price_span(heavy) < searcher.cheapest
    low, high = searcher.budget_for(0.1), searcher.budget_for(0.9)
    assert low is not None and high is not None and low < high
