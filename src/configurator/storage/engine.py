"""Engines and sessions: SQLite file by default (``Settings.database_url``), PostgreSQL by URL.

SQLite is set up for several writers: WAL journal, a busy timeout, foreign keys on, and ``BEGIN IMMEDIATE``
for every transaction (a deferred transaction that reads then writes can fail with "database is locked"
without waiting when another writer commits in between; an immediate one waits for the lock instead).
``secure_delete`` is on for every connection: deleted or overwritten content is zeroed in the file, not left
in free pages, so an erased person's bytes do not survive in the database file (an erasure also checkpoints
and truncates the WAL: ``storage.privacy``).

Example:
    >>> engine = make_engine("sqlite://")
    >>> engine.dialect.name
    'sqlite'
    >>> from sqlalchemy import text
    >>> with session_scope(engine) as s:
    ...     s.execute(text("select 1")).scalar_one(), s.execute(text("PRAGMA secure_delete")).scalar_one()
    (1, 1)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import NoSuchModuleError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from configurator.errors import StorageError
from configurator.settings import get_settings

__all__ = ["display_url", "make_engine", "session_scope"]

SQLITE_BUSY_TIMEOUT_S = 60
"""How long a SQLite writer waits for the write lock before failing."""


def display_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages.

    Example:
        >>> display_url("postgresql+psycopg://shop:secret@db/shop")
        'postgresql+psycopg://shop:***@db/shop'
    """
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA secure_delete = ON")  # deleted rows are zeroed, not left in free pages
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL | None = None, *, echo: bool = False) -> Engine:
    """An engine for ``url`` (default: ``CONFIGURATOR_DATABASE_URL`` or the SQLite file in settings).

    A plain ``postgresql://`` URL uses psycopg 3. The folder of a SQLite file is created when missing.

    Raises:
        StorageError: when the URL cannot be parsed or its driver is not installed.
    """
    try:
        parsed = make_url(url if url is not None else get_settings().database_url)
    except Exception as exc:  # sqlalchemy raises ArgumentError or ValueError
        raise StorageError(f"invalid database URL: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        if parsed.get_backend_name() == "sqlite":
            memory = parsed.database in (None, "", ":memory:")
            if not memory:
                Path(str(parsed.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                parsed,
                echo=echo,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
                **({"poolclass": StaticPool} if memory else {}),
            )
            _sqlite_setup(engine)
            return engine
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"the driver for {display_url(parsed)} is not installed ({exc.name}); "
            "for PostgreSQL: pip install 'configurator[postgres]'"
        ) from None
    except NoSuchModuleError:
        raise StorageError(
            f"no database driver {parsed.drivername!r} is installed (SQLite and PostgreSQL are supported)"
        ) from None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
