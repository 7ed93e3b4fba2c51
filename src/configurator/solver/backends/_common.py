"""Helpers shared by the enumerating backends (exhaustive, python-constraint)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from configurator.solver.backend import Fixed, Result, Status
from configurator.solver.problem import Objective, Problem, linear_value

__all__ = ["best_of", "objective_values", "restrict"]


def restrict(problem: Problem, fixed: Fixed | None) -> Problem:
    """The problem with the fixed variables' domains cut to their allowed values."""
    if not fixed:
        return problem
    domains = {
        name: tuple(v for v in problem.var(name).domain if v in allowed) for name, allowed in fixed.items()
    }
    return problem.restrict(domains)


def objective_values(objectives: Sequence[Objective], assignment: dict[str, int]) -> tuple[int, ...]:
    """The value of each objective for an assignment."""
    return tuple(linear_value(o.terms, assignment) + o.offset for o in objectives)


def best_of(solutions: Iterable[dict[str, int]], objectives: Sequence[Objective], started: float) -> Result:
    """The lexicographically best of ``solutions`` (each objective maximised or minimised as declared)."""
    best: dict[str, int] | None = None
    best_key: tuple[int, ...] = ()
    best_values: tuple[int, ...] = ()
    for solution in solutions:
        values = objective_values(objectives, solution)
        key = tuple(v if o.sense == "max" else -v for v, o in zip(values, objectives, strict=True))
        if best is None or key > best_key:
            best, best_key, best_values = solution, key, values
        if not objectives:
            break
    if best is None:
        return Result(Status.INFEASIBLE, wall_s=time.perf_counter() - started)
    return Result(Status.OPTIMAL, best, best_values, time.perf_counter() - started)
