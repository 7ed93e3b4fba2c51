"""The incremental propagator (operations.Propagator, CpSatPropagator) against brute force.

Every answer must equal the projection of the solutions: values kept extend to a solution, values removed do
not. A propagator is reused along a session of changing choices, so the solutions it keeps from earlier calls
(and the neighbours it derives from them) are exercised against fresh brute force at every step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.catalog.loader import load_catalog
from configurator.errors import SolverError
from configurator.solver import operations
from configurator.solver.backend import Fixed
from configurator.solver.backends.cpsat import CpSatPropagator
from configurator.solver.problem import (
    And,
    BoolExpr,
    Constraint,
    Iff,
    Linear,
    Lit,
    Not,
    Problem,
    Variable,
    holds,
)
from configurator.solver.session import ConfigurationSession
from strategies import PROBLEM_VALUES, expressions
from support import ROOT

BACKENDS = ("cpsat", "exhaustive", "python_constraint")
VALUES = PROBLEM_VALUES


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Problems of 2-5 variables with 1-5 values and up to 4 random constraints of every expression kind."""
    n = draw(st.integers(min_value=2, max_value=5))
    variables = tuple(
        Variable(f"v{i}", tuple(draw(st.lists(VALUES, min_size=1, max_size=5, unique=True))))
        for i in range(n)
    )
    draw_expr = expressions([v.name for v in variables])
    constraints = draw(st.lists(draw_expr, max_size=4))
    return Problem(variables, tuple(Constraint(f"c{k}", e) for k, e in enumerate(constraints)))


def solutions(
    problem: Problem, fixed: Fixed | None = None, extra: Sequence[BoolExpr] = ()
) -> list[dict[str, int]]:
    """Brute force: every assignment passing the problem, the fixed values and the extra expressions."""
    return [
        a
        for a in problem.assignments()
        if problem.check(a)
        and all(a[n] in v for n, v in (fixed or {}).items())
        and all(holds(e, a) for e in extra)
    ]


def projection(problem: Problem, found: list[dict[str, int]]) -> dict[str, tuple[int, ...]]:
    """The values each variable takes in some of ``found``, in domain order."""
    return {
        v.name: tuple(x for x in v.domain if any(s[v.name] == x for s in found)) for v in problem.variables
    }


def draw_fixed(data: Any, problem: Problem) -> dict[str, frozenset[int]]:
    """Random fixed values: a few variables restricted to one or two values (sometimes outside the domain)."""
    fixed: dict[str, frozenset[int]] = {}
    for var in data.draw(st.lists(st.sampled_from(problem.variables), unique=True, max_size=3)):
        fixed[var.name] = frozenset(
            data.draw(st.lists(st.one_of(st.sampled_from(var.domain), VALUES), max_size=2))
        )
    return fixed


SETTINGS = settings(max_examples=120, deadline=None)


@SETTINGS
@given(problems(), st.data())
def test_domains_equal_the_projection(problem: Problem, data: Any) -> None:
    """With every backend, the domains under random fixed values equal the brute-force projection."""
    fixed = draw_fixed(data, problem)
    expected = projection(problem, solutions(problem, fixed))
    for backend in BACKENDS:
        assert operations.Propagator(problem, backend=backend).domains(fixed) == expected, backend


@SETTINGS
@given(problems(), st.data())
def test_a_session_of_choices_stays_exact(problem: Problem, data: Any) -> None:
    """A propagator reused along random steps of choices stays exact at every step.

    One propagator per backend; choices are whole expressions; every step's domains and set queries equal
    brute force, whatever the propagator kept from earlier steps.
    """
    names = [v.name for v in problem.variables]
    steps = data.draw(st.lists(st.lists(expressions(names), max_size=2), min_size=1, max_size=4))
    queries = data.draw(
        st.lists(st.builds(Lit, st.sampled_from(names), st.frozensets(VALUES, max_size=3)), max_size=6)
    )
    propagators = {backend: operations.Propagator(problem, backend=backend) for backend in BACKENDS}
    for extra in steps:
        found = solutions(problem, extra=extra)
        expected = projection(problem, found)
        wanted = [any(s[q.var] in q.values for s in found) for q in queries]
        for backend, propagator in propagators.items():
            assert propagator.domains(extra=extra) == expected, backend
            assert propagator.supported(queries, extra=extra) == wanted, backend


@SETTINGS
@given(problems(), st.data())
def test_cover_meets_a_target_or_proves_none_can_be_met(problem: Problem, data: Any) -> None:
    """``cover`` returns a solution meeting the requirements and some target, or None exactly when none exists."""
    names = [v.name for v in problem.variables]
    prop = CpSatPropagator(problem)
    for _ in range(3):
        targets = data.draw(st.lists(expressions(names), max_size=4))
        required = data.draw(st.lists(expressions(names), max_size=2))
        found = [s for s in solutions(problem, extra=required) if any(holds(t, s) for t in targets)]
        result = prop.cover(targets, required)
        if not found:
            assert result is None
            continue
        assert result is not None
        assert problem.check(result)
        assert all(holds(r, result) for r in required)
        assert any(holds(t, result) for t in targets)


