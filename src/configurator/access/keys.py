"""API keys: created per tenant with scopes, shown once, stored as a keyed hash, revocable.

Example:
    >>> import datetime as dt
    >>> from configurator.storage import CredentialStore, make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> ring = KeyRing(CredentialStore(engine), b"s" * 32)
    >>> token, record = ring.create("shop-1", "web shop", ["read", "events"], created_by="cli")
    >>> who = ring.authenticate(token)
    >>> who.tenant, who.scopes, who.actor == f"key:{record.key_id}"
    ('shop-1', ('events', 'read'), True)
    >>> ring.revoke(record.key_id)
    True
    >>> ring.authenticate(token)
    Traceback (most recent call last):
    ...
    configurator.errors.AuthenticationError: unknown or revoked API key
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable

from configurator.access.principal import Principal
from configurator.access.scopes import parse_scopes
from configurator.access.tokens import keyed_hash, new_key_id, new_key_token, same_hash, split_key_token
from configurator.errors import AuthenticationError
from configurator.storage import CredentialStore, KeyRecord

__all__ = ["KeyRing", "check_label", "check_tenant"]

_TENANT = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_tenant(tenant: str) -> str:
    """A tenant id: lowercase letters, digits, ``.``, ``_`` and ``-``, at most 64, starting with a letter or digit.

    Raises:
        ValueError: any other text.
    """
    if not _TENANT.fullmatch(tenant):
        raise ValueError(
            f"tenant: expected lowercase letters, digits, '.', '_' or '-' (at most 64), got {tenant!r}"
        )
    return tenant


def check_label(what: str, text: str) -> str:
    """A person-readable label (a key's name, a rep's name): NFC, 1 to 200 printable characters.

    Raises:
        ValueError: empty, too long, or with control or invisible characters.
    """
    text = unicodedata.normalize("NFC", text.strip())
    if not text or len(text) > 200 or any(unicodedata.category(c)[0] == "C" for c in text):
        raise ValueError(f"{what}: expected 1 to 200 printable characters, got {text[:40]!r}")
    return text


class KeyRing:
    """The API keys of every tenant.

    Args:
        credentials: where keys are stored.
        secret_key: the server secret the keys are hashed under (``Settings.require_secret()``).
        clock: the current time (default: now, UTC).
    """

    def __init__(
        self,
        credentials: CredentialStore,
        secret_key: bytes,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.credentials = credentials
        self._secret = secret_key
        self._now = clock or _now

    def create(
        self, tenant: str, name: str, scopes: Iterable[str], *, created_by: str
    ) -> tuple[str, KeyRecord]:
        """A new key: the whole key (show it once, it is not stored) and its stored record.

        Raises:
            ValueError: a bad tenant, name or scope.
        """
        key_id = new_key_id()
        token = new_key_token(key_id)
        record = KeyRecord(
            key_id,
            check_tenant(tenant),
            check_label("name", name),
            parse_scopes(scopes),
            keyed_hash(self._secret, token),
            self._now(),
            created_by,
        )
        self.credentials.add_key(record)
        return token, record

    def list(self, tenant: str | None = None) -> list[KeyRecord]:
        """The keys (of one tenant), revoked ones included, oldest first."""
        return self.credentials.keys(tenant)

    def revoke(self, key_id: str, tenant: str | None = None) -> bool:
        """Revoke a key (only if it is ``tenant``'s, when given); False when there is no such live key."""
        found = self.credentials.key(key_id)
        if found is None or (tenant is not None and found.tenant != tenant):
            return False
        return self.credentials.revoke_key(key_id, self._now())

    def authenticate(self, token: str) -> Principal:
        """The caller a key stands for.

        Raises:
            AuthenticationError: malformed, unknown, revoked, or hashed under another server secret.
        """
        key_id, _ = split_key_token(token)
        found = self.credentials.key(key_id)
        if (
            found is None
            or found.revoked_at is not None
            or not same_hash(found.secret_hash, keyed_hash(self._secret, token))
        ):
            raise AuthenticationError("unknown or revoked API key")
        return Principal(found.tenant, "key", found.key_id, found.name, found.scopes)
