"""Decision-diagram compilation: counts, valid domains and solutions against brute force and Renault."""

from __future__ import annotations

import heapq
import itertools
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import TypeAlias, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.errors import BackendLimitError, SolverError
from configurator.solver.dd import CompiledDiagram, count_problem, elimination_order
from configurator.solver.dd.bdd import Node
from configurator.solver.dd.compiler import DiagramCompiler, compile_with
from configurator.solver.dd.count import bdd_count
from configurator.solver.dd.explain import corrections
from configurator.solver.dd.order import force_order, span
from configurator.solver.problem import (
    BoolExpr,
    Const,
    Constraint,
    Iff,
    Linear,
    Lit,
    Not,
    Problem,
    Table,
    Variable,
)
from strategies import PROBLEM_VALUES, expressions
from support import bench_file, needs_cudd

RenaultDiagrams: TypeAlias = Callable[[str], tuple[Problem, CompiledDiagram]]
"""The ``renault_diagrams`` fixture: ``renault_diagrams(name) -> (problem, diagram)``."""
R = TypeVar("R")
RENAULT_COUNTS = {"small": 172_056, "medium": 278_744, "big": 24_566_537_954_855_761_920_000}

# ---------------------------------------------------------------------------------------------------------
# Random tiny problems

VALUES = PROBLEM_VALUES


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Problems of 2-6 variables with 1-4 values and up to 4 random constraints of every kind."""
    n = draw(st.integers(min_value=2, max_value=6))
    variables = tuple(
        Variable(f"v{i}", tuple(draw(st.lists(VALUES, min_size=1, max_size=4, unique=True))))
        for i in range(n)
    )
    constraints = draw(st.lists(expressions([v.name for v in variables], max_leaves=6), max_size=4))
    return Problem(variables, tuple(Constraint(f"c{k}", e) for k, e in enumerate(constraints)))


@st.composite
def problems_with_assumptions(draw: st.DrawFn) -> tuple[Problem, dict[str, int]]:
    """A problem and assumptions on some of its variables (rarely with a value outside the domain)."""
    problem = draw(problems())
    assumptions: dict[str, int] = {}
    for variable in problem.variables:
        if draw(st.booleans()):
            assumptions[variable.name] = draw(st.one_of(st.sampled_from(variable.domain), VALUES))
    return problem, assumptions


def solutions(problem: Problem, assumptions: Mapping[str, int] | None = None) -> list[dict[str, int]]:
    """Brute force: every full assignment that passes ``problem.check`` and the assumptions."""
    given_ = assumptions or {}
    return [
        a for a in problem.assignments() if problem.check(a) and all(a[k] == v for k, v in given_.items())
    ]


def projection(problem: Problem, sols: list[dict[str, int]]) -> dict[str, tuple[int, ...]]:
    """Brute force: the values each variable takes in some solution, in domain order."""
    return {
        v.name: tuple(x for x in v.domain if any(s[v.name] == x for s in sols)) for v in problem.variables
    }


SETTINGS = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])


@needs_cudd
@SETTINGS
@given(problems())
def test_count_equals_brute_force(problem: Problem) -> None:
    """The exact count equals the number of assignments that pass Problem.check."""
    assert CompiledDiagram.compile(problem).count() == len(solutions(problem))


@needs_cudd
@SETTINGS
@given(problems())
def test_count_on_the_bdd_equals_brute_force(problem: Problem) -> None:
    """The one-off count on the unsifted BDD (complement edges, skipped levels) equals brute force."""
    assert count_problem(problem) == len(solutions(problem))


@needs_cudd
@SETTINGS
@given(problems(), st.booleans())
def test_count_from_the_dump_equals_the_walk(problem: Problem, sift: bool) -> None:
    """Counting CUDD's DDDMP dump level by level equals the node-by-node walk, sifted (levels moved) or not."""
    if any(not v.domain for v in problem.variables):
        return

    def both(compiler: DiagramCompiler, root: Node) -> tuple[int, int]:
        return bdd_count(compiler, root, method="walk"), bdd_count(compiler, root, method="dump")

    walked, dumped = _read_bdd(problem, both, sift)
    assert walked == dumped == len(solutions(problem))


