"""The python-constraint backend: the readable reference for small catalogs.

python-constraint (PyPI ``python-constraint2``) searches by backtracking with forward checking; each of our
constraints becomes a ``FunctionConstraint`` over its scope, evaluated by :func:`~configurator.solver.problem.holds`.
It has no native objective: optimisation enumerates every solution, so problems whose search space exceeds
``max_size`` are refused with :class:`~configurator.errors.BackendLimitError` naming the limit.

Example:
    >>> from configurator.solver.problem import Problem, Variable, Constraint, Linear
    >>> p = Problem((Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2))),
    ...             (Constraint("sum", Linear(((1, "a"), (1, "b")), "==", 2)),))
    >>> PythonConstraintBackend().count(p)
    3
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from configurator.errors import BackendLimitError
from configurator.solver.backend import Capability, Fixed, Result
from configurator.solver.backends._common import best_of, restrict
from configurator.solver.problem import BoolExpr, Objective, Problem, holds, scope

__all__ = ["PythonConstraintBackend"]


def _checker(expr: BoolExpr, names: tuple[str, ...]) -> Any:
    def check(*values: int) -> bool:
        return holds(expr, dict(zip(names, values, strict=True)))

    return check


class PythonConstraintBackend:
    """Backtracking search with python-constraint; optimisation by full enumeration (bounded by ``max_size``)."""

    name = "python_constraint"
    capabilities = frozenset({Capability.SOLVE, Capability.ENUMERATE, Capability.COUNT})

    def __init__(self, max_size: int = 20_000_000) -> None:
        self.max_size = max_size

    def _build(self, problem: Problem) -> Any:
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
            model.addConstraint(constraint.FunctionConstraint(_checker(c.expr, names)), list(names))
        return model

    def solutions(
        self, problem: Problem, *, fixed: Fixed | None = None, limit: int | None = None
    ) -> Iterator[dict[str, int]]:
        """Solutions in python-constraint's search order."""
        model = self._build(restrict(problem, fixed))
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
            yield {name: int(value) for name, value in solution.items()}

    def solve(
        self,
        problem: Problem,
        *,
        fixed: Fixed | None = None,
        objectives: Sequence[Objective] = (),
        time_limit: float | None = None,
    ) -> Result:
        """One solution; with objectives, the best of all solutions (refused beyond ``max_size``)."""
        started = time.perf_counter()
        cut = restrict(problem, fixed)
        if objectives and cut.size() > self.max_size:
            raise BackendLimitError(
                f"python_constraint has no native objective and optimises by enumerating every solution; it is "
                f"limited to search spaces of {self.max_size:,} assignments and this one has {cut.size():,} "
                f"(use the cpsat backend)"
            )
        return best_of(self.solutions(cut, limit=None if objectives else 1), objectives, started)

    def count(self, problem: Problem, *, fixed: Fixed | None = None) -> int:
        """The exact number of solutions, by enumeration."""
        return sum(1 for _ in self.solutions(problem, fixed=fixed))
