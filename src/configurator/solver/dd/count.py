"""Exact model counting on the compiled BDD itself, for one-off counts that need no diagram afterwards.

A count alone needs neither sifting (which pays off only over many queries) nor the flattened MDD arrays:
the number of models of the BDD over all its bits is the number of solutions, because every variable's
domain constraint is conjoined (invalid codes excluded) and single-valued variables have no bits. The
count walks each BDD node once, in Python integers (never doubles), following CUDD's complement edges:
a negated edge counts the models its regular node does not have.

On Renault big this makes a whole ``configurator count`` about twice as fast as compiling, sifting and
flattening first (see ``docs/benchmarks.md``, counting portfolio).

Example:
    >>> from configurator.solver.problem import Constraint, Linear, Problem, Variable
    >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))),
    ...             (Constraint("sum", Linear(((1, "x"), (1, "y")), "<=", 2)),))
    >>> count_problem(p)
    6
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from configurator.errors import SolverError
from configurator.solver.dd.bdd import Node

if TYPE_CHECKING:
    from configurator.solver.dd.compiler import DiagramCompiler
    from configurator.solver.problem import Problem

__all__ = ["bdd_count", "count_problem"]


def bdd_count(compiler: DiagramCompiler, root: Node) -> int:
    """The number of assignments of all the compiler's bits that satisfy ``root``, exactly.

    Args:
        compiler: the compiler that built ``root`` (its manager declares the bits).
        root: the BDD.

    Returns:
        The exact count (a Python int).

    Example:
        >>> from configurator.solver.dd.compiler import DiagramCompiler
        >>> from configurator.solver.problem import Constraint, Lit, Problem, Variable
        >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1))),
        ...             (Constraint("c", Lit("x", frozenset({0, 2}))),))
        >>> compiler = DiagramCompiler(p, ["x", "y"], max_nodes=10_000, deadline=None, time_limit=None,
        ...                            max_sums=100)
        >>> root = compiler.compile(["x", "y"], {"x": "y", "y": None})
        >>> bdd_count(compiler, root)
        4
        >>> del root
        >>> compiler.close()
    """
    total = sum(len(bits) for bits in compiler.bits)
    true_id, false_id = int(compiler.true), int(compiler.false)
    if int(root) in (true_id, false_id):
        return 1 << total if int(root) == true_id else 0
    # each regular node: its level and children as (regular key, negated); read once, depth first
    nodes: dict[int, tuple[int, int, bool, int, bool]] = {}
    post: list[int] = []
    top = ~root if root.negated else root
    stack: list[tuple[Node, bool]] = [(top, False)]
    while stack:
        u, expanded = stack.pop()
        key = int(u)
        if expanded:
            post.append(key)
            continue
        if key in nodes:
            continue
        low, high = u.low, u.high  # the regular node's children (dd.cudd hands them out unnegated)
        low_neg, high_neg = low.negated, high.negated
        low_reg = ~low if low_neg else low
        high_reg = ~high if high_neg else high
        low_key, high_key = int(low_reg), int(high_reg)
        nodes[key] = (int(u.level), low_key, low_neg, high_key, high_neg)
        stack.append((u, True))
        if low_key != true_id and low_key not in nodes:
            stack.append((low_reg, False))
        if high_key != true_id and high_key not in nodes:
            stack.append((high_reg, False))
    # models of a regular node over the levels from its own level down to the terminal (level ``total``)
    models: dict[int, int] = {true_id: 1}
    levels: dict[int, int] = {true_id: total}
    for key in post:
        if key in models:
            continue
        level, low_key, low_neg, high_key, high_neg = nodes[key]
        count = 0
        for child, negated in ((low_key, low_neg), (high_key, high_neg)):
            below = levels[child]
            models_below = models[child]
            if negated:
                models_below = (1 << (total - below)) - models_below
            count += models_below << (below - level - 1)
        models[key] = count
        levels[key] = level
    key = int(top)
    count = models[key]
    if root.negated:
        count = (1 << (total - levels[key])) - count
    return count << levels[key]


def count_problem(
    problem: Problem,
    *,
    max_nodes: int | None = None,
    time_limit: float | None = None,
    max_sums: int | None = None,
    max_memory: int | None = None,
) -> int:
    """The exact number of solutions of a problem, compiled into a BDD and counted there (no sifting).

    For a count and nothing else: :meth:`CompiledDiagram.compile
    <configurator.solver.dd.diagram.CompiledDiagram.compile>` also sifts and flattens, which pays off when
    the diagram answers many queries afterwards.

    Args:
        problem: the problem.
        max_nodes: the most live CUDD nodes allowed while compiling (default: the compiler's).
        time_limit: seconds allowed, or ``None``.
        max_sums: the most distinct partial sums of a linear constraint (default: the compiler's).
        max_memory: CUDD's hard memory cap in bytes (default: 256 bytes per ``max_nodes``, at least 256 MiB).

    Returns:
        The exact count.

    Raises:
        BackendLimitError: a budget was exceeded (the message names it).
        SolverError: a constraint names an unknown variable or a domain repeats a value.

    Example:
        >>> from configurator.solver.problem import Constraint, Problem, Table, Variable
        >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))),
        ...             (Constraint("t", Table(("x", "y"), ((0, 1), (1, 2), (2, 0)))),))
        >>> count_problem(p)
        3
    """
    from configurator.solver.dd.compiler import DEFAULT_MAX_NODES, DEFAULT_MAX_SUMS, compile_with

    started = time.monotonic()
    for variable in problem.variables:
        if len(set(variable.domain)) != len(variable.domain):
            raise SolverError(f"the domain of {variable.name!r} repeats a value: {variable.domain}")
    if any(not v.domain for v in problem.variables):
        return 0
    return compile_with(
        problem,
        bdd_count,
        started=started,
        max_nodes=DEFAULT_MAX_NODES if max_nodes is None else max_nodes,
        time_limit=time_limit,
        reorder=False,
        max_sums=DEFAULT_MAX_SUMS if max_sums is None else max_sums,
        max_memory=max_memory,
    )
