"""Minimal conflicts on one kept CP-SAT model: every constraint a reified literal, every check an assumption set.

The solver's reason for a removed option (:func:`configurator.solver.operations.minimal_conflict`) is an
irreducible set of the user's choices and the catalog's rules that, with the catalog's structure, rules the
option out. Found by deletion, it takes one feasibility check per candidate; building a CP-SAT model for each
check cost most of a reason (the kitchen catalog: about 50 models of 20 ms each for one option). Here the
model of a problem's variables is built once per process: each constraint asked about gets a literal
equivalent to it (created on first use, :meth:`~configurator.solver.backends.cpsat.CpSatModel.literal`), and
a check solves under assumptions (the hard constraints' literals and the kept candidates'), with presolve
and probing off (the checks are small). An infeasible check returns CP-SAT's sufficient assumptions, so the
candidates shrink to that core at once (clause-set refinement): a minimal conflict takes a few checks of a
millisecond or two.

Example:
    >>> from configurator.solver.problem import Constraint, Linear, Lit, Problem, Variable
    >>> xs = (Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2)))
    >>> hard = [Constraint("sum", Linear(((1, "a"), (1, "b")), "<=", 2))]
    >>> soft = [Constraint("a=2", Lit("a", frozenset({2}))), Constraint("b>0", Lit("b", frozenset({1, 2}))),
    ...         Constraint("a>0", Lit("a", frozenset({1, 2})))]
    >>> KeptCores(xs).minimal(hard, soft)
    ('a=2', 'b>0')
    >>> KeptCores(xs).minimal(hard, soft[1:]) is None
    True
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from ortools.sat.python import cp_model

from configurator.errors import SolverError
from configurator.solver.backends.cpsat import CpSatModel, quick_solver
from configurator.solver.deletion import irreducible
from configurator.solver.problem import Constraint, Problem, Variable

__all__ = ["MAX_KEPT_MODELS", "KeptCores", "kept_cores"]

MAX_KEPT_MODELS = 16
"""Kept models per process (one per distinct set of variables: a catalog version on a date)."""


class KeptCores:
    """One CP-SAT model of a set of variables, for many minimal-conflict questions about constraints over them.

    Thread-safe: a lock serialises the checks (each one a few milliseconds).

    Args:
        variables: the variables (their domains).
        seed: CP-SAT's random seed.
    """

    def __init__(self, variables: tuple[Variable, ...], *, seed: int = 0) -> None:
        self.built = CpSatModel(Problem(variables, ()))
        self.seed = seed
        self.checks = 0
        self._literals: dict[Constraint, Any] = {}
        self._lock = threading.Lock()

    def _literal(self, constraint: Constraint) -> Any:
        found = self._literals.get(constraint)
        if found is None:
            found = self._literals[constraint] = self.built.literal(constraint.expr)
        return found

    def _check(self, hard: Sequence[Any], soft: Sequence[Any]) -> list[int] | None:
        """None when the hard and soft literals hold together; else a core: indexes into ``soft``."""
        model = self.built.model
        model.clear_assumptions()
        model.add_assumptions([*hard, *soft])
        solver = quick_solver(self.seed, fixed_search=False)
        code = solver.solve(model)
        self.checks += 1
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        if code != cp_model.INFEASIBLE:
            raise SolverError(f"CP-SAT could not decide a conflict check: {solver.status_name(code)}")
        where = {lit.index: k for k, lit in enumerate(soft)}
        core = {where[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in where}
        return sorted(core)

    def minimal(self, hard: Sequence[Constraint], soft: Sequence[Constraint]) -> tuple[str, ...] | None:
        """Ids of an irreducible subset of ``soft`` infeasible with ``hard`` (in ``soft``'s order); None if all hold.

        Raises:
            SolverError: CP-SAT could not decide a check.
        """
        with self._lock:
            if self.built.infeasible:
                return ()
            hard_literals = [self._literal(c) for c in hard]
            found = irreducible(
                list(soft), lambda trial: self._check(hard_literals, [self._literal(c) for c in trial])
            )
            return None if found is None else tuple(c.id for c in found)


_kept: OrderedDict[tuple[tuple[Variable, ...], int], KeptCores] = OrderedDict()
_kept_lock = threading.Lock()


def kept_cores(variables: tuple[Variable, ...], *, seed: int = 0) -> KeptCores:
    """The process's :class:`KeptCores` for ``variables``, made on first use.

    Beyond ``MAX_KEPT_MODELS`` the least recently used is dropped.

    Example:
        >>> from configurator.solver.problem import Variable
        >>> xs = (Variable("a", (0, 1)),)
        >>> kept_cores(xs) is kept_cores((Variable("a", (0, 1)),))
        True
    """
    key = (variables, seed)
    with _kept_lock:
        found = _kept.get(key)
        if found is None:
            found = _kept[key] = KeptCores(variables, seed=seed)
            while len(_kept) > MAX_KEPT_MODELS:
                _kept.popitem(last=False)
        _kept.move_to_end(key)
        return found
