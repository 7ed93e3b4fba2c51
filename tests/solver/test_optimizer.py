"""Tests of the kept CP-SAT model (CpSatOptimizer) and the top-k and optimise paths that use it.

The optimiser keeps one model per problem and adds each call's choices, budget and diversity constraints to a
copy: every answer must equal the brute-force optimum under that call's constraints alone (nothing leaks
from one call to the next), top-k must be the exact greedy sequence (each solution the best one at distance
>= d from the earlier ones), and a session with the kept model must agree with one that builds a model per
solve.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from configurator.catalog.check import find_violations
from configurator.catalog.loader import load_catalog
from configurator.errors import SolverError
from configurator.solver import operations
from configurator.solver.backend import Optimizer, Result, Status
from configurator.solver.backends.cpsat import CpSatBackend, CpSatOptimizer
from configurator.solver.compile import CatalogProblem, compile_catalog_problem
from configurator.solver.problem import (
    BoolExpr,
    Constraint,
    Linear,
    Lit,
    Not,
    Objective,
    Or,
    Problem,
    Term,
    Variable,
    holds,
    linear_value,
)
from configurator.solver.session import ConfigurationSession, Weights
from strategies import catalogs
from support import ROOT

DAY = dt.date(2026, 11, 23)

P = Problem(
    (Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2)), Variable("c", (0, 1))),
    (
        Constraint("sum", Linear(((1, "a"), (1, "b")), "<=", 3)),
        Constraint("c-needs-a", Or((Not(Lit("c", frozenset({1}))), Lit("a", frozenset({1, 2}))))),
    ),
)


def lit(var: str, *values: int) -> Lit:
    """The literal ``var in values``."""
    return Lit(var, frozenset(values))


def best(problem: Problem, objective: Objective, required: Sequence[BoolExpr] = ()) -> int | None:
    """The brute-force optimum of the objective under the required expressions (None when infeasible)."""
    values = [
        linear_value(objective.terms, a) + objective.offset
        for a in problem.assignments()
        if problem.check(a) and all(holds(e, a) for e in required)
    ]
    if not values:
        return None
    return max(values) if objective.sense == "max" else min(values)


def test_a_cpsat_backend_offers_an_optimizer() -> None:
    """CP-SAT's ``optimizer`` is an :class:`Optimizer` of the problem, with the backend's seed and workers."""
    optimizer = CpSatBackend(workers=1, seed=3).optimizer(P)
    assert isinstance(optimizer, Optimizer)
    assert isinstance(optimizer, CpSatOptimizer) and optimizer.seed == 3 and optimizer.problem is P


def test_calls_do_not_see_each_others_constraints() -> None:
    """Each call's required expressions hold for that call only; the kept model stays the problem itself."""
    optimizer = CpSatOptimizer(P)
    objective = Objective(((2, "a"), (1, "b"), (1, "c")))
    free = optimizer.solve([objective])
    assert free.status == Status.OPTIMAL and free.objectives == (best(P, objective),) == (6,)
    narrowed = optimizer.solve([objective], [lit("a", 0)])
    assert narrowed.assignment == {"a": 0, "b": 2, "c": 0} and narrowed.objectives == (2,)
    assert optimizer.solve([objective], [lit("a", 0), lit("c", 1)]).status == Status.INFEASIBLE
    assert optimizer.solve([objective]).objectives == (6,)  # nothing of the earlier calls is left
    minimum = Objective(((1, "a"), (1, "b")), offset=10, sense="min")
    assert optimizer.solve([minimum], [lit("c", 1)]).objectives == (11,)
    assert optimizer.solve().status == Status.OPTIMAL and optimizer.solves == 6


def test_lexicographic_objectives() -> None:
    """Later objectives break the ties of earlier ones, as with the backend's ``solve``."""
    optimizer = CpSatOptimizer(P)
    first = Objective(((1, "a"), (1, "b")))
    second = Objective(((1, "c"), (-1, "a")))
    result = optimizer.solve([first, second])
    assert result.status == Status.OPTIMAL and result.objectives == (3, 0)
    assert result.assignment is not None and result.assignment["a"] + result.assignment["b"] == 3


