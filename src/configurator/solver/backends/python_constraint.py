"""The python-constraint backend: the readable reference for small catalogs.

python-constraint (PyPI ``python-constraint2``) searches by backtracking with forward checking; each of our
constraints becomes a ``FunctionConstraint`` over its scope, evaluated by :func:`~configurator.solver.problem.holds`.
It has no native objective: optimisation enumerates every solution, so problems whose search space exceeds
``max_size`` are refused with :class:`~configurator.errors.BackendLimitError` naming the limit (and it does
not declare ``optimize``, so the operations refuse to optimise with it). A time limit is checked at every
constraint check of the search and at every solution.

Example:
    >>> from configurator.solver.problem import Problem, Variable, Constraint, Linear
    >>> p = Problem((Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2))),
    ...             (Constraint("sum", Linear(((1, "a"), (1, "b")), "==", 2)),))
    >>> PythonConstraintBackend().count(p)
    3
    >>> PythonConstraintBackend().solve(p, time_limit=0.0).status  # out of time at the first check
    <Status.TIMED_OUT: 'timed_out'>
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from configurator.errors import BackendLimitError
from configurator.solver.backend import Capability, Fixed, Result
from configurator.solver.backends._common import Deadline, OutOfTime, best_of, restrict
from configurator.solver.problem import BoolExpr, Objective, Problem, holds, scope

__all__ = ["PythonConstraintBackend"]


def _checker(expr: BoolExpr, names: tuple[str, ...], deadline: Deadline) -> Any:
    def check(*values: int) -> bool:
        # the search calls back here between solutions too: the one place to stop a long fruitless search
        deadline.check()
        return holds(expr, dict(zip(names, values, strict=True)))

    return check


class PythonConstraintBackend:
    """Backtracking search with python-constraint; optimisation by full enumeration (bounded by ``max_size``)."""

    name = "python_constraint"
    capabilities = frozenset(
        {Capability.SOLVE, Capability.ENUMERATE, Capability.COUNT, Capability.TIME_LIMIT}
    )

    def __init__(self, max_size: int = 20_000_000) -> None:
        self.max_size = max_size

    def _build(self, problem: Problem, deadline: Deadline) -> Any:
        import constraint

        model = constraint.Problem()
        for var in problem.variables:
            if not var.domain:
                return None
            model.addVariable(var.name, list(var.domain))
        for c in problem.constraints:
            names = tuple(sorted(scope(c.expr)))
            if not names:
                if not holds(c.expr, {}):
                    return None
                continue
            model.addConstraint(constraint.FunctionConstraint(_checker(c.expr, names, deadline)), list(names))
        return model

    def solutions(
        self, problem: Problem, *, fixed: Fixed | None = None, limit: int | None = None
    ) -> Iterator[dict[str, int]]:
        """Solutions in python-constraint's search order."""
        return self._search(problem, fixed, limit, Deadline(None))

    def _search(
        self, problem: Problem, fixed: Fixed | None, limit: int | None, deadline: Deadline
    ) -> Iterator[dict[str, int]]:
        """The solutions; raises :class:`OutOfTime` when ``deadline`` passes."""
        model = self._build(restrict(problem, fixed), deadline)
        if model is None or limit == 0:
            return
        if (
            not problem.variables
        ):  # python-constraint finds no solution without variables; the empty one holds
            yield {}
            return
        for found, solution in enumerate(model.getSolutionIter()):
            if limit is not None and found >= limit:
                return
            deadline.check()
            yield {name: int(value) for name, value in solution.items()}

    def solve(
        self,
        problem: Problem,
        *,
        fixed: Fixed | None = None,
        objectives: Sequence[Objective] = (),
        time_limit: float | None = None,
    ) -> Result:
        """One solution; with objectives, the best of all solutions (refused beyond ``max_size``).

        Out of time: the best solution so far with status feasible, or status timed_out without one.
        """
        started = time.perf_counter()
        cut = restrict(problem, fixed)
        if objectives and cut.size() > self.max_size:
            raise BackendLimitError(
                f"python_constraint has no native objective and optimises by enumerating every solution; it is "
                f"limited to search spaces of {self.max_size:,} assignments and this one has {cut.size():,} "
                f"(use the cpsat backend)"
            )
        search = self._search(cut, None, None if objectives else 1, Deadline(time_limit))
        return best_of(search, objectives, started)

    def count(self, problem: Problem, *, fixed: Fixed | None = None, time_limit: float | None = None) -> int:
        """The exact number of solutions, by enumeration.

        Raises:
            BackendLimitError: when the count does not finish within ``time_limit``.
        """
        deadline = Deadline(time_limit)
        try:
            return sum(1 for _ in self._search(problem, fixed, None, deadline))
        except OutOfTime:
            raise deadline.refuse_count(self.name) from None
