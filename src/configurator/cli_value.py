"""Value commands added to ``configurator customers``: ``fit-clv`` and ``tiers``."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the value commands to the ``customers`` command group."""
