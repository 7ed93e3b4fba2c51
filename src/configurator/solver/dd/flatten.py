"""From BDD to MDD: the compiled BDD read into the arrays of a multi-valued decision diagram.

The flattened MDD: one node per (BDD node where a variable's bits start), nodes sorted by level with the
true terminal last, out-edges ``(value code, target)`` in CSR arrays (edges to false are dropped). An edge
may skip levels: the variables in between take any value of their domain.

Example:
    >>> from configurator.solver.dd.compiler import DiagramCompiler
    >>> from configurator.solver.problem import Constraint, Lit, Problem, Variable
    >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1))),
    ...             (Constraint("c", Lit("x", frozenset({0, 2}))),))
    >>> compiler = DiagramCompiler(p, ["x", "y"], max_nodes=10_000, deadline=None, time_limit=None,
    ...                            max_sums=100)
    >>> root = compiler.compile(["x", "y"], {"x": "y", "y": None})
    >>> order, node_pos, out_start, edge_val, edge_dst, root_id, bdd_nodes = flatten(compiler, root)
    >>> order, list(node_pos), list(out_start), list(edge_val), list(edge_dst), root_id
    (['x', 'y'], [0, 2], [0, 2, 2], [0, 2], [1, 1], 0)
    >>> del root
    >>> compiler.close()
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING, TypeAlias

from configurator.solver.dd.bdd import Node

if TYPE_CHECKING:
    from configurator.solver.dd.compiler import DiagramCompiler

__all__ = ["Flat", "flatten"]

Flat: TypeAlias = "tuple[list[str], array[int], array[int], array[int], array[int], int, int]"
"""Order, node levels, out-edge starts, edge values, edge targets, root id, BDD node count."""


def flatten(compiler: DiagramCompiler, root: Node) -> Flat:
    """Read the BDD into MDD arrays: nodes sorted by level (terminal last), edges by source and value."""
    problem = compiler.problem
    blocks = _blocks(compiler)
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

    cofactors: dict[int, tuple[Node, Node]] = {}

    def children(u: Node) -> tuple[Node, Node]:
        key = int(u)
        pair = cofactors.get(key)
        if pair is None:
            low, high = u.low, u.high
            if u.negated:  # dd.cudd hands out the regular node's children
                low, high = ~low, ~high
            pair = cofactors[key] = (low, high)
        return pair

    def position(u: Node) -> int:
        return n if int(u) == true_id else level_pos[int(u.level)]

    found: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    handles: dict[int, Node] = {int(root): root}
    stack = [root]
    while stack:
        u = stack.pop()
        p = position(u)
        _, _, located = blocks[p]
        m = len(problem.var(order[p]).domain)
        edges: list[tuple[int, int]] = []
        walk: list[tuple[Node, int, int]] = [(u, 0, 0)]
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
    node_pos, out_start, edge_val, edge_dst, number = _arrays(found, true_id, n)
    return order, node_pos, out_start, edge_val, edge_dst, number[int(root)], bdd_nodes


def _blocks(compiler: DiagramCompiler) -> list[tuple[int, str, list[tuple[int, int]]]]:
    """The variables in diagram order: ``(top level, name, [(level, bit weight)])`` per variable.

    The bits of a variable are contiguous after group sifting, but may be permuted.
    """
    levels = compiler.bdd.var_levels
    blocks: list[tuple[int, str, list[tuple[int, int]]]] = []
    for i, bits in enumerate(compiler.bits):
        if bits:
            located = sorted((int(levels[b]), len(bits) - 1 - k) for k, b in enumerate(bits))
            blocks.append((located[0][0], compiler.problem.variables[i].name, located))
    blocks.sort()
    return blocks


def _arrays(
    found: dict[int, tuple[int, list[tuple[int, int]]]], true_id: int, n: int
) -> tuple[array[int], array[int], array[int], array[int], dict[int, int]]:
    """The CSR arrays of the nodes found (sorted by level, terminal last) and each BDD node's number."""
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
    return node_pos, out_start, edge_val, edge_dst, number
