"""The exhaustive backend: tries every assignment. Obviously right, hopelessly slow: the test oracle.

Example:
    >>> from configurator.solver.problem import Problem, Variable, Constraint, Lit, Not
    >>> p = Problem((Variable("a", (0, 1)), Variable("b", (0, 1))),
    ...             (Constraint("r", Not(Lit("a", frozenset({1})))),))
    >>> ExhaustiveBackend().count(p)
    2
    >>> ExhaustiveBackend().solve(p, time_limit=0.0).status  # out of time before the first assignment
    <Status.TIMED_OUT: 'timed_out'>
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from configurator.errors import BackendLimitError
from configurator.solver.backend import Capability, Fixed, Result
from configurator.solver.backends._common import Deadline, OutOfTime, best_of, restrict
from configurator.solver.problem import Objective, Problem

__all__ = ["ExhaustiveBackend"]


class ExhaustiveBackend:
    """Enumerates the full cross product of the domains; refuses problems larger than ``max_size``.

    A time limit is checked at every assignment tried.
    """

    name = "exhaustive"
    capabilities = frozenset(
        {Capability.SOLVE, Capability.OPTIMIZE, Capability.ENUMERATE, Capability.COUNT, Capability.TIME_LIMIT}
    )

    def __init__(self, max_size: int = 2_000_000) -> None:
        self.max_size = max_size

    def _check(self, problem: Problem) -> None:
        size = problem.size()
        if size > self.max_size:
            raise BackendLimitError(
                f"the exhaustive backend tries every assignment and is limited to {self.max_size:,}; this problem "
                f"has {size:,} (use the cpsat backend)"
            )

    def solutions(
        self, problem: Problem, *, fixed: Fixed | None = None, limit: int | None = None
    ) -> Iterator[dict[str, int]]:
        """Every solution, in lexicographic order of the domains."""
        return self._search(problem, fixed, limit, Deadline(None))

    def _search(
        self, problem: Problem, fixed: Fixed | None, limit: int | None, deadline: Deadline
    ) -> Iterator[dict[str, int]]:
        """The solutions; raises :class:`OutOfTime` when ``deadline`` passes."""
        cut = restrict(problem, fixed)
        self._check(cut)
        found = 0
        for assignment in cut.assignments():
            if limit is not None and found >= limit:
                return
            deadline.check()
            if cut.check(assignment):
                found += 1
                yield assignment

    def solve(
        self,
        problem: Problem,
        *,
        fixed: Fixed | None = None,
        objectives: Sequence[Objective] = (),
        time_limit: float | None = None,
    ) -> Result:
        """The first solution, or the lexicographically best one for the objectives.

        Out of time: the best solution so far with status feasible, or status timed_out without one.
        """
        started = time.perf_counter()
        return best_of(self._search(problem, fixed, None, Deadline(time_limit)), objectives, started)

    def count(self, problem: Problem, *, fixed: Fixed | None = None, time_limit: float | None = None) -> int:
        """The exact number of solutions.

        Raises:
            BackendLimitError: beyond ``max_size``, or when the count does not finish within ``time_limit``.
        """
        deadline = Deadline(time_limit)
        try:
            return sum(1 for _ in self._search(problem, fixed, None, deadline))
        except OutOfTime:
            raise deadline.refuse_count(self.name) from None
