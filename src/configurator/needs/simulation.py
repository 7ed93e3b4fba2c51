"""A per-customer learning curve on a simulated population: does every interaction make the next proposal better?

Simulated customers have hidden needs drawn from the population: each one's *taste* is a real sold
configuration the population model never saw (held out). Before the test, a customer shows us ``m``
interactions: each is a ``configured`` event over a random share (``coverage``) of the variables, where each
shown value is the taste's with probability ``1 - noise`` and otherwise drawn from the population's marginal
(customers browse, hesitate and try things). Then the taste is configured step by step in a random order, and
before each step :class:`~configurator.needs.customer.CustomerNeeds` recommends a value among the still-valid
ones; the hit rate is the share of steps where it recommends the taste's value. The same customers, orders and
interactions are used for every ``m`` (interactions are nested: the first 3 are the first of the 7), so the
points of the curve compare like with like. Steps where one value only is valid are hits whatever was learned,
so each point also gives the hit rate on the unforced steps (more than one valid value) alone.

Example:
    >>> rows = [{"a": a, "b": (a + k) % 3} for a in range(3) for k in range(3)] * 4
    >>> curve = learning_curve(rows[:30], rows[30:], interactions=(0, 3), seed=1)
    >>> [point.interactions for point in curve.points], curve.customers
    ([0, 3], 6)
    >>> curve.points[1].hit_rate > curve.points[0].hit_rate
    True
    >>> point = curve.points[1]
    >>> point.unforced_steps == point.steps, point.unforced_hit_rate == point.hit_rate  # no valid domains given
    (True, True)
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Callable, Mapping, Sequence

from configurator.needs.customer import CustomerNeeds, Evidence
from configurator.needs.models import NeedsModel, SimilarityNeeds

__all__ = ["CurvePoint", "LearningCurve", "learning_curve"]

ValidDomains = Callable[[Mapping[str, int]], Mapping[str, Sequence[int]]]


@dataclasses.dataclass(frozen=True)
class CurvePoint:
    """Hit rate after ``interactions`` observed interactions (``steps`` recommendations scored).

    ``unforced_hit_rate`` is the hit rate on the ``unforced_steps`` alone (more than one valid value).
    """

    interactions: int
    hit_rate: float
    steps: int
    unforced_hit_rate: float = 0.0
    unforced_steps: int = 0


@dataclasses.dataclass(frozen=True)
class LearningCurve:
    """The curve, and the population-only hit rate on the same steps (what no learning gives)."""

    points: tuple[CurvePoint, ...]
    population_hit_rate: float
    customers: int

    def rises(self) -> bool:
        """Whether every point is at least the previous one and the last is above the first."""
        rates = [p.hit_rate for p in self.points]
        return all(b >= a for a, b in itertools.pairwise(rates)) and rates[-1] > rates[0]


def learning_curve(
    population_rows: Sequence[Mapping[str, int]],
    tastes: Sequence[Mapping[str, int]],
    *,
    interactions: Sequence[int] = (0, 1, 3, 7),
    valid_domains: ValidDomains | None = None,
    domains: Mapping[str, Sequence[int]] | None = None,
    population: NeedsModel | None = None,
    coverage: float = 0.6,
    noise: float = 0.3,
    customers: int | None = None,
    seed: int = 0,
) -> LearningCurve:
    """Measure the per-customer hit rate after 0, 1, 3, 7... interactions (the module docstring).

    Args:
        population_rows: sold configurations the population model learns from.
        tastes: held-out sold configurations, one simulated customer each.
        interactions: the numbers of observed interactions to measure at.
        valid_domains: exact valid domains given a partial assignment (default: every domain value).
        domains: the variables' domains (default: learned from the rows).
        population: a population model to fit (default :class:`SimilarityNeeds`).
        coverage: share of the variables each interaction shows.
        noise: chance that a shown value is not the taste's (then drawn from the population's marginal).
        customers: simulate at most this many (a seeded sample of ``tastes``).
        seed: seeds everything.

    Returns:
        The curve.
    """
    rng = random.Random(seed)
    model = (population or SimilarityNeeds()).fit(population_rows, domains)
    chosen = list(tastes)
    if customers is not None and customers < len(chosen):
        chosen = rng.sample(chosen, customers)
    marginals = {name: model.distribution(name, {}) for name in model.variables_}
    most = max(interactions)
    hits = dict.fromkeys(interactions, 0)
    unforced_hits = dict.fromkeys(interactions, 0)
    base_hits = steps = unforced = 0
    for c, taste in enumerate(chosen):
        shown = [_interaction(taste, marginals, coverage, noise, rng) for _ in range(most)]
        order = [name for name in taste if name in marginals]
        rng.shuffle(order)
        needs = {m: CustomerNeeds(model) for m in interactions}
        for m, learner in needs.items():
            for k, values in enumerate(shown[:m]):
                learner.observe(
                    *(Evidence(name, value, "configured", f"sim-{c}-{k}") for name, value in values.items())
                )
        assigned: dict[str, int] = {}
        for name in order:
            truth = taste[name]
            candidates = tuple(valid_domains(assigned)[name]) if valid_domains else None
            if candidates is not None and truth not in candidates:
                break  # the taste leaves the model (a dirty row): stop this customer here
            steps += 1
            forced = candidates is not None and len(candidates) == 1
            unforced += not forced
            base_hits += model.recommend(name, assigned, candidates)[0][0] == truth
            for m, learner in needs.items():
                hit = learner.recommend(name, assigned, candidates)[0][0] == truth
                hits[m] += hit
                unforced_hits[m] += hit and not forced
            assigned[name] = truth
    points = tuple(
        CurvePoint(
            m,
            hits[m] / steps if steps else 0.0,
            steps,
            unforced_hits[m] / unforced if unforced else 0.0,
            unforced,
        )
        for m in interactions
    )
    return LearningCurve(points, base_hits / steps if steps else 0.0, len(chosen))


def _interaction(
    taste: Mapping[str, int],
    marginals: Mapping[str, Mapping[int, float]],
    coverage: float,
    noise: float,
    rng: random.Random,
) -> dict[str, int]:
    """One simulated configuration: part of the taste, with noisy values drawn from the marginals."""
    shown: dict[str, int] = {}
    for name, value in taste.items():
        if name not in marginals or rng.random() >= coverage:
            continue
        if rng.random() < noise:
            dist = marginals[name]
            value = rng.choices(list(dist), weights=list(dist.values()))[0]
        shown[name] = value
    return shown
