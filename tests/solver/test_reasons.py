"""Reasons at click speed: the conflicts remembered across sessions and the local search's answers."""

from __future__ import annotations

from configurator.solver.compile import compile_catalog_problem
from configurator.solver.problem import Const, Constraint, Iff, Lit, Table, Variable
from configurator.solver.reasons import _search, recall, remember
from configurator.solver.session import Choice, Conflict
from support import make_catalog


def test_a_remembered_conflict_comes_back_while_its_choices_are_all_made() -> None:
    """A conflict holds for any superset of its choices, never when one is missing or differs in quantity."""
    cp = compile_catalog_problem(
        make_catalog(
            {"frame": {"options": {"alu": {}, "carbon": {}}}, "rack": {"options": {"a": {}, "b": {}}}}
        )
    )
    conflict = Conflict(("frame.carbon",), ("no-rack",))
    remember(cp, "rack.a", {Choice("frame", "carbon"), Choice("rack", "b")}, conflict)
    assert recall(cp, "rack.a", {Choice("frame", "carbon")}) == conflict
    assert recall(cp, "rack.a", {Choice("frame", "carbon"), Choice("rack", "b", qty=None)}) == conflict
    assert recall(cp, "rack.a", {Choice("rack", "b")}) is None
    assert recall(cp, "rack.a", {Choice("frame", "carbon", qty=2)}) is None
    assert recall(cp, "rack.b", {Choice("frame", "carbon")}) is None
    other = compile_catalog_problem(
        make_catalog(
            {"frame": {"options": {"alu": {}, "carbon": {}}}, "rack": {"options": {"a": {}, "b": {}}}}
        )
    )
    assert recall(other, "rack.a", {Choice("frame", "carbon")}) is None


def test_the_local_search_proves_finds_or_gives_up_within_its_limit() -> None:
    """No solution is proved, a solution is found and checked, and a search past its node limit says None."""
    xs = tuple(Variable(f"x{i}", tuple(range(10))) for i in range(4))
    all_zero = [Constraint(f"z{i}", Lit(f"x{i}", frozenset({0}))) for i in range(4)]
    none_nine = Constraint("n", Lit("x3", frozenset(range(9))))
    assert _search(all_zero, {}, xs, 1000)[0] is False
    assert _search([*all_zero, none_nine], {"x3": 9}, xs[:3], 1000)[0] is True
    # an equivalence is judged only on complete assignments: proving it unsatisfiable visits every node
    never = Constraint("e", Iff(Lit("x0", frozenset(range(10))), Const(False)))
    assert _search([never], {}, xs, 50) == (None, 51)
    assert _search([never], {}, xs, 100_000) == (True, 11_111)


def test_the_local_search_cuts_a_branch_no_table_row_agrees_with() -> None:
    """A table no row of which agrees with a partial assignment cuts the branch there, not at the leaves."""
    xs = tuple(Variable(f"x{i}", tuple(range(10))) for i in range(4))
    table = Constraint("t", Table(tuple(v.name for v in xs), ((11, 11, 11, 11),)))
    assert _search([table], {}, xs, 100_000) == (True, 11)  # each first value is cut at once
    kept = Constraint("k", Table(("x0", "x1"), ((3, None), (5, 7))))
    assert _search([kept], {}, xs[:2], 100_000) == (False, 6)  # x0 = 0, 1, 2 cut; x0 = 3, x1 = 0 a solution
    banned = Constraint("b", Table(("x0",), tuple((v,) for v in range(10)), allowed=False))
    assert _search([banned], {}, xs[:1], 100_000) == (True, 11)
