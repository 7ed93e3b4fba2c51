"""Scopes: what a credential may do.

========  ===================================================================================
scope     allows
========  ===================================================================================
read      catalogs, validation, configuration sessions, a customer's profile, bundles, quotes
events    posting interaction events (``POST /events``)
quote     building and saving quotes (``POST /customers/{id}/quotes``)
accept    accepting quotes, which records orders (``POST /quotes/{id}/accept``)
approve   approving a quote version whose discount is above the tier's limit (``POST /quotes/{id}/approve``)
admin     everything above, managing the tenant's keys, and the outbox of sent quotes
========  ===================================================================================

Example:
    >>> parse_scopes(["read", "quote"])
    ('quote', 'read')
    >>> grants(("admin",), "accept"), grants(("read",), "events")
    (True, False)
    >>> parse_scopes(["write"])
    Traceback (most recent call last):
    ...
    ValueError: unknown scope 'write'; expected one of read, events, quote, accept, approve, admin
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal

__all__ = ["SCOPES", "Scope", "grants", "parse_scopes"]

Scope = Literal["read", "events", "quote", "accept", "approve", "admin"]

SCOPES: Final[tuple[Scope, ...]] = ("read", "events", "quote", "accept", "approve", "admin")
"""Every scope, from the narrowest to ``admin`` (which grants all the others)."""


def parse_scopes(names: Iterable[str]) -> tuple[str, ...]:
    """The scopes named (sorted, without repeats).

    Raises:
        ValueError: a name is not a scope, or none is given.
    """
    found: set[str] = set()
    for name in names:
        for part in name.replace(",", " ").split():
            if part not in SCOPES:
                raise ValueError(f"unknown scope {part!r}; expected one of {', '.join(SCOPES)}")
            found.add(part)
    if not found:
        raise ValueError(f"expected at least one scope of {', '.join(SCOPES)}, got none")
    return tuple(sorted(found))


def grants(granted: Iterable[str], needed: str) -> bool:
    """Whether scopes ``granted`` allow ``needed`` (``admin`` allows everything)."""
    held = set(granted)
    return needed in held or "admin" in held
