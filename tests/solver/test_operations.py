"""Tests of configurator.solver.operations, by hand and against brute force over random catalogs.

propagate must equal the projection of the solutions; explain must be infeasible and irreducible; repair
must have the minimum cost; top_k must be diverse and ordered; reconfigure must change as little as
possible. Brute force enumerates the domains (the exhaustive backend).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from configurator.errors import SolverError
from configurator.solver import operations
from configurator.solver.backend import Fixed, Status
from configurator.solver.compile import CatalogProblem, compile_catalog_problem
from configurator.solver.problem import (
    And,
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
    linear_value,
)
from strategies import catalogs


def lit(var: str, *values: int) -> Lit:
    """The literal ``var in values``."""
    return Lit(var, frozenset(values))


def solutions(problem: Problem, fixed: Fixed | None = None) -> list[dict[str, int]]:
    """Every solution (under fixed values), by brute force."""
    return [
        a
        for a in problem.assignments()
        if problem.check(a) and all(a[n] in v for n, v in (fixed or {}).items())
    ]


def projection(problem: Problem, fixed: Fixed | None = None) -> dict[str, tuple[int, ...]]:
    """The values each variable takes in some solution, by brute force."""
    found = solutions(problem, fixed)
    return {
        v.name: tuple(x for x in v.domain if any(s[v.name] == x for s in found)) for v in problem.variables
    }


# a: frame (0 alu, 1 carbon, 2 steel); b: motor (0 none, 1 hub, 2 mid); c: battery (0, 1, 2)
P = Problem(
    (Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2)), Variable("c", (0, 1, 2))),
    (
        Constraint("carbon-no-hub", Not(And((lit("a", 1), lit("b", 1))))),
        Constraint("motor-needs-battery", Linear(((1, lit("b", 1, 2)), (-1, lit("c", 1, 2))), "<=", 0)),
        Constraint("steel-small", Or((Not(lit("a", 2)), lit("c", 0, 1)))),
    ),
)


@pytest.mark.parametrize("backend", ["cpsat", "python_constraint", "exhaustive"])
@pytest.mark.parametrize(
    "fixed",
    [
        {},
        {"a": frozenset({1})},
        {"a": frozenset({2}), "b": frozenset({2})},
        {"a": frozenset({1, 2}), "c": frozenset({0})},
        {"a": frozenset({1}), "b": frozenset({1})},
    ],
)
def test_propagate_equals_the_projection(backend: str, fixed: dict[str, frozenset[int]]) -> None:
    """``propagate`` returns exactly the values that extend to a solution (all empty when infeasible)."""
    assert operations.propagate(P, fixed, backend=backend) == projection(P, fixed)


def test_propagate_is_backtrack_free() -> None:
    """Every value propagate keeps, once chosen, leaves a non-empty domain for every other variable."""
    domains = operations.propagate(P, {"c": frozenset({2})})
    for name, values in domains.items():
        for value in values:
            after = operations.propagate(P, {"c": frozenset({2}), name: frozenset({value})})
            assert all(after.values()), (name, value)


def test_explain_a_conflict_of_choices() -> None:
    """``explain`` names the user choices and the rule that conflict, and nothing else."""
    fixed = {"a": frozenset({1}), "b": frozenset({1}), "c": frozenset({2})}
    conflict = operations.explain(P, fixed)
    assert conflict == operations.Conflict(("a", "b"), ("carbon-no-hub",))
    assert operations.explain(P, {"a": frozenset({1})}) is None


def test_explain_keeps_hard_constraints_out_of_the_blame() -> None:
    """Constraints listed as hard are background: never part of the conflict."""
    fixed = {"b": frozenset({1}), "c": frozenset({0})}
    assert operations.explain(P, fixed) == operations.Conflict(("b", "c"), ("motor-needs-battery",))
    assert operations.explain(P, fixed, hard=["motor-needs-battery"]) == operations.Conflict(("b", "c"), ())


def test_minimal_conflict_is_irreducible() -> None:
    """``minimal_conflict`` drops every element that is not needed for infeasibility."""
    soft = [
        Constraint("x", lit("a", 0)),
        Constraint("y", lit("a", 1)),
        Constraint("z", lit("b", 0)),
        Constraint("w", lit("a", 0, 2)),
    ]
    found = operations.minimal_conflict(P.variables, list(P.constraints), soft)
    assert found in (("x", "y"), ("y", "w"))
    assert operations.minimal_conflict(P.variables, list(P.constraints), soft[2:]) is None


def test_repair_is_ranked_by_weights() -> None:
    """``repair`` gives up the cheapest choices; the weights rank the alternatives."""
    fixed = {"a": frozenset({1}), "b": frozenset({1})}
    cheap_motor = operations.repair(P, fixed, weights={"a": 5, "b": 1})
    assert cheap_motor is not None and cheap_motor.drop == ("b",) and cheap_motor.cost == 1
    assert P.check(cheap_motor.assignment) and cheap_motor.assignment["a"] == 1
    cheap_frame = operations.repair(P, fixed, weights={"a": 2, "b": 3})
    assert cheap_frame is not None and cheap_frame.drop == ("a",) and cheap_frame.cost == 2
    nothing = operations.repair(P, {"a": frozenset({1})})
    assert nothing is not None and nothing.drop == () and nothing.cost == 0


def test_repair_of_an_infeasible_problem() -> None:
    """When no configuration exists at all, there is no repair."""
    void = operations.with_constraints(P, Constraint("void", lit("a")))
    assert operations.repair(void, {"a": frozenset({1})}) is None


def test_optimize_with_budget_and_status() -> None:
    """``optimize`` maximises within a budget; infeasible choices give status infeasible."""
    utility = Objective(((3, lit("b", 2)), (1, "c")))
    cost = Objective(((1, "c"), (2, lit("b", 1, 2))), offset=1)
    free = operations.optimize(P, [utility])
    assert free.status == Status.OPTIMAL and free.objectives == (5,)
    capped = operations.optimize(P, [utility], budget=(cost, 4))
    assert capped.assignment is not None
    assert linear_value(cost.terms, capped.assignment) + cost.offset <= 4
    assert capped.objectives == (4,)
    assert operations.optimize(P, [utility], budget=(cost, 0)).status == Status.INFEASIBLE
    fixed = {"a": frozenset({1}), "b": frozenset({1})}
    assert operations.optimize(P, [utility], fixed=fixed).status == Status.INFEASIBLE


def test_top_k_is_diverse_and_ordered() -> None:
    """``top_k`` returns the k best solutions pairwise at distance >= d, in non-increasing objective order."""
    objective = Objective(((2, "a"), (1, "b"), (1, "c")))
    results = operations.top_k(P, objective, 4, distance=2)
    assert len(results) == 4
    values = [r.objectives[0] for r in results]
    assert values == sorted(values, reverse=True)
    assert values[0] == max(linear_value(objective.terms, s) for s in solutions(P))
    for r, s in itertools.combinations(results, 2):
        assert r.assignment is not None and s.assignment is not None
        assert sum(r.assignment[n] != s.assignment[n] for n in P.names) >= 2
    assert len(operations.top_k(P, objective, 100, distance=1)) == len(solutions(P))
    only_a = operations.top_k(P, objective, 5, distance=1, over=["a"])
    assert len(only_a) == 3


def test_reconfigure_changes_as_little_as_possible() -> None:
    """``reconfigure`` keeps the installed values it can and meets the new requirements."""
    installed = {"a": 1, "b": 0, "c": 0}
    result = operations.reconfigure(P, installed, [lit("b", 1, 2)])
    assert result.assignment is not None
    changes = sum(result.assignment[n] != v for n, v in installed.items())
    assert changes == 2  # a motor needs a battery, and carbon excludes the hub: b -> mid, c -> 1 or 2
    assert result.assignment["a"] == 1 and result.assignment["b"] == 2
    heavy = operations.reconfigure(P, installed, [lit("b", 1)], weights={"a": 1, "c": 5})
    assert heavy.assignment is not None and heavy.assignment["b"] == 1 and heavy.assignment["a"] != 1


def test_count_with_every_engine() -> None:
    """``count`` is exact with the decision diagram (default) and with each backend, with and without choices."""
    total = len(solutions(P))
    assert operations.count(P) == total
    for backend in ("cpsat", "python_constraint", "exhaustive"):
        assert operations.count(P, backend=backend) == total
    fixed = {"a": frozenset({0})}
    assert operations.count(P, fixed=fixed) == len(solutions(P, fixed))
    several = {"a": frozenset({0, 2})}
    assert operations.count(P, fixed=several) == len(solutions(P, several))


def test_with_constraints_keeps_the_problem() -> None:
    """``with_constraints`` appends constraints and keeps variables, name and meta."""
    named = Problem(P.variables, P.constraints, "p", {"k": 1})
    extended = operations.with_constraints(named, Constraint("x", lit("a", 0)))
    assert extended.constraints[-1].id == "x" and extended.name == "p" and extended.meta == {"k": 1}


def test_unknown_backend_in_operations() -> None:
    """Operations take a backend name and report unknown ones."""
    with pytest.raises(SolverError, match="unknown backend"):
        operations.propagate(P, backend="nope")


# --- random catalogs -------------------------------------------------------------------------------------

STRUCTURE = ("cardinality", "quantity")


@st.composite
def compiled(draw: st.DrawFn, max_size: int = 3_000) -> CatalogProblem:
    """A random small catalog with linear rules, compiled on a random date (or None)."""
    catalog = draw(catalogs(max_modules=3, max_options=3))
    on = draw(st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))))
    try:
        cp = compile_catalog_problem(catalog, on)
    except SolverError:
        assume(False)
        raise
    assume(0 < cp.problem.size() <= max_size)
    return cp


def draw_choices(data: Any, problem: Problem, most: int = 4) -> dict[str, frozenset[int]]:
    """Random user choices: a few variables, each restricted to one (sometimes two) of its values."""
    candidates = [v for v in problem.variables if v.domain]
    chosen = (
        data.draw(st.lists(st.sampled_from(candidates), unique=True, max_size=most)) if candidates else []
    )
    fixed: dict[str, frozenset[int]] = {}
    for var in chosen:
        values = data.draw(st.lists(st.sampled_from(var.domain), min_size=1, max_size=2, unique=True))
        fixed[var.name] = frozenset(values)
    return fixed


def feasible(
    problem: Problem, fixed: Mapping[str, frozenset[int]], constraints: Sequence[Constraint]
) -> bool:
    """Whether the variables, some constraints and some choices have a solution (brute force)."""
    return bool(solutions(Problem(problem.variables, tuple(constraints)), fixed))


@settings(max_examples=80, deadline=None)
@given(compiled(), st.data())
def test_random_propagate_equals_the_projection(cp: CatalogProblem, data: Any) -> None:
    """On random catalogs and choices, propagate (CP-SAT and exhaustive) equals the brute-force projection."""
    fixed = draw_choices(data, cp.problem)
    expected = projection(cp.problem, fixed)
    assert operations.propagate(cp.problem, fixed) == expected
    assert operations.propagate(cp.problem, fixed, backend="exhaustive") == expected


@settings(max_examples=80, deadline=None)
@given(compiled(), st.data())
def test_random_explain_is_infeasible_and_irreducible(cp: CatalogProblem, data: Any) -> None:
    """``explain``'s conflict is infeasible with the hard constraints, and dropping any element makes it feasible."""
    problem = cp.problem
    fixed = {n: frozenset({min(v)}) for n, v in draw_choices(data, problem, most=5).items()}
    hard_ids = [c.id for c in problem.constraints if c.kind in STRUCTURE]
    hard = [c for c in problem.constraints if c.kind in STRUCTURE]
    conflict = operations.explain(problem, fixed, hard=hard_ids)
    if feasible(problem, fixed, problem.constraints):
        assert conflict is None
        return
    if conflict is None:  # the structure alone is infeasible: nothing to blame
        assert not feasible(problem, {}, hard)
        return
    by_id = {c.id: c for c in problem.constraints}
    assert set(conflict.choices) <= set(fixed)
    assert not set(conflict.constraints) & set(hard_ids)
    choices = {n: fixed[n] for n in conflict.choices}
    rules = [by_id[i] for i in conflict.constraints]
    assert not feasible(problem, choices, [*hard, *rules])
    for name in conflict.choices:
        rest = {n: v for n, v in choices.items() if n != name}
        assert feasible(problem, rest, [*hard, *rules]), f"choice {name} is not needed"
    for rule in rules:
        others = [r for r in rules if r is not rule]
        assert feasible(problem, choices, [*hard, *others]), f"rule {rule.id} is not needed"


