"""The one retry of the storage layer: a transaction that lost a race runs once more; other errors surface.

A retry can only fix an error caused by another writer at the same moment, whose work is committed (or rolled
back) by the time the transaction runs again:

- a serialization failure or a deadlock (PostgreSQL SQLSTATE ``40001``, ``40P01``), or a lock wait that ran
  out (PostgreSQL ``55P03``; SQLite "database is locked", ``SQLITE_BUSY``/``SQLITE_LOCKED``);
- a unique violation (PostgreSQL ``23505``; SQLite "UNIQUE constraint failed"): two writers inserted the same
  natural key, and the second attempt reads the row the other one committed.

Such a transaction is rolled back and run once more, from the start, in a new transaction (so it re-reads
what the other writer committed). Every other error (NOT NULL, CHECK, foreign key, a missing table, ...)
surfaces at once, unchanged: running the same statements again gives the same error.

Example:
    >>> import sqlite3
    >>> from sqlalchemy.exc import IntegrityError
    >>> def unique() -> IntegrityError:
    ...     return IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed: t.k"))
    >>> retryable(unique())
    True
    >>> retryable(IntegrityError("INSERT", {}, sqlite3.IntegrityError("NOT NULL constraint failed: t.v")))
    False
    >>> attempts = []
    >>> def work() -> str:
    ...     attempts.append(1)
    ...     if len(attempts) == 1:
    ...         raise unique()
    ...     return "stored"
    >>> retrying(work), len(attempts)
    ('stored', 2)
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

__all__ = ["RETRIES", "RETRYABLE_SQLSTATES", "retryable", "retrying"]

_T = TypeVar("_T")

RETRIES = 1
"""How many times a transaction that lost a race runs again (one retry: at most two attempts)."""

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03", "23505"})
"""PostgreSQL: serialization failure, deadlock, lock not available, unique violation."""

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SQLITE_UNIQUE = frozenset({2067, 1555})  # SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
_SQLITE_MESSAGES = ("database is locked", "database table is locked", "unique constraint failed")

_MAX_PAUSE_S = 0.02
"""Upper bound of the random pause before the retry (it spreads out writers that collided together)."""


def _pause() -> None:
    """A short random wait before the retry: writers that collided would collide again in lockstep."""
    time.sleep(random.uniform(0, _MAX_PAUSE_S))


def retryable(exc: BaseException) -> bool:
    """Whether ``exc`` is a race with another writer that running the transaction again can fix.

    Args:
        exc: the error a transaction raised.

    Returns:
        True for serialization failures, deadlocks, lock waits that ran out and unique violations;
        False for everything else.

    Example:
        >>> import sqlite3
        >>> from sqlalchemy.exc import OperationalError
        >>> retryable(OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")))
        True
        >>> retryable(OperationalError("INSERT", {}, sqlite3.OperationalError("no such table: events")))
        False
        >>> retryable(ValueError("database is locked"))
        False
    """
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in RETRYABLE_SQLSTATES
    if isinstance(orig, sqlite3.Error):
        code: int | None = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            return (code & 0xFF) in (_SQLITE_BUSY, _SQLITE_LOCKED) or code in _SQLITE_UNIQUE
        # an error raised by hand (not by the SQLite library) has no code: judge by SQLite's message
        return str(orig).lower().startswith(_SQLITE_MESSAGES)
    return False


def retrying(attempt: Callable[[], _T], *, retries: int = RETRIES) -> _T:
    """``attempt()``, run again (at most ``retries`` more times) when it fails with a :func:`retryable` error.

    ``attempt`` must run one whole transaction, opening a new one each call, so that the retry starts from
    fresh state (it sees what the other writer committed). A non-retryable error, or a retryable one on the
    last attempt, is raised unchanged.

    Args:
        attempt: one try of the transaction.
        retries: how many times to run it again after a retryable failure.

    Returns:
        What the first successful attempt returned.

    Example:
        >>> calls = []
        >>> def broken() -> None:
        ...     calls.append(1)
        ...     raise ValueError("not a race")
        >>> retrying(broken)
        Traceback (most recent call last):
        ...
        ValueError: not a race
        >>> len(calls)
        1
    """
    for left in range(retries, -1, -1):
        try:
            return attempt()
        except DBAPIError as exc:
            if not left or not retryable(exc):
                raise
        _pause()
    raise AssertionError("unreachable")  # pragma: no cover
