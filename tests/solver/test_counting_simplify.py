"""Simplifying a CNF before counting: propagation, equivalent literals, components, the same exact count."""

from __future__ import annotations

import itertools
import math
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.solver.counting import Cnf, count_cnf, encode
from configurator.solver.counting.cnf import Component, simplify, split_long
from configurator.solver.dd import CompiledDiagram
from configurator.solver.problem import (
    And,
    BoolExpr,
    Constraint,
    Iff,
    Implies,
    Linear,
    Lit,
    Not,
    Or,
    Problem,
    Variable,
)
from support import has_module, needs_cudd

needs_ganak = pytest.mark.skipif(not has_module("pyganak"), reason="the 'pyganak' package is not installed")

SETTINGS = settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
ON = frozenset({1})


def models(nvars: int, clauses: list[list[int]] | tuple[tuple[int, ...], ...]) -> int:
    """The number of assignments of ``1..nvars`` that satisfy every clause."""
    return sum(
        all(any((x > 0) == bits[abs(x) - 1] for x in c) for c in clauses)
        for bits in itertools.product((False, True), repeat=nvars)
    )


@st.composite
def cnfs(draw: st.DrawFn) -> Cnf:
    """CNFs of 1-9 variables and up to 14 clauses of 1-3 literals (units, equivalence cycles, conflicts)."""
    n = draw(st.integers(min_value=1, max_value=9))
    literal = st.integers(min_value=1, max_value=n).flatmap(lambda v: st.sampled_from([v, -v]))
    clauses = draw(st.lists(st.lists(literal, min_size=1, max_size=3), max_size=14))
    return Cnf(nvars=n, clauses=clauses, projection=tuple(range(1, n + 1)), defined=True)


@st.composite
def feature_models(draw: st.DrawFn) -> Problem:
    """Boolean feature models of 2-9 features: a tree of mandatory/optional children, groups, cross-tree rules."""
    n = draw(st.integers(min_value=2, max_value=9))
    names = [f"f{i}" for i in range(n)]
    constraints = [Constraint("root", Lit("f0", ON))]
    children: dict[str, list[str]] = {}
    for i in range(1, n):
        parent = names[draw(st.integers(min_value=0, max_value=i - 1))]
        children.setdefault(parent, []).append(names[i])
        child, up = Lit(names[i], ON), Lit(parent, ON)
        kind = draw(st.sampled_from(["mandatory", "optional", "optional"]))
        constraints.append(Constraint(f"t{i}", Iff(child, up) if kind == "mandatory" else Implies(child, up)))
    for parent, kids in children.items():
        if len(kids) >= 2 and draw(st.booleans()):
            op: Literal["==", ">="] = draw(st.sampled_from(["==", ">="]))
            group = Linear(tuple((1, k) for k in kids), op, 1)
            constraints.append(Constraint(f"g{parent}", Implies(Lit(parent, ON), group)))
    pick = st.sampled_from(names)
    for k in range(draw(st.integers(min_value=0, max_value=4))):
        a, b, c = Lit(draw(pick), ON), Lit(draw(pick), ON), Lit(draw(pick), ON)
        rules: list[BoolExpr] = [
            Implies(a, b),
            Not(And((a, b))),
            Or((Not(a), And((b, c)))),
            Iff(a, Or((b, c))),
            Implies(And((a, b)), c),
        ]
        rule = rules[draw(st.integers(min_value=0, max_value=len(rules) - 1))]
        constraints.append(Constraint(f"x{k}", rule))
    return Problem(tuple(Variable(x, (0, 1)) for x in names), tuple(constraints), name="fm")


@SETTINGS
@given(cnfs())
def test_simplified_parts_multiply_to_the_plain_count(cnf: Cnf) -> None:
    """2**free times the product of the components' counts is the CNF's model count (brute force, no counter)."""
    parts = simplify(cnf)
    expected = models(cnf.nvars, cnf.clauses)
    if parts.unsatisfiable:
        assert expected == 0
        return
    assert parts.fixed + parts.merged + parts.free + sum(p.nvars for p in parts.components) == cnf.nvars
    assert 2**parts.free * math.prod(models(p.nvars, p.clauses) for p in parts.components) == expected


@needs_ganak
@SETTINGS
@given(cnfs())
def test_ganak_counts_the_simplified_cnf_like_brute_force(cnf: Cnf) -> None:
    """Counting through the simplification equals brute force and Ganak on the whole CNF."""
    expected = models(cnf.nvars, cnf.clauses)
    assert count_cnf(cnf) == expected
    assert count_cnf(cnf, simplified=False) == expected


