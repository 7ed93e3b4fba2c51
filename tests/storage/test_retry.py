"""The storage retry: one retry for races with another writer, every other error at once, on both dialects.

The errors are the databases' own (a real NOT NULL, foreign-key or unique violation from SQLite and from
PostgreSQL), raised inside :meth:`SqlStore.in_transaction`, the one place every storage transaction is retried.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg.errors
import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from configurator.storage import SqlStore
from configurator.storage import retry as retry_module
from configurator.storage.models import Customer, InstalledItem
from configurator.storage.retry import retryable, retrying
from pg import Database
from pg import database as database

AT = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def _customer(customer_id: str) -> dict[str, Any]:
    """A valid ``customers`` row."""
    return {"tenant": "shop", "customer_id": customer_id, "origin": "external", "extra": {}, "created_at": AT}


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses the retry takes (recorded instead of slept)."""
    taken: list[float] = []
    monkeypatch.setattr(retry_module, "_pause", lambda: taken.append(1.0))
    return taken


def _rival_adds(database: Database, customer_id: str) -> None:
    """Another writer stores ``customer_id`` and commits (its own connection)."""
    with database.engine.begin() as c:
        c.execute(insert(Customer).values(_customer(customer_id)))


def _counted(work: Callable[[], Any]) -> tuple[list[int], Callable[[], Any]]:
    """``work`` that records each call, and the record."""
    attempts: list[int] = []

    def counting() -> Any:
        attempts.append(1)
        return work()

    return attempts, counting


@pytest.mark.parametrize(
    "row",
    [
        {**_customer("c1"), "origin": None},  # NOT NULL
        {  # foreign key: no such order
            "table": InstalledItem,
            "tenant": "shop",
            "order_id": "nope",
            "line_no": 1,
            "customer_id": "c1",
            "item": "bell",
            "quantity": 1,
            "installed_at": AT,
        },
    ],
    ids=["not_null", "foreign_key"],
)
def test_a_constraint_violation_surfaces_on_the_first_attempt(
    database: Database, pauses: list[float], row: dict[str, Any]
) -> None:
    """A NOT NULL or foreign-key violation is raised unchanged after one attempt, without any pause."""
    store = SqlStore(database.engine, "shop")
    values = dict(row)
    table = values.pop("table", Customer)
    attempts, work = _counted(lambda: store.session.execute(insert(table).values(values)))
    with pytest.raises(IntegrityError) as raised:
        store.in_transaction(work)
    assert not retryable(raised.value)
    assert attempts == [1] and pauses == []


def test_a_unique_race_is_retried_once_and_then_succeeds(database: Database, pauses: list[float]) -> None:
    """A writer that acted on a read made before a rival stored the same key runs once more and finds it."""
    store = SqlStore(database.engine, "shop")
    # What the writer read before the rival committed (under SQLite's BEGIN IMMEDIATE no rival can commit
    # inside the writer's transaction, so a stale read is how the race reaches it); the retry reads afresh.
    stale: list[bool] = [False]
    _rival_adds(database, "c1")

    def store_if_new() -> str:
        exists = stale.pop() if stale else store.session.get(Customer, ("shop", "c1")) is not None
        if exists:
            return "found"
        store.session.execute(insert(Customer).values(_customer("c1")))
        return "stored"

    attempts, work = _counted(store_if_new)
    assert store.in_transaction(work) == "found"
    assert len(attempts) == 2 and len(pauses) == 1


def test_a_second_unique_failure_surfaces(database: Database, pauses: list[float]) -> None:
    """A unique violation on the retry too is raised unchanged: two attempts, no third."""
    store = SqlStore(database.engine, "shop")
    _rival_adds(database, "c1")
    attempts, work = _counted(lambda: store.session.execute(insert(Customer).values(_customer("c1"))))
    with pytest.raises(IntegrityError) as raised:
        store.in_transaction(work)
    assert retryable(raised.value)
    assert len(attempts) == 2 and len(pauses) == 1


