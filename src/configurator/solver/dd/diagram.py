"""The compiled diagram: a problem's solutions as a flattened multi-valued decision diagram, and its queries.

A problem is compiled once into a BDD (:mod:`.compiler`) and flattened into an MDD held in plain Python
arrays (:mod:`.flatten`): nodes sorted by level with the true terminal last, out-edges ``(value code,
target)`` in CSR arrays, in-edges likewise. An edge may skip levels: the variables in between take any value
of their domain. Every query runs on the arrays, without CUDD:

- :meth:`CompiledDiagram.count` counts exactly in Python integers (CUDD counts in doubles, wrong beyond
  2**53), multiplying in the domain sizes of variables an edge skips and never counting invalid codes.
- :meth:`CompiledDiagram.valid_domains` is exact and backtrack-free: every value listed extends to a full
  solution. It keeps counters per node, edge and value and updates them incrementally when a call extends
  the assumptions of the previous call (the interactive case: one more choice per step); otherwise it
  starts again from the pristine counters. Each edge leaves each counter at most once per session, so the
  work of a whole session of growing choices is bounded by the diagram's size.
- :meth:`CompiledDiagram.is_satisfiable`, :meth:`CompiledDiagram.solution` and
  :meth:`CompiledDiagram.sample` (uniform) walk the same arrays.

Example:
    >>> from configurator.solver.problem import Constraint, Lit, Or, Problem, Variable
    >>> p = Problem((Variable("a", (0, 1)), Variable("b", (0, 1))),
    ...             (Constraint("ab", Or((Lit("a", frozenset({1})), Lit("b", frozenset({1}))))),))
    >>> d = CompiledDiagram.compile(p)
    >>> d.count(), d.valid_domains({"a": 0}), d.stats.nodes
    (3, {'a': (0,), 'b': (1,)}, 3)
"""

from __future__ import annotations

import random
import time
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from configurator.errors import SolverError, suggest
from configurator.solver.dd.compiler import (
    DEFAULT_MAX_NODES,
    DEFAULT_MAX_SUMS,
    DEFAULT_TIME_LIMIT,
    compile_problem,
)
from configurator.solver.dd.cursor import DiagramCursor
from configurator.solver.problem import Problem

__all__ = ["CompiledDiagram", "DiagramCursor", "DiagramStats"]


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

    Build it with :meth:`compile`. The diagram is immutable and safe to share between threads and sessions:
    every query works on its own arrays, except :meth:`valid_domains`, which keeps the last propagation in one
    shared :class:`DiagramCursor` (guarded by a lock). A caller with its own sequence of growing assumptions
    (one configuration session) takes its own :meth:`cursor`, so that other callers do not reset it.

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
        self._shared = DiagramCursor(self)
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
        if any(not v.domain for v in problem.variables):
            empty_stats = DiagramStats(0, 1, 0, 0, time.monotonic() - started)
            return cls(
                problem, (), array("i", [0]), array("i", [0, 0]), array("i"), array("i"), -1, empty_stats
            )
        flat = compile_problem(
            problem,
            started=started,
            max_nodes=max_nodes,
            time_limit=time_limit,
            reorder=reorder,
            max_sums=max_sums,
            max_memory=max_memory,
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
        return self._shared.valid_domains(assumptions)

    def cursor(self) -> DiagramCursor:
        """A private incremental propagation over this diagram, for one caller's growing assumptions.

        Example:
            >>> from configurator.solver.problem import Constraint, Lit, Or, Problem, Variable
            >>> p = Problem((Variable("a", (0, 1)), Variable("b", (0, 1))),
            ...             (Constraint("ab", Or((Lit("a", frozenset({1})), Lit("b", frozenset({1}))))),))
            >>> d = CompiledDiagram.compile(p)
            >>> mine, theirs = d.cursor(), d.cursor()
            >>> mine.valid_domains({"a": 0}), theirs.valid_domains({"b": 0}), mine.valid_domains({"a": 0})
            ({'a': (0,), 'b': (1,)}, {'a': (1,), 'b': (0,)}, {'a': (0,), 'b': (1,)})
        """
        return DiagramCursor(self)

    def _advance(
        self, state: _State | None, levels: Mapping[int, int]
    ) -> tuple[_State | None, dict[str, tuple[int, ...]]]:
        """Propagate ``levels`` from ``state`` (None: pristine); the state to keep and the valid domains."""
        if state is not None:
            assumed = state.assumed
            if any(assumed[p] >= 0 and levels.get(p) != assumed[p] for p in range(self._n)):
                state = None  # not an extension of the previous call: start again
        if state is None:
            if not levels:  # the pristine counters answer without a copy
                return None, self._domains_of(self._pristine)
            state = self._pristine.copy()
        for p, code in sorted(levels.items()):
            if state.assumed[p] < 0:
                self._restrict(state, p, code)
        return state, self._domains_of(state)

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
