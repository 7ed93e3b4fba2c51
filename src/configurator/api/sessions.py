"""The API's configuration sessions: kept in this process, bounded by count (LRU) and idle time (TTL).

A session is a :class:`~configurator.solver.session.ConfigurationSession` plus what the API attached to it (the
catalog id and, for a known customer, their learned needs). Sessions live in the memory of the process that
created them: behind several worker processes, route a session's requests to the same worker (sticky
sessions) or run one worker. A session unused for ``ttl`` seconds, or the least recently used one when more
than ``max_sessions`` are open, is dropped; asking for it afterwards is :class:`UnknownSessionError` (404).

Each entry has its own lock: the solver session is not thread-safe, and the server runs requests on threads.

Example:
    >>> clock = [0.0]
    >>> store: SessionStore[str] = SessionStore(max_sessions=2, ttl=60, clock=lambda: clock[0])
    >>> a = store.add("A"); b = store.add("B")
    >>> store.get(a).value
    'A'
    >>> c = store.add("C")                 # evicts B, the least recently used
    >>> len(store), b in store, a in store
    (2, False, True)
    >>> clock[0] = 61.0                     # idle past the TTL
    >>> store.get(a)
    Traceback (most recent call last):
    ...
    configurator.errors.UnknownSessionError: unknown or expired session '...'
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from configurator.errors import UnknownSessionError

__all__ = ["Entry", "SessionStore"]

T = TypeVar("T")


@dataclass
class Entry(Generic[T]):
    """A stored session: its id, value, lock and when it was last used (the store's clock)."""

    session_id: str
    value: T
    used_at: float
    lock: threading.Lock = field(default_factory=threading.Lock)


class SessionStore(Generic[T]):
    """Sessions by id, least recently used first; thread-safe.

    Args:
        max_sessions: how many sessions stay open; adding one more drops the least recently used.
        ttl: seconds a session stays open without being used.
        clock: the time source (``time.monotonic``; tests pass their own).
    """

    def __init__(
        self, *, max_sessions: int = 256, ttl: float = 1800.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_sessions < 1 or ttl <= 0:
            raise ValueError(f"expected max_sessions >= 1 and ttl > 0, got {max_sessions} and {ttl}")
        self.max_sessions = max_sessions
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, Entry[T]] = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._entries:
            oldest = next(iter(self._entries.values()))
            if now - oldest.used_at <= self.ttl:
                break
            del self._entries[oldest.session_id]

    def add(self, value: T) -> str:
        """Store a new session and return its id (unguessable, URL-safe)."""
        session_id = secrets.token_urlsafe(16)
        with self._lock:
            now = self._clock()
            self._expire(now)
            self._entries[session_id] = Entry(session_id, value, now)
            while len(self._entries) > self.max_sessions:
                self._entries.popitem(last=False)
        return session_id

    def get(self, session_id: str) -> Entry[T]:
        """The session, marked as used now.

        Raises:
            UnknownSessionError: no open session has that id.
        """
        with self._lock:
            now = self._clock()
            self._expire(now)
            entry = self._entries.get(session_id)
            if entry is None:
                raise UnknownSessionError(f"unknown or expired session {session_id!r}")
            entry.used_at = now
            self._entries.move_to_end(session_id)
            return entry

    def remove(self, session_id: str) -> None:
        """Close a session.

        Raises:
            UnknownSessionError: no open session has that id.
        """
        with self._lock:
            self._expire(self._clock())
            if self._entries.pop(session_id, None) is None:
                raise UnknownSessionError(f"unknown or expired session {session_id!r}")

    def __contains__(self, session_id: object) -> bool:
        """Whether a session is open (without marking it used)."""
        with self._lock:
            self._expire(self._clock())
            return session_id in self._entries

    def __len__(self) -> int:
        """The number of open sessions."""
        with self._lock:
            self._expire(self._clock())
            return len(self._entries)
