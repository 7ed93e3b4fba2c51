"""The exhaustive backend: tries every assignment. Obviously right, hopelessly slow: the test oracle.

Example:
    >>> from configurator.solver.problem import Problem, Variable, Constraint, Lit, Not
    >>> p = Problem((Variable("a", (0, 1)), Variable("b", (0, 1))),
    ...             (Constraint("r", Not(Lit("a", frozenset({1})))),))
    >>> ExhaustiveBackend().count(p)
    2
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from configurator.errors import BackendLimitError
from configurator.solver.backend import Capability, Fixed, Result
from configurator.solver.backends._common import best_of, restrict
from configurator.solver.problem import Objective, Problem

__all__ = ["ExhaustiveBackend"]


class ExhaustiveBackend:
    """Enumerates the full cross product of the domains; refuses problems larger than ``max_size``."""

    name = "exhaustive"
    capabilities = frozenset({Capability.SOLVE, Capability.OPTIMIZE, Capability.ENUMERATE, Capability.COUNT})

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
        cut = restrict(problem, fixed)
        self._check(cut)
        found = 0
        for assignment in cut.assignments():
            if limit is not None and found >= limit:
                return
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
        """The first solution, or the lexicographically best one for the objectives."""
        started = time.perf_counter()
        return best_of(self.solutions(problem, fixed=fixed), objectives, started)

    def count(self, problem: Problem, *, fixed: Fixed | None = None) -> int:
        """The exact number of solutions."""
        return sum(1 for _ in self.solutions(problem, fixed=fixed))
