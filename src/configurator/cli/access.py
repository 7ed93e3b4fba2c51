"""``configurator keys ...`` and ``configurator users ...``: API keys and rep accounts of a tenant.

A key is printed once, when it is created: only its keyed hash (HMAC-SHA256 under
``CONFIGURATOR_SECRET_KEY``) is stored, so a lost key is revoked and replaced, never recovered. Every command
takes ``--database`` (default: ``CONFIGURATOR_DATABASE_URL``, else the SQLite file in settings); creating and
revoking are written to the tenant's audit log with ``--actor``.

Example:
    >>> from configurator.cli import main
    >>> main(["keys", "--help"])  # doctest: +ELLIPSIS
    <BLANKLINE>
    ...Usage: configurator keys [OPTIONS] COMMAND [ARGS]...
    0
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from configurator.cli.output import err as _err
from configurator.cli.output import out as _out
from configurator.cli.params import DatabaseOption

if TYPE_CHECKING:
    from configurator.access import Accounts, KeyRing
    from configurator.storage import CredentialStore

__all__ = ["keys_app", "users_app"]

keys_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)
users_app = typer.Typer(help="Rep accounts for the web page: create, list, disable.", no_args_is_help=True)

Url = DatabaseOption
Tenant = Annotated[str, typer.Option("--tenant", help="The tenant (shop) the credential belongs to.")]
Scopes = Annotated[
    list[str],
    typer.Option(
        "--scope", help="A scope: read, events, quote, accept or admin (repeat, or comma-separated)."
    ),
]
Actor = Annotated[str, typer.Option("--actor", help="Who does this (recorded in the audit log).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _credentials(url: str | None) -> tuple[CredentialStore, bytes]:
    from configurator.settings import get_settings
    from configurator.storage import CredentialStore, ensure_schema

    secret = get_settings().require_secret()
    return CredentialStore(ensure_schema(url)), secret


def _ring(url: str | None) -> KeyRing:
    from configurator.access import KeyRing

    return KeyRing(*_credentials(url))


def _accounts(url: str | None) -> Accounts:
    from configurator.access import Accounts

    return Accounts(*_credentials(url))


def _audit(
    credentials: CredentialStore, tenant: str, action: str, subject: str, actor: str, **details: Any
) -> None:
    from configurator.customers.identity import AuditRecord
    from configurator.storage import SqlStore

    SqlStore(credentials.engine, tenant).audit(
        AuditRecord(action, actor, subject, None, details, dt.datetime.now(dt.UTC))
    )


def _refuse(exc: ValueError) -> None:
    _err().print(f"error: {exc}", markup=False)
    raise typer.Exit(2)


@keys_app.command("create")
def keys_create(
    tenant: Tenant,
    name: Annotated[str, typer.Option("--name", help="Who or what uses the key, e.g. 'web shop'.")],
    scope: Scopes,
    url: Url = None,
    actor: Actor = "cli",
) -> None:
    """Create an API key and print it once (store it in the client's secret store now)."""
    ring = _ring(url)
    try:
        token, record = ring.create(tenant, name, scope, created_by=actor)
    except ValueError as exc:
        _refuse(exc)
        return
    _audit(ring.credentials, tenant, "key.create", f"key:{record.key_id}", actor, scopes=list(record.scopes))
    _err().print(
        f"key {record.key_id} of tenant {tenant} ({', '.join(record.scopes)}): shown once, not stored",
        markup=False,
    )
    sys.stdout.write(token + "\n")


@keys_app.command("list")
def keys_list(
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this tenant's keys.")] = None,
    url: Url = None,
    as_json: Json = False,
) -> None:
    """List keys (never their secrets): id, tenant, name, scopes, created, revoked."""
    rows: list[dict[str, Any]] = [
        {
            "key_id": k.key_id,
            "tenant": k.tenant,
            "name": k.name,
            "scopes": list(k.scopes),
            "created_at": k.created_at.isoformat(),
            "created_by": k.created_by,
            "revoked_at": None if k.revoked_at is None else k.revoked_at.isoformat(),
        }
        for k in _ring(url).list(tenant)
    ]
    if as_json:
        _out().print(json.dumps(rows, ensure_ascii=False, indent=2), markup=False)
        return
    for r in rows:
        state = f"revoked {r['revoked_at']}" if r["revoked_at"] else "live"
        _out().print(
            f"{r['key_id']}  {r['tenant']}  {','.join(r['scopes'])}  {r['name']}  {state}", markup=False
        )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (the part after cfg_).")],
    url: Url = None,
    actor: Actor = "cli",
) -> None:
    """Revoke a key: every server refuses it within seconds."""
    ring = _ring(url)
    found = ring.credentials.key(key_id)
    if found is None or not ring.revoke(key_id):
        _err().print(f"error: no live key {key_id!r}", markup=False)
        raise typer.Exit(1)
    _audit(ring.credentials, found.tenant, "key.revoke", f"key:{key_id}", actor)
    _out().print(f"revoked {key_id}", markup=False)


@users_app.command("create")
def users_create(
    login: Annotated[str, typer.Argument(help="The rep's login (an email address).")],
    tenant: Tenant,
    name: Annotated[str, typer.Option("--name", help="The rep's name, as the audit log shows it.")],
    scope: Scopes,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    url: Url = None,
    actor: Actor = "cli",
) -> None:
    """Create a rep account (the password is asked for, hidden, unless --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    accounts = _accounts(url)
    try:
        record = accounts.create(login, tenant, name, scope, password)
    except ValueError as exc:
        _refuse(exc)
        return
    _audit(
        accounts.credentials,
        tenant,
        "account.create",
        f"user:{record.login}",
        actor,
        scopes=list(record.scopes),
    )
    _out().print(f"created {record.login} in {tenant} ({', '.join(record.scopes)})", markup=False)


@users_app.command("list")
def users_list(
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this tenant's accounts.")] = None,
    url: Url = None,
) -> None:
    """List rep accounts: login, tenant, scopes, name, state."""
    for a in _accounts(url).list(tenant):
        state = f"disabled {a.disabled_at.isoformat()}" if a.disabled_at else "active"
        _out().print(f"{a.login}  {a.tenant}  {','.join(a.scopes)}  {a.name}  {state}", markup=False)


@users_app.command("disable")
def users_disable(
    login: Annotated[str, typer.Argument(help="The rep's login.")],
    url: Url = None,
    actor: Actor = "cli",
) -> None:
    """Disable a rep account and end its sign-ins on every server."""
    accounts = _accounts(url)
    found = accounts.credentials.account(login.strip().lower())
    if found is None or not accounts.disable(login):
        _err().print(f"error: no active account {login!r}", markup=False)
        raise typer.Exit(1)
    _audit(accounts.credentials, found.tenant, "account.disable", f"user:{found.login}", actor)
    _out().print(f"disabled {found.login}", markup=False)
