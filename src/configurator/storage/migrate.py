"""Schema migrations with Alembic; the migration scripts ship inside the package (``storage/migrations``).

``configurator db upgrade [--url URL]`` calls :func:`upgrade`. Commands that write (ingest, identify...) call
:func:`ensure_schema`, which migrates an empty database and refuses one at an older revision.

Example:
    >>> from configurator.storage.engine import make_engine
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine) == head_revision()
    True
    >>> current_revision(engine) == head_revision()
    True
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

from configurator.errors import StorageError
from configurator.storage.engine import display_url, make_engine

__all__ = ["MIGRATIONS", "current_revision", "ensure_schema", "head_revision", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
"""The Alembic script directory."""


def _config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def head_revision() -> str:
    """The newest revision of the packaged migrations."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at (None when it was never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _engine(url: str | URL | Engine | None) -> Engine:
    return url if isinstance(url, Engine) else make_engine(url)


def upgrade(url: str | URL | Engine | None = None, revision: str = "head") -> str | None:
    """Migrate the database at ``url`` (default: settings) to ``revision``; return the revision reached."""
    engine = _engine(url)
    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return current_revision(engine)


def ensure_schema(url: str | URL | Engine | None = None) -> Engine:
    """An engine whose database is at the head revision: an empty database is migrated first.

    Raises:
        StorageError: when the database has tables but is not at the head revision (run ``db upgrade``).
    """
    engine = _engine(url)
    revision = current_revision(engine)
    head = head_revision()
    if revision == head:
        return engine
    if revision is None and not inspect(engine).get_table_names():
        upgrade(engine)
        return engine
    raise StorageError(
        f"{display_url(engine.url)}: schema at revision {revision or 'none'}, this version needs {head}; "
        "run `configurator db upgrade`"
    )
