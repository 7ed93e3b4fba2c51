"""Tests of configurator.solver.problem: variables, expressions, evaluation, restriction and enumeration."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    Or,
    Problem,
    Table,
    Variable,
    compare,
    holds,
    linear_value,
    may_match,
    scope,
)


def lit(var: str, *values: int) -> Lit:
    """The literal ``var in values``."""
    return Lit(var, frozenset(values))


A = Variable("a", (0, 1, 2), ("-", "x", "y"))
B = Variable("b", (0, 1))
PROBLEM = Problem((A, B), (Constraint("r", Not(And((lit("a", 2), lit("b", 1))))),), name="p")


def test_variable_labels() -> None:
    """A labelled variable names its values; an unlabelled one prints the value."""
    assert A.label(2) == "y"
    assert B.label(1) == "1"


def test_duplicate_variable_names_are_refused() -> None:
    """Two variables with one name make an invalid problem."""
    with pytest.raises(ValueError, match="unique"):
        Problem((Variable("a", (0,)), Variable("a", (1,))))


def test_lookup_names_and_size() -> None:
    """var() finds a variable by name, names keeps the order, size is the exact product of domain sizes."""
    assert PROBLEM.var("b") is B
    assert PROBLEM.names == ("a", "b")
    assert PROBLEM.size() == 6
    big = Problem(tuple(Variable(f"v{i}", tuple(range(10))) for i in range(40)))
    assert big.size() == 10**40
    assert Problem(()).size() == 1


def test_violated_and_check() -> None:
    """``violated`` lists constraint ids; check also rejects values outside the domains or missing."""
    assert PROBLEM.violated({"a": 2, "b": 1}) == ["r"]
    assert PROBLEM.violated({"a": 1, "b": 1}) == []
    assert PROBLEM.check({"a": 1, "b": 1})
    assert not PROBLEM.check({"a": 2, "b": 1})
    assert not PROBLEM.check({"a": 3, "b": 0})
    assert not PROBLEM.check({"a": 1})


def test_restrict_cuts_domains_and_labels() -> None:
    """``restrict`` keeps the constraints and cuts the listed domains (labels follow their values)."""
    cut = PROBLEM.restrict({"a": (0, 2)}, name="cut")
    assert cut.var("a") == Variable("a", (0, 2), ("-", "y"))
    assert cut.var("b") == B
    assert cut.constraints == PROBLEM.constraints
    assert cut.name == "cut"
    assert PROBLEM.restrict({"b": (1,)}).var("b") == Variable("b", (1,))


def test_assignments_enumerate_the_cross_product() -> None:
    """``assignments`` yields every full assignment once, in domain order; an empty domain yields none."""
    found = list(PROBLEM.assignments())
    assert len(found) == 6
    assert found[0] == {"a": 0, "b": 0} and found[-1] == {"a": 2, "b": 1}
    assert len({tuple(sorted(x.items())) for x in found}) == 6
    assert list(Problem(()).assignments()) == [{}]
    assert list(Problem((A, Variable("e", ()))).assignments()) == []


@pytest.mark.parametrize(
    ("value", "op", "rhs", "expected"),
    [
        (1, "<=", 1, True),
        (2, "<=", 1, False),
        (1, ">=", 1, True),
        (0, ">=", 1, False),
        (1, "==", 1, True),
        (1, "==", 2, False),
        (1, "!=", 2, True),
        (1, "!=", 1, False),
        (0, "<", 1, True),
        (1, "<", 1, False),
        (2, ">", 1, True),
        (1, ">", 1, False),
    ],
)
def test_compare(value: int, op: str, rhs: int, expected: bool) -> None:
    """``compare`` implements the six comparison operators."""
    assert compare(value, op, rhs) is expected


def test_compare_rejects_unknown_operators() -> None:
    """An unknown operator is a ValueError."""
    with pytest.raises(ValueError, match="unknown comparison"):
        compare(1, "=>", 1)


def test_linear_value_counts_indicators() -> None:
    """A linear term is a variable's value or the 0/1 value of a boolean expression."""
    terms = ((3, "a"), (-2, lit("b", 1)), (5, Const(False)))
    assert linear_value(terms, {"a": 2, "b": 1}) == 4
    assert linear_value(terms, {"a": 2, "b": 0}) == 6
    assert linear_value((), {}) == 0


