"""Solver sessions kept per process: one per catalog and date, so a catalog's diagram and model build once.

Assembly borrows a kept session with :func:`kept_session` (its choices cleared before and after, one borrower at
a time per session). Each kept session remembers up to :func:`reconfigure_memo` reconfigurations and checker
answers, so customers who own the same configuration share the work (a campaign over the installed base);
:func:`set_reconfigure_memo` changes that size (0 remembers nothing) and forgets the kept sessions.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}}}})
    >>> with kept_session(bike, None) as first:
    ...     first.select("frame", "carbon")
    >>> with kept_session(bike, None) as again:
    ...     again is first, again.choices
    (True, ())
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator

from configurator.catalog.models import Catalog
from configurator.solver.session import ConfigurationSession

__all__ = ["kept_session", "reconfigure_memo", "set_reconfigure_memo"]

_SESSIONS: dict[tuple[int, dt.date | None], tuple[Catalog, ConfigurationSession, threading.Lock]] = {}
_SESSIONS_LOCK = threading.Lock()
_SESSIONS_MAX = 16
_MEMO = [8192]
"""Reconfigurations (and checker answers) remembered per kept session."""


def reconfigure_memo() -> int:
    """How many reconfigurations each kept session remembers."""
    return _MEMO[0]


def set_reconfigure_memo(size: int) -> None:
    """Remember ``size`` reconfigurations per kept session from now on (0: none); the kept sessions are dropped."""
    with _SESSIONS_LOCK:
        _MEMO[0] = max(0, size)
        _SESSIONS.clear()


@contextlib.contextmanager
def kept_session(catalog: Catalog, on: dt.date | None) -> Iterator[ConfigurationSession]:
    """A session of ``catalog`` with no choices, kept per process so its decision diagram compiles once."""
    key = (id(catalog), on)
    with _SESSIONS_LOCK:
        found = _SESSIONS.get(key)
        if found is None or found[0] is not catalog:
            found = (catalog, ConfigurationSession(catalog, on=on, memo=_MEMO[0]), threading.Lock())
            _SESSIONS[key] = found
            while len(_SESSIONS) > _SESSIONS_MAX:
                del _SESSIONS[next(iter(_SESSIONS))]
    _, session, lock = found
    with lock:
        session.clear()
        try:
            yield session
        finally:
            session.clear()