def _read_bdd(problem: Problem, read: Callable[[DiagramCompiler, Node], R], sift: bool) -> R:
    """Compile ``problem`` into a BDD (sifted or not) and read it with ``read`` while it is alive."""
    return compile_with(
        problem,
        read,
        started=time.monotonic(),
        max_nodes=1_000_000,
        time_limit=None,
        reorder=sift,
        max_sums=10_000,
        max_memory=None,
    )


@needs_cudd
@SETTINGS
@given(problems_with_assumptions())
def test_queries_under_assumptions_equal_brute_force(case: tuple[Problem, dict[str, int]]) -> None:
    """count, is_satisfiable and valid_domains under assumptions equal brute-force enumeration."""
    problem, assumptions = case
    diagram = CompiledDiagram.compile(problem)
    sols = solutions(problem, assumptions)
    assert diagram.count(assumptions) == len(sols)
    assert diagram.is_satisfiable(assumptions) == bool(sols)
    assert diagram.valid_domains(assumptions) == projection(problem, sols)


@needs_cudd
@SETTINGS
@given(problems_with_assumptions(), st.randoms(use_true_random=False))
def test_solutions_and_samples_pass_check(case: tuple[Problem, dict[str, int]], rng: random.Random) -> None:
    """solution() and sample() return assignments that pass Problem.check and keep the assumptions."""
    problem, assumptions = case
    diagram = CompiledDiagram.compile(problem)
    expected = bool(solutions(problem, assumptions))
    for found in (diagram.solution(assumptions), diagram.sample(assumptions, rng=rng)):
        assert (found is not None) == expected
        if found is not None:
            assert problem.check(found)
            assert all(found[k] == v for k, v in assumptions.items())


@needs_cudd
@SETTINGS
@given(problems(), st.randoms(use_true_random=False))
def test_incremental_valid_domains_follow_a_session(problem: Problem, rng: random.Random) -> None:
    """valid_domains stays exact along a session of growing assumptions and after a changed choice."""
    diagram = CompiledDiagram.compile(problem)
    assumptions: dict[str, int] = {}
    names = list(problem.names)
    rng.shuffle(names)
    for name in names:
        domains = diagram.valid_domains(assumptions)
        assert domains == projection(problem, solutions(problem, assumptions))
        if not domains[name]:
            break
        assumptions[name] = rng.choice(domains[name])
    if assumptions:
        first = next(iter(assumptions))
        changed = {first: rng.choice(problem.var(first).domain)}
        assert diagram.valid_domains(changed) == projection(problem, solutions(problem, changed))


@needs_cudd
@SETTINGS
@given(problems())
def test_compiling_without_sifting_gives_the_same_counts(problem: Problem) -> None:
    """The diagram without CUDD sifting (another variable order) counts the same."""
    assert CompiledDiagram.compile(problem, reorder=False).count() == CompiledDiagram.compile(problem).count()


# ---------------------------------------------------------------------------------------------------------
# Hand-written cases


@needs_cudd
@SETTINGS
@given(problems_with_assumptions())
def test_giving_up_the_named_assumptions_brings_the_value_back_and_no_fewer_would(
    case: tuple[Problem, dict[str, int]],
) -> None:
    """Every unavailable value that some solution has gets a smallest correction set, exactly as brute force."""
    problem, assumptions = case
    diagram = CompiledDiagram.compile(problem)
    found = corrections(diagram, assumptions)
    everything = solutions(problem)
    available = projection(problem, solutions(problem, assumptions))
    in_order = set(diagram.order)
    for variable in problem.variables:
        if variable.name not in in_order:
            continue
        for value in variable.domain:
            having = [s for s in everything if s[variable.name] == value]
            gone = value not in available[variable.name]
            if not gone or not having:
                assert (variable.name, value) not in found
                continue
            fewest = min(sum(1 for k, v in assumptions.items() if s[k] != v) for s in having)
            names = found[(variable.name, value)]
            assert len(names) == fewest
            kept = {k: v for k, v in assumptions.items() if k not in names}
            assert value in projection(problem, solutions(problem, kept))[variable.name]


def _xy(constraint: BoolExpr, domain: tuple[int, ...] = (0, 1, 2)) -> Problem:
    return Problem((Variable("x", domain), Variable("y", domain)), (Constraint("c", constraint),))