X = {"a": 1, "b": 0}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (Const(True), True),
        (Const(False), False),
        (lit("a", 1, 2), True),
        (lit("a"), False),
        (Not(lit("b", 1)), True),
        (And(()), True),
        (Or(()), False),
        (And((lit("a", 1), lit("b", 0))), True),
        (And((lit("a", 1), lit("b", 1))), False),
        (Or((lit("a", 2), lit("b", 1))), False),
        (Or((lit("a", 2), lit("b", 0))), True),
        (Implies(lit("a", 2), Const(False)), True),
        (Implies(lit("a", 1), Const(False)), False),
        (Iff(lit("a", 1), lit("b", 0)), True),
        (Iff(lit("a", 1), lit("b", 1)), False),
        (Linear(((1, "a"), (1, lit("b", 0))), "==", 2), True),
        (Linear(((1, "a"), (1, lit("b", 0))), "<", 2), False),
        (Table(("a", "b"), ((1, 0),)), True),
        (Table(("a", "b"), ((1, 0),), allowed=False), False),
        (Table(("a", "b"), ((None, 1), (2, None))), False),
        (Table(("a", "b"), ((None, 1), (2, None)), allowed=False), True),
        (Table(("a", "b"), ((None, None),)), True),
        (Table(("a",), ()), False),
        (Table(("a",), (), allowed=False), True),
    ],
)
def test_holds(expr: BoolExpr, expected: bool) -> None:
    """``holds`` evaluates every expression kind under a full assignment (a=1, b=0)."""
    assert holds(expr, X) is expected


def test_holds_rejects_non_expressions() -> None:
    """Something that is not a boolean expression is a TypeError."""
    with pytest.raises(TypeError, match="not a boolean expression"):
        holds("a", X)  # type: ignore[arg-type]


def test_scope_collects_every_variable() -> None:
    """``scope`` finds variables inside every kind of node, including linear terms and tables."""
    expr = Implies(
        And((Not(lit("a", 1)), Const(True))),
        Iff(Linear(((1, "b"), (2, lit("c", 0))), "<=", 1), Or((Table(("d", "e"), ((1, None),)),))),
    )
    assert scope(expr) == {"a", "b", "c", "d", "e"}
    assert scope(Const(True)) == set()
    assert scope("x") == {"x"}


@settings(deadline=None, max_examples=60)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.integers(0, 3)), st.one_of(st.none(), st.integers(0, 3))),
        min_size=0,
        max_size=80,
    ),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.booleans(),
)
def test_a_table_holds_as_a_scan_of_its_rows(
    rows: list[tuple[int | None, int | None]], current: tuple[int, int], allowed: bool
) -> None:
    """A table, small or indexed (32 rows and more, wildcards or not), matches exactly when some row does."""
    table = Table(("a", "b"), tuple(rows), allowed)
    scan = any(all(c is None or c == v for c, v in zip(row, current, strict=True)) for row in rows)
    assignment = {"a": current[0], "b": current[1]}
    assert holds(table, assignment) == (scan if allowed else not scan)
    assert holds(table, assignment) == (scan if allowed else not scan)  # the kept index answers the same


@settings(deadline=None, max_examples=80)
@given(
    st.lists(
        st.tuples(*(st.one_of(st.none(), st.integers(0, 3)) for _ in range(3))),
        min_size=0,
        max_size=80,
    ),
    st.dictionaries(st.sampled_from(["a", "b", "c", "z"]), st.integers(0, 4), max_size=4),
)
def test_a_table_may_match_when_a_row_agrees_with_the_fixed_columns(
    rows: list[tuple[int | None, ...]], fixed: dict[str, int]
) -> None:
    """Small or indexed, a table may match exactly when some row agrees with every fixed column it has."""
    table = Table(("a", "b", "c"), tuple(rows))
    scan = any(
        all(cell is None or fixed.get(name, cell) == cell for name, cell in zip(table.vars, row, strict=True))
        for row in rows
    )
    assert may_match(table, fixed) == scan
    assert may_match(table, fixed) == scan  # the kept index answers the same
