"""Guided selling: the few questions whose answers most improve the first proposal.

A new customer has no history, so the first proposal is the population's guess. Asking about a few choices
first fixes the most: the answer to a question is right by definition, and it moves the guess on every other
variable that depends on it (a frame material says a lot about the brakes). :func:`best_questions` ranks the
undecided variables by the number of variables the proposal is expected to get right *more* once the question
is answered, under the model's own beliefs:

``gain(q) = (1 - max_v P(q=v)) + sum_{j != q} ( sum_v P(q=v) * max_u P(j=u | q=v) - max_u P(j=u) )``

(every probability also given the choices already made). The first term is the question itself (the guess on
``q`` would be wrong with probability ``1 - max P``), the second what the answer teaches about the rest: an
expected-accuracy form of the information the answer gives about the rest of the configuration, counted in
the unit the customer feels (modules to change). Questions are ranked once, without their answers (the rep
asks, the customer answers, and the ranking is made again with that answer).

To stay interactive on catalogs with many variables, only the ``pool`` most uncertain variables (highest
entropy) are candidates, and only the likeliest answers that together hold ``mass`` of the probability are
followed through (the rest are left out of the expectation).

Example:
    >>> from configurator.needs.models import BlendNeeds
    >>> sales = ([{"frame": 1, "brakes": 1, "bell": 0}] * 5 + [{"frame": 2, "brakes": 2, "bell": 0}] * 5
    ...          + [{"frame": 1, "brakes": 1, "bell": 1}])
    >>> model = BlendNeeds().fit(sales)
    >>> asked = best_questions(model, {}, {"frame": (1, 2), "brakes": (1, 2), "bell": (0, 1)}, limit=2)
    >>> sorted(q.variable for q in asked)  # the frame and the brakes decide each other; the bell is nearly always 0
    ['brakes', 'frame']
    >>> asked[0].gain > 0.5  # itself right (about half the time wrong now), and the other one with it
    True
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Protocol

__all__ = ["Believes", "Question", "best_questions"]


class Believes(Protocol):
    """What answers ``P(variable = value | partial)`` over candidates: a population model or a customer's needs."""

    def distribution(
        self, variable: str, partial: Mapping[str, int], candidates: Sequence[int] | None = None
    ) -> dict[int, float]:
        """The candidates' probabilities, summing to 1."""
        ...


@dataclasses.dataclass(frozen=True)
class Question:
    """A variable worth asking about, the expected gain of its answer, and the answers' probabilities.

    Attributes:
        variable: the variable to ask about.
        gain: how many more variables the proposal is expected to get right once it is answered.
        answers: each candidate value's probability now, likeliest first.
    """

    variable: str
    gain: float
    answers: tuple[tuple[int, float], ...]


def _entropy(distribution: Mapping[int, float]) -> float:
    return -sum(p * math.log(p) for p in distribution.values() if p > 0)


def best_questions(
    model: Believes,
    partial: Mapping[str, int],
    candidates: Mapping[str, Sequence[int]],
    *,
    limit: int = 3,
    pool: int = 8,
    mass: float = 0.98,
) -> list[Question]:
    """The ``limit`` undecided variables whose answers are expected to fix the most of the first proposal.

    Args:
        model: the beliefs (a fitted population model, or a customer's needs).
        partial: the values already chosen (not asked again).
        candidates: the values each undecided variable may still take (the session's valid ones); variables
            with one candidate or fewer are decided and never asked.
        limit: at most this many questions (the product asks at most 3).
        pool: how many of the most uncertain variables are weighed as questions.
        mass: the answers followed through cover at least this share of each question's probability.

    Returns:
        The questions, best first; only those with a positive gain.
    """
    open_ = {v: tuple(c) for v, c in candidates.items() if v not in partial and len(c) > 1}
    now = {v: model.distribution(v, partial, c) for v, c in open_.items()}
    right_now = {v: max(d.values()) for v, d in now.items()}
    pooled = sorted(open_, key=lambda v: (-_entropy(now[v]), v))[:pool]
    found: list[Question] = []
    for q in pooled:
        answers = sorted(now[q].items(), key=lambda item: -item[1])
        followed: list[tuple[int, float]] = []
        covered = 0.0
        for value, p in answers:
            if covered >= mass:
                break
            followed.append((value, p))
            covered += p
        gain = 1.0 - right_now[q]
        for value, p in followed:
            given = {**partial, q: value}
            for j, values in open_.items():
                if j != q:
                    gain += p * (max(model.distribution(j, given, values).values()) - right_now[j])
        found.append(Question(variable=q, gain=gain, answers=tuple(answers)))
    found.sort(key=lambda question: (-question.gain, question.variable))
    return [question for question in found if question.gain > 1e-9][:limit]
