"""Compiled diagrams shared by the whole process: a problem is compiled once, not once per session.

A :class:`DiagramCache` maps what determines a diagram (the :class:`~configurator.solver.problem.Problem`, which
is hashable and compares by content, and the compile budgets) to its :class:`CompiledDiagram`. It is
thread-safe and bounded: the least recently used diagram is dropped beyond ``max_entries`` (callers that hold
it keep it). Threads asking for a problem that is being compiled wait for that compilation instead of starting
another one; when it fails, each of them gets its error. Failures are not kept: the caller decides what to
remember (a configuration session remembers problems that do not compile in time).

:func:`diagram_cache` is the process-wide cache every :class:`~configurator.solver.session.ConfigurationSession`
uses; set its ``max_entries`` to resize it.

Example:
    >>> from configurator.solver.problem import Constraint, Lit, Or, Problem, Variable
    >>> p = Problem((Variable("a", (0, 1)), Variable("b", (0, 1))),
    ...             (Constraint("ab", Or((Lit("a", frozenset({1})), Lit("b", frozenset({1}))))),))
    >>> cache = DiagramCache(max_entries=2)
    >>> first = cache.get(p, time_limit=10.0)
    >>> cache.get(Problem(p.variables, p.constraints), time_limit=10.0) is first  # equal problem: same diagram
    True
    >>> cache.get(p, time_limit=None) is first  # other budgets: another entry
    False
    >>> len(cache), cache.info().hits, cache.info().misses
    (2, 1, 2)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass

from configurator.errors import SolverError
from configurator.solver.dd.compiler import DEFAULT_MAX_NODES, DEFAULT_MAX_SUMS, DEFAULT_TIME_LIMIT
from configurator.solver.dd.diagram import CompiledDiagram
from configurator.solver.problem import Problem

__all__ = ["DEFAULT_MAX_DIAGRAMS", "CacheInfo", "DiagramCache", "diagram_cache"]

DEFAULT_MAX_DIAGRAMS = 32
"""Diagrams the process-wide cache keeps: a few versions of a few catalogs on a few dates."""

_Key = tuple[Problem, int, float | None, bool, int, int | None]


@dataclass(frozen=True)
class CacheInfo:
    """How a :class:`DiagramCache` has been used.

    Attributes:
        hits: lookups answered by a kept diagram (or by a compilation already under way).
        misses: lookups that compiled.
        size: diagrams kept now.
        max_entries: the most diagrams kept.
    """

    hits: int
    misses: int
    size: int
    max_entries: int


class DiagramCache:
    """A thread-safe, bounded (least recently used) cache of compiled diagrams; see the module docstring.

    Args:
        max_entries: the most diagrams kept (0 keeps none, but concurrent requests still compile once).

    Raises:
        SolverError: ``max_entries`` is negative.
    """

    def __init__(self, max_entries: int = DEFAULT_MAX_DIAGRAMS) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[_Key, CompiledDiagram] = OrderedDict()
        self._pending: dict[_Key, Future[CompiledDiagram]] = {}
        self._hits = 0
        self._misses = 0
        self._max_entries = _checked(max_entries)

    @property
    def max_entries(self) -> int:
        """The most diagrams kept; lowering it drops the least recently used ones at once."""
        return self._max_entries

    @max_entries.setter
    def max_entries(self, value: int) -> None:
        with self._lock:
            self._max_entries = _checked(value)
            self._evict()

    def __len__(self) -> int:
        return len(self._entries)

    def info(self) -> CacheInfo:
        """Hits, misses and size so far."""
        with self._lock:
            return CacheInfo(self._hits, self._misses, len(self._entries), self._max_entries)

    def clear(self) -> None:
        """Forget every kept diagram (compilations under way still finish and are kept)."""
        with self._lock:
            self._entries.clear()

    def get(
        self,
        problem: Problem,
        *,
        max_nodes: int = DEFAULT_MAX_NODES,
        time_limit: float | None = DEFAULT_TIME_LIMIT,
        reorder: bool = True,
        max_sums: int = DEFAULT_MAX_SUMS,
        max_memory: int | None = None,
    ) -> CompiledDiagram:
        """The problem's diagram under these budgets: the kept one, or compiled now (once across threads).

        The arguments are those of :meth:`CompiledDiagram.compile`; together they are the key.

        Raises:
            BackendLimitError: a budget was exceeded (every thread waiting for this compilation gets it).
            SolverError: as :meth:`CompiledDiagram.compile`.
        """
        key: _Key = (problem, max_nodes, time_limit, reorder, max_sums, max_memory)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self._hits += 1
                return found
            waiting = self._pending.get(key)
            pending: Future[CompiledDiagram] = Future()
            if waiting is None:
                self._pending[key] = pending
                self._misses += 1
            else:
                self._hits += 1
        if waiting is not None:
            return waiting.result()
        return self._compile(key, pending)

    def _compile(self, key: _Key, pending: Future[CompiledDiagram]) -> CompiledDiagram:
        """Compile ``key``'s problem in this thread and hand the result to the threads waiting for it."""
        problem, max_nodes, time_limit, reorder, max_sums, max_memory = key
        try:
            diagram = CompiledDiagram.compile(
                problem,
                max_nodes=max_nodes,
                time_limit=time_limit,
                reorder=reorder,
                max_sums=max_sums,
                max_memory=max_memory,
            )
        except BaseException as exc:
            with self._lock:
                del self._pending[key]
            pending.set_exception(exc)
            raise
        with self._lock:
            del self._pending[key]
            self._entries[key] = diagram
            self._evict()
        pending.set_result(diagram)
        return diagram

    def _evict(self) -> None:
        """Drop the least recently used diagrams beyond ``max_entries`` (the lock is held)."""
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


def _checked(max_entries: int) -> int:
    if max_entries < 0:
        raise SolverError(f"a diagram cache keeps at least 0 diagrams, got max_entries={max_entries}")
    return max_entries


_PROCESS_CACHE = DiagramCache()


def diagram_cache() -> DiagramCache:
    """The process-wide cache of compiled diagrams (shared by every configuration session).

    Example:
        >>> diagram_cache() is diagram_cache(), diagram_cache().max_entries >= 1
        (True, True)
    """
    return _PROCESS_CACHE
