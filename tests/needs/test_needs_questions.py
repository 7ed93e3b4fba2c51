"""Guided selling: the questions whose answers most improve the first proposal."""

from __future__ import annotations

from configurator.needs.models import BlendNeeds, MostFrequentNeeds
from configurator.needs.questions import best_questions

# The frame decides the brakes and the motor; the colour is independent and evenly spread; the bell is nearly
# always left out.
SALES = (
    [{"frame": 1, "brakes": 1, "motor": 1, "colour": c, "bell": 0} for c in (1, 2, 3)] * 4
    + [{"frame": 2, "brakes": 2, "motor": 2, "colour": c, "bell": 0} for c in (1, 2, 3)] * 4
    + [{"frame": 1, "brakes": 1, "motor": 1, "colour": 1, "bell": 1}]
)
DOMAINS = {"frame": (1, 2), "brakes": (1, 2), "motor": (1, 2), "colour": (1, 2, 3), "bell": (0, 1)}


def test_a_choice_that_decides_others_is_asked_before_an_independent_one() -> None:
    """The frame (which fixes brakes and motor) ranks above the colour, though the colour is more uncertain."""
    asked = best_questions(BlendNeeds().fit(SALES), {}, DOMAINS, limit=5)
    order = [q.variable for q in asked]
    assert order.index("colour") > max(order.index(v) for v in ("frame", "brakes", "motor"))
    itself = 1 - max(p for _, p in asked[0].answers)
    assert asked[0].gain > itself + 0.3  # the answer also fixes other modules


def test_decided_variables_are_never_asked_and_the_limit_holds() -> None:
    """A chosen variable, and one with a single valid value, are not asked; at most ``limit`` come back."""
    model = BlendNeeds().fit(SALES)
    asked = best_questions(model, {"frame": 2}, {**DOMAINS, "brakes": (2,)}, limit=2)
    assert len(asked) <= 2
    assert not {"frame", "brakes"} & {q.variable for q in asked}


def test_questions_come_best_first_with_their_answers_likeliest_first() -> None:
    """Gains never rise down the list, and each question's answers are its candidates, likeliest first."""
    asked = best_questions(BlendNeeds().fit(SALES), {}, DOMAINS, limit=3)
    gains = [q.gain for q in asked]
    assert gains == sorted(gains, reverse=True) and all(g > 0 for g in gains)
    for question in asked:
        probabilities = [p for _, p in question.answers]
        assert probabilities == sorted(probabilities, reverse=True)
        assert {v for v, _ in question.answers} == set(DOMAINS[question.variable])
        assert abs(sum(probabilities) - 1) < 1e-9


def test_nothing_is_asked_when_the_beliefs_are_certain() -> None:
    """When every variable has one likely value whatever the answer, no question has a gain worth asking."""
    sales = [{"a": 1, "b": 2}] * 20
    asked = best_questions(
        MostFrequentNeeds().fit(sales, {"a": (1, 2), "b": (1, 2)}), {}, {"a": (1, 2), "b": (1, 2)}
    )
    assert all(q.gain < 0.05 for q in asked)
