"""Alembic environment: migrate the connection given by :func:`configurator.storage.migrate.upgrade`.

Also works with the ``alembic`` command line (``sqlalchemy.url`` in the config) and in offline mode (SQL
script). Importing this module outside Alembic does nothing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from configurator.storage.engine import make_engine
from configurator.storage.models import Base


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    """Run the migrations Alembic asked for."""
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=Base.metadata,
            literal_binds=True,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _configure(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as fresh:
        _configure(fresh)
    engine.dispose()


if hasattr(context, "config"):  # imported by Alembic, not by a test walking the package
    run()
