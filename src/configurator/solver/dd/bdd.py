"""The CUDD adapter of the decision diagrams: the node type, loading CUDD, and the budget signal.

CUDD comes through the ``dd`` package (an optional dependency): it is imported only when a diagram is built,
so that everything else in the solver works without it.

Example:
    >>> cudd = import_cudd()
    >>> manager = cudd.BDD()
    >>> manager.declare("a")
    >>> node: Node = manager.var("a")
    >>> node == manager.true, (node | ~node) == manager.true
    (False, True)
    >>> del node
"""

from __future__ import annotations

from typing import Any, TypeAlias

from configurator.errors import SolverError

__all__ = ["CompileAborted", "Node", "import_cudd"]

Node: TypeAlias = Any
"""A ``dd.cudd.Function`` (the ``dd`` package ships no type information for its CUDD extension)."""


class CompileAborted(Exception):
    """A compilation budget was exceeded; the message names it.

    Raised inside the compiler and turned into :class:`~configurator.errors.BackendLimitError` outside, once
    every CUDD handle is gone.

    Example:
        >>> str(CompileAborted("time limit of 1 s exceeded"))
        'time limit of 1 s exceeded'
    """


def import_cudd() -> Any:
    """The ``dd.cudd`` module.

    Returns:
        The module (its ``BDD`` class is the manager).

    Raises:
        SolverError: ``dd`` is not installed with CUDD.

    Example:
        >>> import_cudd().__name__
        'dd.cudd'
    """
    try:
        from dd import cudd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SolverError(
            "decision diagrams need the 'dd' package with CUDD: pip install 'configurator[solver]'"
        ) from exc
    return cudd