def test_two_writers_inserting_the_same_key_at_once(database: Database) -> None:
    """PostgreSQL: both read "absent", both insert; the loser gets a unique violation, retries once, finds it."""
    if database.dialect != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): two cannot both read before either writes")
    both_read = threading.Barrier(2, timeout=30)
    attempts: list[int] = []

    def writer(_: int) -> str:
        store = SqlStore(database.engine, "shop")

        def store_if_new() -> str:
            attempts.append(1)
            if store.session.get(Customer, ("shop", "c1")) is not None:
                return "found"
            if len(attempts) <= 2:
                both_read.wait()
            store.session.execute(insert(Customer).values(_customer("c1")))
            return "stored"

        return store.in_transaction(store_if_new)

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(writer, range(2))) == ["found", "stored"]
    assert len(attempts) == 3
    with database.engine.connect() as c:
        assert c.execute(select(Customer.customer_id)).scalars().all() == ["c1"]


def _sqlite(message: str, code: int | None = None) -> sqlite3.Error:
    error = sqlite3.OperationalError(message)
    if code is not None:
        error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    ("orig", "expected"),
    [
        (psycopg.errors.SerializationFailure("could not serialize access"), True),
        (psycopg.errors.DeadlockDetected("deadlock detected"), True),
        (psycopg.errors.LockNotAvailable("could not obtain lock"), True),
        (psycopg.errors.UniqueViolation("duplicate key value"), True),
        (psycopg.errors.NotNullViolation("null value in column"), False),
        (psycopg.errors.CheckViolation("violates check constraint"), False),
        (psycopg.errors.ForeignKeyViolation("violates foreign key constraint"), False),
        (psycopg.errors.UndefinedTable('relation "events" does not exist, the database is locked'), False),
        (_sqlite("database is locked", 5), True),
        (_sqlite("database is locked", 517), True),  # SQLITE_BUSY_SNAPSHOT
        (_sqlite("database table is locked", 6), True),
        (_sqlite("UNIQUE constraint failed: customers.customer_id", 1555), True),
        (_sqlite("UNIQUE constraint failed: identities.value", 2067), True),
        (_sqlite("NOT NULL constraint failed: customers.origin", 1299), False),
        (_sqlite("CHECK constraint failed: positive", 275), False),
        (_sqlite("FOREIGN KEY constraint failed", 787), False),
        (_sqlite("database is locked"), True),  # raised by hand: judged by SQLite's message
        (_sqlite("no such table: events"), False),
        (Exception("database is locked"), False),  # not a database error at all
    ],
)
def test_only_races_are_retryable(orig: Exception, expected: bool) -> None:
    """Serialization failures, deadlocks, lock waits and unique violations are retryable; nothing else is."""
    assert retryable(DBAPIError("INSERT", {}, orig)) is expected
    assert retryable(orig) is False


RACE = OperationalError("INSERT", {}, _sqlite("database is locked", 5))
OTHER = OperationalError("INSERT", {}, _sqlite("no such table: events", 1))


@pytest.mark.parametrize(
    ("failures", "raised", "calls"),
    [([RACE], None, 2), ([RACE, RACE], RACE, 2), ([OTHER], OTHER, 1)],
    ids=["race_then_success", "two_races", "other_error"],
)
def test_retrying_runs_at_most_twice(
    pauses: list[float], failures: list[OperationalError], raised: OperationalError | None, calls: int
) -> None:
    """``retrying``: a race is retried once; a second race, or any other error, is raised unchanged."""
    made: list[int] = []
    queue = list(failures)

    def attempt() -> str:
        made.append(1)
        if queue:
            raise queue.pop(0)
        return "done"

    if raised is None:
        assert retrying(attempt) == "done"
    else:
        with pytest.raises(OperationalError) as caught:
            retrying(attempt)
        assert caught.value is raised
    assert len(made) == calls
    assert len(pauses) == calls - 1  # a pause before the retry, none before raising