@needs_ganak
@needs_cudd
@SETTINGS
@given(feature_models())
def test_feature_models_count_the_same_simplified_plain_and_by_the_diagram(problem: Problem) -> None:
    """A feature model's simplified count equals the plain projected count, the diagram and brute force."""
    cnf = encode(problem)
    expected = sum(1 for a in problem.assignments() if problem.check(a))
    assert count_cnf(cnf) == expected
    assert count_cnf(cnf, simplified=False) == expected
    assert CompiledDiagram.compile(problem).count() == expected


@SETTINGS
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.lists(
                    st.integers(1, n).flatmap(lambda v: st.sampled_from([v, -v])), min_size=1, max_size=6
                ),
                max_size=3,
            ),
        )
    )
)
def test_long_clauses_split_by_a_ladder_keep_the_count(case: tuple[int, list[list[int]]]) -> None:
    """Splitting clauses of more than three literals by defined disjunctions keeps the model count."""
    nvars, clauses = case
    more, split = split_long(nvars, clauses)
    assert all(len(c) <= 3 for c in split)
    assert models(more, split) == models(nvars, clauses)


def test_mandatory_children_merge_with_their_parent() -> None:
    """Literals on a cycle of implications become one variable; the root's unit fixes its whole class."""
    clauses = [[-1, 2], [-2, 1], [-2, 3], [-3, 2], [-4, 3]]  # 1 <-> 2 <-> 3; 4 -> 3; 5 free
    parts = simplify(Cnf(nvars=5, clauses=clauses))
    assert (parts.merged, parts.fixed, parts.free) == (2, 0, 1)
    assert parts.components == (Component(2, ((1, -2),)),)  # 4 -> 1, renumbered
    rooted = simplify(Cnf(nvars=5, clauses=[*clauses, [1]]))
    assert (rooted.merged, rooted.fixed, rooted.free, rooted.components) == (0, 3, 2, ())


def test_a_literal_equivalent_to_its_negation_has_no_model() -> None:
    """A cycle through a literal and its negation, or a propagation conflict, makes the CNF unsatisfiable."""
    assert simplify(Cnf(nvars=2, clauses=[[-1, 2], [-2, -1], [1, 2], [-2, 1]])).unsatisfiable
    assert simplify(Cnf(nvars=2, clauses=[[1], [-1, 2], [-2]])).unsatisfiable
    assert simplify(Cnf(nvars=1, unsatisfiable=True)).unsatisfiable


def test_equal_parts_are_equal_components() -> None:
    """Disjoint copies of one structure become equal components (counted once), renumbered from 1."""
    parts = simplify(Cnf(nvars=6, clauses=[[1, 2], [-2, 3], [4, 5], [-5, 6]]))
    assert parts.components == (Component(3, ((-2, 3), (1, 2))), Component(3, ((-2, 3), (1, 2))))


@needs_ganak
def test_equal_parts_are_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ganak runs once per distinct component, and the count is still the product over all of them."""
    from configurator.solver.counting import ganak

    calls: list[int] = []
    real = ganak.count_clauses

    def counting(*args: object, **kwargs: object) -> int:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ganak, "count_clauses", counting)
    clauses = [[3 * k + 1, 3 * k + 2, -(3 * k + 3)] for k in range(10)]
    assert count_cnf(Cnf(nvars=30, clauses=clauses, defined=True)) == 7**10
    assert len(calls) == 1


@needs_ganak
def test_big_components_count_the_same_with_their_long_clauses_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """A component counted with its long clauses split (every size, here) has the same count as brute force."""
    from configurator.solver.counting import ganak

    names = [f"f{i}" for i in range(12)]
    group = Or(tuple(Lit(x, ON) for x in names[1:11]))
    rules = [
        Constraint("group", Implies(Lit("f0", ON), group)),
        Constraint("x", Not(And((Lit("f1", ON), Lit("f11", ON))))),
    ]
    problem = Problem(tuple(Variable(x, (0, 1)) for x in names), tuple(rules))
    expected = sum(1 for a in problem.assignments() if problem.check(a))
    monkeypatch.setattr(ganak, "SPLIT_FROM_VARIABLES", 1)
    assert count_cnf(encode(problem)) == expected == count_cnf(encode(problem), simplified=False)
