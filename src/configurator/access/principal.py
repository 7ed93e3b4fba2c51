"""Who is calling: the tenant, the credential (API key or rep account) and its scopes.

Example:
    >>> p = Principal("shop", "key", "3f9a1c", "web shop", ("events", "read"))
    >>> p.actor, p.allows("read"), p.allows("accept")
    ('key:3f9a1c', True, False)
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from configurator.access.scopes import grants

__all__ = ["Principal"]


@dataclasses.dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    Attributes:
        tenant: the tenant every read and write of the request is scoped to.
        kind: ``key`` (an API key) or ``account`` (a rep signed in to the web page).
        id: the key's public id or the account's login.
        name: the key's label or the rep's name (for people reading the audit log).
        scopes: what the credential may do (:mod:`configurator.access.scopes`).
    """

    tenant: str
    kind: Literal["key", "account"]
    id: str
    name: str
    scopes: tuple[str, ...]

    @property
    def actor(self) -> str:
        """How the audit log names this caller: ``key:<id>`` or ``user:<login>``."""
        return f"{'key' if self.kind == 'key' else 'user'}:{self.id}"

    def allows(self, scope: str) -> bool:
        """Whether the credential holds ``scope`` (``admin`` holds every scope)."""
        return grants(self.scopes, scope)
