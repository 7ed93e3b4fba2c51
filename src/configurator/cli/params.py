"""Command-line values that several command groups parse the same way.

Example:
    >>> parse_date("2026-03-01")
    datetime.date(2026, 3, 1)
    >>> try:
    ...     parse_date("March")
    ... except typer.BadParameter as exc:
    ...     print(exc.message)
    expected a date YYYY-MM-DD, got 'March'
"""

from __future__ import annotations

import datetime as dt

import typer

__all__ = ["parse_date"]


def parse_date(on: str | None) -> dt.date:
    """The date of an ``--on`` option (``YYYY-MM-DD``), or today when it is not given.

    Args:
        on: the option's value, or ``None``.

    Returns:
        The date.

    Raises:
        typer.BadParameter: ``on`` is not an ISO date (usage error, exit code 2).

    Example:
        >>> parse_date(None) == dt.date.today()
        True
    """
    try:
        return dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError:
        raise typer.BadParameter(f"expected a date YYYY-MM-DD, got {on!r}", param_hint="--on") from None
