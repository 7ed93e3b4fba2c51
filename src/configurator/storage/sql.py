"""SQL building blocks shared by the repositories: dialect inserts, chunked IN lists, JSON-ready values.

``INSERT ... ON CONFLICT DO NOTHING`` is written per dialect (SQLite and PostgreSQL both have it); the
repositories use it for every idempotent write.

Example:
    >>> from configurator.storage.models import Customer
    >>> table(Customer).name, [len(c) for c in chunks([str(i) for i in range(1200)])]
    ('customers', [500, 500, 200])
    >>> like_escaped("50%_off"), jsonable({"at": dt.date(2026, 5, 1), "price": Decimal("1.50")})
    ('50\\\\%\\\\_off', {'at': '2026-05-01', 'price': '1.50'})
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Engine, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from configurator.errors import StorageError
from configurator.storage.models import Base

__all__ = [
    "CHUNK",
    "chunks",
    "dialect_insert",
    "insert_new",
    "insert_one",
    "jsonable",
    "like_escaped",
    "prebuilt_insert",
    "rowcount",
    "session_for",
    "table",
]

CHUNK = 500
"""Values per IN list (well under SQLite's and PostgreSQL's parameter limits)."""


def table(model: type[Base]) -> Table:
    """The Core table of a mapped model."""
    return cast(Table, model.__table__)


def dialect_insert(session: Session, model: type[Base]) -> Any:
    """INSERT for the session's dialect, which supports ``on_conflict_do_nothing``.

    Raises:
        StorageError: for a database other than SQLite and PostgreSQL.
    """
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table(model))
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table(model))
    raise StorageError(f"unsupported database {name!r} (SQLite and PostgreSQL are)")


def insert_new(session: Session, model: type[Base], rows: list[dict[str, Any]], key: str) -> set[str]:
    """Insert rows unless their primary key exists (``ON CONFLICT DO NOTHING``); return the new ``key`` values.

    On psycopg this uses the driver's pipelined ``executemany(returning=True)`` with one short prepared
    statement: SQLAlchemy's multi-row VALUES form spends most of its time in psycopg's query parser.
    """
    if not rows:
        return set()
    tbl = table(model)
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        names = list(rows[0])
        processors = [tbl.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
        columns = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join(["%s"] * len(names))
        sql = (
            f'INSERT INTO "{tbl.name}" ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING RETURNING "{key}"'
        )
        params = [
            tuple(p(row[n]) if p is not None else row[n] for n, p in zip(names, processors, strict=True))
            for row in rows
        ]
        raw: Any = session.connection().connection.dbapi_connection
        found: set[str] = set()
        try:
            with raw.cursor() as cursor:
                cursor.executemany(sql, params, returning=True)
                while True:
                    found.update(r[0] for r in cursor.fetchall())
                    if not cursor.nextset():
                        break
        except dialect.loaded_dbapi.Error as exc:  # same exception classes as through SQLAlchemy
            raise DBAPIError.instance(sql, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
        return found
    stmt = dialect_insert(session, model).on_conflict_do_nothing().returning(tbl.c[key])
    return set(session.execute(stmt, rows).scalars())


def insert_one(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """Insert one row unless its primary key exists; True when inserted (RETURNING: INSERT rowcounts lie)."""
    key = table(model).primary_key.columns.values()[0]
    stmt = dialect_insert(session, model).on_conflict_do_nothing().returning(key)
    return session.execute(stmt, values).first() is not None


_PREBUILT: dict[tuple[str, str, bool], Any] = {}


def prebuilt_insert(session: Session, model: type[Base], *, returning: bool) -> Any:
    """A cached ``INSERT ... ON CONFLICT DO NOTHING`` (``RETURNING`` the first key column) per dialect."""
    key = (session.get_bind().dialect.name, table(model).name, returning)
    stmt = _PREBUILT.get(key)
    if stmt is None:
        stmt = dialect_insert(session, model).on_conflict_do_nothing()
        if returning:
            stmt = stmt.returning(table(model).primary_key.columns.values()[0])
        _PREBUILT[key] = stmt
    return stmt


def chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    """``values`` in slices of at most :data:`CHUNK` (one IN list each)."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


@contextlib.contextmanager
def session_for(bind: Session | Engine) -> Iterator[Session]:
    """The given session as is, or a new session with a transaction on the given engine."""
    if isinstance(bind, Session):
        yield bind
        return
    with Session(bind) as session, session.begin():
        yield session


def like_escaped(text: str) -> str:
    """``text`` for a LIKE pattern with ``\\`` as the escape character."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def jsonable(value: Any) -> Any:
    """``value`` with dates, times and decimals as strings (for JSON columns)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def rowcount(result: Any) -> int:
    """The rows an UPDATE or DELETE touched (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)