@needs_cudd
def test_count_is_exact_beyond_doubles() -> None:
    """Counts beyond 2**53 are exact Python integers (CUDD's double count would round)."""
    problem = Problem(tuple(Variable(f"v{i}", tuple(range(1000))) for i in range(8)))
    diagram = CompiledDiagram.compile(problem)
    assert diagram.count() == 1000**8
    assert diagram.count({"v0": 3, "v1": 999}) == 1000**6


@needs_cudd
def test_count_on_the_bdd_is_exact_beyond_doubles_and_handles_terminals() -> None:
    """The BDD count is an exact integer beyond 2**53; a tautology and a contradiction count right."""
    problem = Problem(tuple(Variable(f"v{i}", tuple(range(1000))) for i in range(8)))
    assert count_problem(problem) == 1000**8
    assert count_problem(_xy(Const(True), (0, 1))) == 4
    assert count_problem(_xy(Const(False))) == 0
    assert count_problem(Problem((Variable("x", ()), Variable("y", (0, 1))))) == 0


@needs_cudd
def test_count_from_the_dump_is_exact_beyond_doubles_with_a_complemented_root() -> None:
    """The dump's count is an exact integer beyond 2**53, also when the root is a complement edge."""
    variables = tuple(Variable(f"v{i}", tuple(range(1000))) for i in range(8))
    odd = Not(Lit("v0", frozenset(range(0, 1000, 2))))
    problem = Problem(variables, (Constraint("odd", odd),))

    def dumped(compiler: DiagramCompiler, root: Node) -> tuple[bool, int]:
        return bool(root.negated), bdd_count(compiler, root, method="dump")

    negated, count = _read_bdd(problem, dumped, False)
    assert negated
    assert count == 500 * 1000**7


@needs_cudd
def test_count_with_invalid_codes_and_skipped_levels() -> None:
    """Domains of 3 and 5 values (invalid log codes) and unconstrained variables count exactly."""
    variables = (Variable("a", (0, 1, 2)), Variable("b", (1, 2, 3, 4, 5)), Variable("c", (7, 8)))
    problem = Problem(variables, (Constraint("ab", Linear(((1, "a"), (1, "b")), "<=", 3)),))
    diagram = CompiledDiagram.compile(problem)
    assert diagram.count() == len(solutions(problem)) == 12
    assert diagram.valid_domains() == {"a": (0, 1, 2), "b": (1, 2, 3), "c": (7, 8)}


@needs_cudd
def test_single_valued_and_empty_domains() -> None:
    """A single-valued variable stays out of the diagram; an empty domain makes the problem unsatisfiable."""
    single = Problem((Variable("x", (4,)), Variable("y", (0, 1))))
    diagram = CompiledDiagram.compile(single)
    assert diagram.order == ("y",)
    assert diagram.count() == 2
    assert diagram.count({"x": 5}) == 0
    assert diagram.valid_domains({"x": 4}) == {"x": (4,), "y": (0, 1)}
    assert diagram.solution() == {"x": 4, "y": 0}
    empty = CompiledDiagram.compile(Problem((Variable("x", ()), Variable("y", (0, 1)))))
    assert empty.count() == 0
    assert empty.valid_domains() == {"x": (), "y": ()}
    assert empty.solution() is None and empty.sample() is None and not empty.is_satisfiable()


@needs_cudd
def test_unsatisfiable_problem() -> None:
    """A contradiction counts 0, has empty domains and no solution."""
    diagram = CompiledDiagram.compile(_xy(Const(False)))
    assert diagram.count() == 0
    assert diagram.valid_domains() == {"x": (), "y": ()}
    assert diagram.solution() is None
    assert not diagram.is_satisfiable()


@needs_cudd
def test_tautology_over_power_of_two_domains() -> None:
    """A problem whose diagram is the true terminal answers every query."""
    diagram = CompiledDiagram.compile(_xy(Const(True), (0, 1)))
    assert diagram.count() == 4
    assert diagram.valid_domains({"x": 1}) == {"x": (1,), "y": (0, 1)}
    assert diagram.solution({"y": 1}) == {"x": 0, "y": 1}


