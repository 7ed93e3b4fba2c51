"""Why values are gone, from the compiled diagram: the fewest assumptions to give up to get each one back.

Under assumptions (one value per assumed variable), a value is unavailable when no solution of the diagram
has it and agrees with every assumption. Give every edge a cost of 1 when it leaves an assumed level with
another value than the assumed one (0 otherwise; a level an edge skips takes any value, so it costs nothing):
the cheapest root-to-terminal path through an edge of the value then violates the fewest assumptions, and
those assumptions are a smallest *correction set*: giving them up, and only them, makes the value available
again (the path is a solution that agrees with every other assumption). One pass down and one pass up the
levels (vectorised per level with numpy) price every value at once; the path of each value is then traced
back through the nodes whose distances add up. A value no path reaches is dead whatever is assumed.

This is the classic shortest-path explanation of BDD-based configurators (Hadzic, Subbarayan, Jensen and
others): exact, minimum-cardinality, and linear in the diagram's size per step.

Example:
    >>> from configurator.solver.problem import Constraint, Lit, Not, And, Problem, Variable
    >>> p = Problem((Variable("a", (0, 1)), Variable("b", (0, 1)), Variable("c", (0, 1))),
    ...             (Constraint("no-ab", Not(And((Lit("a", frozenset({1})), Lit("b", frozenset({1})))))),))
    >>> from configurator.solver.dd import CompiledDiagram
    >>> d = CompiledDiagram.compile(p)
    >>> sorted(corrections(d, {"a": 1, "c": 0}).items())   # b=1 is gone because of a=1
    [(('a', 0), ('a',)), (('b', 1), ('a',)), (('c', 1), ('c',))]
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from configurator.solver.dd.diagram import CompiledDiagram

__all__ = ["corrections"]

_INF = np.iinfo(np.int32).max // 4

_ARRAYS: weakref.WeakKeyDictionary[CompiledDiagram, dict[str, Any]] = weakref.WeakKeyDictionary()
_ARRAYS_LOCK = threading.Lock()


def _arrays(d: CompiledDiagram) -> dict[str, Any]:
    """The diagram's arrays as numpy views (made once per diagram)."""
    with _ARRAYS_LOCK:
        found = _ARRAYS.get(d)
        if found is None:
            src = np.frombuffer(d._src, dtype=np.int32)
            dst = np.frombuffer(d._dst, dtype=np.int32)
            pos = np.frombuffer(d._pos, dtype=np.int32)
            found = {
                "src": src,
                "dst": dst,
                "val": np.frombuffer(d._val, dtype=np.int32),
                "pos": pos,
                "src_level": pos[src] if len(src) else src,
                "dst_level": pos[dst] if len(dst) else dst,
            }
            _ARRAYS[d] = found
        return found


def corrections(
    diagram: CompiledDiagram,
    assumptions: Mapping[str, int],
    targets: Mapping[str, tuple[int, ...]] | None = None,
) -> dict[tuple[str, int], tuple[str, ...]]:
    """For every value the assumptions make unavailable, the fewest assumed variables to give up to get it back.

    Args:
        diagram: the compiled diagram.
        assumptions: one value per variable (variables outside the diagram's order are ignored).
        targets: the values to explain, by variable (default: every value of every variable in the diagram's
            order that has no solution under the assumptions).

    Returns:
        ``{(variable, value): assumed variables to give up, in the diagram's order}`` (an assumption that no
        solution can keep, a value outside its variable's domain, is in every set); a value that no solution
        has at all (dead whatever is assumed) is left out.
    """
    d = diagram
    n = d._n
    if d._root < 0 or d._empty:
        return {}
    a = _arrays(d)
    src, dst, val, src_level = a["src"], a["dst"], a["val"], a["src_level"]
    nodes = len(a["pos"])
    assumed = np.full(n + 1, -1, dtype=np.int32)
    always: set[str] = set()  # assumptions no solution can keep (a value outside the domain)
    for name, value in assumptions.items():
        p = d._level_of.get(name)
        if p is None:
            if (name in d._fixed and value != d._fixed[name]) or (
                name not in d._fixed and value not in d.problem.var(name).domain
            ):
                always.add(name)
            continue
        code = d._codes[p].get(value)
        if code is None:
            always.add(name)
        else:
            assumed[p] = code
    edge_assumed = assumed[src_level]
    cost = ((edge_assumed != -1) & (val != edge_assumed)).astype(np.int32)
    level_edges = d._level_edges
    down = np.full(nodes, _INF, dtype=np.int32)
    down[d._root] = 0
    for p in range(n):
        lo, hi = level_edges[p], level_edges[p + 1]
        if lo < hi:
            np.minimum.at(down, dst[lo:hi], down[src[lo:hi]] + cost[lo:hi])
    terminal = nodes - 1
    up = np.full(nodes, _INF, dtype=np.int32)
    up[terminal] = 0
    for p in range(n - 1, -1, -1):
        lo, hi = level_edges[p], level_edges[p + 1]
        if lo < hi:
            np.minimum.at(up, src[lo:hi], up[dst[lo:hi]] + cost[lo:hi])
    through = down[src] + cost + up[dst]
    wanted = targets if targets is not None else _unavailable(d, assumed, bool(always))
    found: dict[tuple[str, int], tuple[str, ...]] = {}
    cover = _best_cover(a, through, n)
    top = int(a["pos"][d._root])
    base = np.frombuffer(d._base, dtype=np.int32)
    key = base[src_level] + val  # (level, code) of each edge, flattened
    best = np.full(int(base[n]) + 1, _INF, dtype=np.int64)
    np.minimum.at(best, key, through)
    best_edge_of = np.full(len(best), -1, dtype=np.int64)
    cheapest = np.flatnonzero(through == best[key])
    best_edge_of[key[cheapest]] = cheapest
    memo: tuple[dict[int, frozenset[int]], dict[int, frozenset[int]]] = ({}, {})
    for name, values in wanted.items():
        p = d._level_of.get(name)
        if p is None:
            continue
        for value in values:
            code = d._codes[p].get(value)
            if code is None:
                continue
            penalty = int(assumed[p] >= 0 and assumed[p] != code)
            best_edge = int(best_edge_of[base[p] + code])
            edge_cost = int(through[best_edge]) + penalty if best_edge >= 0 else _INF
            if p < top:  # above the root: every solution takes any value here
                cover_edge, cover_cost = -1, int(up[d._root]) + penalty
            else:
                cover_edge = int(cover[1][p])
                cover_cost = int(cover[0][p]) + penalty if cover_edge >= 0 else _INF
            if min(edge_cost, cover_cost) >= _INF:
                continue  # dead whatever is assumed
            e = best_edge if edge_cost <= cover_cost else cover_edge
            levels = set(_trace(d, a, cost, down, up, e, memo))
            if penalty:
                levels.add(p)
            names = {d.order[q] for q in levels} | always
            found[(name, value)] = tuple(sorted(names, key=lambda x: d._level_of.get(x, -1)))
    return found


