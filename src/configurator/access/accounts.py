"""Rep accounts: a login, a password stored as an argon2 hash, and sign-ins kept as keyed hashes.

A rep signs in to the web page with login and password and gets a random sign-in token (the page keeps it in
a ``Secure; HttpOnly; SameSite=Strict`` cookie); the store keeps only its HMAC, so signing out, expiry and
disabling the account end it at once on every worker. Unknown logins cost the same time as wrong passwords
(a dummy hash is verified), so the answer does not tell which logins exist. Needs ``argon2-cffi`` (the
``api`` extra).

Example:
    >>> from configurator.storage import CredentialStore, make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> reps = Accounts(CredentialStore(engine), b"s" * 32)
    >>> _ = reps.create("ana@shop.example", "shop-1", "Ana Lima", ["read", "quote"], "correct horse battery")
    >>> token, who, _ = reps.sign_in("Ana@Shop.example", "correct horse battery")
    >>> who.actor, reps.authenticate(token).name
    ('user:ana@shop.example', 'Ana Lima')
    >>> reps.sign_in("ana@shop.example", "wrong password!")
    Traceback (most recent call last):
    ...
    configurator.errors.AuthenticationError: wrong login or password
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from configurator.access.keys import check_label, check_tenant
from configurator.access.principal import Principal
from configurator.access.scopes import parse_scopes
from configurator.access.tokens import csrf_token, keyed_hash, new_token
from configurator.errors import AuthenticationError
from configurator.storage import AccountRecord, CredentialStore, SignInRecord

__all__ = ["MIN_PASSWORD", "Accounts", "normal_login"]

MIN_PASSWORD = 12
"""The shortest password an account takes (length beats composition rules)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@functools.cache
def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "rep accounts need argon2-cffi (the api extra): pip install 'configurator[api]'", name=exc.name
        ) from exc
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    return str(_hasher().hash("not a password of anyone"))


def normal_login(login: str) -> str:
    """A login as stored: NFC, trimmed, lower case; 3 to 200 printable characters without spaces.

    Raises:
        ValueError: any other text.
    """
    text = unicodedata.normalize("NFC", login.strip()).lower()
    if not 3 <= len(text) <= 200 or any(c.isspace() or unicodedata.category(c)[0] == "C" for c in text):
        raise ValueError(f"login: expected 3 to 200 printable characters without spaces, got {login[:40]!r}")
    return text


class Accounts:
    """The rep accounts of every tenant and their sign-ins.

    Args:
        credentials: where accounts and sign-ins are stored.
        secret_key: the server secret sign-in tokens are hashed under.
        clock: the current time (default: now, UTC).
        sign_in_hours: how long a sign-in lasts.
    """

    def __init__(
        self,
        credentials: CredentialStore,
        secret_key: bytes,
        clock: Callable[[], dt.datetime] | None = None,
        *,
        sign_in_hours: float = 10.0,
    ) -> None:
        self.credentials = credentials
        self._secret = secret_key
        self._now = clock or _now
        self.sign_in_hours = sign_in_hours

    def create(
        self, login: str, tenant: str, name: str, scopes: Iterable[str], password: str
    ) -> AccountRecord:
        """A new account.

        Raises:
            ValueError: a bad login, tenant, name or scope, a password shorter than :data:`MIN_PASSWORD`, or
                a login that exists.
        """
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"password: expected at least {MIN_PASSWORD} characters, got {len(password)}")
        record = AccountRecord(
            normal_login(login),
            check_tenant(tenant),
            check_label("name", name),
            parse_scopes(scopes),
            str(_hasher().hash(password)),
            self._now(),
        )
        self.credentials.add_account(record)
        return record

    def list(self, tenant: str | None = None) -> list[AccountRecord]:
        """The accounts (of one tenant), disabled ones included."""
        return self.credentials.accounts(tenant)

    def disable(self, login: str) -> bool:
        """Disable an account and end its sign-ins; False when no such enabled account."""
        return self.credentials.disable_account(normal_login(login), self._now())

    def sign_in(self, login: str, password: str) -> tuple[str, Principal, dt.datetime]:
        """Check login and password: a new sign-in token, the caller and when the sign-in expires.

        Raises:
            AuthenticationError: unknown login, wrong password or disabled account (one message for all).
        """
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            key = normal_login(login)
        except ValueError:
            key = ""
        found = self.credentials.account(key) if key else None
        try:
            _hasher().verify(found.password_hash if found else _dummy_hash(), password[:1024])
            ok = found is not None and found.disabled_at is None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or found is None:
            raise AuthenticationError("wrong login or password")
        if _hasher().check_needs_rehash(found.password_hash):
            self.credentials.set_password_hash(found.login, str(_hasher().hash(password)))
        token = new_token()
        now = self._now()
        expires = now + dt.timedelta(hours=self.sign_in_hours)
        self.credentials.add_sign_in(
            SignInRecord(keyed_hash(self._secret, token), found.tenant, found.login, now, expires)
        )
        return token, self._principal(found), expires

    def authenticate(self, token: str) -> Principal:
        """The rep a sign-in token stands for.

        Raises:
            AuthenticationError: unknown, ended or expired sign-in, or a disabled account.
        """
        found = self.credentials.sign_in(keyed_hash(self._secret, token[:200]))
        account = self.credentials.account(found.login) if found is not None else None
        if (
            found is None
            or found.ended_at is not None
            or found.expires_at <= self._now()
            or account is None
            or account.disabled_at is not None
        ):
            raise AuthenticationError("signed out or expired: sign in again")
        return self._principal(account)

    def sign_out(self, token: str) -> bool:
        """End a sign-in; False when it was not open."""
        return self.credentials.end_sign_in(keyed_hash(self._secret, token[:200]), self._now())

    def csrf(self, token: str) -> str:
        """The anti-forgery token for a sign-in (the page sends it back on every change)."""
        return csrf_token(self._secret, token)

    @staticmethod
    def _principal(account: AccountRecord) -> Principal:
        return Principal(account.tenant, "account", account.login, account.name, account.scopes)