@settings(max_examples=80, deadline=None)
@given(compiled(), st.data())
def test_random_repair_has_minimum_cost(cp: CatalogProblem, data: Any) -> None:
    """``repair`` drops a set of choices of minimum total weight (brute force over every subset)."""
    problem = cp.problem
    fixed = draw_choices(data, problem)
    weights = {n: data.draw(st.integers(1, 5)) for n in fixed}
    result = operations.repair(problem, fixed, weights=weights)
    if not solutions(problem):
        assert result is None
        return
    assert result is not None
    best = min(
        sum(weights[n] for n in dropped)
        for k in range(len(fixed) + 1)
        for dropped in itertools.combinations(fixed, k)
        if solutions(problem, {n: v for n, v in fixed.items() if n not in dropped})
    )
    assert result.cost == best == sum(weights[n] for n in result.drop)
    assert problem.check(result.assignment)
    assert all(result.assignment[n] in v for n, v in fixed.items() if n not in result.drop)


@settings(max_examples=60, deadline=None)
@given(compiled(), st.data())
def test_random_top_k_is_diverse_and_ordered(cp: CatalogProblem, data: Any) -> None:
    """``top_k`` results are solutions, pairwise at distance >= d, in non-increasing objective order."""
    problem = cp.problem
    terms: tuple[tuple[int, Term], ...] = tuple(
        (data.draw(st.integers(-4, 4)), name) for name in problem.names
    )
    objective = Objective(terms)
    k = data.draw(st.integers(1, 4))
    distance = data.draw(st.integers(1, 2))
    results = operations.top_k(problem, objective, k, distance=distance)
    everything = solutions(problem)
    assert len(results) <= k
    if everything:
        assert results and results[0].objectives[0] == max(linear_value(terms, s) for s in everything)
    values = [r.objectives[0] for r in results]
    assert values == sorted(values, reverse=True)
    for r in results:
        assert r.assignment is not None and problem.check(r.assignment)
    for r, s in itertools.combinations(results, 2):
        assert r.assignment is not None and s.assignment is not None
        assert sum(r.assignment[n] != s.assignment[n] for n in problem.names) >= distance


