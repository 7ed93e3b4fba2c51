"""Keyed tokens for personal identifiers: suppression hashes and the token that stands for an erased person.

Both are HMAC-SHA-256 under a *purpose key* derived from the server secret (``CONFIGURATOR_SECRET_KEY``):
``HMAC(secret, "configurator/suppression")`` for suppression hashes, ``HMAC(secret, "configurator/erased")``
for erased-person tokens. Someone holding a copy of the database but not the secret can neither recover a
phone number from its suppression hash by trying every number, nor tell which customer id a token stands for.

Rotation: put the old secret in ``CONFIGURATOR_PREVIOUS_SECRET_KEYS`` (comma-separated, newest first) when
changing ``CONFIGURATOR_SECRET_KEY``. New suppression entries are keyed under the new secret; an identifier is
suppressed when its hash under the current secret, any previous one, or the unkeyed SHA-256 of releases before
keyed hashes (:func:`legacy_identifier_hash`) is on the list, so rotating never lets an erased person back in.
Drop a previous secret only when no entry keyed under it needs to be honoured any more.

Example:
    >>> keys = PrivacyKeys.from_secrets(b"s" * 32)
    >>> other = PrivacyKeys.from_secrets(b"t" * 32)
    >>> keys.suppression_hash("shop", "email", "ana@example.com") != other.suppression_hash(
    ...     "shop", "email", "ana@example.com")
    True
    >>> len(keys.candidates("shop", "email", "ana@example.com"))  # current and legacy
    2
    >>> keys.erased_token("shop", "c-1").startswith("erased:")
    True
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from configurator.errors import SettingsError
from configurator.settings import Settings

__all__ = [
    "ERASED_PURPOSE",
    "SUPPRESSION_PURPOSE",
    "PrivacyKeys",
    "configured_keys",
    "identifier_hash",
    "legacy_identifier_hash",
    "purpose_key",
    "require_keys",
    "suppression_candidates",
    "using_keys",
]

SUPPRESSION_PURPOSE = "configurator/suppression"
"""What the suppression-hash key is derived for."""
ERASED_PURPOSE = "configurator/erased"
"""What the erased-person token key is derived for."""


def purpose_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose, derived from the server secret (one secret, independent keys).

    Example:
        >>> purpose_key(b"s" * 32, "a") != purpose_key(b"s" * 32, "b")
        True
    """
    return hmac.new(secret, purpose.encode(), hashlib.sha256).digest()


def _message(tenant: str, kind: str, value: str) -> bytes:
    return f"{tenant}\x1f{kind}\x1f{value}".encode()


def identifier_hash(tenant: str, kind: str, value: str, key: bytes) -> str:
    """HMAC-SHA-256 under ``key`` of ``tenant``, identifier kind and normalised value (64 hex digits).

    Example:
        >>> len(identifier_hash("shop", "email", "ana@example.com", b"k" * 32))
        64
    """
    return hmac.new(key, _message(tenant, kind, value), hashlib.sha256).hexdigest()


def legacy_identifier_hash(tenant: str, kind: str, value: str) -> str:
    """The unkeyed SHA-256 that suppression entries used before keyed hashes (still checked, never written).

    Example:
        >>> legacy_identifier_hash("shop", "email", "ana@example.com")[:12]
        '99bcb474089b'
    """
    return hashlib.sha256(_message(tenant, kind, value)).hexdigest()


