"""The backend contract, run against every backend, and Hypothesis over random catalogs with the checker.

Every backend (cpsat, python_constraint, exhaustive) must give the same answers as brute force over the
cross product of the domains: satisfiability, fixed values, lexicographic objectives, enumeration and counts,
for every expression kind. On random small catalogs every solution must also pass the independent checker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from configurator.catalog.check import find_violations
from configurator.catalog.models import Catalog
from configurator.errors import BackendLimitError, SolverError
from configurator.solver import backend as registry
from configurator.solver.backend import (
    DEFAULT_BACKEND,
    Backend,
    Capability,
    Fixed,
    Status,
    available_backends,
    get_backend,
    register_backend,
)
from configurator.solver.backends.exhaustive import ExhaustiveBackend
from configurator.solver.backends.python_constraint import PythonConstraintBackend
from configurator.solver.compile import CatalogProblem, compile_catalog_problem
from configurator.solver.problem import (
    And,
    BoolExpr,
    Const,
    Constraint,
    Iff,
    Implies,
    Linear,
    Lit,
    Not,
    Objective,
    Or,
    Problem,
    Table,
    Term,
    Variable,
    linear_value,
)
from strategies import catalogs

BACKENDS = ("cpsat", "python_constraint", "exhaustive")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn."""
    name: str = request.param
    return get_backend(name)


def lit(var: str, *values: int) -> Lit:
    """The literal ``var in values``."""
    return Lit(var, frozenset(values))