@settings(max_examples=80, deadline=None)
@given(compiled(), st.data())
def test_random_reconfigure_is_a_minimum_change(cp: CatalogProblem, data: Any) -> None:
    """``reconfigure`` meets the requirement with the minimum weighted number of changes (brute force)."""
    problem = cp.problem
    assume(all(v.domain for v in problem.variables))
    installed = {v.name: data.draw(st.sampled_from(v.domain)) for v in problem.variables}
    weights = {n: data.draw(st.integers(1, 3)) for n in installed}
    target = data.draw(st.sampled_from(problem.variables))
    requirement: BoolExpr = lit(target.name, data.draw(st.sampled_from(target.domain)))
    if data.draw(st.booleans()):
        requirement = Not(requirement)
    result = operations.reconfigure(problem, installed, [requirement], weights=weights)
    candidates = [
        s for s in solutions(problem) if Problem(problem.variables, (Constraint("r", requirement),)).check(s)
    ]

    def cost(assignment: Mapping[str, int]) -> int:
        return sum(w for n, w in weights.items() if assignment[n] != installed[n])

    if not candidates:
        assert result.status == Status.INFEASIBLE
        return
    assert result.assignment is not None and result.assignment in candidates
    assert cost(result.assignment) == min(cost(s) for s in candidates)


@settings(max_examples=60, deadline=None)
@given(compiled(), st.data())
def test_random_count_with_choices(cp: CatalogProblem, data: Any) -> None:
    """``count`` under random choices equals brute force, through the default engine and CP-SAT."""
    fixed = draw_choices(data, cp.problem)
    expected = len(solutions(cp.problem, fixed))
    assert operations.count(cp.problem, fixed=fixed) == expected
    assert operations.count(cp.problem, fixed=fixed, backend="cpsat") == expected