@dataclass(frozen=True)
class PrivacyKeys:
    """The purpose keys of the current secret and the suppression keys of previous ones (never printed).

    Attributes:
        suppression: the key new suppression hashes are made with.
        erased: the key erased-person tokens are made with.
        previous: suppression keys of previous secrets, still checked.
    """

    suppression: bytes = field(repr=False)
    erased: bytes = field(repr=False)
    previous: tuple[bytes, ...] = field(default=(), repr=False)

    @classmethod
    def from_secrets(cls, secret: bytes, previous: Sequence[bytes] = ()) -> PrivacyKeys:
        """The keys derived from the current secret and the previous ones."""
        return cls(
            purpose_key(secret, SUPPRESSION_PURPOSE),
            purpose_key(secret, ERASED_PURPOSE),
            tuple(purpose_key(p, SUPPRESSION_PURPOSE) for p in previous if p and p != secret),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> PrivacyKeys:
        """The keys of ``CONFIGURATOR_SECRET_KEY`` and ``CONFIGURATOR_PREVIOUS_SECRET_KEYS``.

        Raises:
            SettingsError: no secret key is set, or it is too short.

        Example:
            >>> PrivacyKeys.from_settings(Settings(secret_key="s" * 32, previous_secret_keys="t" * 32 + ",u"))
            PrivacyKeys()
        """
        raw = settings.previous_secret_keys
        previous = raw.get_secret_value().split(",") if raw is not None else []
        return cls.from_secrets(
            settings.require_secret(), [p.strip().encode() for p in previous if p.strip()]
        )

    def suppression_hash(self, tenant: str, kind: str, value: str) -> str:
        """The hash a new suppression entry stores for this identifier."""
        return identifier_hash(tenant, kind, value, self.suppression)

    def candidates(self, tenant: str, kind: str, value: str) -> list[str]:
        """Every hash a suppression entry of this identifier may have: current, previous secrets, legacy."""
        keyed = [identifier_hash(tenant, kind, value, k) for k in (self.suppression, *self.previous)]
        return [*keyed, legacy_identifier_hash(tenant, kind, value)]

    def erased_token(self, tenant: str, customer_id: str) -> str:
        """The opaque ``erased:<hmac>`` token that stands for an erased customer in the rows we keep."""
        return "erased:" + identifier_hash(tenant, "customer_id", customer_id, self.erased)[:16]


def suppression_candidates(
    tenant: str, pairs: Iterable[tuple[str, str]], keys: PrivacyKeys | None
) -> set[str]:
    """Every hash under which the ``(kind, value)`` identifiers may be suppressed (legacy only without keys).

    Example:
        >>> len(suppression_candidates("shop", [("email", "a@b.example")], PrivacyKeys.from_secrets(b"s" * 32)))
        2
        >>> len(suppression_candidates("shop", [("email", "a@b.example")], None))
        1
    """
    found: set[str] = set()
    for kind, value in pairs:
        if keys is None:
            found.add(legacy_identifier_hash(tenant, kind, value))
        else:
            found.update(keys.candidates(tenant, kind, value))
    return found


@functools.lru_cache(maxsize=8)
def _keys_of(secret: str | None, previous: str | None) -> PrivacyKeys | None:
    settings = Settings()
    if settings.secret_key is None:
        return None
    return PrivacyKeys.from_settings(settings)


_GIVEN: ContextVar[PrivacyKeys | None] = ContextVar("configurator_privacy_keys", default=None)


@contextmanager
def using_keys(keys: PrivacyKeys) -> Iterator[PrivacyKeys]:
    """Use ``keys`` in this context (a server whose settings object holds the secret, not the environment).

    Example:
        >>> keys = PrivacyKeys.from_secrets(b"s" * 32)
        >>> with using_keys(keys):
        ...     configured_keys() is keys
        True
    """
    token = _GIVEN.set(keys)
    try:
        yield keys
    finally:
        _GIVEN.reset(token)


def configured_keys() -> PrivacyKeys | None:
    """The keys in use: those of :func:`using_keys`, else of the settings' secret, else None (no secret set).

    The settings are read once per secret, then cached.

    Raises:
        SettingsError: a secret key is set but too short.
    """
    given = _GIVEN.get()
    if given is not None:
        return given
    return _keys_of(
        os.environ.get("CONFIGURATOR_SECRET_KEY"), os.environ.get("CONFIGURATOR_PREVIOUS_SECRET_KEYS")
    )


def require_keys() -> PrivacyKeys:
    """The keys of the settings' secret, which an erasure needs.

    Raises:
        SettingsError: no secret key is set (``CONFIGURATOR_SECRET_KEY``), or it is too short.
    """
    keys = configured_keys()
    if keys is None:
        Settings(secret_key=None).require_secret()  # raises with the fix
        raise SettingsError("no secret key")  # pragma: no cover - require_secret raised
    return keys
