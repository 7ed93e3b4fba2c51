"""Irreducible conflicts by deletion, shrinking to the solver's core after every infeasible check.

Both kept engines of minimal conflicts (the incremental SAT kernel, :mod:`configurator.solver.sat`, and the kept
CP-SAT model, :mod:`configurator.solver.backends.cpsat_core`) answer "do these hold together?" with either
"yes" or a core: the candidates that took part in the proof of "no". Deletion drops each candidate in turn and
keeps it out when the rest still conflicts; taking the core of every such check at once (clause-set
refinement) drops many candidates per check. The result is irreducible: each element left was needed when it
was tried, and a later, smaller set cannot make it unneeded (an infeasible subset of the set without it would
have made it unneeded then).

Example:
    >>> def core(items):  # "infeasible" when both 2 and 3 are in: the core names them
    ...     return [k for k, x in enumerate(items) if x in (2, 3)] if {2, 3} <= set(items) else None
    >>> irreducible([1, 2, 3, 4], core), irreducible([1, 2], core)
    ([2, 3], None)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["irreducible"]

T = TypeVar("T")


def irreducible(candidates: Sequence[T], core: Callable[[Sequence[T]], list[int] | None]) -> list[T] | None:
    """An irreducible infeasible subset of ``candidates`` (in their order), or None when they hold together.

    Args:
        candidates: what may be blamed.
        core: for a list of candidates, None when they hold together, else the indexes of a core among them
            (a subset that is infeasible on its own; all of them will do).
    """
    found = core(candidates)
    if found is None:
        return None
    kept = [candidates[k] for k in found]
    k = 0
    while k < len(kept):
        trial = kept[:k] + kept[k + 1 :]
        smaller = core(trial)
        if smaller is None:
            k += 1  # needed
        else:
            inside = set(smaller)
            kept = [c for j, c in enumerate(trial) if j in inside or j < k]
    return kept
