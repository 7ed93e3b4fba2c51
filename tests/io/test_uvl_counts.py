"""Exact configuration counts of real feature models, by decision diagram and by an independent #SAT counter.

The second method is a DPLL model counter with connected components and component caching that evaluates the
constraints directly in three-valued logic over partial assignments; it shares nothing with ``dd.py`` or the
CP-SAT backend, only the :mod:`configurator.solver.problem` data types.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Mapping

import pytest

from configurator.solver import operations
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
    scope,
)
from support import bench_file, needs_cudd

# (id, path inside the benchmark data folder, lenient)
MODELS: list[tuple[str, str, bool]] = [
    ("ovm_RFW", "uvl-models/ovm_RFW.ovm.uvl", False),
    ("dm_DOPLERTools", "uvl-models/dm_DOPLERTools.csv.uvl", False),
    ("berkeleydb", "uvl-models/berkeleydb.uvl", False),
    ("bike", "uvl-models/bike.uvl", True),
    ("DELL", "splot-dell/DELL.splx", False),
    ("Sandwich", "featureide-examples/FeatureModels/UVLAttributedSandwich/model.uvl", False),
    ("Lau2006", "feature-model-benchmark/e_commerce/e_shop/Lau2006.uvl", False),
    ("busybox", "uvl-models/busybox_2010-05-02_14-17-07.uvl", False),
]

COUNTS: dict[str, tuple[int, int, float, float]] = {}
"""model id -> (dd count, DPLL count, dd seconds, DPLL seconds), printed at the end of the module."""


# ---------------------------------------------------------------------------------------------------------
# Independent counter


def partial(expr: BoolExpr, asg: Mapping[str, int], domains: Mapping[str, tuple[int, ...]]) -> bool | None:
    """Three-valued value of ``expr`` under a partial assignment: True, False, or None (undecided)."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Lit):
        value = asg.get(expr.var)
        if value is not None:
            return value in expr.values
        dom = domains[expr.var]
        if all(v in expr.values for v in dom):
            return True
        if not any(v in expr.values for v in dom):
            return False
        return None
    if isinstance(expr, Not):
        inner = partial(expr.arg, asg, domains)
        return None if inner is None else not inner
    if isinstance(expr, And | Or):
        want = isinstance(expr, Or)
        undecided = False
        for arg in expr.args:
            value = partial(arg, asg, domains)
            if value is None:
                undecided = True
            elif value is want:
                return want
        return None if undecided else not want
    if isinstance(expr, Implies):
        return partial(Or((Not(expr.a), expr.b)), asg, domains)
    if isinstance(expr, Iff):
        a, b = partial(expr.a, asg, domains), partial(expr.b, asg, domains)
        return None if a is None or b is None else a == b
    if isinstance(expr, Linear):
        lo = hi = 0
        for coef, term in expr.terms:
            if isinstance(term, str):
                value = asg.get(term)
                values = [coef * value] if value is not None else [coef * v for v in domains[term]]
            else:
                known = partial(term, asg, domains)
                values = [coef if known else 0] if known is not None else [0, coef]
            lo, hi = lo + min(values), hi + max(values)
        if lo == hi:
            return compare(lo, expr.op, expr.rhs)
        outcomes = {compare(lo, expr.op, expr.rhs), compare(hi, expr.op, expr.rhs)}
        if expr.op in ("==", "!="):
            inside = lo <= expr.rhs <= hi
            return None if inside else expr.op == "!="
        return outcomes.pop() if len(outcomes) == 1 else None
    if isinstance(expr, Table):
        live = False
        for row in expr.rows:
            cells = list(zip(row, expr.vars, strict=True))
            if any(c is not None and ((n in asg and asg[n] != c) or c not in domains[n]) for c, n in cells):
                continue
            if all(c is None or n in asg for c, n in cells):
                return expr.allowed
            live = True
        return None if live else not expr.allowed
    raise TypeError(f"unexpected expression {expr!r}")


