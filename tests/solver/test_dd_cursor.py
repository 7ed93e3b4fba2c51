"""A diagram cursor: its copy keeps its own counters; released domains equal brute force with one assumption dropped."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st
from test_dd import SETTINGS, problems, projection, solutions

from configurator.solver.dd import CompiledDiagram
from configurator.solver.problem import Constraint, Lit, Or, Problem, Variable
from support import needs_cudd


@needs_cudd
@SETTINGS
@given(problems(), st.randoms(use_true_random=False))
def test_released_domains_equal_brute_force_with_that_assumption_dropped(
    problem: Problem, rng: random.Random
) -> None:
    """Each assumed variable's released values are those some solution of the other assumptions has."""
    diagram = CompiledDiagram.compile(problem)
    cursor = diagram.cursor()
    assumptions: dict[str, int] = {}
    names = list(problem.names)
    rng.shuffle(names)
    for name in names:
        domains = cursor.valid_domains(assumptions)
        if not domains[name] or rng.random() < 0.3:
            continue
        assumptions[name] = rng.choice(domains[name])
        released = cursor.released_domains(assumptions)
        if released is None:  # a variable the diagram holds fixed: asked again the slow way
            assert any(a not in diagram.order for a in assumptions)
            continue
        for assumed in assumptions:
            others = {k: v for k, v in assumptions.items() if k != assumed}
            assert released[assumed] == projection(problem, solutions(problem, others))[assumed]


@needs_cudd
def test_released_domains_refuse_assumptions_without_a_solution() -> None:
    """Assumptions with no solution together give None (nothing to read from the counters)."""
    p = Problem(
        (Variable("a", (0, 1)), Variable("b", (0, 1))),
        (Constraint("ab", Or((Lit("a", frozenset({1})), Lit("b", frozenset({1}))))),),
    )
    cursor = CompiledDiagram.compile(p).cursor()
    assert cursor.released_domains({"a": 0, "b": 0}) is None
    assert cursor.released_domains({"a": 0, "b": 1}) == {"a": (0, 1), "b": (1,)}


@needs_cudd
def test_a_copy_starts_from_the_counters_and_then_goes_its_own_way() -> None:
    """A copied cursor answers like the original, and its later calls leave the original's counters alone."""
    p = Problem(
        (Variable("a", (0, 1, 2)), Variable("b", (0, 1)), Variable("c", (0, 1))),
        (Constraint("ab", Or((Lit("a", frozenset({1})), Lit("b", frozenset({1}))))),),
    )
    diagram = CompiledDiagram.compile(p)
    cursor = diagram.cursor()
    first = cursor.valid_domains({"b": 0})
    twin = cursor.copy()
    assert twin.valid_domains({"b": 0}) == first
    assert twin.valid_domains({"b": 0, "c": 1}) == diagram.valid_domains({"b": 0, "c": 1})
    assert cursor.valid_domains({"b": 0}) == first
