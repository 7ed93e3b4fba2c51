"""The compiler of a problem into a BDD (CUDD), with budgets, and the whole compile pipeline.

How the diagram is built (what worked on the Renault models, see ``docs/benchmarks.md``):

- **Binary (log) encoding.** A variable with ``m`` values uses ``ceil(log2 m)`` BDD variables; value
  ``domain[k]`` is the code ``k`` (most significant bit first). Codes ``>= m`` are invalid: each
  variable's *domain constraint* excludes them. One-hot encodings blow up on large tables.
- **Variable order** from a min-fill elimination tree (:mod:`.order`), refined by FORCE when the problem
  has arithmetic sums; then (``reorder=True``, the default)
  CUDD's sifting moves whole variables (their bits grouped) to shrink the diagram: about 17x fewer MDD nodes
  on Renault big.
- **Bottom-up join.** Each constraint is compiled, conjoined with the domain constraints of its scope, and
  put in the bucket of its first-eliminated variable; buckets are conjoined up the elimination tree, so that
  intermediate diagrams stay local.
- **Every expression kind** of :mod:`configurator.solver.problem`: ``Const``, ``Lit``, ``Not``, ``And``,
  ``Or``, ``Implies``, ``Iff``, ``Table`` (a trie of its rows, built node by node), and ``Linear`` by the
  interval method (:mod:`.linear`). Variables with a single value are kept out of the diagram.
- **Budgets.** ``max_nodes`` (live CUDD nodes) and ``time_limit`` are checked between operations; beyond
  them :class:`~configurator.errors.BackendLimitError` is raised so callers can fall back to SAT/CP-SAT.

Example:
    >>> import time
    >>> from configurator.solver.problem import Constraint, Linear, Problem, Variable
    >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))),
    ...             (Constraint("sum", Linear(((1, "x"), (1, "y")), "<=", 1)),))
    >>> flat = compile_problem(p, started=time.monotonic(), max_nodes=10_000, time_limit=None,
    ...                        reorder=True, max_sums=100, max_memory=None)
    >>> order, node_pos, out_start, edge_val, edge_dst, root, bdd_nodes = flat
    >>> sorted(order), len(node_pos), len(edge_val)
    (['x', 'y'], 4, 5)
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from configurator.errors import BackendLimitError, ConfiguratorError, SolverError, suggest
from configurator.solver.dd.bdd import CompileAborted, Node, import_cudd
from configurator.solver.dd.flatten import Flat, flatten
from configurator.solver.dd.linear import interval_bdd, linear_form
from configurator.solver.dd.order import elimination_order, force_order, has_sums, tree_order
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
    scope,
)

__all__ = [
    "DEFAULT_MAX_NODES",
    "DEFAULT_MAX_SUMS",
    "DEFAULT_TIME_LIMIT",
    "SIFT_MAX_NODES",
    "SIFT_SECONDS_PER_NODE",
    "DiagramCompiler",
    "build",
    "compile_problem",
    "compile_with",
]

R = TypeVar("R")

DEFAULT_MAX_NODES = 2_000_000
DEFAULT_TIME_LIMIT = 60.0
DEFAULT_MAX_SUMS = 100_000
SIFT_MAX_NODES = 1_000_000
"""Sifting cannot be interrupted: it is skipped above this many BDD nodes (it would take minutes)..."""
SIFT_SECONDS_PER_NODE = 5e-5


class DiagramCompiler:
    """Builds the BDD of a problem; holds every CUDD handle so that :meth:`close` can drop them all.

    Each variable with ``m > 1`` values gets ``ceil(log2 m)`` BDD variables (its code, most significant bit
    first, grouped so that sifting moves them together). The budgets are checked between diagram operations
    (:meth:`check`); beyond them :class:`~configurator.solver.dd.bdd.CompileAborted` is raised. Most callers
    want :meth:`CompiledDiagram.compile <configurator.solver.dd.diagram.CompiledDiagram.compile>`, which
    runs the compiler and frees every handle.

    Example:
        >>> from configurator.solver.problem import Constraint, Lit, Problem, Variable
        >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1))),
        ...             (Constraint("c", Lit("x", frozenset({2}))),))
        >>> compiler = DiagramCompiler(p, ["x", "y"], max_nodes=10_000, deadline=None, time_limit=None,
        ...                            max_sums=100)
        >>> compiler.bits
        [['b0_0', 'b0_1'], ['b1_0']]
        >>> root = compiler.compile(["x", "y"], {"x": "y", "y": None})
        >>> int(root.count(nvars=3))
        2
        >>> del root
        >>> compiler.close()
    """

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
        cudd = import_cudd()
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
        self.true: Node = self.bdd.true
        self.false: Node = self.bdd.false
        self.domain_cache: dict[int, Node] = {}
        self.lit_cache: dict[tuple[int, frozenset[int]], Node] = {}
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
        """The number of live CUDD nodes (a scan of CUDD's tables: not free)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dd warns about a changed unit of another statistic
            return int(self.bdd.statistics()["n_nodes"])

    def check(self, force: bool = False) -> None:
        """Enforce the budgets (node counts are read at most every 0.1 s: CUDD scans its tables for them)."""
        self.ops += 1
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            raise CompileAborted(f"time limit of {self.time_limit:g} s exceeded")
        if force or now - self.last_count > 0.1:
            self.last_count = now
            live = self.live_nodes()
            if live > self.max_nodes:
                raise CompileAborted(f"node limit: {live:,} live nodes > max_nodes={self.max_nodes:,}")

    def conj(self, a: Node, b: Node) -> Node:
        """``a & b``, then the budgets are checked."""
        result = a & b
        self.check()
        return result

    def disj(self, a: Node, b: Node) -> Node:
        """``a | b``, then the budgets are checked."""
        result = a | b
        self.check()
        return result

    # -- building blocks ----------------------------------------------------------------------------------

    def node(self, var: str, low: Node, high: Node) -> Node:
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

    def codes_tree(self, i: int, leaves: Mapping[int, Node]) -> Node:
        """The diagram that tests variable ``i``'s code and continues with ``leaves[code]`` (false if absent)."""
        bits = self.bits[i]
        if len(bits) == 1:  # the common binary case, without recursion
            false = self.false
            return self.node(bits[0], leaves.get(0, false), leaves.get(1, false))
        if self.msb_first[i]:
            return self._codes(bits, len(self.domains[i]), leaves, 0, 0)
        return self._codes_any(self.bit_order[i], list(range(len(self.domains[i]))), leaves, 0)

    def _codes(self, bits: list[str], m: int, leaves: Mapping[int, Node], bit: int, prefix: int) -> Node:
        if prefix << (len(bits) - bit) >= m:
            return self.false
        if bit == len(bits):
            return leaves.get(prefix, self.false)
        low = self._codes(bits, m, leaves, bit + 1, 2 * prefix)
        high = self._codes(bits, m, leaves, bit + 1, 2 * prefix + 1)
        return self.node(bits[bit], low, high)

    def _codes_any(
        self, order: list[tuple[str, int]], codes: list[int], leaves: Mapping[int, Node], depth: int
    ) -> Node:
        """Like :meth:`_codes` for bits in any order: ``codes`` are the codes that agree with the path."""
        if not codes:
            return self.false
        if depth == len(order):
            return leaves.get(codes[0], self.false)
        bit, weight = order[depth]
        low = self._codes_any(order, [c for c in codes if not c & weight], leaves, depth + 1)
        high = self._codes_any(order, [c for c in codes if c & weight], leaves, depth + 1)
        return self.node(bit, low, high)

    def domain(self, i: int) -> Node:
        """The domain constraint of variable ``i``: its code is one of its values (cached)."""
        cached = self.domain_cache.get(i)
        if cached is None:
            cached = self.codes_tree(i, dict.fromkeys(range(len(self.domains[i])), self.true))
            self.domain_cache[i] = cached
        return cached

    def scope_domain(self, names: set[str]) -> Node:
        """The conjunction of the domain constraints of the named variables, bottom-up."""
        result = self.true
        for name in sorted(names, key=self.level_key, reverse=True):
            result = self.conj(result, self.domain(self.index[name]))
        return result

    def level_key(self, name: str) -> int:
        """The top BDD level of a variable's bits (the sort key from the top of the diagram down)."""
        return self.top[self.index[name]]

    def var_index(self, name: str) -> int:
        """The index of a variable; a :class:`~configurator.errors.SolverError` when unknown."""
        i = self.index.get(name)
        if i is None:
            hint = suggest(name, self.index)
            raise SolverError(f"unknown variable {name!r} in a constraint" + (f" ({hint})" if hint else ""))
        return i

    def lit(self, name: str, values: frozenset[int]) -> Node:
        """The diagram of "variable ``name`` takes one of ``values``" (values outside its domain never match)."""
        i = self.var_index(name)
        codes = self.codes[i]
        return self.value_set(i, frozenset(codes[v] for v in values if v in codes))

    def value_set(self, i: int, codes: frozenset[int]) -> Node:
        """The diagram of "variable ``i`` has one of these codes"."""
        key = (i, codes)
        cached = self.lit_cache.get(key)
        if cached is None:
            cached = self.codes_tree(i, dict.fromkeys(codes, self.true))
            self.lit_cache[key] = cached
        return cached

    # -- expressions --------------------------------------------------------------------------------------

    def expr(self, e: BoolExpr) -> Node:
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

    def table(self, t: Table) -> Node:
        """The diagram of a table constraint: a trie of its rows (see :meth:`rows`), negated when forbidden."""
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

    def rows(self, columns: Sequence[int], rows: list[tuple[int | None, ...]], col: int) -> Node:
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

    def linear(self, lin: Linear) -> Node:
        """The diagram of a linear constraint, by the interval method (see :mod:`.linear`)."""
        form = linear_form(self, lin)
        if isinstance(form, bool):
            return self.true if form else self.false
        result = interval_bdd(self, form)
        return ~result if form.negated else result

    def compile(self, elimination: Sequence[str], parents: Mapping[str, str | None]) -> Node:
        """The BDD of the whole problem: constraints in buckets, joined bottom-up along the elimination tree."""
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
        joined: dict[str, Node] = {}
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


def build(
    compiler: DiagramCompiler,
    elimination: Sequence[str],
    parents: Mapping[str, str | None],
    *,
    reorder: bool,
    deadline: float | None,
    read: Callable[[DiagramCompiler, Node], R],
) -> R:
    """Compile, sift when affordable, and read the result (flatten, count); every CUDD handle is local."""
    root = compiler.compile(elimination, parents)
    compiler.check(force=True)
    size = int(root.dag_size)
    affordable = deadline is None or time.monotonic() + size * SIFT_SECONDS_PER_NODE < deadline
    if reorder and size <= SIFT_MAX_NODES and affordable:
        compiler.sift()
    return read(compiler, root)


def compile_with(
    problem: Problem,
    read: Callable[[DiagramCompiler, Node], R],
    *,
    started: float,
    max_nodes: int,
    time_limit: float | None,
    reorder: bool,
    max_sums: int,
    max_memory: int | None,
) -> R:
    """Compile a problem whose domains are all non-empty and free of repeats, and read the BDD with ``read``.

    Args:
        problem: the problem.
        read: what to make of the compiled BDD (:func:`~configurator.solver.dd.flatten.flatten`, a count),
            called while the compiler is alive.
        started: when the compilation started (``time.monotonic()``); the time limit counts from there.
        max_nodes: the most live CUDD nodes allowed while compiling.
        time_limit: seconds allowed for compiling, or ``None``.
        reorder: run CUDD's sifting after the bottom-up join (when affordable).
        max_sums: the most intervals of partial sums of a linear constraint on one term.
        max_memory: CUDD's hard memory cap in bytes (``None``: 256 bytes per ``max_nodes``, at least 256 MiB).

    Returns:
        What ``read`` returns.

    Raises:
        BackendLimitError: a budget was exceeded (the message names it).
        SolverError: a constraint names an unknown variable.
    """
    names = [v.name for v in problem.variables if len(v.domain) > 1]
    elimination, parents = elimination_order(problem)
    multi = set(names)
    tree = [name for name in tree_order(elimination, parents) if name in multi]
    if has_sums(problem):
        tree = force_order(problem, tree)
    deadline = None if time_limit is None else started + time_limit
    compiler = DiagramCompiler(
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
    results: list[R] = []
    try:
        results.append(build(compiler, elimination, parents, reorder=reorder, deadline=deadline, read=read))
    except CompileAborted as exc:
        failure = str(exc)
    except ValueError as exc:
        if "NULL" not in str(exc):
            raise
        failure = f"CUDD ran out of its memory cap of {cap / (1 << 20):,.0f} MiB (max_nodes={max_nodes:,})"
    except ConfiguratorError as exc:
        error = exc
    finally:
        compiler.close()
        del compiler
    if error is not None:
        raise error.with_traceback(None)
    if not results:
        raise BackendLimitError(
            f"cannot compile {problem.name!r} into a decision diagram: {failure} "
            f"({len(problem.variables)} variables, {len(problem.constraints)} constraints); "
            "use a SAT/CP backend instead"
        )
    return results[0]


def compile_problem(
    problem: Problem,
    *,
    started: float,
    max_nodes: int,
    time_limit: float | None,
    reorder: bool,
    max_sums: int,
    max_memory: int | None,
) -> Flat:
    """Compile a problem whose domains are all non-empty and free of repeats into the flattened arrays.

    See :func:`compile_with` for the arguments and errors.
    """
    return compile_with(
        problem,
        flatten,
        started=started,
        max_nodes=max_nodes,
        time_limit=time_limit,
        reorder=reorder,
        max_sums=max_sums,
        max_memory=max_memory,
    )
