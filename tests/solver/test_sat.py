"""The incremental SAT kernel: covering solves and minimal conflicts against brute force, and where it serves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.catalog.loader import load_catalog
from configurator.solver import sat as sat_module
from configurator.solver.backends.cpsat import CpSatBackend, CpSatPropagator, SatFirstPropagator
from configurator.solver.problem import BoolExpr, Constraint, Linear, Lit, Problem, Table, Variable, scope
from configurator.solver.sat import SatKernel, sat_kernel, suits
from configurator.solver.session import ConfigurationSession
from strategies import expressions, small_variables

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw: st.DrawFn) -> tuple[Problem, list[BoolExpr], list[BoolExpr]]:
    """A problem of 2-5 variables with up to 3 constraints, up to 3 targets and up to 2 required expressions."""
    variables = draw(small_variables())
    names = [v.name for v in variables]
    constraints = draw(st.lists(expressions(names, max_leaves=4), max_size=3))
    targets = draw(st.lists(expressions(names, max_leaves=2), min_size=1, max_size=3))
    required = draw(st.lists(expressions(names, max_leaves=2), max_size=2))
    problem = Problem(variables, tuple(Constraint(f"c{k}", e) for k, e in enumerate(constraints)))
    return problem, targets, required


def _meets(problem: Problem, assignment: dict[str, int], exprs: list[BoolExpr]) -> bool:
    check = Problem(problem.variables, tuple(Constraint(f"e{k}", e) for k, e in enumerate(exprs)))
    return check.check(assignment)


@SETTINGS
@given(cases())
def test_a_cover_meets_the_problem_the_required_and_a_target_exactly_when_one_exists(
    case: tuple[Problem, list[BoolExpr], list[BoolExpr]],
) -> None:
    """The covering solve returns a true solution meeting a target, and None only when brute force finds none."""
    problem, targets, required = case
    kernel = SatKernel(problem)
    found = kernel.cover(targets, required)
    exists = [
        a
        for a in problem.assignments()
        if problem.check(a) and _meets(problem, a, required) and any(_meets(problem, a, [t]) for t in targets)
    ]
    if found is None:
        assert not exists
    else:
        assert problem.check(found) and _meets(problem, found, required)
        assert any(_meets(problem, found, [t]) for t in targets)
    # the call's "some target" clause is retired: the problem alone is still as satisfiable as before
    whole = [a for a in problem.assignments() if problem.check(a)]
    assert (
        kernel.cover([Lit(problem.variables[0].name, frozenset(problem.variables[0].domain))]) is None
    ) == (not whole)


@SETTINGS
@given(cases(), cases())
def test_the_conflict_is_infeasible_and_irreducible(
    first: tuple[Problem, list[BoolExpr], list[BoolExpr]],
    second: tuple[Problem, list[BoolExpr], list[BoolExpr]],
) -> None:
    """None exactly when all holds; otherwise the named constraints conflict and each one is needed."""
    problem, soft = _pooled(first, second)
    hard = list(problem.constraints)
    found = sat_kernel(Problem(problem.variables, ()))
    assert found is not None
    answer = found.minimal(hard, soft)

    def feasible(kept: list[Constraint]) -> bool:
        both = Problem(problem.variables, (*hard, *kept))
        return any(both.check(a) for a in both.assignments())

    if answer is None:
        assert feasible(soft)
        return
    named = [c for c in soft if c.id in set(answer)]
    assert [c.id for c in named] == list(answer)
    assert not feasible(named)
    for dropped in named:
        assert feasible([c for c in named if c is not dropped])


def _within(expr: BoolExpr, names: set[str]) -> bool:
    return scope(expr) <= names


def _pooled(
    first: tuple[Problem, list[BoolExpr], list[BoolExpr]],
    second: tuple[Problem, list[BoolExpr], list[BoolExpr]],
) -> tuple[Problem, list[Constraint]]:
    """The first case's problem, and as named constraints every drawn expression over its variables."""
    problem = first[0]
    names = set(problem.names)
    pool = [e for e in (*first[1], *first[2], *(c.expr for c in second[0].constraints)) if _within(e, names)]
    return problem, [Constraint(f"s{k}", e) for k, e in enumerate(pool)]