@needs_cudd
def test_table_with_wildcards_duplicates_and_foreign_values() -> None:
    """None cells match anything, a repeated column must agree, values outside the domain never match."""
    table = Table(("x", "y", "x"), ((0, None, 0), (1, 2, 2), (9, 0, 9), (2, 1, None)))
    problem = _xy(table)
    assert CompiledDiagram.compile(problem).count() == len(solutions(problem)) == 4
    negated = _xy(Table(("x", "y", "x"), table.rows, allowed=False))
    assert CompiledDiagram.compile(negated).count() == 9 - 4


@needs_cudd
def test_linear_over_indicators() -> None:
    """A linear constraint over 0/1 indicators of sub-expressions counts like brute force."""
    lin = Linear(((2, Lit("x", frozenset({1, 2}))), (-1, "y"), (3, Not(Lit("y", frozenset({0}))))), "==", 4)
    problem = _xy(lin)
    assert CompiledDiagram.compile(problem).count() == len(solutions(problem))


@needs_cudd
def test_unknown_assumption_variable_is_a_solver_error() -> None:
    """Assuming a variable the problem does not have raises SolverError with a hint."""
    diagram = CompiledDiagram.compile(_xy(Const(True)))
    with pytest.raises(SolverError, match="unknown variable 'z'"):
        diagram.valid_domains({"z": 1})


@needs_cudd
def test_unknown_constraint_variable_is_a_solver_error() -> None:
    """A constraint over an undeclared variable raises SolverError naming it."""
    with pytest.raises(SolverError, match="'xx'"):
        CompiledDiagram.compile(_xy(Lit("xx", frozenset({1}))))


@needs_cudd
def test_repeated_domain_value_is_a_solver_error() -> None:
    """A domain that repeats a value is refused."""
    with pytest.raises(SolverError, match="repeats a value"):
        CompiledDiagram.compile(Problem((Variable("x", (1, 1)),)))


@needs_cudd
def test_node_budget_raises_backend_limit_error() -> None:
    """Beyond max_nodes the compiler raises BackendLimitError naming the limit."""
    problem = Problem(
        tuple(Variable(f"v{i}", (0, 1, 2)) for i in range(12)),
        tuple(Constraint(f"c{i}", Linear(((1, f"v{i}"), (1, f"v{i + 1}")), "<=", 3)) for i in range(11)),
    )
    with pytest.raises(BackendLimitError, match="node limit"):
        CompiledDiagram.compile(problem, max_nodes=10)


@needs_cudd
def test_time_budget_raises_backend_limit_error() -> None:
    """A time limit of zero raises BackendLimitError naming the time limit."""
    with pytest.raises(BackendLimitError, match="time limit"):
        CompiledDiagram.compile(_xy(Linear(((1, "x"), (1, "y")), "<=", 3)), time_limit=0.0)


@needs_cudd
def test_linear_sum_budget_raises_backend_limit_error() -> None:
    """A linear constraint with too many partial sums raises BackendLimitError."""
    problem = Problem(
        tuple(Variable(f"v{i}", tuple(range(10))) for i in range(3)),
        (Constraint("sum", Linear(tuple((1, f"v{i}") for i in range(3)), "==", 13)),),
    )
    assert CompiledDiagram.compile(problem).count() == len(solutions(problem))
    with pytest.raises(BackendLimitError, match="partial sums"):
        CompiledDiagram.compile(problem, max_sums=5)


@needs_cudd
def test_sample_is_uniform() -> None:
    """sample() draws each of the solutions about equally often."""
    problem = _xy(Linear(((1, "x"), (1, "y")), "<=", 1))
    diagram = CompiledDiagram.compile(problem)
    rng = random.Random(3)
    seen: dict[tuple[int, int], int] = defaultdict(int)
    for _ in range(3000):
        s = diagram.sample(rng=rng)
        assert s is not None
        seen[s["x"], s["y"]] += 1
    assert sorted(seen) == [(0, 0), (0, 1), (1, 0)]
    assert all(850 < c < 1150 for c in seen.values())


@SETTINGS
@given(problems(), st.randoms(use_true_random=False))
def test_force_order_is_a_permutation_that_never_lengthens_the_span(
    problem: Problem, rng: random.Random
) -> None:
    """The FORCE refinement returns every variable once and a total span no longer than its start's."""
    start = list(problem.names)
    rng.shuffle(start)
    refined = force_order(problem, start)
    assert sorted(refined) == sorted(start)
    assert span(problem, refined) <= span(problem, start)


