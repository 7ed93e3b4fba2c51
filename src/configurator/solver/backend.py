"""The backend Protocol, declared capabilities, results, and the explicit registry of backends.

A backend solves a :class:`~configurator.solver.problem.Problem` under optional fixed values, optimises a
lexicographic list of linear objectives, enumerates and counts solutions. It declares what it does natively;
it never fakes a capability (habit 4): operations check ``capabilities`` and say which backend to use instead.
A backend may also offer incremental engines, used by the operations when present: ``optimizer(problem)``
returns an :class:`Optimizer` (one model kept for many optimisations), ``propagator(problem)`` one for
propagation.

Example:
    >>> sorted(available_backends())
    ['cpsat', 'exhaustive', 'python_constraint']
    >>> get_backend("exhaustive").capabilities >= {"solve", "count"}
    True
    >>> get_backend("nope")
    Traceback (most recent call last):
    ...
    configurator.errors.SolverError: unknown backend 'nope'; available: cpsat, exhaustive, python_constraint
    >>> require(get_backend("python_constraint"), "optimize", Capability.OPTIMIZE)
    Traceback (most recent call last):
    ...
    configurator.errors.BackendCapabilityError: the python_constraint backend cannot optimize: ...
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from configurator.errors import BackendCapabilityError, SolverError, suggest
from configurator.solver.problem import BoolExpr, Objective, Problem

__all__ = [
    "DEFAULT_BACKEND",
    "Backend",
    "Capability",
    "Fixed",
    "Optimizer",
    "Result",
    "Status",
    "available_backends",
    "get_backend",
    "register_backend",
    "require",
]

DEFAULT_BACKEND = "cpsat"

Fixed = Mapping[str, frozenset[int]]
"""Values each named variable is restricted to (user choices, assumptions)."""


class Status(enum.StrEnum):
    """Outcome of a solve: proven optimal, feasible (not proven optimal), infeasible, or out of time."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIMED_OUT = "timed_out"


class Capability(enum.StrEnum):
    """What a backend does natively; the operations refuse (:func:`require`) what a backend does not declare."""

    SOLVE = "solve"
    """``solve`` without objectives: propagate, explain, minimal conflicts."""
    OPTIMIZE = "optimize"
    """``solve`` with objectives: optimize, top-k, repair, reconfigure."""
    ENUMERATE = "enumerate"
    """``solutions``."""
    COUNT = "count"
    """``count``."""
    TIME_LIMIT = "time_limit"
    """``solve`` and ``count`` stop after ``time_limit`` seconds (``solve``: status feasible or timed_out)."""


@dataclass(frozen=True)
class Result:
    """A solve result: status, one solution (when found) and the objective values (one per objective)."""

    status: Status
    assignment: dict[str, int] | None = None
    objectives: tuple[int, ...] = ()
    wall_s: float = 0.0
    stats: Mapping[str, object] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        """Whether a solution was found."""
        return self.assignment is not None


@runtime_checkable
class Backend(Protocol):
    """What every solver backend provides."""

    name: str

    @property
    def capabilities(self) -> frozenset[str]:
        """What the backend does natively (:class:`Capability` values); read-only, so a class may narrow it."""
        ...

    def solve(
        self,
        problem: Problem,
        *,
        fixed: Fixed | None = None,
        objectives: Sequence[Objective] = (),
        time_limit: float | None = None,
    ) -> Result:
        """Find a solution; with objectives, the lexicographically best one (first objective first).

        A backend declaring ``time_limit`` stops after ``time_limit`` seconds: status ``feasible`` with the best
        solution found so far (not proven optimal), or ``timed_out`` when it found none.
        """
        ...

    def solutions(
        self, problem: Problem, *, fixed: Fixed | None = None, limit: int | None = None
    ) -> Iterator[dict[str, int]]:
        """Enumerate solutions (at most ``limit``)."""
        ...

    def count(self, problem: Problem, *, fixed: Fixed | None = None, time_limit: float | None = None) -> int:
        """The exact number of solutions.

        A backend declaring ``time_limit`` stops after ``time_limit`` seconds with
        :class:`~configurator.errors.BackendLimitError` (a count cut short is no count).
        """
        ...


@runtime_checkable
class Optimizer(Protocol):
    """One problem's model kept for many optimisations under changing constraints (a backend's ``optimizer``)."""

    def solve(
        self,
        objectives: Sequence[Objective] = (),
        required: Sequence[BoolExpr] = (),
        *,
        time_limit: float | None = None,
    ) -> Result:
        """The lexicographically best solution of the problem meeting every ``required`` expression too."""
        ...


_FACTORIES: dict[str, Callable[[], Backend]] = {}
_LAZY = {
    "cpsat": "configurator.solver.backends.cpsat:CpSatBackend",
    "python_constraint": "configurator.solver.backends.python_constraint:PythonConstraintBackend",
    "exhaustive": "configurator.solver.backends.exhaustive:ExhaustiveBackend",
}


def register_backend(name: str, factory: Callable[[], Backend]) -> None:
    """Register a backend factory under ``name`` (replacing any previous one)."""
    _FACTORIES[name] = factory


def available_backends() -> list[str]:
    """Names of the registered backends (built-in ones included, whether or not their extra is installed)."""
    return sorted({*_LAZY, *_FACTORIES})


def get_backend(name: str | None = None) -> Backend:
    """The backend called ``name`` (default: CP-SAT).

    Raises:
        SolverError: for an unknown name (with a suggestion) or a backend whose extra is not installed.
    """
    key = name or DEFAULT_BACKEND
    if key in _FACTORIES:
        return _FACTORIES[key]()
    if key not in _LAZY:
        hint = suggest(key, available_backends())
        raise SolverError(
            f"unknown backend {key!r}; available: {', '.join(available_backends())}"
            + (f" ({hint})" if hint else "")
        )
    module_name, _, attr = _LAZY[key].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SolverError(
            f"backend {key!r} needs an optional dependency ({exc.name}): pip install 'configurator[solver]'"
        ) from None
    factory: Callable[[], Backend] = getattr(module, attr)
    return factory()


def require(backend: Backend, operation: str, *needed: str) -> None:
    """Refuse ``operation`` unless ``backend`` declares every capability it ``needed``.

    Args:
        backend: the backend about to be called.
        operation: what the caller is about to do, for the message (``optimize``, ``count``, ...).
        needed: the :class:`Capability` values the call relies on.

    Raises:
        BackendCapabilityError: naming the backend, the operation and the registered backends that can.

    Example:
        >>> require(get_backend("exhaustive"), "count", Capability.COUNT)
        >>> require(get_backend("exhaustive"), "honour a time limit", Capability.TIME_LIMIT)
    """
    missing = [c for c in needed if c not in backend.capabilities]
    if not missing:
        return
    capable: list[str] = []
    for name in available_backends():
        try:
            declared = get_backend(name).capabilities
        except SolverError:  # an optional extra not installed: it cannot do anything here
            continue
        if set(needed) <= declared:
            capable.append(name)
    raise BackendCapabilityError(backend.name, operation, missing, capable)
