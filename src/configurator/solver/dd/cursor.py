"""One caller's incremental propagation over a shared compiled diagram, and what one choice released would allow.

A :class:`DiagramCursor` keeps the counters of a :class:`~configurator.solver.dd.diagram.CompiledDiagram`'s
propagation for one growing sequence of assumptions (a configuration session). Its counters hold, for every
node, whether it is reached from the root and whether it reaches the true terminal under the assumptions.
Those two facts about the nodes of one variable's level depend only on the assumptions of the other levels,
so :meth:`DiagramCursor.released_domains` reads, for every assumed variable at once, the values it could take
if its own assumption were released and the others kept (a rep's "what else could I pick here?"), in one pass
over those levels' edges instead of one propagation per variable.

Example:
    >>> from configurator.solver.dd.diagram import CompiledDiagram
    >>> from configurator.solver.problem import Constraint, Lit, Or, Problem, Variable
    >>> p = Problem((Variable("a", (0, 1)), Variable("b", (0, 1))),
    ...             (Constraint("ab", Or((Lit("a", frozenset({1})), Lit("b", frozenset({1}))))),))
    >>> cursor = CompiledDiagram.compile(p).cursor()
    >>> cursor.valid_domains({"a": 0, "b": 1})
    {'a': (0,), 'b': (1,)}
    >>> cursor.released_domains({"a": 0, "b": 1})
    {'a': (0, 1), 'b': (1,)}
    >>> twin = cursor.copy()
    >>> twin.valid_domains({"a": 0, "b": 1}) == cursor.valid_domains({"a": 0, "b": 1})
    True
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from configurator.solver.dd.diagram import CompiledDiagram, _State

__all__ = ["DiagramCursor"]


class DiagramCursor:
    """One caller's incremental propagation over a shared :class:`CompiledDiagram` (see :meth:`~CompiledDiagram.cursor`).

    It keeps the counters of its last call and, when the next call extends those assumptions, propagates only
    the difference; anything else starts again from the diagram's pristine counters, which are never changed.
    Its counters are copied from them on the first call with assumptions. A lock makes a cursor safe to call
    from several threads; the diagram itself is only read.

    Attributes:
        diagram: the diagram.
    """

    def __init__(self, diagram: CompiledDiagram) -> None:
        self.diagram = diagram
        self._state: _State | None = None
        self._lock = threading.Lock()

    def copy(self) -> DiagramCursor:
        """A cursor of its own that starts from this cursor's counters (another session's copy of this one)."""
        twin = DiagramCursor(self.diagram)
        with self._lock:
            twin._state = None if self._state is None else self._state.copy()
        return twin

    def valid_domains(self, assumptions: Mapping[str, int] | None = None) -> dict[str, tuple[int, ...]]:
        """As :meth:`CompiledDiagram.valid_domains`, from this cursor's last call."""
        diagram = self.diagram
        levels = diagram._levels(assumptions)
        if levels is None or diagram._root < 0:
            return {name: () for name in diagram.problem.names}
        with self._lock:
            self._state, domains = diagram._advance(self._state, levels)
            return domains

    def released_domains(self, assumptions: Mapping[str, int]) -> dict[str, tuple[int, ...]] | None:
        """For each assumed variable, the values it could take with its own assumption released, the rest kept.

        Exact, like :meth:`valid_domains`: each value listed extends, with the other assumptions, to a full
        solution. None when that cannot be read from the counters: the assumptions together have no solution,
        or one of them is outside its domain or on a variable the diagram holds fixed (ask again with the
        assumption removed instead).
        """
        diagram = self.diagram
        levels = diagram._levels(assumptions)
        if levels is None or diagram._root < 0 or any(name not in diagram._level_of for name in assumptions):
            return None
        with self._lock:
            self._state, _ = diagram._advance(self._state, levels)
            state = self._state if self._state is not None else diagram._pristine
            if not state.alive[diagram._root]:
                return None
            top = diagram._pos[diagram._root]
            src, dst, val = diagram._src, diagram._dst, diagram._val
            reach, alive, first = state.reach, state.alive, diagram._level_edges
            found: dict[str, tuple[int, ...]] = {}
            for name in assumptions:
                p = diagram._level_of[name]
                domain = diagram._domains[p]
                if p < top or state.cover[p]:  # the root is below, or an edge that skips the level is used
                    found[name] = domain
                    continue
                codes = {val[e] for e in range(first[p], first[p + 1]) if reach[src[e]] and alive[dst[e]]}
                found[name] = tuple(value for code, value in enumerate(domain) if code in codes)
            return found
