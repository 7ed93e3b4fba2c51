"""``configurator customers ...`` and ``configurator db ...`` commands (identity, events, consent, storage)."""

from __future__ import annotations

import typer

__all__ = ["customers_app", "db_app"]

customers_app = typer.Typer(
    help="Customers: ingest events, identities, consent, export and erase, value.", no_args_is_help=True
)
db_app = typer.Typer(help="Database: migrations.", no_args_is_help=True)