def test_wide_quantities_follow_from_few_solves() -> None:
    """A wide quantity's feasible range is proved by neighbours of a few solutions, not one solve per value."""
    problem = Problem(
        (Variable("units", tuple(range(21))), Variable("handles", tuple(range(41))), Variable("on", (0, 1))),
        (
            Constraint("per-unit", Linear(((1, "handles"), (-1, "units")), ">=", 0)),
            Constraint("on", Iff(Lit("on", frozenset({1})), Lit("handles", frozenset(range(1, 41))))),
        ),
    )
    prop = operations.Propagator(problem)
    domains = prop.domains()
    assert domains == {"units": tuple(range(21)), "handles": tuple(range(41)), "on": (0, 1)}
    assert prop.solves <= 6
    before = prop.solves
    narrowed = prop.domains({"units": frozenset({15})})
    assert narrowed == {"units": (15,), "handles": tuple(range(15, 41)), "on": (1,)}
    assert prop.solves - before <= 3


def test_infeasible_choices_empty_every_domain() -> None:
    """Choices without any solution leave every domain empty and every query unsupported."""
    problem = Problem(
        (Variable("a", (0, 1)), Variable("b", (0, 1))),
        (Constraint("r", Not(And((Lit("a", frozenset({1})), Lit("b", frozenset({1})))))),),
    )
    for backend in BACKENDS:
        prop = operations.Propagator(problem, backend=backend)
        both = [Lit("a", frozenset({1})), Lit("b", frozenset({1}))]
        assert prop.domains(extra=both) == {"a": (), "b": ()}
        assert prop.supported(both, extra=both) == [False, False]
        assert prop.domains() == {"a": (0, 1), "b": (0, 1)}


def test_unknown_variables_are_refused() -> None:
    """Fixed values, choices and queries naming unknown variables raise SolverError."""
    problem = Problem((Variable("a", (0, 1)),), ())
    prop = operations.Propagator(problem)
    with pytest.raises(SolverError, match="unknown variable 'z'"):
        prop.domains({"z": frozenset({1})})
    with pytest.raises(SolverError, match="unknown variable 'z'"):
        prop.supported([Lit("a", frozenset({1}))], extra=[Lit("z", frozenset({1}))])
    with pytest.raises(SolverError, match="unknown variable 'z'"):
        prop.supported([Lit("z", frozenset({1}))])


def kitchen_oracle(s: ConfigurationSession) -> dict[str, tuple[str, ...]]:
    """Kitchen domains by one independent CP-SAT solve per option (the choices as constraints)."""
    problem = operations.with_constraints(
        s.cp.problem, *(Constraint(f"choice:{c.key}", s._choice_expr(c), "choice") for c in s.choices)
    )
    out: dict[str, tuple[str, ...]] = {}
    for module, mod in s.catalog.modules.items():
        kept = []
        for option in mod.options:
            literal = s.cp.selected(module, option)
            if (
                isinstance(literal, Lit)
                and s.backend.solve(problem, fixed={literal.var: literal.values}).found
            ):
                kept.append(option)
        out[module] = tuple(kept)
    return out


@pytest.mark.parametrize(
    "choices",
    [(), (("line", "essential"),), (("hob", "gas_4"), ("worktop", "steel")), (("handles", "bar_steel", 40),)],
)
def test_kitchen_domains_by_solver_match_independent_solves(choices: Sequence[tuple[Any, ...]]) -> None:
    """The kitchen (no diagram): the session's propagator equals one independent solve per option."""
    s = ConfigurationSession(
        load_catalog(ROOT / "catalogs" / "kitchen.yaml"), on=dt.date(2026, 11, 23), propagation="solver"
    )
    s.domains()  # the witnesses of the first step are reused by the next
    for choice in choices:
        s.select(*choice)
    assert s.domains() == kitchen_oracle(s)


def test_a_given_native_engine_answers_the_covering_solves() -> None:
    """``native=`` replaces the backend's own covering engine, and the domains stay exact."""
    p = Problem(
        (Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2))),
        (Constraint("sum", Linear(((1, "a"), (1, "b")), "<=", 2)),),
    )
    inner = CpSatPropagator(p)
    asked: list[int] = []

    class Counting:
        def cover(
            self, targets: Sequence[BoolExpr], required: Sequence[BoolExpr] = ()
        ) -> dict[str, int] | None:
            asked.append(len(targets))
            return inner.cover(targets, required)

    prop = operations.Propagator(p, native=Counting())
    assert prop.domains({"a": frozenset({1})}) == {"a": (1,), "b": (0, 1)}
    assert asked and prop.solves == len(asked)