def _unavailable(d: CompiledDiagram, assumed: Any, inconsistent: bool) -> dict[str, tuple[int, ...]]:
    """Every value of the diagram's variables without a solution under the assumptions."""
    levels = {p: int(code) for p, code in enumerate(assumed[: d._n]) if code >= 0}
    if inconsistent:
        domains: dict[str, tuple[int, ...]] = {name: () for name in d.problem.names}
    else:
        domains = d.cursor().valid_domains({d.order[p]: d._domains[p][c] for p, c in levels.items()})
    return {
        name: tuple(v for v in d._domains[p] if v not in domains.get(name, ()))
        for p, name in enumerate(d.order)
        if len(domains.get(name, ())) < len(d._domains[p])
    }


def _best_cover(a: dict[str, Any], through: Any, n: int) -> tuple[Any, Any]:
    """Per level, the cheapest path through an edge that skips it, and that edge (-1: none)."""
    best = np.full(n + 1, _INF, dtype=np.int64)
    which = np.full(n + 1, -1, dtype=np.int64)
    skip = a["dst_level"] - a["src_level"]
    long = np.flatnonzero(skip > 1)
    if not len(long):
        return best, which
    order = long[np.argsort(through[long], kind="stable")[::-1]]  # cheapest written last: it wins
    for step in range(1, int(skip[long].max())):
        chosen = order[skip[order] > step]
        if not len(chosen):
            break
        levels = a["src_level"][chosen] + step
        best[levels] = np.minimum(best[levels], through[chosen])
        for q in np.unique(levels):
            mask = levels == q
            cheapest = chosen[mask][np.argmin(through[chosen[mask]])]
            if through[cheapest] <= best[q]:
                which[q] = cheapest
    return best, which


def _trace(
    d: CompiledDiagram,
    a: dict[str, Any],
    cost: Any,
    down: Any,
    up: Any,
    edge: int,
    memo: tuple[dict[int, frozenset[int]], dict[int, frozenset[int]]],
) -> frozenset[int]:
    """The assumed levels a cheapest path through ``edge`` violates (-1: a cheapest path from the root).

    ``memo`` keeps, per node, the violated levels of the cheapest path from the root to it and from it to the
    terminal, so the paths of many values share their work.
    """
    src, dst, src_level = a["src"], a["dst"], a["src_level"]
    if edge < 0:
        return _below(d, a, cost, up, d._root, memo[1])
    own = frozenset({int(src_level[edge])}) if cost[edge] else frozenset()
    return (
        _above(d, a, cost, down, int(src[edge]), memo[0])
        | own
        | _below(d, a, cost, up, int(dst[edge]), memo[1])
    )


def _above(
    d: CompiledDiagram, a: dict[str, Any], cost: Any, down: Any, u: int, memo: dict[int, frozenset[int]]
) -> frozenset[int]:
    """The violated levels of a cheapest path from the root to node ``u``."""
    src, src_level = a["src"], a["src_level"]
    path: list[tuple[int, int]] = []  # (node, the edge into it)
    while u != d._root and u not in memo:
        for k in range(d._in[u], d._in[u + 1]):
            e = d._in_edges[k]
            if down[src[e]] + cost[e] == down[u]:
                path.append((u, e))
                u = int(src[e])
                break
        else:  # pragma: no cover - the distances always add up along some in-edge
            raise AssertionError("no predecessor on a cheapest path")
    found = memo.get(u, frozenset())
    for node, e in reversed(path):
        if cost[e]:
            found = found | {int(src_level[e])}
        memo[node] = found
    return found


def _below(
    d: CompiledDiagram, a: dict[str, Any], cost: Any, up: Any, w: int, memo: dict[int, frozenset[int]]
) -> frozenset[int]:
    """The violated levels of a cheapest path from node ``w`` to the terminal."""
    dst, src_level = a["dst"], a["src_level"]
    terminal = len(a["pos"]) - 1
    path: list[tuple[int, int]] = []  # (node, the edge out of it)
    while w != terminal and w not in memo:
        for e in range(d._out[w], d._out[w + 1]):
            if cost[e] + up[dst[e]] == up[w]:
                path.append((w, e))
                w = int(dst[e])
                break
        else:  # pragma: no cover
            raise AssertionError("no successor on a cheapest path")
    found = memo.get(w, frozenset())
    for node, e in reversed(path):
        if cost[e]:
            found = found | {int(src_level[e])}
        memo[node] = found
    return found
