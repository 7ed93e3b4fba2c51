"""Secrets handed out once and stored only as keyed hashes (HMAC-SHA256 under the server's secret key).

An API key reads ``cfg_<key id>_<secret>``: the key id is public (it names the key in lists, logs and the
audit trail), the secret is 256 random bits. The store keeps ``HMAC(server secret, whole key)``: a copy of
the database alone does not let anyone use or brute-force a key. Sign-in cookies are random tokens stored the
same way. Comparisons are constant-time.

Example:
    >>> secret = b"k" * 32
    >>> token = new_key_token("3f9a1c0d5e7b2a48")
    >>> split_key_token(token)[0]
    '3f9a1c0d5e7b2a48'
    >>> same_hash(keyed_hash(secret, token), keyed_hash(secret, token))
    True
    >>> split_key_token("cfg_short")
    Traceback (most recent call last):
    ...
    configurator.errors.AuthenticationError: malformed API key: expected cfg_<key id>_<secret>
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from configurator.errors import AuthenticationError

__all__ = [
    "PREFIX",
    "csrf_token",
    "keyed_hash",
    "new_key_id",
    "new_key_token",
    "new_token",
    "same_hash",
    "split_key_token",
]

PREFIX = "cfg"
"""The first part of every API key (so secret scanners and people recognise one)."""


def new_key_id() -> str:
    """A new public key id (64 random bits, hex)."""
    return secrets.token_hex(8)


def new_token() -> str:
    """A new random secret (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def new_key_token(key_id: str) -> str:
    """A new API key for ``key_id``: ``cfg_<key id>_<secret>``."""
    return f"{PREFIX}_{key_id}_{new_token()}"


def split_key_token(token: str) -> tuple[str, str]:
    """The key id and secret of an API key.

    Raises:
        AuthenticationError: the text is not of the form ``cfg_<key id>_<secret>``.
    """
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or len(key_id) != 16 or len(secret) < 32 or len(token) > 200:
        raise AuthenticationError(f"malformed API key: expected {PREFIX}_<key id>_<secret>")
    return key_id, secret


def keyed_hash(secret_key: bytes, token: str) -> str:
    """HMAC-SHA256 of ``token`` under the server's secret key, hex."""
    return hmac.new(secret_key, token.encode(), hashlib.sha256).hexdigest()


def same_hash(a: str, b: str) -> bool:
    """Constant-time equality of two hashes."""
    return hmac.compare_digest(a.encode(), b.encode())


def csrf_token(secret_key: bytes, sign_in_token: str) -> str:
    """The anti-forgery token that goes with a sign-in cookie (the page sends it back in ``X-CSRF-Token``)."""
    return keyed_hash(secret_key, "csrf:" + sign_in_token)[:32]
