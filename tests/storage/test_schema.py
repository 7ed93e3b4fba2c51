"""Alembic migrations against the ORM models, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from configurator.storage import (
    StorageError,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    upgrade,
)
from configurator.storage.migrate import _config
from configurator.storage.models import Base
from pg import Database
from pg import database as database

TENANT_TABLES = {
    "accounts",
    "api_keys",
    "audit_log",
    "campaign_offers",
    "campaign_partitions",
    "catalogs",
    "config_sessions",
    "consents",
    "customers",
    "dropped_events",
    "events",
    "identities",
    "installed_base",
    "orders",
    "outbox",
    "quote_versions",
    "quotes",
    "rendered_files",
    "sign_ins",
    "suppressions",
    "tiers",
}


def _schema(engine: Engine) -> dict[str, Any]:
    """Tables with their columns (name, type, nullable), primary key, indexes and foreign keys."""
    insp = inspect(engine)
    found: dict[str, Any] = {}
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version":
            continue
        found[table] = {
            "columns": [
                (c["name"], c["type"].compile(engine.dialect), c["nullable"]) for c in insp.get_columns(table)
            ],
            "pk": insp.get_pk_constraint(table),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)
            ),
            "fks": sorted(
                (
                    f["name"],
                    tuple(f["constrained_columns"]),
                    f["referred_table"],
                    tuple(f["referred_columns"]),
                )
                for f in insp.get_foreign_keys(table)
            ),
        }
    return found


def test_upgrade_from_empty_creates_the_models_schema(database: Database) -> None:
    """Migrating an empty database gives the same tables, columns, keys and indexes as the models."""
    migrated = _schema(database.engine)
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    config = _config(database.engine)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert _schema(database.engine) == {}
    Base.metadata.create_all(database.engine)
    assert _schema(database.engine) == migrated
    assert set(migrated) == TENANT_TABLES


def test_every_table_has_a_tenant(database: Database) -> None:
    """Every table has a non-null tenant column, so one database serves several shops."""
    insp = inspect(database.engine)
    for table in TENANT_TABLES:
        tenant = [c for c in insp.get_columns(table) if c["name"] == "tenant"]
        assert tenant and not tenant[0]["nullable"], table


def test_database_is_at_head_and_upgrade_is_idempotent(database: Database) -> None:
    """A migrated database is at the head revision; upgrading again changes nothing."""
    assert current_revision(database.engine) == head_revision()
    before = _schema(database.engine)
    assert upgrade(database.engine) == head_revision()
    assert _schema(database.engine) == before


def test_ensure_schema_migrates_an_empty_sqlite_file(tmp_path: Any) -> None:
    """Commands migrate a fresh SQLite file on first use."""
    engine = ensure_schema(f"sqlite:///{tmp_path}/new/shop.db")
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_ensure_schema_refuses_an_unmigrated_database(tmp_path: Any) -> None:
    """A database with tables but no revision is not touched: the error says to run db upgrade."""
    engine = make_engine(f"sqlite:///{tmp_path}/other.db")
    with engine.begin() as c:
        c.execute(text("create table something (x integer)"))
    with pytest.raises(StorageError, match="configurator db upgrade"):
        ensure_schema(engine)
    engine.dispose()


def test_sqlite_engine_uses_wal_and_a_busy_timeout(tmp_path: Any) -> None:
    """SQLite files are opened in WAL mode with a busy timeout and foreign keys on."""
    engine = make_engine(f"sqlite:///{tmp_path}/wal.db")
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60_000
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_bad_urls_are_storage_errors() -> None:
    """An unparsable URL or an unknown driver is a StorageError with the reason."""
    with pytest.raises(StorageError, match="invalid database URL"):
        make_engine("not a url")
    with pytest.raises(StorageError, match="no database driver"):
        make_engine("mysql+nosuchdriver://u@h/db")