def key(assignment: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """A hashable form of an assignment."""
    return tuple(sorted(assignment.items()))


def brute(problem: Problem, fixed: Fixed | None = None) -> set[tuple[tuple[str, int], ...]]:
    """Every solution, by trying every assignment of the domains."""
    return {
        key(a)
        for a in problem.assignments()
        if problem.check(a) and all(a[n] in values for n, values in (fixed or {}).items())
    }


VARS = (Variable("a", (0, 1, 2)), Variable("b", (0, 1)), Variable("c", (-1, 0, 3)))


def problem_of(*exprs: BoolExpr, variables: tuple[Variable, ...] = VARS) -> Problem:
    """A problem over ``variables`` with one constraint per expression."""
    return Problem(variables, tuple(Constraint(f"c{i}", e) for i, e in enumerate(exprs)))


SMALL = problem_of(Not(And((lit("a", 2), lit("b", 1)))), Linear(((1, "a"), (1, "c")), "<=", 3))
UNSAT = problem_of(lit("a", 1), Not(lit("a", 0, 1)))


# --- the contract ---------------------------------------------------------------------------------------


def test_registry_lists_the_three_backends() -> None:
    """The registry knows cpsat (the default), python_constraint and exhaustive."""
    assert set(BACKENDS) <= set(available_backends())
    assert DEFAULT_BACKEND == "cpsat"
    assert get_backend().name == "cpsat"
    assert get_backend(None).name == "cpsat"


def test_unknown_backend_names_the_nearest() -> None:
    """An unknown backend name is a SolverError listing the backends and suggesting the nearest."""
    with pytest.raises(SolverError, match=r"unknown backend 'cpsta'.*available: cpsat.*did you mean 'cpsat'"):
        get_backend("cpsta")
    with pytest.raises(SolverError, match="unknown backend 'zzz'"):
        get_backend("zzz")


def test_register_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registered factory is listed and returned by name."""
    monkeypatch.setattr(registry, "_FACTORIES", {})
    register_backend("mine", ExhaustiveBackend)
    assert "mine" in available_backends()
    assert isinstance(get_backend("mine"), ExhaustiveBackend)


def test_backends_declare_capabilities(backend: Backend) -> None:
    """Each backend follows the Protocol and declares what it does natively (all of them honour time limits)."""
    assert isinstance(backend, Backend)
    assert backend.name in BACKENDS
    assert {
        Capability.SOLVE,
        Capability.ENUMERATE,
        Capability.COUNT,
        Capability.TIME_LIMIT,
    } <= backend.capabilities
    native_objective = backend.name != "python_constraint"
    assert (Capability.OPTIMIZE in backend.capabilities) is native_objective


def test_solve_satisfiable(backend: Backend) -> None:
    """A satisfiable problem gives a solution that satisfies every constraint."""
    result = backend.solve(SMALL)
    assert result.status == Status.OPTIMAL and result.found
    assert result.assignment is not None and SMALL.check(result.assignment)
    assert result.objectives == ()
    assert result.wall_s >= 0


def test_solve_unsatisfiable(backend: Backend) -> None:
    """An unsatisfiable problem is infeasible: no assignment, no solutions, count 0."""
    result = backend.solve(UNSAT)
    assert result.status == Status.INFEASIBLE and not result.found and result.assignment is None
    assert backend.solve(UNSAT, objectives=[Objective(((1, "a"),))]).status == Status.INFEASIBLE
    assert list(backend.solutions(UNSAT)) == []
    assert backend.count(UNSAT) == 0


@pytest.mark.parametrize(
    "fixed",
    [
        {"a": frozenset({2})},
        {"a": frozenset({1, 2}), "c": frozenset({3})},
        {"b": frozenset({0, 1})},
        {"a": frozenset({2}), "b": frozenset({1})},
        {"a": frozenset({7})},
        {"c": frozenset()},
    ],
)
def test_fixed_values(backend: Backend, fixed: dict[str, frozenset[int]]) -> None:
    """Fixed values restrict solve, enumeration and counting exactly like filtering the solutions."""
    expected = brute(SMALL, fixed)
    result = backend.solve(SMALL, fixed=fixed)
    assert result.found is bool(expected)
    if result.assignment is not None:
        assert key(result.assignment) in expected
    assert {key(s) for s in backend.solutions(SMALL, fixed=fixed)} == expected
    assert backend.count(SMALL, fixed=fixed) == len(expected)


def best(problem: Problem, objectives: list[Objective]) -> tuple[int, ...]:
    """The lexicographically best objective values, by brute force."""
    keys = []
    for solution in brute(problem):
        assignment = dict(solution)
        values = tuple(linear_value(o.terms, assignment) + o.offset for o in objectives)
        keys.append(tuple(v if o.sense == "max" else -v for v, o in zip(values, objectives, strict=True)))
    top = max(keys)
    return tuple(v if o.sense == "max" else -v for v, o in zip(top, objectives, strict=True))


OBJECTIVES = [
    [Objective(((2, "a"), (1, "c")))],
    [Objective(((2, "a"), (1, "c")), sense="min")],
    [Objective(((1, "a"), (-3, lit("b", 1))), offset=10)],
    [Objective(((5, Or((lit("a", 0), lit("c", 3)))), (-1, "c")), offset=-4, sense="min")],
    [Objective(((1, lit("b", 1)),)), Objective(((1, "c"),), sense="min"), Objective(((1, "a"),))],
    [Objective(((1, "b"),), sense="min"), Objective(((1, "a"), (1, "c")))],
    [Objective(()), Objective(((1, "a"),), sense="min")],
]


@pytest.mark.parametrize("objectives", OBJECTIVES)
def test_lexicographic_objectives(backend: Backend, objectives: list[Objective]) -> None:
    """Objectives are optimised in order (max and min); the values and the solution are those of the optimum."""
    result = backend.solve(SMALL, objectives=objectives)
    assert result.status == Status.OPTIMAL and result.assignment is not None
    assert SMALL.check(result.assignment)
    assert result.objectives == best(SMALL, objectives)
    values = tuple(linear_value(o.terms, result.assignment) + o.offset for o in objectives)
    assert values == result.objectives


def test_objectives_with_fixed_values(backend: Backend) -> None:
    """Optimisation respects fixed values."""
    objective = Objective(((1, "a"), (1, "c")))
    result = backend.solve(SMALL, fixed={"c": frozenset({0, -1})}, objectives=[objective])
    assert result.objectives == (2,)
    assert result.assignment is not None and result.assignment["c"] in (0, -1)


def test_enumeration(backend: Backend) -> None:
    """``solutions`` enumerates each solution once; limit caps the number."""
    every = [key(s) for s in backend.solutions(SMALL)]
    assert len(every) == len(set(every))
    assert set(every) == brute(SMALL)
    some = list(backend.solutions(SMALL, limit=3))
    assert len(some) == 3 and all(SMALL.check(s) for s in some)
    assert len({key(s) for s in some}) == 3
    assert list(backend.solutions(SMALL, limit=0)) == []


def test_count_is_an_exact_int(backend: Backend) -> None:
    """``count`` returns a Python int equal to the number of solutions."""
    n = backend.count(SMALL)
    assert type(n) is int and n == len(brute(SMALL))
    free = Problem(tuple(Variable(f"v{i}", tuple(range(4))) for i in range(5)))
    assert backend.count(free) == 4**5


def test_empty_domains(backend: Backend) -> None:
    """A variable with an empty domain makes the problem infeasible, even without constraints."""
    empty = Problem((Variable("a", (0, 1)), Variable("e", ())))
    assert not backend.solve(empty).found
    assert backend.solve(empty).status == Status.INFEASIBLE
    assert list(backend.solutions(empty)) == []
    assert backend.count(empty) == 0
    cut = problem_of(lit("a", 1))
    assert backend.count(cut, fixed={"a": frozenset({0})}) == 0


def test_no_variables(backend: Backend) -> None:
    """A problem without variables has exactly one (empty) solution unless a constant constraint fails."""
    assert backend.count(Problem(())) == 1
    assert backend.solve(Problem(())).assignment == {}
    assert list(backend.solutions(Problem(()))) == [{}]
    assert backend.count(Problem((), (Constraint("f", Const(False)),))) == 0


@pytest.mark.parametrize("value", [True, False])
def test_const_constraints(backend: Backend, value: bool) -> None:
    """Const(True) removes nothing; Const(False) removes everything."""
    problem = problem_of(Const(value))
    assert backend.count(problem) == (18 if value else 0)
    assert backend.solve(problem).found is value


EXPRESSIONS: list[BoolExpr] = [
    lit("a", 1),
    lit("a", 0, 2),
    lit("a", 0, 1, 2),
    lit("a"),
    lit("a", 5),
    lit("c", -1, 3),
    Not(lit("b", 1)),
    And(()),
    Or(()),
    And((lit("a", 1, 2), lit("b", 0))),
    Or((lit("a", 0), lit("c", 3))),
    Or((And((lit("a", 1), lit("b", 1))), Not(lit("c", 0)))),
    Implies(lit("a", 2), lit("c", 3)),
    Implies(Or((lit("a", 0), lit("b", 1))), And((lit("c", -1), Not(lit("a", 0))))),
    Iff(lit("a", 1), lit("b", 1)),
    Iff(Not(lit("a", 0)), Or((lit("c", 3), lit("b", 0)))),
    Linear(((1, "a"), (1, "c")), "<=", 2),
    Linear(((1, "a"), (1, "c")), ">=", 2),
    Linear(((2, "a"), (-1, "c")), "==", 3),
    Linear(((2, "a"), (-1, "c")), "!=", 3),
    Linear(((1, "a"), (3, "b")), "<", 3),
    Linear(((1, "a"), (3, "b")), ">", 3),
    Linear(((1, lit("a", 1, 2)), (1, lit("b", 1)), (1, lit("c", 3))), "==", 2),
    Linear(((4, Or((lit("a", 0), lit("b", 1)))), (-1, "c"), (1, "a")), ">=", 3),
    Linear(((1, Linear(((1, "a"),), ">", 0)), (1, Iff(lit("b", 1), lit("c", 0)))), "<=", 1),
    Linear((), "<=", 0),
    Linear((), ">", 0),
    Table(("a", "b"), ((0, 1), (2, 0))),
    Table(("a", "b"), ((0, 1), (2, 0)), allowed=False),
    Table(("a", "c"), ((None, 3), (1, None))),
    Table(("a", "c"), ((None, 3), (1, None)), allowed=False),
    Table(("a", "b", "c"), ((None, None, None),)),
    Table(("a", "b", "c"), ((2, None, -1), (0, 1, None)), allowed=False),
    Table(("a", "b"), ((5, 0),)),
    Table(("a",), ()),
    Table(("a",), (), allowed=False),
]
WRAPPERS: dict[str, Callable[[BoolExpr], BoolExpr]] = {
    "top": lambda e: e,
    "not": lambda e: Not(e),
    "iff": lambda e: Iff(e, lit("b", 1)),
    "indicator": lambda e: Linear(((2, e), (1, lit("a", 0))), ">=", 2),
}


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("wrap", list(WRAPPERS))
def test_every_expression_kind(backend: Backend, expr: BoolExpr, wrap: str) -> None:
    """Each expression kind (at top level, negated, inside Iff, as an indicator) has the brute-force solutions."""
    problem = problem_of(WRAPPERS[wrap](expr))
    expected = brute(problem)
    assert {key(s) for s in backend.solutions(problem)} == expected
    assert backend.count(problem) == len(expected)
    result = backend.solve(problem)
    assert result.found is bool(expected)
    assert result.assignment is None or key(result.assignment) in expected


def test_python_constraint_refuses_large_optimisation() -> None:
    """python_constraint optimises by enumerating: beyond max_size it refuses and names the limit."""
    engine = PythonConstraintBackend(max_size=10)
    objective = Objective(((1, "a"),))
    with pytest.raises(BackendLimitError, match=r"no native objective.*limited to .*10 .*this one has 18"):
        engine.solve(SMALL, objectives=[objective])
    assert engine.solve(SMALL).found  # plain solving is not limited
    assert engine.count(SMALL) == len(brute(SMALL))
    assert engine.solve(SMALL, fixed={"a": frozenset({2})}, objectives=[objective]).objectives == (2,)


def test_exhaustive_refuses_beyond_max_size() -> None:
    """The exhaustive backend refuses problems larger than max_size, naming the limit and the size."""
    engine = ExhaustiveBackend(max_size=10)
    pattern = r"limited to 10; this problem has 18"
    with pytest.raises(BackendLimitError, match=pattern):
        engine.count(SMALL)
    with pytest.raises(BackendLimitError, match=pattern):
        engine.solve(SMALL)
    with pytest.raises(BackendLimitError, match=pattern):
        list(engine.solutions(SMALL))
    assert engine.count(SMALL, fixed={"a": frozenset({1})}) == len(brute(SMALL, {"a": frozenset({1})}))
    big = Problem(tuple(Variable(f"v{i}", (0, 1)) for i in range(30)))
    with pytest.raises(BackendLimitError, match="1,073,741,824"):
        ExhaustiveBackend().count(big)


# --- random catalogs --------------------------------------------------------------------------------------

MAX_SIZE = 20_000
DAY = dt.date(2026, 11, 23)


@st.composite
def small_catalogs(draw: st.DrawFn) -> tuple[Catalog, dt.date | None, CatalogProblem]:
    """A random catalog with linear rules, a date (or None) and its compiled problem of at most MAX_SIZE."""
    catalog = draw(catalogs(max_modules=4, max_options=3))
    on = draw(st.one_of(st.none(), st.just(DAY), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))))
    try:
        cp = compile_catalog_problem(catalog, on)
    except SolverError:  # a non-linear rule (x * y): not for the solver
        assume(False)
        raise
    assume(cp.problem.size() <= MAX_SIZE)
    return catalog, on, cp


@st.composite
def objectives(draw: st.DrawFn, cp: CatalogProblem) -> Objective:
    """A random linear objective over the option literals and quantity terms of a compiled catalog."""
    terms: list[tuple[int, Term]] = []
    for (module, option), literal in cp.option_literals().items():
        weight = draw(st.integers(-5, 5))
        if weight:
            terms.append((weight, literal))
        qty_weight = draw(st.integers(-2, 2))
        if qty_weight:
            terms.extend((qty_weight * c, t) for c, t in cp.quantity_term(module, option))
    return Objective(tuple(terms), draw(st.integers(-3, 3)), draw(st.sampled_from(["max", "min"])))


def assert_valid(cp: CatalogProblem, on: dt.date | None, assignment: Mapping[str, int]) -> None:
    """The assignment satisfies the Problem and its configuration passes the independent checker."""
    assert cp.problem.check(assignment), cp.problem.violated(assignment)
    configuration = cp.to_configuration(assignment)
    assert find_violations(cp.catalog, configuration, on=on) == []


def all_backends() -> Iterator[Backend]:
    """Fresh instances of every backend."""
    for name in BACKENDS:
        yield get_backend(name)


@settings(max_examples=120, deadline=None)
@given(small_catalogs(), st.data())
def test_random_catalogs_every_backend_agrees_with_the_checker(
    drawn: tuple[Catalog, dt.date | None, CatalogProblem], data: Any
) -> None:
    """On random catalogs all backends agree on satisfiability, count and optimum; every solution is valid."""
    _catalog, on, cp = drawn
    problem = cp.problem
    oracle = get_backend("exhaustive")
    expected = oracle.count(problem)
    objective = data.draw(objectives(cp))
    optimum: list[tuple[int, ...]] = []
    for engine in all_backends():
        result = engine.solve(problem)
        assert result.found is (expected > 0), engine.name
        if result.assignment is not None:
            assert_valid(cp, on, result.assignment)
        for solution in engine.solutions(problem, limit=4):
            assert_valid(cp, on, solution)
        assert engine.count(problem) == expected, engine.name
        best = engine.solve(problem, objectives=[objective])
        assert best.found is (expected > 0)
        if best.assignment is not None:
            assert_valid(cp, on, best.assignment)
            assert best.status == Status.OPTIMAL
            assert best.objectives == (linear_value(objective.terms, best.assignment) + objective.offset,)
            optimum.append(best.objectives)
    assert len(set(optimum)) <= 1, optimum
