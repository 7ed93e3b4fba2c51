"""Command-line options and values that several command groups share, so the same thing has the same name.

One name per concept, in every command: ``--database`` (the database URL), ``--tenant``, ``--locale``,
``--json`` and ``--output``/``-o``. Older spellings stay accepted as hidden aliases (:data:`OPTION_ALIASES`):
the app normalises them before parsing (:func:`normalize_option`), so ``--url`` still reaches ``--database``
and ``--out`` still reaches ``--output``, while ``--help`` shows only the canonical names.

Example:
    >>> parse_date("2026-03-01")
    datetime.date(2026, 3, 1)
    >>> try:
    ...     parse_date("March")
    ... except typer.BadParameter as exc:
    ...     print(exc.message)
    expected a date YYYY-MM-DD, got 'March'
    >>> normalize_option("url"), normalize_option("tenant")
    ('database', 'tenant')
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

__all__ = [
    "CONTEXT_SETTINGS",
    "DATABASE_HELP",
    "OPTION_ALIASES",
    "DatabaseOption",
    "JsonOption",
    "TenantOption",
    "normalize_option",
    "parse_date",
]

DATABASE_HELP = "Database URL (default: CONFIGURATOR_DATABASE_URL, else the SQLite file in settings)."
"""The help of every ``--database`` option."""

OPTION_ALIASES: dict[str, str] = {"url": "database", "out": "output"}
"""Hidden aliases of long option names (without the dashes): older spelling -> canonical name."""

DatabaseOption = Annotated[str | None, typer.Option("--database", help=DATABASE_HELP)]
"""The database URL (hidden alias ``--url``)."""

TenantOption = Annotated[str | None, typer.Option("--tenant", help="Tenant (default: CONFIGURATOR_TENANT).")]
"""The tenant (shop) a command works in."""

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
"""Machine-readable output."""


def normalize_option(name: str) -> str:
    """The canonical name of a long option name (without its dashes): hidden aliases map to their option.

    Click calls this for every option name it declares and parses (``token_normalize_func``).

    Args:
        name: an option name without its leading dashes, e.g. ``url``.

    Returns:
        The canonical name, e.g. ``database``; any other name unchanged.

    Example:
        >>> normalize_option("out"), normalize_option("o")
        ('output', 'o')
    """
    return OPTION_ALIASES.get(name, name)


CONTEXT_SETTINGS: dict[str, Any] = {"token_normalize_func": normalize_option}
"""Context settings of the app (inherited by every sub-command): the hidden option aliases."""


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
