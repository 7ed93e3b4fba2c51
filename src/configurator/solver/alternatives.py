"""What could replace each choice of a one-option module, the other choices kept (the rep's "what else here?").

:func:`alternatives` answers for every such choice of a session at once. On a compiled diagram it reads the
session's own propagation counters (:meth:`~configurator.solver.dd.cursor.DiagramCursor.released_domains`: one
pass, exact); otherwise it asks the session's propagator about that module's options only, with the other
choices (on the kept incremental SAT solver, a few solves each); a choice it cannot release that way (a quantity
too) is asked of a copy of the session with that choice unset. Both give the same options: the ones that extend, with the other choices, to a valid configuration.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.solver.session import ConfigurationSession
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "steel": {}, "carbon": {}}},
    ...                 "motor": {"options": {"hub": {}, "mid": {}}}},
    ...     "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}]})
    >>> session = ConfigurationSession(bike)
    >>> session.select("frame", "alu"); session.select("motor", "hub")
    >>> alternatives(session)
    {'frame': ['alu', 'steel'], 'motor': ['hub', 'mid']}
"""

from __future__ import annotations

from configurator.solver.choices import Choice
from configurator.solver.problem import Lit
from configurator.solver.session import ConfigurationSession

__all__ = ["alternatives"]


def alternatives(session: ConfigurationSession) -> dict[str, list[str]]:
    """For each one-option module with a selected option, the options that could replace it under the other choices.

    The module's options in catalog order, the selected one included when it is still valid.
    """
    singles = [
        choice
        for choice in session.choices
        if choice.selected
        and choice.module in session.catalog.modules
        and session.catalog.modules[choice.module].max_choices == 1
    ]
    fast = (_released(session, singles) or _by_solver(session, singles)) if singles else {}
    found: dict[str, list[str]] = {}
    for choice in singles:
        options = fast.get(choice.module)
        if options is None:
            other = session.copy()
            other.unset(choice.module, choice.option)
            options = list(other.domains()[choice.module])
        found[choice.module] = options
    return found


def _released(session: ConfigurationSession, singles: list[Choice]) -> dict[str, list[str]]:
    """The answers the session's diagram counters give (modules left out are asked the slow way)."""
    if session.propagation == "solver":
        return {}
    pairs = session._assumption_pairs()
    diagram = session.diagram() if pairs is not None else None
    if diagram is None or pairs is None:
        return {}
    session.domains()  # the session's cursor, advanced to its choices
    cursor = session._cursor
    released = None if cursor is None else cursor.released_domains({n: v for n, v, _ in pairs})
    if released is None:
        return {}
    found: dict[str, list[str]] = {}
    for choice in singles:
        mine = [name for name, _, key in pairs if key == choice.key]
        if len(mine) != 1:  # a quantity too: released together only by asking again
            continue
        values = set(released[mine[0]])
        options: list[str] = []
        for option in session.catalog.modules[choice.module].options:
            literal = session.cp.selected(choice.module, option)
            if not isinstance(literal, Lit) or literal.var != mine[0]:
                break
            if literal.values & values:
                options.append(option)
        else:
            found[choice.module] = options
    return found


def _by_solver(session: ConfigurationSession, singles: list[Choice]) -> dict[str, list[str]]:
    """The answers of the session's propagator: per module, its options asked with the other choices only."""
    if session.diagram() is not None and session.propagation != "solver":
        return {}  # a diagram session whose choices the counters could not release: ask copies
    if session._propagator is None:
        session.domains()  # creates the session's propagator
    propagator = session._propagator
    if propagator is None:
        return {}
    found: dict[str, list[str]] = {}
    for choice in singles:
        keys: list[str] = []
        queries: list[Lit] = []
        for option in session.catalog.modules[choice.module].options:
            literal = session.cp.selected(choice.module, option)
            if isinstance(literal, Lit):
                keys.append(option)
                queries.append(literal)
        extra = [session._choice_expr(c) for c in session.choices if c.key != choice.key]
        supported = propagator.supported(queries, extra=extra)
        found[choice.module] = [option for option, ok in zip(keys, supported, strict=True) if ok]
    return found
