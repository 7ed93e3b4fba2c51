"""The Ganak engine: exact projected model counting of a problem's CNF, in this process or in a child.

Ganak (through the ``pyganak`` package, an optional dependency imported when a count runs) preprocesses the
CNF with Arjun and counts it exactly. :func:`count_cnf` first simplifies the CNF (:func:`.cnf.simplify`: unit
propagation, equivalent literals merged, independent components), splits the long clauses of big components
(:func:`.cnf.split_long`), and counts each distinct component once, over all its variables: the encoding defines every auxiliary, so no sampling set is needed, and Arjun's and
Ganak's time grows faster than the size of what they are given (a model of 18,616 features and 674
components counts in seconds this way, and not within minutes as one CNF). It checks that each answer is a
Python ``int`` (never a double). Ganak has no time limit of
its own and writes diagnostic lines to standard output (silenced here), so :func:`count_in_child` runs it in a
forked child (:mod:`.child`) with a wall-clock limit and an optional address-space cap.

Example:
    >>> from configurator.solver.problem import Problem, Variable, Constraint, Lit, Not
    >>> p = Problem(tuple(Variable(f"v{i}", (0, 1)) for i in range(80)),
    ...             (Constraint("r", Not(Lit("v0", frozenset({0})))),))
    >>> ganak_count(p) == 2**79
    True
    >>> count_in_child(p, time_limit=60) == 2**79
    True
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from configurator.errors import SolverError
from configurator.solver.counting.child import run_in_child
from configurator.solver.counting.cnf import Cnf, encode, simplify, split_long
from configurator.solver.problem import Problem

__all__ = [
    "SPLIT_FROM_VARIABLES",
    "count_clauses",
    "count_cnf",
    "count_in_child",
    "ganak_count",
    "import_ganak",
]

SPLIT_FROM_VARIABLES = 500
"""Components of at least this many variables have their long clauses split (:func:`.cnf.split_long`) before
counting: there the narrower tree decomposition pays (a 1,870-variable component: 9 s instead of 17); on small
ones the extra variables cost more than they save (a 205-variable one: 2.8 s instead of 0.7)."""


def import_ganak() -> Any:
    """The ``pyganak`` module.

    Raises:
        SolverError: ``pyganak`` is not installed.

    Example:
        >>> import_ganak().__name__
        'pyganak'
    """
    try:
        import pyganak
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SolverError(
            "#SAT counting needs the 'pyganak' package: pip install 'configurator[solver]'"
        ) from exc
    return pyganak


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Standard output (file descriptor 1) goes to the null device meanwhile (Ganak prints from C++)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def count_cnf(cnf: Cnf, *, project: bool = True, simplified: bool = True) -> int:
    """The exact model count of ``cnf`` over its projection set (all its variables with ``project=False``).

    Args:
        cnf: the CNF.
        project: count the projection set's assignments (False: every variable's).
        simplified: simplify and split first, then count each distinct component (a big one's long clauses
            split) by Ganak over all its variables; used when that count is the one asked for (``project=False``, or a
            :attr:`~.cnf.Cnf.defined` CNF). False: Ganak counts the whole CNF as given.

    Example:
        >>> from configurator.solver.counting.cnf import Cnf
        >>> count_cnf(Cnf(nvars=3, clauses=[[1, 2], [-1, 3]], projection=(1, 2)))
        3
        >>> count_cnf(Cnf(nvars=3, clauses=[[1, 2], [-1, 3]], projection=(1, 2)), project=False)
        4
        >>> count_cnf(Cnf(nvars=3, clauses=[[1, 2], [-1, 3]], projection=(1, 2), defined=True))  # trusted: all variables
        4
    """
    if cnf.unsatisfiable:
        return 0
    if not simplified or (project and not cnf.defined):
        return count_clauses(cnf.nvars, cnf.clauses, cnf.projection if project else None)
    parts = simplify(cnf)
    if parts.unsatisfiable:
        return 0
    total = 1 << parts.free
    known: dict[object, int] = {}
    for part in parts.components:  # smallest first: a part without models ends the count early
        if part not in known:
            big = part.nvars >= SPLIT_FROM_VARIABLES
            known[part] = count_clauses(
                *(split_long(part.nvars, part.clauses) if big else (part.nvars, part.clauses))
            )
        if not known[part]:
            return 0
        total *= known[part]
    return total


def count_clauses(
    nvars: int, clauses: Iterable[Iterable[int]], projection: Iterable[int] | None = None
) -> int:
    """Ganak's exact count of the models of ``clauses`` over ``1..nvars`` (or over ``projection``).

    Raises:
        SolverError: ``pyganak`` is missing or answered something other than a non-negative integer.

    Example:
        >>> count_clauses(3, [[1, 2], [-1, 3]]), count_clauses(3, [[1, 2], [-1, 3]], (1, 2))
        (4, 3)
    """
    counter = import_ganak().Counter()
    if nvars:
        counter.new_vars(nvars)
    counter.add_clauses(clauses)
    if projection is not None:
        counter.set_sampling_set(projection)
    with _quiet_stdout():
        result = counter.count()
    if isinstance(result, bool) or not isinstance(result, int | str):
        raise SolverError(f"the #SAT counter answered {result!r}, not an exact integer")
    value = int(result)  # an exact decimal string would convert exactly; a float is refused above
    if value < 0:
        raise SolverError(f"the #SAT counter answered a negative count ({value})")
    return value


def ganak_count(problem: Problem, fixed: Mapping[str, Iterable[int]] | None = None) -> int:
    """The exact number of solutions of ``problem`` (domains narrowed to ``fixed``), counted by Ganak here.

    No time limit: use :func:`count_in_child` for one.

    Raises:
        SolverError: the problem is unsuited to the CNF encoding, or ``pyganak`` is missing.

    Example:
        >>> from configurator.solver.problem import Problem, Variable, Constraint, Linear
        >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))),
        ...             (Constraint("sum", Linear(((1, "x"), (1, "y")), "<=", 2)),))
        >>> ganak_count(p), ganak_count(p, {"x": [2]})
        (6, 1)
    """
    return count_cnf(encode(problem, fixed))


def count_in_child(
    problem: Problem,
    fixed: Mapping[str, Iterable[int]] | None = None,
    *,
    time_limit: float | None = 60.0,
    memory_limit: int | None = None,
) -> int:
    """Count like :func:`ganak_count`, in a forked child killed after ``time_limit`` seconds.

    The CNF is built in the child too (the time limit covers encoding: Renault big's CNF takes 50 s to build).

    Args:
        problem: the problem.
        fixed: allowed values per variable.
        time_limit: wall-clock seconds for the child (None: no limit).
        memory_limit: bytes of address space the child may use (None: no cap).

    Raises:
        BackendLimitError: the child passed ``time_limit``, ran out of memory or died.
        SolverError: the problem is unsuited to the CNF encoding, or ``pyganak`` is missing.
    """
    import_ganak()
    return run_in_child(
        lambda: count_cnf(encode(problem, fixed)),
        time_limit=time_limit,
        memory_limit=memory_limit,
        what=f"#SAT counting of {problem.name}",
    )
