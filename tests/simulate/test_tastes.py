"""Tests of simulated tastes: seeded, segment-based, attribute part-worths derived from the catalog's attrs."""

from __future__ import annotations

import pytest

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.simulate.tastes import PopulationSpec, draw_population


def test_same_seed_same_population_other_seed_other(bike: Catalog) -> None:
    """A population is reproducible from its seed, and another seed draws other tastes."""
    assert draw_population(bike, 5, seed=3) == draw_population(bike, 5, seed=3)
    assert draw_population(bike, 5, seed=3) != draw_population(bike, 5, seed=4)


def test_every_option_has_a_utility_and_price_is_disliked(bike: Catalog) -> None:
    """Each taste values every option of the catalog and dislikes price (negative price weight)."""
    for taste in draw_population(bike, 8, seed=1):
        assert set(taste.options) == {f"{m}.{o}" for m, mod in bike.modules.items() for o in mod.options}
        assert taste.price_weight < 0
        assert 0 <= taste.budget_level <= 1


def test_attribute_part_worths_cover_every_attr_kind(bike: Catalog) -> None:
    """Enum, bool and numeric attributes each get part-worths of the right kind."""
    kinds = {a.name: a.kind for a in draw_population(bike, 1, seed=2)[0].attributes}
    assert kinds["material"] == "enum" and kinds["quiet"] == "bool"
    assert kinds["weight_g"] in ("slope", "level") and kinds["power_w"] in ("slope", "level")


def test_segments_make_customers_alike(bike: Catalog) -> None:
    """Customers of one segment are closer to each other than to customers of another segment."""
    spec = PopulationSpec(segments=2, option_sd=3.0, option_noise=0.1, attribute_noise=0.05)
    people = draw_population(bike, 40, seed=5, spec=spec)

    def distance(a: int, b: int) -> float:
        return sum((people[a].options[k] - people[b].options[k]) ** 2 for k in people[a].options)

    same = [distance(i, j) for i in range(40) for j in range(i) if people[i].segment == people[j].segment]
    other = [distance(i, j) for i in range(40) for j in range(i) if people[i].segment != people[j].segment]
    assert same and other and max(same) < min(other)


def test_utility_sums_options_and_price(bike: Catalog) -> None:
    """A configuration's utility is its options' utilities plus the price weight times its list price."""
    taste = draw_population(bike, 1, seed=1)[0]
    config = Configuration({"frame": {"alu": 1}, "motor": {"hub": 1}})
    expected = taste.options["frame.alu"] + taste.options["motor.hub"] + taste.price_weight * 900
    assert abs(taste.utility(bike, config) - expected) < 1e-9
    assert taste.span(bike) > 0


def test_drift_moves_every_option_reproducibly(bike: Catalog) -> None:
    """A drift step changes option utilities, the same way for the same random state, not the price."""
    import random

    taste = draw_population(bike, 1, seed=1)[0]
    moved = taste.drifted(random.Random(3), 0.5)
    assert moved.options != taste.options and moved.price_weight == taste.price_weight
    assert moved == taste.drifted(random.Random(3), 0.5)


def test_carried_tastes_keep_shared_attribute_worths_and_price_sensitivity(bike: Catalog) -> None:
    """carry_over keeps the segment, shared attribute part-worths and the price sensitivity per price span."""
    from configurator.simulate.tastes import carry_over, draw_population, price_span

    laptop = bike.model_copy(update={"catalog": "laptop"})
    people = draw_population(bike, 6, seed=5)
    there = carry_over(people, bike, laptop, seed=5)
    for before, after in zip(people, there, strict=True):
        assert after.customer_id == before.customer_id and after.segment == before.segment
        assert after.attributes == before.attributes and after.budget_level == before.budget_level
        assert after.price_weight * float(price_span(laptop)) == pytest.approx(
            before.price_weight * float(price_span(bike))
        )
    assert there == carry_over(people, bike, laptop, seed=5)