def test_elimination_order_is_a_tree() -> None:
    """Every variable's elimination parent is eliminated after it."""
    problem = _xy(Iff(Lit("x", frozenset({1})), Lit("y", frozenset({2}))))
    order, parents = elimination_order(problem)
    assert sorted(order) == ["x", "y"]
    for name, parent in parents.items():
        assert parent is None or order.index(parent) > order.index(name)


# ---------------------------------------------------------------------------------------------------------
# Independent counters: sparse tables, propagation and variable elimination (nothing from the diagram code)

Factor: TypeAlias = tuple[tuple[str, ...], list[tuple[int, ...]]]
"""A positive table as its scope and its rows (wildcards expanded)."""


def table_factors(problem: Problem) -> list[Factor]:
    """The constraints of a problem of positive tables over distinct variables, wildcards expanded."""
    factors: list[Factor] = []
    for constraint in problem.constraints:
        table = constraint.expr
        assert isinstance(table, Table) and table.allowed and len(set(table.vars)) == len(table.vars)
        domains = [problem.var(name).domain for name in table.vars]
        rows = {
            expanded
            for row in table.rows
            for expanded in itertools.product(
                *((d if c is None else (c,)) for c, d in zip(row, domains, strict=True))
            )
        }
        factors.append((table.vars, sorted(rows)))
    return factors


def propagate(factors: list[Factor], domains: dict[str, frozenset[int]]) -> bool:
    """Generalised arc consistency in place: rows outside the domains go, unsupported values go.

    The smallest tables are revisited first: they decide the most for the least work.

    Returns:
        False when a table or a domain empties (no solution), else True.
    """
    users: dict[str, list[int]] = defaultdict(list)
    for i, (names, _) in enumerate(factors):
        for name in names:
            users[name].append(i)
    pending = [(len(rows), i) for i, (_, rows) in enumerate(factors)]
    heapq.heapify(pending)
    queued = set(range(len(factors)))
    stale = [set(names) for names, _ in factors]
    while pending:
        _, i = heapq.heappop(pending)
        queued.discard(i)
        names, rows = factors[i]
        columns = [(k, domains[name]) for k, name in enumerate(names) if name in stale[i]]
        stale[i] = set()
        kept = rows
        for k, domain in columns:
            kept = [row for row in kept if row[k] in domain]
        if not kept:
            return False
        if len(kept) == len(rows) and len(columns) < len(names):
            continue  # nothing removed since the supports were last taken
        factors[i] = (names, kept)
        for k, name in enumerate(names):
            supported = {row[k] for row in kept}
            if len(supported) < len(domains[name]):
                domains[name] = domains[name] & supported
                for j in users[name]:
                    if j != i:
                        stale[j].add(name)
                        if j not in queued:
                            queued.add(j)
                            heapq.heappush(pending, (len(factors[j][1]), j))
    return all(domains.values())


def min_fill_order(domains: Mapping[str, frozenset[int]], scopes: list[tuple[str, ...]]) -> list[str]:
    """An elimination order: fewest fill-in edges first, then the smallest product of neighbour domains."""
    adjacent: dict[str, set[str]] = {name: set() for name in domains}
    for names in scopes:
        for name in names:
            adjacent[name].update(n for n in names if n != name)

    def cost(name: str) -> tuple[int, int, str]:
        near = sorted(adjacent[name])
        fill = sum(1 for i, a in enumerate(near) for b in near[i + 1 :] if b not in adjacent[a])
        return fill, math.prod(len(domains[n]) for n in near), name

    order: list[str] = []
    while adjacent:
        name = min(adjacent, key=cost)
        for other in adjacent[name]:
            adjacent[other] |= adjacent[name] - {other}
            adjacent[other].discard(name)
        del adjacent[name]
        order.append(name)
    return order


