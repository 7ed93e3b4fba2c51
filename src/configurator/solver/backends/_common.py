"""Helpers shared by the enumerating backends (exhaustive, python-constraint): restriction, time limits, best."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from configurator.errors import BackendLimitError
from configurator.solver.backend import Fixed, Result, Status
from configurator.solver.problem import Objective, Problem, linear_value

__all__ = ["Deadline", "OutOfTime", "best_of", "objective_values", "restrict"]


class OutOfTime(Exception):
    """Raised inside a search when its :class:`Deadline` has passed (caught by the backend that set it)."""


class Deadline:
    """When a search must stop: ``seconds`` from now, or never (None).

    Example:
        >>> Deadline(None).check()
        >>> Deadline(0.0).check()
        Traceback (most recent call last):
        ...
        configurator.solver.backends._common.OutOfTime
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.perf_counter() + max(0.0, seconds)

    def check(self) -> None:
        """Raise :class:`OutOfTime` once the deadline has passed."""
        if self.at is not None and time.perf_counter() >= self.at:
            raise OutOfTime

    def refuse_count(self, backend: str) -> BackendLimitError:
        """The error for a count the deadline cut short (a partial count is no count)."""
        return BackendLimitError(
            f"the {backend} backend did not finish counting within the time limit of {self.seconds} s "
            "(raise the time limit, or count with the decision diagram)"
        )


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
    """The lexicographically best of ``solutions`` (each objective maximised or minimised as declared).

    When the search raises :class:`OutOfTime`, the best solution so far is returned with status feasible (not
    proven optimal), or status timed_out when there is none.
    """
    best: dict[str, int] | None = None
    best_key: tuple[int, ...] = ()
    best_values: tuple[int, ...] = ()
    try:
        for solution in solutions:
            values = objective_values(objectives, solution)
            key = tuple(v if o.sense == "max" else -v for v, o in zip(values, objectives, strict=True))
            if best is None or key > best_key:
                best, best_key, best_values = solution, key, values
            if not objectives:
                break
    except OutOfTime:
        status = Status.TIMED_OUT if best is None else Status.FEASIBLE
        return Result(status, best, best_values, time.perf_counter() - started)
    if best is None:
        return Result(Status.INFEASIBLE, wall_s=time.perf_counter() - started)
    return Result(Status.OPTIMAL, best, best_values, time.perf_counter() - started)
