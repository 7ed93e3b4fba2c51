"""Exact counting: the Ganak engine (a problem as CNF, counted by #SAT) and the portfolio that picks an engine.

:func:`count_portfolio` is what :func:`configurator.solver.operations.count` uses by default: it chooses
between the decision diagram (:mod:`configurator.solver.dd`) and Ganak by the problem's shape, races them or
falls back from one to the other within the time budget, and says which engine answered.

Example:
    >>> from configurator.solver.problem import Problem, Variable, Constraint, Linear
    >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))),
    ...             (Constraint("sum", Linear(((1, "x"), (1, "y")), "<=", 2)),))
    >>> ganak_count(p), count_portfolio(p).count
    (6, 6)
"""

from configurator.solver.counting.child import race, run_in_child
from configurator.solver.counting.cnf import Cnf, DomainEncoding, encode
from configurator.solver.counting.ganak import count_cnf, count_in_child, ganak_count
from configurator.solver.counting.portfolio import (
    ENGINES,
    Attempt,
    CountResult,
    Plan,
    choose,
    count_portfolio,
    digits,
    exact_text,
)

__all__ = [
    "ENGINES",
    "Attempt",
    "Cnf",
    "CountResult",
    "DomainEncoding",
    "Plan",
    "choose",
    "count_cnf",
    "count_in_child",
    "count_portfolio",
    "digits",
    "encode",
    "exact_text",
    "ganak_count",
    "race",
    "run_in_child",
]
