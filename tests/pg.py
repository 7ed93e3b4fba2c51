"""Databases for the storage contract tests: a SQLite file and a real PostgreSQL server the test run starts.

Test modules import the fixture (``from pg import database as database``); it is parametrized over
``sqlite`` and ``postgresql`` and gives each test an empty database at the head schema revision:

- SQLite: a copy of a migrated template file (WAL, busy timeout, as in production).
- PostgreSQL: one server per test process (each xdist worker), started once with pytest-postgresql's executor
  on a free port and stopped at the end of the session; each test gets ``CREATE DATABASE ... TEMPLATE`` of a
  migrated template database (milliseconds instead of a migration per test).

``initdb`` refuses to run as root, so as root ``pg_ctl`` runs as the ``postgres`` user through a small wrapper
(``runuser``) in a data folder owned by that user. PostgreSQL tests are skipped, with the reason, only when no
``pg_ctl`` can be found (``make test`` installs the server on Debian when it is missing); a server that is
found but does not start is an error.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.exc import OperationalError

from configurator.storage import make_engine, upgrade

__all__ = [
    "DIALECTS",
    "Database",
    "PostgresServer",
    "database",
    "find_pg_ctl",
    "open_database",
    "postgres_server",
    "sqlite_template",
    "table_rows",
]

TEMPLATE_DB = "configurator_template"
DIALECTS = ("sqlite", "postgresql")
"""The dialects of the contract suite."""


def find_pg_ctl() -> str | None:
    """``pg_ctl``: ``$CONFIGURATOR_PG_CTL``, else the newest ``/usr/lib/postgresql/*/bin``, else ``PATH``."""
    explicit = os.environ.get("CONFIGURATOR_PG_CTL")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    return found[-1] if found else shutil.which("pg_ctl")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PostgresServer:
    """A throwaway PostgreSQL server (trust authentication on 127.0.0.1, user ``postgres``)."""

    def __init__(self, pg_ctl: str) -> None:
        from pytest_postgresql.executors import PostgreSQLExecutor

        self.base = Path(tempfile.mkdtemp(prefix="configurator-pg-"))
        self.port = _free_port()
        executable = pg_ctl
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root needs a 'postgres' user to run initdb") from None
            os.chown(self.base, account.pw_uid, account.pw_gid)
            wrapper = self.base / "pg_ctl"
            wrapper.write_text(
                f'#!/bin/sh\ncd /\nexec runuser -u postgres -- "{pg_ctl}" "$@"\n', encoding="utf-8"
            )
            wrapper.chmod(0o755)
            executable = str(wrapper)
        self.executor = PostgreSQLExecutor(
            executable=executable,
            host="127.0.0.1",
            port=self.port,
            datadir=str(self.base / "data"),
            unixsocketdir=str(self.base),
            logfile=str(self.base / "postgresql.log"),
            startparams="-w",
            dbname="postgres",
            user="postgres",
            postgres_options="-c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=60",
        )
        self._names = itertools.count()
        self.admin = make_engine(self.url("postgres")).execution_options(isolation_level="AUTOCOMMIT")
        try:
            self.executor.start()
            self._wait_until_ready()
            self.create_database(TEMPLATE_DB)
            template = make_engine(self.url(TEMPLATE_DB))
            upgrade(template)
            template.dispose()
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self, timeout: float = 60.0) -> None:
        """The port opens before the server accepts sessions ("the database system is starting up")."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.admin.connect() as c:
                    c.execute(text("select 1"))
                return
            except OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (a copy of ``template`` when given) and return its URL."""
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return self.url(name)

    def fresh_database(self) -> str:
        """A new database at the head schema revision; returns its URL."""
        return self.create_database(f"t{os.getpid()}_{next(self._names)}", TEMPLATE_DB)

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`fresh_database` (closing its connections)."""
        name = url.rsplit("/", 1)[1]
        with self.admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def stop(self) -> None:
        """Stop the server and remove its files."""
        try:
            self.admin.dispose()
            if self.executor.running():
                self.executor.stop()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


_lock = threading.Lock()
_server: PostgresServer | None = None
_failure: BaseException | None = None
_sqlite_template: Path | None = None


def postgres_server(config: pytest.Config) -> PostgresServer:
    """The session's server, started on first use and stopped when the session ends; skips without pg_ctl."""
    global _server, _failure
    with _lock:
        if _server is not None:
            return _server
        if _failure is not None:
            raise RuntimeError(f"PostgreSQL did not start earlier in this session: {_failure}")
        pg_ctl = find_pg_ctl()
        if pg_ctl is None:
            pytest.skip(
                "PostgreSQL server binaries (pg_ctl) not found: install them (`apt-get install postgresql`, "
                "which `make test` does on Debian) or set CONFIGURATOR_PG_CTL"
            )
        try:
            _server = PostgresServer(pg_ctl)
        except BaseException as exc:
            _failure = exc
            raise
        config.add_cleanup(_stop_server)
        return _server


def _stop_server() -> None:
    global _server
    if _server is not None:
        _server.stop()
        _server = None


def sqlite_template(factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head, made once per test process."""
    global _sqlite_template
    with _lock:
        if _sqlite_template is None:
            path = factory.mktemp("sqlite-template") / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            upgrade(engine)
            engine.dispose()  # closing the last connection checkpoints the WAL into the file
            _sqlite_template = path
        return _sqlite_template


@dataclass(frozen=True)
class Database:
    """An empty database at the head revision: its URL, an engine, and the dialect name."""

    url: str
    engine: Engine
    dialect: str


@contextlib.contextmanager
def open_database(kind: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty database at the head revision of ``kind`` (``sqlite`` or ``postgresql``), dropped afterwards."""
    if kind == "sqlite":
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        path = factory.mktemp("db") / "configurator.db"
        shutil.copyfile(sqlite_template(factory), path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        try:
            yield Database(url, engine, "sqlite")
        finally:
            engine.dispose()
        return
    server = postgres_server(request.config)
    url = server.fresh_database()
    engine = make_engine(url)
    try:
        yield Database(url, engine, "postgresql")
    finally:
        engine.dispose()
        server.drop_database(url)


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty, migrated database: a SQLite file or PostgreSQL (the contract suite runs on both)."""
    with open_database(request.param, request) as db:
        yield db


def table_rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table in the database (reflected, so new tables are included), sorted by text."""
    metadata = MetaData()
    metadata.reflect(engine)
    found: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as c:
        for name, table in sorted(metadata.tables.items()):
            found[name] = sorted((tuple(row) for row in c.execute(select(table))), key=repr)
    return found