def test_problems_with_large_tables_keep_cp_sat(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table beyond MAX_TABLE_ROWS does not suit the kernel: the backend keeps its CP-SAT propagator."""
    monkeypatch.setattr(sat_module, "MAX_TABLE_ROWS", 100)
    xs = (Variable("a", tuple(range(20))), Variable("b", tuple(range(20))))
    rows = tuple((a, b) for a in range(20) for b in range(20) if (a + b) % 3)
    big = Problem(xs, (Constraint("t", Table(("a", "b"), rows)),))
    assert len(rows) > sat_module.MAX_TABLE_ROWS and not suits(big)
    assert sat_kernel(big) is None
    assert isinstance(CpSatBackend().propagator(big), CpSatPropagator)


def test_the_kitchen_session_propagates_and_explains_on_the_kernel() -> None:
    """Without a diagram the kitchen's domains and reasons come from the SAT kernel, and they stay exact."""
    catalog = load_catalog(ROOT / "catalogs" / "kitchen.yaml")
    session = ConfigurationSession(catalog, on=dt.date(2026, 11, 23))
    session.select("hob", "gas_4")
    kernel = sat_kernel(session.cp.problem)
    assert kernel is not None
    before = kernel.checks
    domains = session.domains()
    assert kernel.checks > before
    removed = session.removed()
    assert removed and all(reason.choices or reason.constraints for reason in removed.values())
    # cross-check with CP-SAT on a fresh model: each option shown has a solution, each option gone has none
    problem = session.cp.problem
    chosen = Constraint("choice", session.cp.selected("hob", "gas_4"))
    cpsat = CpSatBackend()
    for module in ("hob", "hood", "installation", "oven", "sink"):
        for option in catalog.modules[module].options:
            target = Constraint("target", session.cp.selected(module, option))
            asked = Problem(problem.variables, (*problem.constraints, chosen, target))
            assert cpsat.solve(asked).found == (option in domains[module]), (module, option)


def test_a_question_beyond_the_encoding_falls_back_to_cp_sat_for_good() -> None:
    """A target whose sum the kernel cannot encode is answered by CP-SAT, which then answers everything."""
    xs = tuple(Variable(f"x{i}", tuple(range(10))) for i in range(6))
    kernel = SatKernel(Problem(xs, ()), max_linear_nodes=20)
    engine = SatFirstPropagator(kernel, Problem(xs, ()))
    wide = Linear(tuple((3 + i, f"x{i}") for i in range(6)), "==", 101)
    found = engine.cover([wide])
    assert found is not None and sum((3 + i) * found[f"x{i}"] for i in range(6)) == 101
    assert engine.fallback is not None
    assert engine.cover([Lit("x0", frozenset({9}))], [Lit("x0", frozenset({1}))]) is None


@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), cases())
def test_feasible_is_brute_force_feasibility_of_the_named_constraints(
    first: tuple[Problem, list[BoolExpr], list[BoolExpr]],
    second: tuple[Problem, list[BoolExpr], list[BoolExpr]],
) -> None:
    """``feasible`` assumes exactly the constraints it is given (not the problem's own) and agrees with brute force."""
    problem, asked = _pooled(first, second)
    kernel = SatKernel(problem)
    both = Problem(problem.variables, tuple(asked))
    assert kernel.feasible(asked) == any(both.check(a) for a in both.assignments())


def test_a_larger_row_budget_lets_a_large_table_suit(monkeypatch: pytest.MonkeyPatch) -> None:
    """``suits(max_rows=...)`` sets the table budget for callers of their own (lint)."""
    monkeypatch.setattr(sat_module, "MAX_TABLE_ROWS", 100)
    xs = (Variable("a", tuple(range(20))), Variable("b", tuple(range(20))))
    rows = tuple((a, b) for a in range(20) for b in range(20) if (a + b) % 3)
    big = Problem(xs, (Constraint("t", Table(("a", "b"), rows)),))
    assert not suits(big) and suits(big, max_rows=len(rows)) and not suits(big, max_rows=len(rows) - 1)


def test_a_table_is_encoded_once_whichever_way_it_is_asked() -> None:
    """A table asked again, or negated, reuses its literal: no clause is added and the answers stay exact."""
    from configurator.solver.counting.cnf import Encoder

    xs = (Variable("a", tuple(range(6))), Variable("b", tuple(range(6))))
    rows = tuple((a, b) for a in range(6) for b in range(6) if a < b)
    problem = Problem(xs, ())
    encoder = Encoder(problem, 1000, "one-hot")
    for variable in xs:
        encoder.variable(variable)
    allowed = encoder.expr(Table(("a", "b"), rows))
    clauses = len(encoder.cnf.clauses)
    assert encoder.expr(Table(("a", "b"), rows, allowed=False)) == -int(allowed)
    assert encoder.expr(Table(("a", "b"), rows)) == allowed and len(encoder.cnf.clauses) == clauses
    kernel = SatKernel(problem)
    below = Constraint("below", Table(("a", "b"), rows))
    assert kernel.feasible([below]) and not kernel.feasible(
        [below, Constraint("not", Table(("a", "b"), rows, allowed=False))]
    )
