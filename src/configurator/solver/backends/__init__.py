"""Solver backends: cpsat (default), python_constraint (readable reference), exhaustive (test oracle).

Importing the package is cheap: each public name is imported from its submodule the first time it is used
(so that nothing loads OR-Tools, CUDD or python-constraint before a backend needs it).

Example:
    >>> from configurator.solver import backends
    >>> from configurator.solver.problem import Problem, Variable
    >>> backends.ExhaustiveBackend().count(Problem((Variable("x", (0, 1)),)))
    2
"""

import typing

from configurator.lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from configurator.solver.backends.cpsat import CpSatBackend, CpSatModel, CpSatOptimizer, CpSatPropagator
    from configurator.solver.backends.exhaustive import ExhaustiveBackend
    from configurator.solver.backends.python_constraint import PythonConstraintBackend

__all__ = [
    "CpSatBackend",
    "CpSatModel",
    "CpSatOptimizer",
    "CpSatPropagator",
    "ExhaustiveBackend",
    "PythonConstraintBackend",
]

_LAZY = {
    "CpSatBackend": "configurator.solver.backends.cpsat",
    "CpSatModel": "configurator.solver.backends.cpsat",
    "CpSatOptimizer": "configurator.solver.backends.cpsat",
    "CpSatPropagator": "configurator.solver.backends.cpsat",
    "ExhaustiveBackend": "configurator.solver.backends.exhaustive",
    "PythonConstraintBackend": "configurator.solver.backends.python_constraint",
}
"""The public names imported on first use, and the submodule each comes from."""


_import_on_first_use, __dir__ = _lazy_exports(__name__, _LAZY, globals())

if not typing.TYPE_CHECKING:  # type checkers see the imports above, so a misspelt name stays an error
    __getattr__ = _import_on_first_use