def count_by_dpll(problem: Problem) -> int:
    """Independent #CSP: DPLL over the constraints with component decomposition and component caching."""
    domains = {v.name: v.domain for v in problem.variables}
    exprs = [c.expr for c in problem.constraints]
    scopes = [frozenset(scope(e)) for e in exprs]
    asg: dict[str, int] = {}
    cache: dict[tuple[frozenset[int], tuple[tuple[str, int], ...]], int] = {}

    def components(cons: list[int]) -> list[list[int]]:
        parent = {i: i for i in cons}

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        owner: dict[str, int] = {}
        for i in cons:
            for name in scopes[i]:
                if name not in asg:
                    if name in owner:
                        parent[find(i)] = find(owner[name])
                    else:
                        owner[name] = i
        groups: dict[int, list[int]] = {}
        for i in cons:
            groups.setdefault(find(i), []).append(i)
        return list(groups.values())

    def count(cons: list[int], free: set[str]) -> int:
        """Solutions over the unassigned variables ``free`` (exactly those the live constraints mention)."""
        live = []
        for i in cons:
            value = partial(exprs[i], asg, domains)
            if value is False:
                return 0
            if value is None:
                live.append(i)
        mentioned = {n for i in live for n in scopes[i] if n not in asg}
        total = math.prod(len(domains[n]) for n in free - mentioned)
        for group in components(live):
            total *= count_component(group)
            if total == 0:
                return 0
        return total

    def count_component(cons: list[int]) -> int:
        names = {n for i in cons for n in scopes[i]}
        key = (frozenset(cons), tuple(sorted((n, asg[n]) for n in names if n in asg)))
        if key in cache:
            return cache[key]
        free = {n for n in names if n not in asg}
        occurrences: dict[str, int] = dict.fromkeys(free, 0)
        for i in cons:
            for n in scopes[i]:
                if n in occurrences:
                    occurrences[n] += 1
        var = max(sorted(free), key=lambda n: occurrences[n])
        total = 0
        for value in domains[var]:
            asg[var] = value
            total += count(cons, free - {var})
            del asg[var]
        cache[key] = total
        return total

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        return count(list(range(len(exprs))), set(domains))
    finally:
        sys.setrecursionlimit(limit)


def brute_force(problem: Problem) -> int:
    """Enumeration: the number of full assignments that pass Problem.check."""
    return sum(problem.check(a) for a in problem.assignments())


# ---------------------------------------------------------------------------------------------------------
# Tests


def _b(name: str) -> Lit:
    return Lit(name, frozenset({1}))


TINY = Problem(
    variables=(
        Variable("a", (0, 1)),
        Variable("b", (0, 1)),
        Variable("c", (0, 1, 2)),
        Variable("d", (-1, 0, 3)),
        Variable("e", (0, 1)),
    ),
    constraints=(
        Constraint("imp", Implies(_b("a"), Or((_b("b"), Lit("c", frozenset({2})))))),
        Constraint("iff", Iff(_b("e"), Not(And((_b("a"), _b("b")))))),
        Constraint("lin", Linear(((2, "c"), (1, "d"), (3, _b("e"))), "<=", 5)),
        Constraint("ne", Linear(((1, _b("a")), (1, _b("b")), (1, "c")), "!=", 2)),
        Constraint("tab", Table(("c", "d"), ((0, None), (2, 3), (1, -1)), True)),
        Constraint("forbid", Table(("a", "d"), ((1, 3),), False)),
        Constraint("const", Const(True)),
    ),
)


def test_dpll_counter_equals_brute_force_on_a_tiny_problem() -> None:
    """The independent counter agrees with enumeration on a problem using every expression type."""
    expected = brute_force(TINY)
    assert expected > 0
    assert count_by_dpll(TINY) == expected
    unsat = Problem(TINY.variables, (*TINY.constraints, Constraint("no", Const(False))))
    assert count_by_dpll(unsat) == 0


@needs_cudd
def test_dd_count_equals_brute_force_on_a_tiny_problem() -> None:
    """The decision-diagram count agrees with enumeration on a problem using every expression type."""
    assert operations.count(TINY) == brute_force(TINY)


def test_dpll_counter_equals_brute_force_on_sub_problems() -> None:
    """Dropping each constraint in turn, the independent counter still agrees with enumeration."""
    for k in range(len(TINY.constraints)):
        sub = Problem(TINY.variables, TINY.constraints[:k] + TINY.constraints[k + 1 :])
        assert count_by_dpll(sub) == brute_force(sub)


@needs_cudd
@pytest.mark.parametrize(("model", "path", "lenient"), MODELS, ids=[m[0] for m in MODELS])
def test_dd_count_equals_independent_count(model: str, path: str, lenient: bool) -> None:
    """The decision-diagram count of a real model equals the DPLL count."""
    from configurator.io import load_model

    problem = load_model(bench_file(path), lenient=lenient)
    start = time.perf_counter()
    by_dd = operations.count(problem)
    middle = time.perf_counter()
    by_dpll = count_by_dpll(problem)
    end = time.perf_counter()
    COUNTS[model] = (by_dd, by_dpll, middle - start, end - middle)
    print(f"{model}: dd={by_dd} dpll={by_dpll} ({middle - start:.2f} s / {end - middle:.2f} s)")
    assert by_dd == by_dpll > 0
