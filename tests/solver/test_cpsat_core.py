"""Minimal conflicts on the kept CP-SAT model: irreducible, checked by brute force, one model per variable set."""

from __future__ import annotations

import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.solver import operations
from configurator.solver.backends.cpsat_core import KeptCores, kept_cores
from configurator.solver.problem import Constraint, Linear, Lit, Problem, Variable, scope
from configurator.solver.sat import sat_kernel
from strategies import expressions, small_variables


@st.composite
def split_problems(draw: st.DrawFn) -> tuple[tuple[Variable, ...], list[Constraint], list[Constraint]]:
    """2-5 variables, up to 2 hard and up to 6 soft random constraints."""
    variables = draw(small_variables())
    names = [v.name for v in variables]
    hard = draw(st.lists(expressions(names, max_leaves=4), max_size=2))
    soft = draw(st.lists(expressions(names, max_leaves=4), max_size=6))
    return (
        variables,
        [Constraint(f"h{k}", e) for k, e in enumerate(hard)],
        [Constraint(f"s{k}", e) for k, e in enumerate(soft)],
    )


def _feasible(variables: tuple[Variable, ...], constraints: list[Constraint]) -> bool:
    problem = Problem(variables, tuple(constraints))
    return any(problem.check(a) for a in problem.assignments())


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(split_problems())
def test_the_conflict_is_infeasible_and_irreducible(
    case: tuple[tuple[Variable, ...], list[Constraint], list[Constraint]],
) -> None:
    """None exactly when all holds; otherwise the named constraints conflict and each one is needed."""
    variables, hard, soft = case
    found = KeptCores(variables).minimal(hard, soft)
    if found is None:
        assert _feasible(variables, [*hard, *soft])
        return
    named = [c for c in soft if c.id in set(found)]
    assert [c.id for c in named] == list(found)  # in the order given
    assert not _feasible(variables, [*hard, *named])
    for dropped in named:
        assert _feasible(variables, [*hard, *(c for c in named if c is not dropped)])


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(split_problems(), split_problems())
def test_one_kept_model_answers_many_questions_like_a_fresh_one(
    first: tuple[tuple[Variable, ...], list[Constraint], list[Constraint]],
    second: tuple[tuple[Variable, ...], list[Constraint], list[Constraint]],
) -> None:
    """Questions asked one after another on one kept model are answered as on a fresh model each."""
    variables, hard, soft = first
    kept = KeptCores(variables)
    names = {v.name for v in variables}
    later = [c for c in [*second[1], *second[2]] if _within(c, names)]
    for question in ((hard, soft), (later[:1], later[1:]), (hard, soft[::-1])):
        again = kept.minimal(*question)
        fresh = KeptCores(variables).minimal(*question)
        assert (again is None) == (fresh is None)


def _within(constraint: Constraint, names: set[str]) -> bool:
    return scope(constraint.expr) <= names


def test_minimal_conflict_answers_from_kept_engines_and_hard_contradictions_blame_nothing() -> None:
    """The default backend answers from the kept SAT kernel; a hard contradiction names no soft constraint."""
    xs = (Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2)))
    total = Constraint("sum", Linear(((1, "a"), (1, "b")), "<=", 2))
    soft = [Constraint("a=2", Lit("a", frozenset({2}))), Constraint("b=1", Lit("b", frozenset({1})))]
    kernel = sat_kernel(Problem(xs, ()))
    assert kernel is not None
    before = kernel.checks
    assert operations.minimal_conflict(xs, [total], soft) == ("a=2", "b=1")
    assert kernel.checks > before
    assert kept_cores(xs).minimal([total], soft) == ("a=2", "b=1")
    contradiction = Constraint("no", Lit("a", frozenset()))
    assert operations.minimal_conflict(xs, [total, contradiction], soft) == ()
    assert kept_cores(xs).minimal([total, contradiction], soft) == ()


def test_kept_models_are_safe_to_share_between_threads() -> None:
    """Threads asking one kept model at once all get the right answer."""
    xs = tuple(Variable(f"x{i}", (0, 1)) for i in range(6))
    soft = [Constraint(f"x{i}", Lit(f"x{i}", frozenset({1}))) for i in range(6)]
    cap = Constraint("cap", Linear(tuple((1, f"x{i}") for i in range(6)), "<=", 2))
    kept = KeptCores(xs)
    answers: list[tuple[str, ...] | None] = []

    def ask() -> None:
        for _ in range(10):
            answers.append(kept.minimal([cap], soft))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 40
    assert all(a is not None and len(a) == 3 for a in answers)
