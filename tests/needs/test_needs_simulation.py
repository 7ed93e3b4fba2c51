"""Tests of configurator.needs.simulation: the per-customer learning curve."""

from __future__ import annotations

import pytest

from configurator.needs.models import MostFrequentNeeds
from configurator.needs.simulation import CurvePoint, LearningCurve, learning_curve

ROWS = [{"a": a, "b": (a + k) % 4, "c": k % 3} for a in range(4) for k in range(6)] * 3


def test_curve_rises_with_interactions() -> None:
    """More observed interactions give a higher hit rate than none."""
    curve = learning_curve(ROWS[:48], ROWS[48:], seed=2)
    assert [p.interactions for p in curve.points] == [0, 1, 3, 7]
    assert curve.points[-1].hit_rate > curve.points[0].hit_rate
    assert curve.points[0].hit_rate == curve.population_hit_rate


def test_customers_are_sampled_and_valid_domains_restrict() -> None:
    """``customers`` samples the tastes; steps outside the valid domains stop that customer."""
    curve = learning_curve(
        ROWS[:48],
        ROWS[48:],
        customers=5,
        valid_domains=lambda partial: {"a": (0, 1, 2, 3), "b": (0, 1, 2, 3), "c": (0, 1)},
        population=MostFrequentNeeds(),
        seed=1,
    )
    assert curve.customers == 5 and all(p.steps <= 15 for p in curve.points)


def test_rises_reads_the_points() -> None:
    """A flat or falling curve does not rise."""
    up = LearningCurve((CurvePoint(0, 0.5, 1), CurvePoint(1, 0.6, 1)), 0.5, 1)
    flat = LearningCurve((CurvePoint(0, 0.5, 1), CurvePoint(1, 0.5, 1)), 0.5, 1)
    assert up.rises() and not flat.rises()


def test_unforced_steps_are_scored_apart() -> None:
    """Steps with one valid value count in the hit rate but not in the unforced hit rate."""
    forced_c = {"a": (0, 1, 2, 3), "b": (0, 1, 2, 3), "c": (0,)}
    tastes = [row for row in ROWS[48:] if row["c"] == 0]
    curve = learning_curve(ROWS[:48], tastes, valid_domains=lambda partial: forced_c, seed=3)
    assert tastes and curve.points
    for point in curve.points:
        assert point.steps == 3 * len(tastes) and point.unforced_steps == 2 * len(tastes)
        unforced_hits = point.hit_rate * point.steps - len(tastes)  # every c step is a forced hit
        assert point.unforced_hit_rate == pytest.approx(unforced_hits / point.unforced_steps)
        assert point.unforced_hit_rate < point.hit_rate
