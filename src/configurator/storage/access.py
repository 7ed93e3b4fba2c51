"""Credentials: API keys, rep accounts and sign-ins, looked up before the tenant is known.

A credential names its tenant, so this repository is not tenant-scoped like the others: a request's key (or
cookie) is found by its public id (or keyed hash) first, and the tenant comes from the row. Secrets are never
stored: keys and sign-in cookies as HMACs, passwords as argon2 hashes (made by :mod:`configurator.access`).

Example:
    >>> import datetime as dt
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> creds = CredentialStore(engine)
    >>> at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    >>> creds.add_key(KeyRecord("k1", "shop", "web shop", ("read",), "ab" * 32, at, "cli"))
    >>> creds.key("k1").tenant, creds.revoke_key("k1", at), creds.key("k1").revoked_at == at
    ('shop', True, True)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, select, update

from configurator.storage.engine import session_scope
from configurator.storage.models import AccountRow, ApiKeyRow, SignInRow
from configurator.storage.sql import insert_one, table

__all__ = ["AccountRecord", "CredentialStore", "KeyRecord", "SignInRecord"]


@dataclasses.dataclass(frozen=True)
class KeyRecord:
    """A stored API key (the secret's HMAC only)."""

    key_id: str
    tenant: str
    name: str
    scopes: tuple[str, ...]
    secret_hash: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class AccountRecord:
    """A stored rep account (the password's argon2 hash only)."""

    login: str
    tenant: str
    name: str
    scopes: tuple[str, ...]
    password_hash: str
    created_at: dt.datetime
    disabled_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class SignInRecord:
    """A stored sign-in (the cookie's HMAC only)."""

    token_hash: str
    tenant: str
    login: str
    created_at: dt.datetime
    expires_at: dt.datetime
    ended_at: dt.datetime | None = None


def _scopes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _key(row: ApiKeyRow) -> KeyRecord:
    return KeyRecord(
        row.key_id,
        row.tenant,
        row.name,
        _scopes(row.scopes),
        row.secret_hash,
        row.created_at,
        row.created_by,
        row.revoked_at,
    )


def _account(row: AccountRow) -> AccountRecord:
    return AccountRecord(
        row.login,
        row.tenant,
        row.name,
        _scopes(row.scopes),
        row.password_hash,
        row.created_at,
        row.disabled_at,
    )


def _row(record: Any) -> dict[str, Any]:
    values = dataclasses.asdict(record)
    if "scopes" in values:
        values["scopes"] = " ".join(values["scopes"])
    return values


def _stamp(session: Any, model: Any, where: Sequence[Any], values: dict[str, Any]) -> bool:
    """``UPDATE model SET values WHERE where``; whether a row changed (RETURNING: rowcounts lie on some drivers)."""
    key = table(model).primary_key.columns.values()[0]
    return session.execute(update(model).where(*where).values(**values).returning(key)).first() is not None


class CredentialStore:
    """API keys, accounts and sign-ins of every tenant in one database.

    Args:
        engine: the database (SQLite or PostgreSQL), migrated.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- API keys ----------------------------------------------------------------------------------
    def add_key(self, record: KeyRecord) -> None:
        """Store a new key.

        Raises:
            ValueError: a key with that id exists.
        """
        with session_scope(self.engine) as session:
            if not insert_one(session, ApiKeyRow, _row(record)):
                raise ValueError(f"key id {record.key_id!r} exists")

    def key(self, key_id: str) -> KeyRecord | None:
        """The key with that public id (revoked ones too), or None."""
        with session_scope(self.engine) as session:
            row = session.get(ApiKeyRow, key_id)
            return None if row is None else _key(row)

    def keys(self, tenant: str | None = None) -> list[KeyRecord]:
        """Every key (of one tenant), oldest first."""
        with session_scope(self.engine) as session:
            stmt = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.key_id)
            if tenant is not None:
                stmt = stmt.where(ApiKeyRow.tenant == tenant)
            return [_key(r) for r in session.execute(stmt).scalars()]

    def revoke_key(self, key_id: str, at: dt.datetime) -> bool:
        """Revoke a key from ``at`` on; False when no such key or already revoked."""
        with session_scope(self.engine) as session:
            where = (ApiKeyRow.key_id == key_id, ApiKeyRow.revoked_at.is_(None))
            return _stamp(session, ApiKeyRow, where, {"revoked_at": at})

    # --- accounts ----------------------------------------------------------------------------------
    def add_account(self, record: AccountRecord) -> None:
        """Store a new account.

        Raises:
            ValueError: an account with that login exists.
        """
        with session_scope(self.engine) as session:
            if not insert_one(session, AccountRow, _row(record)):
                raise ValueError(f"login {record.login!r} exists")

    def account(self, login: str) -> AccountRecord | None:
        """The account with that login (disabled ones too), or None."""
        with session_scope(self.engine) as session:
            row = session.get(AccountRow, login)
            return None if row is None else _account(row)

    def accounts(self, tenant: str | None = None) -> list[AccountRecord]:
        """Every account (of one tenant), by login."""
        with session_scope(self.engine) as session:
            stmt = select(AccountRow).order_by(AccountRow.login)
            if tenant is not None:
                stmt = stmt.where(AccountRow.tenant == tenant)
            return [_account(r) for r in session.execute(stmt).scalars()]

    def set_password_hash(self, login: str, password_hash: str) -> bool:
        """Replace an account's password hash (a rehash, or a new password); False when no such account."""
        with session_scope(self.engine) as session:
            return _stamp(session, AccountRow, (AccountRow.login == login,), {"password_hash": password_hash})

    def disable_account(self, login: str, at: dt.datetime) -> bool:
        """Disable an account and end its sign-ins; False when no such account or already disabled."""
        with session_scope(self.engine) as session:
            where = (AccountRow.login == login, AccountRow.disabled_at.is_(None))
            done = _stamp(session, AccountRow, where, {"disabled_at": at})
            session.execute(
                update(SignInRow)
                .where(SignInRow.login == login, SignInRow.ended_at.is_(None))
                .values(ended_at=at)
            )
            return done

    # --- sign-ins ----------------------------------------------------------------------------------
    def add_sign_in(self, record: SignInRecord) -> None:
        """Store a new sign-in."""
        with session_scope(self.engine) as session:
            insert_one(session, SignInRow, _row(record))

    def sign_in(self, token_hash: str) -> SignInRecord | None:
        """The sign-in with that cookie hash (ended ones too), or None."""
        with session_scope(self.engine) as session:
            row = session.get(SignInRow, token_hash)
            if row is None:
                return None
            return SignInRecord(
                row.token_hash, row.tenant, row.login, row.created_at, row.expires_at, row.ended_at
            )

    def end_sign_in(self, token_hash: str, at: dt.datetime) -> bool:
        """Sign out; False when no such open sign-in."""
        with session_scope(self.engine) as session:
            where = (SignInRow.token_hash == token_hash, SignInRow.ended_at.is_(None))
            return _stamp(session, SignInRow, where, {"ended_at": at})