def market_split(n: int, seed: int = 7) -> Problem:
    """0/1 variables under two knapsack equalities with random 5-digit weights (n = 24: CP-SAT needs 2.4 s)."""
    rng = random.Random(seed)
    a = [rng.randint(1_000, 99_999) for _ in range(n)]
    c = [rng.randint(1_000, 99_999) for _ in range(n)]
    return Problem(
        tuple(Variable(f"x{i}", (0, 1)) for i in range(n)),
        (
            Constraint("a", Linear(tuple((w, f"x{i}") for i, w in enumerate(a)), "==", sum(a) // 2)),
            Constraint("c", Linear(tuple((w, f"x{i}") for i, w in enumerate(c)), "==", sum(c) // 2)),
        ),
    )


@pytest.mark.parametrize("kept", [True, False], ids=["kept_model", "per_solve_model"])
def test_time_out_status(kept: bool) -> None:
    """A problem CP-SAT needs seconds for, limited to 50 ms: status timed_out, no solution, back in time."""
    hard = market_split(24)
    objective = Objective(tuple((i % 7 - 3, f"x{i}") for i in range(24)))
    if kept:
        result = CpSatOptimizer(hard).solve([objective], time_limit=0.05)
    else:
        result = CpSatBackend().solve(hard, objectives=[objective], time_limit=0.05)
    assert result.status == Status.TIMED_OUT and result.assignment is None and result.objectives == ()
    assert result.wall_s < 1.0


def test_the_full_solve_takes_over_when_the_quick_one_does_not_settle() -> None:
    """Without deterministic time for the quick search, every solve falls back to the full one, same answers."""
    quick = CpSatOptimizer(P)
    full = CpSatOptimizer(P, quick_dtime=0.0)
    objective = Objective(((2, "a"), (1, "b"), (3, "c")))
    for required in ([], [lit("b", 2)], [Linear(((1, "a"), (1, "c")), ">=", 3)], [lit("a", 5)]):
        assert full.solve([objective], required).objectives == quick.solve([objective], required).objectives
    assert quick.fallbacks == 0 and full.fallbacks >= 3


def test_operations_use_a_kept_optimizer() -> None:
    """``optimize`` and ``top_k`` accept a kept optimiser and extra expressions (budgets included)."""
    optimizer = CpSatOptimizer(P)
    utility = Objective(((2, "a"), (1, "b")))
    cost = Objective(((1, "a"), (1, "b")), offset=1)
    capped = operations.optimize(P, [utility], budget=(cost, 3), optimizer=optimizer)
    assert capped.objectives == (best(P, utility, [Linear(cost.terms, "<=", 2)]),) == (4,)
    plain = operations.optimize(P, [utility], budget=(cost, 3), extra=[lit("b", 0)])
    assert plain.objectives == (4,)
    with_extra = operations.top_k(P, utility, 3, extra=[lit("c", 0)], optimizer=optimizer)
    by_exhaustive = operations.top_k(P, utility, 3, extra=[lit("c", 0)], backend="exhaustive")
    assert [r.objectives for r in with_extra] == [r.objectives for r in by_exhaustive] == [(5,), (4,), (4,)]
    assert all(r.assignment is not None and r.assignment["c"] == 0 for r in with_extra)


# --- random problems -------------------------------------------------------------------------------------


@st.composite
def compiled(draw: st.DrawFn, max_size: int = 3_000) -> CatalogProblem:
    """A random small catalog, compiled on a random date (or None)."""
    catalog = draw(catalogs(max_modules=3, max_options=3))
    on = draw(st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))))
    try:
        cp = compile_catalog_problem(catalog, on)
    except SolverError:
        assume(False)
        raise
    assume(0 < cp.problem.size() <= max_size)
    return cp


def draw_required(data: Any, problem: Problem) -> list[BoolExpr]:
    """A few random choices (literals, some negated) and sometimes a random linear limit."""
    out: list[BoolExpr] = []
    for var in data.draw(st.lists(st.sampled_from(problem.variables), unique=True, max_size=3)):
        value = data.draw(st.sampled_from(var.domain))
        choice = lit(var.name, value)
        out.append(Not(choice) if data.draw(st.booleans()) else choice)
    if problem.variables and data.draw(st.booleans()):
        terms = tuple((data.draw(st.integers(0, 3)), v.name) for v in problem.variables)
        out.append(Linear(terms, "<=", data.draw(st.integers(0, 6))))
    return out


def draw_objective(data: Any, problem: Problem) -> Objective:
    """A random linear objective over the variables and some of their values."""
    terms: list[tuple[int, Term]] = [(data.draw(st.integers(-4, 4)), v.name) for v in problem.variables]
    for var in problem.variables:
        if data.draw(st.booleans()):
            terms.append(
                (data.draw(st.integers(-6, 6)), lit(var.name, data.draw(st.sampled_from(var.domain))))
            )
    return Objective(tuple(terms), 0, data.draw(st.sampled_from(["max", "min"])))


@settings(max_examples=60, deadline=None)
@given(compiled(), st.data())
def test_random_kept_model_answers_equal_brute_force(cp: CatalogProblem, data: Any) -> None:
    """One kept model, several calls with different constraints: each optimum is the brute-force one."""
    problem = cp.problem
    optimizer = CpSatOptimizer(problem)
    for _ in range(3):
        objective = draw_objective(data, problem)
        required = draw_required(data, problem)
        result = optimizer.solve([objective], required)
        expected = best(problem, objective, required)
        if expected is None:
            assert result.status == Status.INFEASIBLE
            continue
        assert result.status == Status.OPTIMAL and result.objectives == (expected,)
        assert result.assignment is not None and problem.check(result.assignment)
        assert all(holds(e, result.assignment) for e in required)


def greedy_check(
    problem: Problem,
    objective: Objective,
    results: Sequence[Result],
    distance: int,
    required: Sequence[BoolExpr],
    k: int,
) -> None:
    """Each result is the best solution at distance >= d from the earlier ones; stopping only when none is left."""
    names = problem.names
    found: list[dict[str, int]] = []
    for result in [*results, None]:
        far = [
            *required,
            *(
                Linear(tuple((1, Not(lit(n, earlier[n]))) for n in names), ">=", distance)
                for earlier in found
            ),
        ]
        expected = best(problem, objective, far)
        if result is None:
            assert len(results) == k or expected is None
            return
        assert result.assignment is not None and result.objectives == (expected,)
        assert problem.check(result.assignment) and all(holds(e, result.assignment) for e in far)
        found.append(result.assignment)


@settings(max_examples=60, deadline=None)
@given(compiled(), st.data())
def test_random_incremental_top_k_is_the_exact_greedy_sequence(cp: CatalogProblem, data: Any) -> None:
    """top_k on one kept model (CP-SAT) and per solve (exhaustive) are both the exact greedy sequence."""
    problem = cp.problem
    objective = draw_objective(data, problem)
    required = draw_required(data, problem)
    k = data.draw(st.integers(1, 4))
    distance = data.draw(st.integers(1, 2))
    incremental = operations.top_k(problem, objective, k, distance=distance, extra=required)
    greedy_check(problem, objective, incremental, distance, required, k)
    per_solve = operations.top_k(
        problem, objective, k, distance=distance, extra=required, backend="exhaustive"
    )
    greedy_check(problem, objective, per_solve, distance, required, k)
    assert [r.objectives for r in incremental[:1]] == [r.objectives for r in per_solve[:1]]


# --- sessions --------------------------------------------------------------------------------------------


class PerSolveCpSat(CpSatBackend):
    """CP-SAT without a kept model: every solve builds its own (the path before kept models)."""

    optimizer = None  # type: ignore[assignment]


@pytest.mark.parametrize("name", ["ebike", "kitchen", "laptop", "valve"])
def test_session_with_kept_model_agrees_with_per_solve_models(name: str) -> None:
    """Optimize and top_k through the session's kept model give the same utilities as per-solve models."""
    catalog = load_catalog(ROOT / "catalogs" / f"{name}.yaml")
    kept = ConfigurationSession(catalog, on=DAY)
    fresh = ConfigurationSession(catalog, on=DAY, backend=PerSolveCpSat())
    rng = random.Random(name)
    options = [(m, o) for m, mod in catalog.modules.items() for o in mod.options]
    for round_ in range(4):
        weights = Weights(
            options={f"{m}.{o}": rng.uniform(-2, 5) for m, o in options}, price=-rng.uniform(0, 0.01)
        )
        for s in (kept, fresh):
            s.clear()
        if round_:
            module, option = rng.choice(options)
            if option in kept.domains()[module]:
                for s in (kept, fresh):
                    s.select(module, option)
        free = kept.optimize(weights)
        assert free is not None and free.status == "optimal"
        other = fresh.optimize(weights)
        assert other is not None and other.utility == free.utility
        budget = (free.price * Decimal("0.9")).quantize(Decimal(1))
        a = kept.top_k(weights, 3, distance=2, budget=budget)
        b = fresh.top_k(weights, 3, distance=2, budget=budget)
        assert len(a) == len(b)
        assert a[:1] == [] or a[0].utility == b[0].utility
        utilities = [x.utility for x in a]
        assert utilities == sorted(utilities, reverse=True)
        for bundle in a:
            assert bundle.price <= budget
            assert find_violations(catalog, bundle.configuration, on=DAY) == []
            for choice in kept.choices:
                assert bundle.configuration.quantity(choice.module, choice.option) > 0
        over = [v.name for v in kept.cp.problem.variables if "#" not in v.name]
        picks = [kept.cp.to_assignment(x.configuration) for x in a]
        for i, j in itertools.combinations(range(len(picks)), 2):
            assert sum(picks[i][n] != picks[j][n] for n in over) >= 2
    kept.clear()
    assert kept.optimize(weights) is not None
