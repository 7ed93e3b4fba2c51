"""Knowledge compilation: a :class:`~configurator.solver.problem.Problem` as a decision diagram.

A problem is compiled once into a binary decision diagram (CUDD, through the ``dd`` package) and then
flattened into a multi-valued decision diagram (MDD) held in plain Python arrays. Every query after that
(exact counting, valid domains, satisfiability, solutions, uniform samples) runs on the arrays, without CUDD.

How the diagram is built (what worked on the Renault models, see ``docs/benchmarks.md``):

- **Binary (log) encoding.** A variable with ``m`` values uses ``ceil(log2 m)`` BDD variables; value
  ``domain[k]`` is the code ``k`` (most significant bit first). Codes ``>= m`` are invalid: each
  variable's *domain constraint* excludes them. One-hot encodings blow up on large tables.
- **Variable order from a min-fill elimination tree.** The constraint graph (one clique per constraint
  scope) is eliminated greedily by minimum fill-in; the elimination tree, read depth first from its root(s),
  gives the variable order (smaller subtrees first), and the bits of each variable stay adjacent. Then
  (``reorder=True``, the default) CUDD's sifting moves whole variables (their bits grouped) to shrink the
  diagram: about 17x fewer MDD nodes on Renault big.
- **Bottom-up join.** Each constraint is compiled, conjoined with the domain constraints of its scope, and
  put in the bucket of its first-eliminated variable; buckets are conjoined up the elimination tree, so that
  intermediate diagrams stay local.
- **Every expression kind** of :mod:`configurator.solver.problem`: ``Const``, ``Lit``, ``Not``, ``And``,
  ``Or``, ``Implies``, ``Iff``, ``Table`` (a trie of its rows, built node by node), and ``Linear`` by dynamic
  programming over its terms (a map from partial sums to diagrams, with partial sums that already decide
  the comparison merged away). Variables with a single value are kept out of the diagram.
- **Budgets.** ``max_nodes`` (live CUDD nodes) and ``time_limit`` are checked between operations; beyond
  them :class:`~configurator.errors.BackendLimitError` is raised so callers can fall back to SAT/CP-SAT.

The flattened MDD: one node per (BDD node where a variable's bits start), nodes sorted by level with the
true terminal last, out-edges ``(value code, target)`` in CSR arrays (edges to false are dropped), in-edges
likewise. An edge may skip levels: the variables in between take any value of their domain.

Queries:

- :meth:`CompiledDiagram.count` counts exactly in Python integers (CUDD counts in doubles, wrong beyond
  2**53), multiplying in the domain sizes of variables an edge skips and never counting invalid codes.
- :meth:`CompiledDiagram.valid_domains` is exact and backtrack-free: every value listed extends to a full
  solution. It keeps counters per node, edge and value and updates them incrementally when a call extends
  the assumptions of the previous call (the interactive case: one more choice per step); otherwise it
  starts again from the pristine counters. Each edge leaves each counter at most once per session, so the
  work of a whole session of growing choices is bounded by the diagram's size.

Example:
    >>> from configurator.solver.problem import Constraint, Linear, Problem, Variable
    >>> p = Problem(
    ...     (Variable("frame", (1, 2)), Variable("motor", (0, 1)), Variable("size", (0, 1, 2))),
    ...     (Constraint("budget", Linear(((1, "frame"), (1, "motor"), (1, "size")), "<=", 3)),),
    ... )
    >>> d = CompiledDiagram.compile(p)
    >>> d.count(), d.count({"frame": 2})
    (8, 3)
    >>> d.valid_domains({"frame": 2, "motor": 1})
    {'frame': (2,), 'motor': (1,), 'size': (0,)}
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
import threading
import time
import warnings
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from configurator.errors import BackendLimitError, ConfiguratorError, SolverError, suggest
from configurator.solver.problem import (
    And,
    BoolExpr,
    Const,
    Iff,
    Implies,
    Linear,
    Lit,
    Not,
    Or,
    Problem,
    Table,
    holds,
    scope,
)

__all__ = ["CompiledDiagram", "DiagramStats", "elimination_order"]

_Node = Any
"""A ``dd.cudd.Function`` (the ``dd`` package ships no type information for its CUDD extension)."""

DEFAULT_MAX_NODES = 2_000_000
DEFAULT_TIME_LIMIT = 60.0
DEFAULT_MAX_SUMS = 100_000
SIFT_MAX_NODES = 1_000_000
"""Sifting cannot be interrupted: it is skipped above this many BDD nodes (it would take minutes)..."""
SIFT_SECONDS_PER_NODE = 5e-5
"""...and when it would likely overrun the time limit (Renault big: about 2.5 s for 115,000 nodes)."""


@dataclass(frozen=True, slots=True)
class _LinearTerm:
    """One term of a normalised linear constraint: a variable's contribution per value code, or an indicator.

    ``var``/``contributions``: variable ``var`` adds ``contributions[code]`` (``cond`` is ``None``);
    ``cond``: an indicator's diagram, adding ``contributions[1]`` when true (``var`` is ``-1``);
    ``direct``: every later term lies strictly below the variable, so nodes test its bits directly.
    """

    var: int
    contributions: tuple[int, ...]
    cond: _Node
    direct: bool = False


@dataclass(frozen=True, slots=True)
class _LinearForm:
    """A linear constraint as ``sum(terms) <= rhs`` (or ``== rhs`` when ``equal``), negated if ``negated``.

    Every contribution is a nonnegative integer, at least one per term is positive, and the contributions
    share no common divisor; single-variable terms are merged into one row of contributions per variable.
    """

    terms: tuple[_LinearTerm, ...]
    rhs: int
    equal: bool
    negated: bool


class _Abort(Exception):
    """Raised inside the compiler when a budget is exceeded (turned into BackendLimitError outside)."""


# ---------------------------------------------------------------------------------------------------------
# Variable order


def elimination_order(problem: Problem) -> tuple[list[str], dict[str, str | None]]:
    """A min-fill elimination order of the constraint graph and the elimination tree's parents.

    The constraint graph links two variables when a constraint mentions both. Variables are eliminated
    greedily by least fill-in (ties: fewer neighbours, then problem order); a variable's parent in the
    elimination tree is its neighbour, at elimination time, that is eliminated next.

    Args:
        problem: the problem.

    Returns:
        The variable names in elimination order, and each variable's parent (``None`` for roots).

    Example:
        >>> from configurator.solver.problem import Constraint, Lit, Or, Problem, Variable
        >>> def lit(n): return Lit(n, frozenset({1}))
        >>> p = Problem(tuple(Variable(n, (0, 1)) for n in "abc"),
        ...             (Constraint("ab", Or((lit("a"), lit("b")))), Constraint("bc", Or((lit("b"), lit("c"))))))
        >>> elimination_order(p)
        (['a', 'b', 'c'], {'a': 'b', 'b': 'c', 'c': None})
    """
    names = problem.names
    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    adj: list[set[int]] = [set() for _ in range(n)]
    for constraint in problem.constraints:
        members = [index[name] for name in scope(constraint.expr) if name in index]
        for a in members:
            adj[a].update(members)
    for a in range(n):
        adj[a].discard(a)

    def fill(v: int) -> int:
        around = adj[v]
        return sum(len(around - adj[u]) - 1 for u in around) // 2

    fills = [fill(v) for v in range(n)]
    heap = [(fills[v], len(adj[v]), v) for v in range(n)]
    heapq.heapify(heap)
    remaining = set(range(n))
    order: list[int] = []
    at_elimination: list[set[int]] = [set() for _ in range(n)]
    while remaining:
        f, degree, v = heapq.heappop(heap)
        if v not in remaining or (f, degree) != (fills[v], len(adj[v])):
            continue  # a stale entry: v was eliminated or its fill changed since
        order.append(v)
        around = adj[v]
        at_elimination[v] = set(around)
        for u in around:
            adj[u] |= around
            adj[u].discard(u)
            adj[u].discard(v)
        remaining.discard(v)
        touched = set(around)
        for u in around:
            touched |= adj[u]
        touched &= remaining
        for u in touched:
            fills[u] = fill(u)
            heapq.heappush(heap, (fills[u], len(adj[u]), u))
        adj[v] = set()
    position = {v: k for k, v in enumerate(order)}
    parents: dict[str, str | None] = {}
    for v in range(n):
        later = at_elimination[v]
        parents[names[v]] = names[min(later, key=position.__getitem__)] if later else None
    return [names[v] for v in order], parents


def _tree_order(order: Sequence[str], parents: Mapping[str, str | None]) -> list[str]:
    """Depth-first order of the elimination tree from its roots, smaller subtrees first."""
    size = dict.fromkeys(order, 1)
    children: dict[str, list[str]] = {name: [] for name in order}
    for name in order:
        parent = parents[name]
        if parent is not None:
            size[parent] += size[name]
            children[parent].append(name)
    position = {name: k for k, name in enumerate(order)}
    roots = [name for name in reversed(order) if parents[name] is None]
    result: list[str] = []
    stack = list(reversed(roots))
    while stack:
        name = stack.pop()
        result.append(name)
        kids = sorted(children[name], key=lambda c: (size[c], -position[c]))
        stack.extend(reversed(kids))
    return result


# ---------------------------------------------------------------------------------------------------------
# Compilation with CUDD


def _import_cudd() -> Any:
    try:
        from dd import cudd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SolverError(
            "decision diagrams need the 'dd' package with CUDD: pip install 'configurator[solver]'"
        ) from exc
    return cudd


class _Compiler:
    """Builds the BDD of a problem; holds every CUDD handle so that :meth:`close` can drop them all."""

    def __init__(
        self,
        problem: Problem,
        names: Sequence[str],
        *,
        max_nodes: int,
        deadline: float | None,
        time_limit: float | None,
        max_sums: int,
        max_memory: int | None = None,
    ) -> None:
        cudd = _import_cudd()
        self.problem = problem
        self.max_nodes = max_nodes
        self.deadline = deadline
        self.max_sums = max_sums
        self.bdd: Any = cudd.BDD()
        # a hard cap on CUDD's memory: an operation beyond it returns NULL, which dd raises as ValueError
        self.max_memory = max_memory if max_memory is not None else max(256 << 20, 256 * max_nodes)
        self.bdd.configure(reordering=False, max_memory=self.max_memory)
        self.index = {name: i for i, name in enumerate(problem.names)}
        self.domains = [v.domain for v in problem.variables]
        self.codes = [{value: k for k, value in enumerate(v.domain)} for v in problem.variables]
        self.bits: list[list[str]] = [[] for _ in problem.variables]
        for name in names:
            i = self.index[name]
            m = len(self.domains[i])
            self.bits[i] = [f"b{i}_{k}" for k in range((m - 1).bit_length())]
            if self.bits[i]:
                self.bdd.declare(*self.bits[i])
        for bits in self.bits:
            if len(bits) > 1:  # sifting moves the bits of a variable as one block
                self.bdd.group({bits[0]: len(bits)})
        # each variable's bits from the top (name, weight in the code), and its top level; see read_levels
        self.bit_order: list[list[tuple[str, int]]] = [[] for _ in problem.variables]
        self.msb_first: list[bool] = [True] * len(problem.variables)
        self.top: list[int] = [1 << 30] * len(problem.variables)
        self.read_levels()
        self.true: _Node = self.bdd.true
        self.false: _Node = self.bdd.false
        self.domain_cache: dict[int, _Node] = {}
        self.lit_cache: dict[tuple[int, frozenset[int]], _Node] = {}
        self.ops = 0
        self.last_count = time.monotonic()
        self.time_limit = time_limit

    def close(self) -> None:
        """Drop every diagram handle (before the manager goes, so CUDD frees cleanly)."""
        self.domain_cache.clear()
        self.lit_cache.clear()
        self.true = self.false = None

    # -- budgets ------------------------------------------------------------------------------------------

    def live_nodes(self) -> int:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dd warns about a changed unit of another statistic
            return int(self.bdd.statistics()["n_nodes"])

    def check(self, force: bool = False) -> None:
        """Enforce the budgets (node counts are read at most every 0.1 s: CUDD scans its tables for them)."""
        self.ops += 1
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            raise _Abort(f"time limit of {self.time_limit:g} s exceeded")
        if force or now - self.last_count > 0.1:
            self.last_count = now
            live = self.live_nodes()
            if live > self.max_nodes:
                raise _Abort(f"node limit: {live:,} live nodes > max_nodes={self.max_nodes:,}")

    def conj(self, a: _Node, b: _Node) -> _Node:
        result = a & b
        self.check()
        return result

    def disj(self, a: _Node, b: _Node) -> _Node:
        result = a | b
        self.check()
        return result

    # -- building blocks ----------------------------------------------------------------------------------

    def node(self, var: str, low: _Node, high: _Node) -> _Node:
        """``if var then high else low`` for a variable above both children (CUDD wants a regular high)."""
        if low == high:
            return low
        if high.negated:
            return ~self.bdd.find_or_add(var, ~low, ~high)
        return self.bdd.find_or_add(var, low, high)

    def read_levels(self) -> None:
        """Read the levels of the bits (after sifting, a variable's bits stay adjacent but may be permuted)."""
        levels = self.bdd.var_levels
        for i, bits in enumerate(self.bits):
            if bits:
                located = sorted((int(levels[b]), b, 1 << (len(bits) - 1 - k)) for k, b in enumerate(bits))
                self.bit_order[i] = [(b, weight) for _, b, weight in located]
                self.msb_first[i] = [b for _, b, _ in located] == bits
                self.top[i] = located[0][0]

    def codes_tree(self, i: int, leaves: Mapping[int, _Node]) -> _Node:
        """The diagram that tests variable ``i``'s code and continues with ``leaves[code]`` (false if absent)."""
        bits = self.bits[i]
        if len(bits) == 1:  # the common binary case, without recursion
            false = self.false
            return self.node(bits[0], leaves.get(0, false), leaves.get(1, false))
        if self.msb_first[i]:
            return self._codes(bits, len(self.domains[i]), leaves, 0, 0)
        return self._codes_any(self.bit_order[i], list(range(len(self.domains[i]))), leaves, 0)

    def _codes(self, bits: list[str], m: int, leaves: Mapping[int, _Node], bit: int, prefix: int) -> _Node:
        if prefix << (len(bits) - bit) >= m:
            return self.false
        if bit == len(bits):
            return leaves.get(prefix, self.false)
        low = self._codes(bits, m, leaves, bit + 1, 2 * prefix)
        high = self._codes(bits, m, leaves, bit + 1, 2 * prefix + 1)
        return self.node(bits[bit], low, high)

    def _codes_any(
        self, order: list[tuple[str, int]], codes: list[int], leaves: Mapping[int, _Node], depth: int
    ) -> _Node:
        """Like :meth:`_codes` for bits in any order: ``codes`` are the codes that agree with the path."""
        if not codes:
            return self.false
        if depth == len(order):
            return leaves.get(codes[0], self.false)
        bit, weight = order[depth]
        low = self._codes_any(order, [c for c in codes if not c & weight], leaves, depth + 1)
        high = self._codes_any(order, [c for c in codes if c & weight], leaves, depth + 1)
        return self.node(bit, low, high)

    def domain(self, i: int) -> _Node:
        cached = self.domain_cache.get(i)
        if cached is None:
            cached = self.codes_tree(i, dict.fromkeys(range(len(self.domains[i])), self.true))
            self.domain_cache[i] = cached
        return cached

    def scope_domain(self, names: set[str]) -> _Node:
        result = self.true
        for name in sorted(names, key=self.level_key, reverse=True):
            result = self.conj(result, self.domain(self.index[name]))
        return result

    def level_key(self, name: str) -> int:
        return self.top[self.index[name]]

    def var_index(self, name: str) -> int:
        i = self.index.get(name)
        if i is None:
            hint = suggest(name, self.index)
            raise SolverError(f"unknown variable {name!r} in a constraint" + (f" ({hint})" if hint else ""))
        return i

    def lit(self, name: str, values: frozenset[int]) -> _Node:
        i = self.var_index(name)
        codes = self.codes[i]
        return self.value_set(i, frozenset(codes[v] for v in values if v in codes))

    def value_set(self, i: int, codes: frozenset[int]) -> _Node:
        """The diagram of "variable ``i`` has one of these codes"."""
        key = (i, codes)
        cached = self.lit_cache.get(key)
        if cached is None:
            cached = self.codes_tree(i, dict.fromkeys(codes, self.true))
            self.lit_cache[key] = cached
        return cached

    # -- expressions --------------------------------------------------------------------------------------

    def expr(self, e: BoolExpr) -> _Node:
        """The diagram of an expression (invalid codes of its variables may be included: conjoin domains)."""
        match e:
            case Const(value=value):
                return self.true if value else self.false
            case Lit(var=var, values=values):
                return self.lit(var, values)
            case Not(arg=arg):
                return ~self.expr(arg)
            case And(args=args):
                result = self.true
                for arg in args:
                    result = self.conj(result, self.expr(arg))
                    if result == self.false:
                        break
                return result
            case Or(args=args):
                result = self.false
                for arg in args:
                    result = self.disj(result, self.expr(arg))
                    if result == self.true:
                        break
                return result
            case Implies(a=a, b=b):
                return self.disj(~self.expr(a), self.expr(b))
            case Iff(a=a, b=b):
                result = self.expr(a).equiv(self.expr(b))
                self.check()
                return result
            case Linear():
                return self.linear(e)
            case Table():
                return self.table(e)
        raise SolverError(f"not a boolean expression: {e!r}")  # pragma: no cover

    def table(self, t: Table) -> _Node:
        columns: list[int] = []
        for name in t.vars:
            i = self.var_index(name)
            if i not in columns:
                columns.append(i)
        columns.sort(key=lambda i: self.level_key(self.problem.variables[i].name))
        rows: list[tuple[int | None, ...]]
        if len(columns) == len(t.vars):
            perm = [t.vars.index(self.problem.variables[i].name) for i in columns]
            rows = [tuple(row[k] for k in perm) for row in t.rows]
        else:  # a variable appears twice: merge its cells, dropping rows that would need two values
            where = {i: [k for k, name in enumerate(t.vars) if self.index[name] == i] for i in columns}
            rows = []
            for row in t.rows:
                cells: list[int | None] = []
                for i in columns:
                    fixed = {row[k] for k in where[i] if row[k] is not None}
                    if len(fixed) > 1:
                        break
                    cells.append(fixed.pop() if fixed else None)
                else:
                    rows.append(tuple(cells))
        result = self.rows(columns, rows, 0)
        return result if t.allowed else ~result

    def rows(self, columns: Sequence[int], rows: list[tuple[int | None, ...]], col: int) -> _Node:
        """The rows (cells in ``columns`` order, top to bottom) as a trie of diagram nodes."""
        if not rows:
            return self.false
        if col == len(columns):
            return self.true
        i = columns[col]
        codes = self.codes[i]
        last = col == len(columns) - 1
        groups: dict[int, list[tuple[int | None, ...]]] = {}
        wild: list[tuple[int | None, ...]] = []
        for row in rows:
            cell = row[col]
            if cell is None:
                if last:
                    return self.true
                wild.append(row)
                continue
            code = codes.get(cell)
            if code is not None:  # a value outside the domain never matches
                groups.setdefault(code, []).append(row)
        self.ops += 1
        if self.ops % 256 == 0:
            self.check()
        if last:
            return self.value_set(i, frozenset(groups))
        if not groups:
            return self.rows(columns, wild, col + 1)
        leaves = {code: self.rows(columns, group, col + 1) for code, group in groups.items()}
        result = self.codes_tree(i, leaves)
        if wild:
            result = self.disj(result, self.rows(columns, wild, col + 1))
        return result

    def linear(self, lin: Linear) -> _Node:
        """The diagram of a linear constraint, by the interval method (see :class:`_LinearForm`)."""
        form = self.linear_form(lin)
        if isinstance(form, bool):
            return self.true if form else self.false
        result = self.interval_bdd(form)
        return ~result if form.negated else result

    def linear_form(self, lin: Linear) -> _LinearForm | bool:
        """Normalise a linear constraint (see :class:`_LinearForm`); a bool when it is decided outright."""
        constant = 0
        by_var: dict[int, list[int]] = {}
        indicators: dict[BoolExpr, int] = {}
        for coef, term in lin.terms:
            if coef == 0:
                continue
            if isinstance(term, str):
                i = self.var_index(term)
                row = by_var.setdefault(i, [0] * len(self.domains[i]))
                for k, value in enumerate(self.domains[i]):
                    row[k] += coef * value
                continue
            names = scope(term)
            for name in names:
                self.var_index(name)
            if not names:
                constant += coef if holds(term, {}) else 0
            elif len(names) == 1:  # an indicator of one variable's values: fold it into that variable's row
                (name,) = names
                i = self.index[name]
                row = by_var.setdefault(i, [0] * len(self.domains[i]))
                for k, value in enumerate(self.domains[i]):
                    if holds(term, {name: value}):
                        row[k] += coef
            else:
                indicators[term] = indicators.get(term, 0) + coef
        # shift every contribution to a minimum of 0: negative indicator coefficients count the negation
        rows: list[tuple[int, list[int]]] = []
        for i, row in by_var.items():
            if not row:
                continue
            low = min(row)
            constant += low
            shifted = [c - low for c in row]
            if any(shifted):
                rows.append((i, shifted))
        conds: list[tuple[BoolExpr, bool, int]] = []
        for term, coef in indicators.items():
            if coef > 0:
                conds.append((term, False, coef))
            elif coef < 0:
                constant += coef
                conds.append((term, True, -coef))
        # sum(nonnegative contributions) op rhs, as "<=" or "==", negated for ">=", ">" and "!="
        rhs = lin.rhs - constant
        op: str = lin.op
        negated = False
        if op == "<":
            op, rhs = "<=", rhs - 1
        elif op == ">":
            op, negated = "<=", True
        elif op == ">=":
            op, rhs, negated = "<=", rhs - 1, True
        elif op == "!=":
            op, negated = "==", True
        elif op not in ("<=", "=="):
            raise SolverError(f"unknown comparison {op!r}")
        equal = op == "=="
        total = sum(max(row) for _, row in rows) + sum(c for _, _, c in conds)
        if rhs < 0 or (equal and rhs > total):
            return negated
        if rhs >= total and (not equal or total == 0):
            return not negated  # also "0 == 0" without terms
        # divide by the gcd of the contributions; for "<=" saturate contributions above rhs at rhs + 1
        while True:
            g = 0
            for _, row in rows:
                for c in row:
                    g = math.gcd(g, c)
            for _, _, c in conds:
                g = math.gcd(g, c)
            if equal and rhs % g:
                return negated
            rhs //= g
            rows = [(i, [c // g for c in row]) for i, row in rows]
            conds = [(t, neg, c // g) for t, neg, c in conds]
            if equal or not (
                any(c > rhs + 1 for _, row in rows for c in row) or any(c > rhs + 1 for _, _, c in conds)
            ):
                break
            rows = [(i, [min(c, rhs + 1) for c in row]) for i, row in rows]
            conds = [(t, neg, min(c, rhs + 1)) for t, neg, c in conds]
        # terms from the top of the diagram down (an indicator before a variable on its top level)
        keyed: list[tuple[int, int, _LinearTerm]] = []
        for i, row in rows:
            keyed.append(
                (self.level_key(self.problem.variables[i].name), 1, _LinearTerm(i, tuple(row), None))
            )
        for term, neg, c in conds:
            cond = self.expr(term)
            top = min(self.level_key(name) for name in scope(term))
            keyed.append((top, 0, _LinearTerm(-1, (0, c), ~cond if neg else cond)))
        keyed.sort(key=lambda item: (item[0], item[1]))
        terms = [item for _, _, item in keyed]
        tops = [top for top, _, _ in keyed]
        # a variable's term is built from its bits directly when every later term lies strictly below it
        below = 1 << 62
        for k in range(len(terms) - 1, -1, -1):
            item = terms[k]
            if item.cond is None and tops[k] < below:
                terms[k] = _LinearTerm(item.var, item.contributions, None, direct=True)
            below = min(below, tops[k])
        return _LinearForm(tuple(terms), rhs, equal, negated)

    def interval_bdd(self, form: _LinearForm) -> _Node:
        """The diagram of ``sum(terms) <= rhs`` (or ``== rhs``) by the interval method.

        Abío, Nieuwenhuis, Oliveras and Rodríguez-Carbonell, "BDDs for Pseudo-Boolean Constraints -
        Revisited" (SAT 2011): the sub-diagram of terms ``k..`` for a residual ``K`` (the right-hand side
        minus the partial sum of terms ``0..k-1``) is the same for every ``K`` of an interval ``[lo, hi]``.
        Each level keeps its nodes' intervals sorted; a residual is looked up by bisection, and a miss builds
        the node from its children (residual ``K - contribution``), its interval being the intersection of
        the children's intervals shifted by their contributions. The work is polynomial in the diagram's
        size, not in the number of distinct partial sums.
        """
        terms, equal = form.terms, form.equal
        n = len(terms)
        # most[k]: the largest sum of terms k..; step[k]: the gcd of their contributions (for "==")
        most = [0] * (n + 1)
        step = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            most[k] = most[k + 1] + max(terms[k].contributions)
            g = step[k + 1]
            for c in terms[k].contributions:
                g = math.gcd(g, c)
            step[k] = g
        big = most[0] + abs(form.rhs) + 2  # beyond every residual: stands for infinity
        true, false = self.true, self.false
        lows: list[list[int]] = [[] for _ in range(n)]
        highs: list[list[int]] = [[] for _ in range(n)]
        nodes: list[list[_Node]] = [[] for _ in range(n)]
        # distinct contributions of each term, and the codes (or branch) taking each
        options: list[list[int]] = [sorted(set(term.contributions)) for term in terms]

        def find(k: int, residual: int) -> tuple[_Node, int, int] | None:
            if residual < 0:
                return false, -big, -1
            top = most[k]
            if residual >= top:
                if not equal:
                    return true, top, big
                if residual > top:
                    return false, top + 1, big
                if top == 0:
                    return true, 0, 0
            if equal and step[k] and residual % step[k]:
                g = step[k]
                return false, residual - residual % g + 1, residual - residual % g + g - 1
            level_lows = lows[k]
            j = bisect.bisect_right(level_lows, residual) - 1
            if j >= 0 and highs[k][j] >= residual:
                return nodes[k][j], level_lows[j], highs[k][j]
            return None

        def make(k: int, residual: int, children: list[tuple[_Node, int, int]]) -> None:
            term = terms[k]
            low, high = -big, big
            for c, (_, child_low, child_high) in zip(options[k], children, strict=True):
                low = max(low, child_low + c)
                high = min(high, child_high + c)
            by_value = {c: child for c, (child, _, _) in zip(options[k], children, strict=True)}
            if term.cond is not None:
                node = self.bdd.ite(term.cond, by_value[term.contributions[1]], by_value[0])
            elif term.direct:
                node = self.codes_tree(
                    term.var, {code: by_value[c] for code, c in enumerate(term.contributions)}
                )
            else:
                node = false
                for c, child in by_value.items():
                    if child != false:
                        codes = frozenset(code for code, d in enumerate(term.contributions) if d == c)
                        node = self.disj(node, self.conj(self.value_set(term.var, codes), child))
            level_lows, level_highs = lows[k], highs[k]
            j = bisect.bisect_right(level_lows, residual)
            if j > 0:
                low = max(low, level_highs[j - 1] + 1)
            if j < len(level_lows):
                high = min(high, level_lows[j] - 1)
            level_lows.insert(j, low)
            level_highs.insert(j, high)
            nodes[k].insert(j, node)
            if len(level_lows) > self.max_sums:
                raise _Abort(
                    f"linear constraint with more than {self.max_sums:,} intervals of partial sums on one term"
                )
            self.ops += 1
            if self.ops & 63 == 0:
                self.check()

        found = find(0, form.rhs)
        if found is not None:
            return found[0]
        # depth first, without recursion: frames of (level, residual, children found so far)
        stack: list[tuple[int, int, list[tuple[_Node, int, int]]]] = [(0, form.rhs, [])]
        while stack:
            k, residual, children = stack[-1]
            if len(children) < len(options[k]):
                target = residual - options[k][len(children)]
                hit = find(k + 1, target)
                if hit is None:
                    stack.append((k + 1, target, []))
                else:
                    children.append(hit)
                continue
            stack.pop()
            make(k, residual, children)
        hit = find(0, form.rhs)
        assert hit is not None
        lows.clear()
        highs.clear()
        nodes.clear()
        return hit[0]

    # -- the whole problem --------------------------------------------------------------------------------

    def compile(self, elimination: Sequence[str], parents: Mapping[str, str | None]) -> _Node:
        position = {name: k for k, name in enumerate(elimination)}
        buckets: dict[str, list[BoolExpr]] = {name: [] for name in elimination}
        global_parts: list[BoolExpr] = []
        for constraint in self.problem.constraints:
            names = scope(constraint.expr)
            for name in names:
                self.var_index(name)
            if names:
                buckets[min(names, key=position.__getitem__)].append(constraint.expr)
            else:
                global_parts.append(constraint.expr)
        children: dict[str, list[str]] = {name: [] for name in elimination}
        for name in elimination:
            parent = parents[name]
            if parent is not None:
                children[parent].append(name)
        joined: dict[str, _Node] = {}
        for name in elimination:
            part = self.domain(self.index[name])
            for expr in buckets[name]:
                piece = self.conj(self.expr(expr), self.scope_domain(scope(expr)))
                part = self.conj(part, piece)
            for child in children[name]:
                part = self.conj(part, joined.pop(child))
            joined[name] = part
        result = self.true
        for expr in global_parts:
            result = self.conj(result, self.expr(expr))
        for part in joined.values():
            result = self.conj(result, part)
        joined.clear()
        return result

    def sift(self) -> None:
        """Reorder by CUDD's sifting, moving the bits of a variable as one group."""
        self.bdd.reorder()
        self.read_levels()


# ---------------------------------------------------------------------------------------------------------
# The flattened diagram


@dataclass(frozen=True)
class DiagramStats:
    """Sizes and timings of a compiled diagram.

    Attributes:
        bdd_nodes: nodes of the final BDD (CUDD, log encoding).
        nodes: nodes of the flattened MDD (including the true terminal).
        edges: edges of the flattened MDD (edges to false are not stored).
        width: the largest number of MDD nodes on one variable.
        compile_seconds: wall time of :meth:`CompiledDiagram.compile`.
    """

    bdd_nodes: int
    nodes: int
    edges: int
    width: int
    compile_seconds: float


class _State:
    """Counters of the incremental propagation (see :meth:`CompiledDiagram.valid_domains`)."""

    __slots__ = ("alive", "assumed", "bits", "cover", "in_reach", "out_alive", "reach", "support")

    def __init__(
        self,
        assumed: array[int],
        alive: bytearray,
        reach: bytearray,
        out_alive: array[int],
        in_reach: array[int],
        bits: bytearray,
        support: array[int],
        cover: array[int],
    ) -> None:
        self.assumed = assumed
        self.alive = alive
        self.reach = reach
        self.out_alive = out_alive
        self.in_reach = in_reach
        self.bits = bits
        self.support = support
        self.cover = cover

    def copy(self) -> _State:
        return _State(
            array("i", self.assumed),
            bytearray(self.alive),
            bytearray(self.reach),
            array("i", self.out_alive),
            array("i", self.in_reach),
            bytearray(self.bits),
            array("i", self.support),
            array("i", self.cover),
        )


_COUNTS_ALIVE = 1  # the edge is counted in out_alive[src]: allowed and dst alive
_COUNTS_REACH = 2  # the edge is counted in in_reach[dst]: allowed and src reachable
_COUNTS_SUPPORT = 4  # the edge supports its value (and skipped levels): allowed, src reachable, dst alive


class CompiledDiagram:
    """A problem's solutions as a flattened decision diagram; see the module docstring.

    Build it with :meth:`compile`. The diagram is immutable; :meth:`valid_domains` keeps a private cache of
    the last propagation (guarded by a lock, so a diagram may be shared between threads).

    Attributes:
        problem: the compiled problem.
        order: the diagram's variables from top to bottom (single-valued variables are not in it).
        stats: sizes and compile time.
    """

    def __init__(
        self,
        problem: Problem,
        order: Sequence[str],
        node_pos: array[int],
        out_start: array[int],
        edge_val: array[int],
        edge_dst: array[int],
        root: int,
        stats: DiagramStats,
    ) -> None:
        self.problem = problem
        self.order = tuple(order)
        self.stats = stats
        n = len(self.order)
        self._n = n
        self._domains = [problem.var(name).domain for name in self.order]
        self._codes = [{value: k for k, value in enumerate(d)} for d in self._domains]
        self._level_of = {name: p for p, name in enumerate(self.order)}
        self._fixed = {v.name: v.domain[0] for v in problem.variables if len(v.domain) == 1}
        self._empty = any(not v.domain for v in problem.variables)
        self._pos = node_pos
        self._out = out_start
        self._val = edge_val
        self._dst = edge_dst
        self._root = root
        nodes = len(node_pos)
        edges = len(edge_val)
        src = array("i", [0]) * edges
        for u in range(nodes):
            for e in range(out_start[u], out_start[u + 1]):
                src[e] = u
        self._src = src
        # in-edges grouped by destination
        in_count = array("i", [0]) * (nodes + 1)
        for w in edge_dst:
            in_count[w + 1] += 1
        for u in range(nodes):
            in_count[u + 1] += in_count[u]
        self._in = array("i", in_count)
        fill = array("i", in_count)
        in_edges = array("i", [0]) * edges
        for e in range(edges):
            w = edge_dst[e]
            in_edges[fill[w]] = e
            fill[w] += 1
        self._in_edges = in_edges
        # edges of each level are contiguous (nodes are sorted by level, edges by source)
        level_edges = array("i", [0]) * (n + 2)
        level_nodes = array("i", [0]) * (n + 2)
        for u in range(nodes):
            level_nodes[node_pos[u] + 1] += 1
            level_edges[node_pos[u] + 1] += out_start[u + 1] - out_start[u]
        for p in range(n + 1):
            level_nodes[p + 1] += level_nodes[p]
            level_edges[p + 1] += level_edges[p]
        self._level_edges = level_edges
        self._level_nodes = level_nodes
        self._base = array("i", [0] * (n + 1))
        for p in range(n):
            self._base[p + 1] = self._base[p] + len(self._domains[p])
        self._pristine = self._initial_state()
        self._state = self._pristine.copy()
        self._lock = threading.Lock()
        self._count_cache: int | None = None

    def __repr__(self) -> str:
        s = self.stats
        return (
            f"CompiledDiagram({self.problem.name!r}, {len(self.problem.variables)} variables, "
            f"{s.nodes:,} nodes, {s.edges:,} edges)"
        )

    # -- construction ---------------------------------------------------------------------------------------

    @classmethod
    def compile(
        cls,
        problem: Problem,
        *,
        max_nodes: int = DEFAULT_MAX_NODES,
        time_limit: float | None = DEFAULT_TIME_LIMIT,
        reorder: bool = True,
        max_sums: int = DEFAULT_MAX_SUMS,
        max_memory: int | None = None,
    ) -> CompiledDiagram:
        """Compile a problem.

        Args:
            problem: the problem; every constraint kind of :mod:`configurator.solver.problem` is supported.
            max_nodes: the most live CUDD nodes allowed while compiling.
            time_limit: seconds allowed for compiling (checked between diagram operations), or ``None``.
            reorder: run CUDD's sifting (variables moved as groups of bits) after the bottom-up join; it
                shrinks the diagram about 10x on Renault big (2-3 s there), which makes every query faster.
                Skipped above ``SIFT_MAX_NODES`` BDD nodes or when it would likely overrun ``time_limit``
                (sifting cannot be interrupted).
            max_sums: the most distinct partial sums of a linear constraint's dynamic programme.
            max_memory: CUDD's hard memory cap in bytes (default: 256 bytes per ``max_nodes``, at least
                256 MiB). The budgets above are checked between diagram operations, but one conjunction can
                run for seconds; an operation that needs more memory than this fails at once, so a tight cap
                makes a hopeless compilation fail fast (an interactive session uses 64 MiB).

        Returns:
            The flattened diagram.

        Raises:
            BackendLimitError: a budget was exceeded (the message names it); fall back to a SAT/CP backend.
            SolverError: a constraint names an unknown variable, a domain repeats a value, or ``dd`` is
                missing.

        Example:
            >>> from configurator.solver.problem import Constraint, Problem, Table, Variable
            >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))),
            ...             (Constraint("t", Table(("x", "y"), ((0, 1), (1, 2), (2, 0)))),))
            >>> CompiledDiagram.compile(p).count()
            3
            >>> CompiledDiagram.compile(p, max_nodes=1)
            Traceback (most recent call last):
            ...
            configurator.errors.BackendLimitError: cannot compile 'problem' into a decision diagram: node limit: ...
        """
        started = time.monotonic()
        for variable in problem.variables:
            if len(set(variable.domain)) != len(variable.domain):
                raise SolverError(f"the domain of {variable.name!r} repeats a value: {variable.domain}")
        names = [v.name for v in problem.variables if len(v.domain) > 1]
        if any(not v.domain for v in problem.variables):
            empty_stats = DiagramStats(0, 1, 0, 0, time.monotonic() - started)
            return cls(
                problem, (), array("i", [0]), array("i", [0, 0]), array("i"), array("i"), -1, empty_stats
            )
        elimination, parents = elimination_order(problem)
        multi = set(names)
        tree = [name for name in _tree_order(elimination, parents) if name in multi]
        deadline = None if time_limit is None else started + time_limit
        compiler = _Compiler(
            problem,
            tree,
            max_nodes=max_nodes,
            deadline=deadline,
            time_limit=time_limit,
            max_sums=max_sums,
            max_memory=max_memory,
        )
        # CUDD handles must die by reference counting, never in a garbage-collected cycle (dd's manager
        # asserts that no node is referenced when it goes): no handle may outlive this block, not even in
        # the frames of an exception's traceback.
        failure = ""
        cap = compiler.max_memory
        error: ConfiguratorError | None = None
        flat: _Flat | None = None
        try:
            flat = _build(compiler, elimination, parents, reorder=reorder, deadline=deadline)
        except _Abort as exc:
            failure = str(exc)
        except ValueError as exc:
            if "NULL" not in str(exc):
                raise
            failure = (
                f"CUDD ran out of its memory cap of {cap / (1 << 20):,.0f} MiB (max_nodes={max_nodes:,})"
            )
        except ConfiguratorError as exc:
            error = exc
        finally:
            compiler.close()
            del compiler
        if error is not None:
            raise error.with_traceback(None)
        if flat is None:
            raise BackendLimitError(
                f"cannot compile {problem.name!r} into a decision diagram: {failure} "
                f"({len(problem.variables)} variables, {len(problem.constraints)} constraints); "
                "use a SAT/CP backend instead"
            )
        order, node_pos, out_start, edge_val, edge_dst, root_id, bdd_nodes = flat
        width = 0
        if len(node_pos) > 1:
            counts: dict[int, int] = {}
            for p in node_pos[:-1]:
                counts[p] = counts.get(p, 0) + 1
            width = max(counts.values())
        stats = DiagramStats(bdd_nodes, len(node_pos), len(edge_val), width, time.monotonic() - started)
        return cls(problem, order, node_pos, out_start, edge_val, edge_dst, root_id, stats)

    def _initial_state(self) -> _State:
        n = self._n
        nodes = len(self._pos)
        edges = len(self._val)
        out_alive = array("i", (self._out[u + 1] - self._out[u] for u in range(nodes)))
        in_reach = array("i", (self._in[u + 1] - self._in[u] for u in range(nodes)))
        support = array("i", [0]) * self._base[n]
        cover = array("i", [0]) * (n + 1)
        pos, val, dst, src, base = self._pos, self._val, self._dst, self._src, self._base
        for e in range(edges):
            p = pos[src[e]]
            support[base[p] + val[e]] += 1
            for q in range(p + 1, pos[dst[e]]):
                cover[q] += 1
        alive = bytearray(b"\x01" * nodes)
        if self._root < 0:
            alive = bytearray(nodes)
        return _State(
            array("i", [-1] * n),
            alive,
            bytearray(b"\x01" * nodes),
            out_alive,
            in_reach,
            bytearray(b"\x07" * edges),
            support,
            cover,
        )

    # -- assumptions ----------------------------------------------------------------------------------------

    def _levels(self, assumptions: Mapping[str, int] | None) -> dict[int, int] | None:
        """Assumptions as {level: code}; None when one is outside its domain (nothing is consistent)."""
        levels: dict[int, int] = {}
        if not assumptions:
            return levels
        consistent = True
        for name, value in assumptions.items():
            p = self._level_of.get(name)
            if p is None:
                if name in self._fixed:
                    consistent = consistent and value == self._fixed[name]
                    continue
                try:
                    variable = self.problem.var(name)
                except KeyError:
                    hint = suggest(name, self.problem.names)
                    raise SolverError(f"unknown variable {name!r}" + (f" ({hint})" if hint else "")) from None
                consistent = consistent and value in variable.domain
                continue
            code = self._codes[p].get(value)
            if code is None:
                consistent = False
            else:
                levels[p] = code
        return levels if consistent and not self._empty else None

    # -- counting -------------------------------------------------------------------------------------------

    def count(self, assumptions: Mapping[str, int] | None = None) -> int:
        """The exact number of solutions extending the assumptions.

        Args:
            assumptions: ``{variable: value}``; a value outside the domain gives 0.

        Returns:
            The number of full assignments that satisfy every constraint and the assumptions.

        Raises:
            SolverError: an assumption names an unknown variable.

        Example:
            >>> from configurator.solver.problem import Problem, Variable
            >>> d = CompiledDiagram.compile(Problem(tuple(Variable(f"v{i}", tuple(range(1000))) for i in range(8))))
            >>> d.count() == 1000**8, d.count({"v0": 7}) == 1000**7
            (True, True)
        """
        levels = self._levels(assumptions)
        if levels is None or self._root < 0:
            return 0
        if not levels and self._count_cache is not None:
            return self._count_cache
        n = self._n
        sizes = [1 if p in levels else len(self._domains[p]) for p in range(n)]
        prefix = [1] * (n + 1)
        for p in range(n):
            prefix[p + 1] = prefix[p] * sizes[p]
        pos, out, val, dst = self._pos, self._out, self._val, self._dst
        nodes = len(pos)
        counts: list[int] = [0] * nodes
        counts[nodes - 1] = 1
        for u in range(nodes - 2, -1, -1):
            p = pos[u]
            wanted = levels.get(p, -1)
            below = prefix[p + 1]
            total = 0
            for e in range(out[u], out[u + 1]):
                if wanted >= 0 and val[e] != wanted:
                    continue
                w = dst[e]
                c = counts[w]
                if c:
                    total += c * (prefix[pos[w]] // below)
            counts[u] = total
        root = self._root
        result = counts[root] * prefix[pos[root]]
        if not levels:
            self._count_cache = result
        return result

    # -- satisfiability and solutions ------------------------------------------------------------------------

    def _alive(self, levels: Mapping[int, int]) -> bytearray:
        """Which nodes reach the true terminal through edges the assumptions allow."""
        pos, out, val, dst = self._pos, self._out, self._val, self._dst
        nodes = len(pos)
        alive = bytearray(b"\x01" * nodes)
        if not levels:
            return alive
        deepest = max(levels)
        for u in range(self._level_nodes[deepest + 1] - 1, -1, -1):
            wanted = levels.get(pos[u], -1)
            ok = 0
            for e in range(out[u], out[u + 1]):
                if (wanted < 0 or val[e] == wanted) and alive[dst[e]]:
                    ok = 1
                    break
            alive[u] = ok
        return alive

    def is_satisfiable(self, assumptions: Mapping[str, int] | None = None) -> bool:
        """Whether some solution extends the assumptions.

        Args:
            assumptions: ``{variable: value}``.

        Returns:
            ``True`` when a solution exists.

        Raises:
            SolverError: an assumption names an unknown variable.

        Example:
            >>> from configurator.solver.problem import Constraint, Lit, Not, Problem, Variable
            >>> p = Problem((Variable("x", (0, 1)),), (Constraint("c", Not(Lit("x", frozenset({1})))),))
            >>> d = CompiledDiagram.compile(p)
            >>> d.is_satisfiable(), d.is_satisfiable({"x": 1})
            (True, False)
        """
        levels = self._levels(assumptions)
        if levels is None or self._root < 0:
            return False
        if not levels:
            return True
        # depth-first search for one allowed path, remembering dead nodes
        pos, out, val, dst = self._pos, self._out, self._val, self._dst
        terminal = len(pos) - 1
        deepest = max(levels)
        dead = bytearray(len(pos))
        stack = [(self._root, self._out[self._root])]
        while stack:
            u, e = stack[-1]
            if u == terminal or pos[u] > deepest:
                return True
            wanted = levels.get(pos[u], -1)
            end = out[u + 1]
            while e < end and ((wanted >= 0 and val[e] != wanted) or dead[dst[e]]):
                e += 1
            if e == end:
                dead[u] = 1
                stack.pop()
                continue
            stack[-1] = (u, e + 1)
            w = dst[e]
            stack.append((w, out[w]))
        return False

    def _value(self, p: int, code: int) -> int:
        return self._domains[p][code]

    def _complete(
        self, path: dict[int, int], levels: Mapping[int, int], rng: random.Random | None
    ) -> dict[str, int]:
        result: dict[str, int] = {}
        for variable in self.problem.variables:
            name = variable.name
            if name in self._fixed:
                result[name] = self._fixed[name]
                continue
            p = self._level_of[name]
            if p in path:
                code = path[p]
            elif p in levels:
                code = levels[p]
            else:
                code = rng.randrange(len(self._domains[p])) if rng is not None else 0
            result[name] = self._value(p, code)
        return result

    def solution(self, assumptions: Mapping[str, int] | None = None) -> dict[str, int] | None:
        """One solution extending the assumptions (the same one on every call), or ``None``.

        Args:
            assumptions: ``{variable: value}``.

        Returns:
            A full assignment (every variable of the problem) that passes ``problem.check``, or ``None``.

        Raises:
            SolverError: an assumption names an unknown variable.

        Example:
            >>> from configurator.solver.problem import Constraint, Linear, Problem, Variable
            >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))),
            ...             (Constraint("sum", Linear(((1, "x"), (1, "y")), "==", 3)),))
            >>> d = CompiledDiagram.compile(p)
            >>> p.check(d.solution()), d.solution({"y": 2}), d.solution({"x": 0})
            (True, {'x': 1, 'y': 2}, None)
        """
        levels = self._levels(assumptions)
        if levels is None or self._root < 0:
            return None
        alive = self._alive(levels)
        if not alive[self._root]:
            return None
        pos, out, val, dst = self._pos, self._out, self._val, self._dst
        terminal = len(pos) - 1
        path: dict[int, int] = {}
        u = self._root
        while u != terminal:
            wanted = levels.get(pos[u], -1)
            for e in range(out[u], out[u + 1]):
                if (wanted < 0 or val[e] == wanted) and alive[dst[e]]:
                    path[pos[u]] = val[e]
                    u = dst[e]
                    break
            else:  # pragma: no cover - alive[u] guarantees an edge
                raise SolverError("internal error: inconsistent diagram")
        return self._complete(path, levels, None)

    def sample(
        self, assumptions: Mapping[str, int] | None = None, *, rng: random.Random | None = None
    ) -> dict[str, int] | None:
        """A solution drawn uniformly at random among those extending the assumptions, or ``None``.

        Args:
            assumptions: ``{variable: value}``.
            rng: the random generator (a fresh unseeded one when omitted).

        Returns:
            A full assignment, or ``None`` when no solution extends the assumptions.

        Raises:
            SolverError: an assumption names an unknown variable.

        Example:
            >>> from configurator.solver.problem import Constraint, Linear, Problem, Variable
            >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))),
            ...             (Constraint("sum", Linear(((1, "x"), (1, "y")), "==", 2)),))
            >>> d = CompiledDiagram.compile(p)
            >>> s = d.sample(rng=random.Random(7))
            >>> p.check(s), s["x"] + s["y"]
            (True, 2)
        """
        levels = self._levels(assumptions)
        if levels is None or self._root < 0:
            return None
        rng = rng or random.Random()
        n = self._n
        sizes = [1 if p in levels else len(self._domains[p]) for p in range(n)]
        prefix = [1] * (n + 1)
        for p in range(n):
            prefix[p + 1] = prefix[p] * sizes[p]
        pos, out, val, dst = self._pos, self._out, self._val, self._dst
        nodes = len(pos)
        counts: list[int] = [0] * nodes
        counts[nodes - 1] = 1
        for u in range(nodes - 2, -1, -1):
            p = pos[u]
            wanted = levels.get(p, -1)
            total = 0
            for e in range(out[u], out[u + 1]):
                if wanted < 0 or val[e] == wanted:
                    w = dst[e]
                    total += counts[w] * (prefix[pos[w]] // prefix[p + 1])
            counts[u] = total
        if not counts[self._root]:
            return None
        path: dict[int, int] = {}
        u = self._root
        while u != nodes - 1:
            p = pos[u]
            wanted = levels.get(p, -1)
            pick = rng.randrange(counts[u])
            for e in range(out[u], out[u + 1]):
                if wanted >= 0 and val[e] != wanted:
                    continue
                w = dst[e]
                weight = counts[w] * (prefix[pos[w]] // prefix[p + 1])
                if pick < weight:
                    path[p] = val[e]
                    u = w
                    break
                pick -= weight
        return self._complete(path, levels, rng)

    # -- valid domains ---------------------------------------------------------------------------------------

    def valid_domains(self, assumptions: Mapping[str, int] | None = None) -> dict[str, tuple[int, ...]]:
        """For every variable, the values that extend the assumptions to a full solution.

        Exact and backtrack-free: each value listed appears in some solution that satisfies every
        assumption (an assumed variable keeps its value, or nothing when the assumptions are inconsistent).
        When the assumptions extend those of the previous call, only the difference is propagated.

        Args:
            assumptions: ``{variable: value}``.

        Returns:
            ``{variable: values}`` for every variable of the problem, values in domain order; all empty when
            no solution extends the assumptions.

        Raises:
            SolverError: an assumption names an unknown variable.

        Example:
            >>> from configurator.solver.problem import Constraint, Problem, Table, Variable
            >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))),
            ...             (Constraint("t", Table(("x", "y"), ((0, 1), (1, 2), (2, 2)))),))
            >>> d = CompiledDiagram.compile(p)
            >>> d.valid_domains()
            {'x': (0, 1, 2), 'y': (1, 2)}
            >>> d.valid_domains({"y": 2})
            {'x': (1, 2), 'y': (2,)}
            >>> d.valid_domains({"y": 0})
            {'x': (), 'y': ()}
        """
        levels = self._levels(assumptions)
        if levels is None or self._root < 0:
            return {name: () for name in self.problem.names}
        with self._lock:
            state = self._state
            assumed = state.assumed
            if any(assumed[p] >= 0 and levels.get(p) != assumed[p] for p in range(self._n)):
                state = self._state = self._pristine.copy()
                assumed = state.assumed
            for p, code in sorted(levels.items()):
                if assumed[p] < 0:
                    self._restrict(state, p, code)
            return self._domains_of(state)

    def _domains_of(self, state: _State) -> dict[str, tuple[int, ...]]:
        root = self._root
        if not state.alive[root]:
            return {name: () for name in self.problem.names}
        support, cover, base, assumed = state.support, state.cover, self._base, state.assumed
        top = self._pos[root]
        result: dict[str, tuple[int, ...]] = {}
        for variable in self.problem.variables:
            name = variable.name
            if name in self._fixed:
                result[name] = variable.domain
                continue
            p = self._level_of[name]
            domain = self._domains[p]
            if p < top or cover[p]:
                code = assumed[p]
                result[name] = domain if code < 0 else (domain[code],)
            else:
                start = base[p]
                result[name] = tuple(value for k, value in enumerate(domain) if support[start + k])
        return result

    def _restrict(self, state: _State, level: int, code: int) -> None:
        """Assume ``order[level] = domain[code]`` and propagate the counters."""
        state.assumed[level] = code
        pos, val, src, dst = self._pos, self._val, self._src, self._dst
        out, in_start, in_edges, base = self._out, self._in, self._in_edges, self._base
        assumed, alive, reach = state.assumed, state.alive, state.reach
        out_alive, in_reach, bits, support, cover = (
            state.out_alive,
            state.in_reach,
            state.bits,
            state.support,
            state.cover,
        )
        lost_alive: list[int] = []
        lost_reach: list[int] = []

        def touch(e: int) -> None:
            # re-evaluate what edge e is counted in, from the current flags (monotone: only ever removes)
            b = bits[e]
            u = src[e]
            w = dst[e]
            pu = pos[u]
            a = assumed[pu]
            allowed = a < 0 or a == val[e]
            to_alive = allowed and alive[w]
            from_reach = allowed and reach[u]
            kept = 0
            if b & _COUNTS_ALIVE:
                if to_alive:
                    kept |= _COUNTS_ALIVE
                else:
                    out_alive[u] -= 1
                    if not out_alive[u] and alive[u]:
                        alive[u] = 0
                        lost_alive.append(u)
            if b & _COUNTS_REACH:
                if from_reach:
                    kept |= _COUNTS_REACH
                else:
                    in_reach[w] -= 1
                    if not in_reach[w] and reach[w]:
                        reach[w] = 0
                        lost_reach.append(w)
            if b & _COUNTS_SUPPORT:
                if to_alive and from_reach:
                    kept |= _COUNTS_SUPPORT
                else:
                    support[base[pu] + val[e]] -= 1
                    for q in range(pu + 1, pos[w]):
                        cover[q] -= 1
            bits[e] = kept

        for e in range(self._level_edges[level], self._level_edges[level + 1]):
            if bits[e] and val[e] != code:
                touch(e)
        while lost_alive or lost_reach:
            while lost_alive:
                w = lost_alive.pop()
                for k in range(in_start[w], in_start[w + 1]):
                    e = in_edges[k]
                    if bits[e]:
                        touch(e)
            while lost_reach:
                u = lost_reach.pop()
                for e in range(out[u], out[u + 1]):
                    if bits[e]:
                        touch(e)


# ---------------------------------------------------------------------------------------------------------
# BDD -> MDD

_Flat: TypeAlias = "tuple[list[str], array[int], array[int], array[int], array[int], int, int]"
"""Order, node levels, out-edge starts, edge values, edge targets, root id, BDD node count."""


def _build(
    compiler: _Compiler,
    elimination: Sequence[str],
    parents: Mapping[str, str | None],
    *,
    reorder: bool,
    deadline: float | None,
) -> _Flat:
    """Compile, sift when affordable, and flatten; every CUDD handle is local to this call."""
    root = compiler.compile(elimination, parents)
    compiler.check(force=True)
    size = int(root.dag_size)
    affordable = deadline is None or time.monotonic() + size * SIFT_SECONDS_PER_NODE < deadline
    if reorder and size <= SIFT_MAX_NODES and affordable:
        compiler.sift()
    return _flatten(compiler, root)


def _flatten(compiler: _Compiler, root: _Node) -> _Flat:
    """Read the BDD into MDD arrays: nodes sorted by level (terminal last), edges by source and value."""
    bdd = compiler.bdd
    problem = compiler.problem
    levels = bdd.var_levels
    # the variables in diagram order, with the levels of their bits (contiguous after group sifting)
    blocks: list[tuple[int, str, list[tuple[int, int]]]] = []
    for i, bits in enumerate(compiler.bits):
        if bits:
            located = sorted((int(levels[b]), len(bits) - 1 - k) for k, b in enumerate(bits))
            blocks.append((located[0][0], problem.variables[i].name, located))
    blocks.sort()
    order = [name for _, name, _ in blocks]
    level_pos: dict[int, int] = {}
    for p, (_, _, located) in enumerate(blocks):
        for level, _ in located:
            level_pos[level] = p
    n = len(order)
    true_id, false_id = int(compiler.true), int(compiler.false)
    bdd_nodes = int(root.dag_size) if int(root) not in (true_id, false_id) else 1
    if int(root) == false_id:
        return order, array("i", [n]), array("i", [0, 0]), array("i"), array("i"), -1, 0
    if int(root) == true_id:
        return order, array("i", [n]), array("i", [0, 0]), array("i"), array("i"), 0, 1

    cofactors: dict[int, tuple[_Node, _Node]] = {}

    def children(u: _Node) -> tuple[_Node, _Node]:
        key = int(u)
        pair = cofactors.get(key)
        if pair is None:
            low, high = u.low, u.high
            if u.negated:  # dd.cudd hands out the regular node's children
                low, high = ~low, ~high
            pair = cofactors[key] = (low, high)
        return pair

    def position(u: _Node) -> int:
        return n if int(u) == true_id else level_pos[int(u.level)]

    found: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    handles: dict[int, _Node] = {int(root): root}
    stack = [root]
    while stack:
        u = stack.pop()
        p = position(u)
        _, _, located = blocks[p]
        m = len(problem.var(order[p]).domain)
        edges: list[tuple[int, int]] = []
        walk: list[tuple[_Node, int, int]] = [(u, 0, 0)]
        while walk:
            w, depth, code = walk.pop()
            key = int(w)
            if key == false_id or code >= m:
                continue
            if depth == len(located):
                edges.append((code, key))
                if key != true_id and key not in handles:
                    handles[key] = w
                    stack.append(w)
                continue
            level, weight = located[depth]
            if key != true_id and int(w.level) == level:
                low, high = children(w)
                walk.append((high, depth + 1, code | (1 << weight)))
                walk.append((low, depth + 1, code))
            else:
                walk.append((w, depth + 1, code | (1 << weight)))
                walk.append((w, depth + 1, code))
        edges.sort()
        found[int(u)] = (p, edges)
    cofactors.clear()
    handles.clear()
    ids = sorted(found, key=lambda key: found[key][0])
    number = {key: j for j, key in enumerate(ids)}
    number[true_id] = len(ids)
    node_pos = array("i", [found[key][0] for key in ids] + [n])
    out_start = array("i", [0])
    edge_val = array("i")
    edge_dst = array("i")
    for key in ids:
        for code, target in found[key][1]:
            edge_val.append(code)
            edge_dst.append(number[target])
        out_start.append(len(edge_val))
    out_start.append(len(edge_val))
    root_id = number[int(root)]
    return order, node_pos, out_start, edge_val, edge_dst, root_id, bdd_nodes
