"""Knowledge compilation: a :class:`~configurator.solver.problem.Problem` as a decision diagram.

A problem is compiled once into a binary decision diagram (CUDD, through the ``dd`` package) and then
flattened into a multi-valued decision diagram (MDD) held in plain Python arrays. Every query after that
(exact counting, valid domains, satisfiability, solutions, uniform samples) runs on the arrays, without CUDD.

The modules, in the order a compilation runs through them:

- :mod:`.order`: the variable order, from a min-fill elimination tree;
- :mod:`.compiler`: the BDD of each constraint (log encoding), joined bottom-up, with budgets, then sifted;
  :mod:`.linear` builds linear constraints by the interval method, :mod:`.bdd` adapts CUDD;
- :mod:`.flatten`: the BDD read into MDD arrays;
- :mod:`.count`: a one-off exact count on the BDD itself (no sifting, no flattening);
- :mod:`.diagram`: :class:`CompiledDiagram` and its queries;
- :mod:`.cursor`: a :class:`DiagramCursor` per caller for incremental valid domains, and the values each
  assumed variable could take with its own assumption released (one pass);
- :mod:`.cache`: :class:`DiagramCache`, the process-wide cache that compiles each problem once.

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

from configurator.solver.dd.cache import DEFAULT_MAX_DIAGRAMS, CacheInfo, DiagramCache, diagram_cache
from configurator.solver.dd.compiler import (
    DEFAULT_MAX_NODES,
    DEFAULT_MAX_SUMS,
    DEFAULT_TIME_LIMIT,
    SIFT_MAX_NODES,
    SIFT_SECONDS_PER_NODE,
    DiagramCompiler,
)
from configurator.solver.dd.count import bdd_count, count_problem
from configurator.solver.dd.diagram import CompiledDiagram, DiagramCursor, DiagramStats
from configurator.solver.dd.order import elimination_order, tree_order

__all__ = [
    "DEFAULT_MAX_DIAGRAMS",
    "DEFAULT_MAX_NODES",
    "DEFAULT_MAX_SUMS",
    "DEFAULT_TIME_LIMIT",
    "SIFT_MAX_NODES",
    "SIFT_SECONDS_PER_NODE",
    "CacheInfo",
    "CompiledDiagram",
    "DiagramCache",
    "DiagramCompiler",
    "DiagramCursor",
    "DiagramStats",
    "bdd_count",
    "count_problem",
    "diagram_cache",
    "elimination_order",
    "tree_order",
]
