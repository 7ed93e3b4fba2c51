"""The variable order of a decision diagram: a min-fill elimination tree, read depth first.

The constraint graph (one clique per constraint scope) is eliminated greedily by minimum fill-in; the
elimination tree, read depth first from its root(s), gives the variable order (smaller subtrees first). The
compiler joins the constraints bottom-up along the same tree, so that intermediate diagrams stay local.

Example:
    >>> from configurator.solver.problem import Constraint, Lit, Or, Problem, Variable
    >>> def lit(n): return Lit(n, frozenset({1}))
    >>> p = Problem(tuple(Variable(n, (0, 1)) for n in "abcd"),
    ...             (Constraint("ab", Or((lit("a"), lit("b")))), Constraint("cd", Or((lit("c"), lit("d"))))))
    >>> order, parents = elimination_order(p)
    >>> order, parents
    (['a', 'b', 'c', 'd'], {'a': 'b', 'b': None, 'c': 'd', 'd': None})
    >>> tree_order(order, parents)
    ['d', 'c', 'b', 'a']
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence

from configurator.solver.problem import Problem, scope

__all__ = ["elimination_order", "tree_order"]


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


def tree_order(order: Sequence[str], parents: Mapping[str, str | None]) -> list[str]:
    """The diagram's variable order: the elimination tree depth first from its roots, smaller subtrees first.

    Args:
        order: the elimination order (see :func:`elimination_order`).
        parents: each variable's parent in the elimination tree (``None`` for roots).

    Returns:
        The variable names from the top of the diagram down; a variable comes before its subtree.

    Example:
        >>> tree_order(["a", "b", "c"], {"a": "c", "b": "c", "c": None})
        ['c', 'b', 'a']
    """
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