def eliminate(factors: list[Factor], domains: Mapping[str, frozenset[int]]) -> int:
    """The number of solutions of propagated tables: bucket elimination over sparse weighted rows."""
    fixed = {name for name, domain in domains.items() if len(domain) == 1}
    free = {name: domain for name, domain in domains.items() if name not in fixed}
    buckets: dict[str, list[tuple[tuple[str, ...], dict[tuple[int, ...], int]]]] = defaultdict(list)
    reduced: list[tuple[tuple[str, ...], dict[tuple[int, ...], int]]] = []
    for names, rows in factors:
        keep = [k for k, name in enumerate(names) if name not in fixed]
        if keep:  # every row agrees on the fixed columns, so dropping them keeps the rows distinct
            reduced.append((tuple(names[k] for k in keep), {tuple(row[k] for k in keep): 1 for row in rows}))
    order = min_fill_order(free, [names for names, _ in reduced])
    position = {name: i for i, name in enumerate(order)}
    for names, weighted in reduced:
        buckets[min(names, key=position.__getitem__)].append((names, weighted))
    result = 1
    for var in order:
        related = sorted(buckets.pop(var, []), key=lambda f: len(f[1]))
        if not related:
            result *= len(free[var])
            continue
        names, weighted = related[0]
        for other_names, other_weighted in related[1:]:
            shared = [n for n in other_names if n in names]
            extra = [n for n in other_names if n not in names]
            key_other = [other_names.index(n) for n in shared]
            tail_other = [other_names.index(n) for n in extra]
            key_mine = [names.index(n) for n in shared]
            index: dict[tuple[int, ...], list[tuple[tuple[int, ...], int]]] = defaultdict(list)
            for row, weight in other_weighted.items():
                index[tuple(row[k] for k in key_other)].append((tuple(row[k] for k in tail_other), weight))
            joined: dict[tuple[int, ...], int] = {}
            for row, weight in weighted.items():
                for tail, other_weight in index.get(tuple(row[k] for k in key_mine), ()):
                    joined[row + tail] = weight * other_weight
            names, weighted = names + tuple(extra), joined
        k = names.index(var)
        summed: dict[tuple[int, ...], int] = defaultdict(int)
        for row, weight in weighted.items():
            summed[row[:k] + row[k + 1 :]] += weight
        rest = names[:k] + names[k + 1 :]
        if not summed:
            return 0
        if rest:
            buckets[min(rest, key=position.__getitem__)].append((rest, dict(summed)))
        else:
            result *= summed[()]
    return result


def count_by_elimination(problem: Problem) -> int:
    """Independent #CSP of positive tables: propagation, then sparse variable elimination (min-fill order)."""
    domains = {v.name: frozenset(v.domain) for v in problem.variables}
    factors = table_factors(problem)
    return eliminate(factors, domains) if propagate(factors, domains) else 0


def count_by_conditioning(problem: Problem) -> int:
    """Independent #CSP of positive tables: a sum of propagated eliminations, one per value of a hub variable.

    The hub is the variable in most tables. Fixing the hub variable lets propagation decide most of the others, so each sub-count is small.
    """
    factors = table_factors(problem)
    uses: dict[str, int] = defaultdict(int)
    for names, _ in factors:
        for name in names:
            uses[name] += 1
    if not uses:
        return math.prod(len(v.domain) for v in problem.variables)
    pivot = max(sorted(uses), key=uses.__getitem__)
    fixed: list[Factor] = []
    by_value: list[tuple[tuple[str, ...], dict[int, list[tuple[int, ...]]]]] = []
    for names, rows in factors:
        if pivot not in names:
            fixed.append((names, rows))
            continue
        k = names.index(pivot)
        split: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        for row in rows:
            split[row[k]].append(row[:k] + row[k + 1 :])
        by_value.append((names[:k] + names[k + 1 :], split))
    domains = {v.name: frozenset(v.domain) for v in problem.variables if v.name != pivot}
    total = 0
    for value in problem.var(pivot).domain:
        restricted = fixed + [(names, split.get(value, [])) for names, split in by_value]
        restricted_domains = dict(domains)
        if propagate(restricted, restricted_domains):
            total += eliminate(restricted, restricted_domains)
    return total


@st.composite
def table_problems(draw: st.DrawFn) -> Problem:
    """Problems of 1-5 variables with 0-3 values and up to 4 positive tables, some cells wildcards."""
    n = draw(st.integers(min_value=1, max_value=5))
    variables = tuple(
        Variable(f"v{i}", tuple(draw(st.lists(VALUES, max_size=3, unique=True)))) for i in range(n)
    )
    constraints = []
    for k in range(draw(st.integers(min_value=0, max_value=4))):
        names = tuple(draw(st.lists(st.sampled_from([v.name for v in variables]), min_size=1, unique=True)))
        cells = st.one_of(st.none(), VALUES)
        rows = draw(st.lists(st.tuples(*(cells for _ in names)), max_size=6))
        constraints.append(Constraint(f"t{k}", Table(names, tuple(rows))))
    return Problem(variables, tuple(constraints))


@SETTINGS
@given(table_problems())
def test_independent_counters_equal_brute_force(problem: Problem) -> None:
    """Variable elimination and conditioning count like enumeration on random table problems."""
    expected = len(solutions(problem))
    assert count_by_elimination(problem) == expected
    assert count_by_conditioning(problem) == expected


# ---------------------------------------------------------------------------------------------------------
# Renault (Gimenez) models


def _renault(name: str) -> Problem:
    from configurator.io.xcsp import load_xcsp

    return load_xcsp(bench_file("renault-gimenez-phd", f"renault_{name}", "contraintes.xml"))


@pytest.fixture(scope="module")
def renault_diagrams() -> RenaultDiagrams:
    """A Renault model and its diagram by name, each compiled once for this module when a test first asks."""
    compiled: dict[str, tuple[Problem, CompiledDiagram]] = {}

    def get(name: str) -> tuple[Problem, CompiledDiagram]:
        if name not in compiled:
            problem = _renault(name)
            compiled[name] = problem, CompiledDiagram.compile(problem)
        return compiled[name]

    return get


@needs_cudd
@pytest.mark.parametrize("name", ["small", "medium", "big"])
def test_renault_counts(name: str, renault_diagrams: RenaultDiagrams) -> None:
    """The Renault models compile and count to the known exact numbers."""
    problem, diagram = renault_diagrams(name)
    assert diagram.count() == RENAULT_COUNTS[name]
    assert count_problem(problem) == RENAULT_COUNTS[name]
    assert len(diagram.order) + sum(len(v.domain) == 1 for v in problem.variables) == len(problem.variables)


@pytest.mark.parametrize("name", ["small", "medium"])
def test_renault_counts_by_variable_elimination(name: str) -> None:
    """A second, independent method (sparse variable elimination) finds the same counts."""
    assert count_by_elimination(_renault(name)) == RENAULT_COUNTS[name]


@pytest.mark.parametrize("name", ["small", "medium", "big"])
def test_renault_counts_by_conditioning(name: str) -> None:
    """Without any diagram, conditioning on the hub variable finds the known counts, big's in under a minute."""
    problem = _renault(name)
    start = time.process_time()
    assert count_by_conditioning(problem) == RENAULT_COUNTS[name]
    assert time.process_time() - start < 60


@needs_cudd
def test_renault_big_counts_under_sold_configurations(
    renault_diagrams: RenaultDiagrams,
) -> None:
    """On big, counts under sold configurations agree with variable elimination on the restricted model."""
    from configurator.io.xcsp import read_sales

    problem, diagram = renault_diagrams("big")
    sales = read_sales(bench_file("renault-gimenez-phd", "renault_big", "set0_exemples.csv"), problem)
    rows = [row for row in sales.clean_rows() if diagram.is_satisfiable(row)][:2]
    assert len(rows) == 2
    for row in rows:
        restricted = problem.restrict({name: (value,) for name, value in row.items()})
        assert diagram.count(row) == count_by_elimination(restricted) > 0


@needs_cudd
def test_renault_valid_domains_are_backtrack_free(
    renault_diagrams: RenaultDiagrams,
) -> None:
    """On medium, every listed value extends to a solution and every unlisted one does not."""
    problem, diagram = renault_diagrams("medium")
    rng = random.Random(5)
    assumptions: dict[str, int] = {}
    for _ in range(3):
        domains = diagram.valid_domains(assumptions)
        for variable in problem.variables:
            for value in variable.domain:
                extended = {**assumptions, variable.name: value}
                if variable.name in assumptions and assumptions[variable.name] != value:
                    continue
                assert diagram.is_satisfiable(extended) == (value in domains[variable.name])
        name = rng.choice([n for n in problem.names if n not in assumptions and len(domains[n]) > 1])
        assumptions[name] = rng.choice(domains[name])
    found = diagram.solution(assumptions)
    assert found is not None and problem.check(found)
