"""``configurator keys`` and ``configurator users``: a key printed once and stored hashed, accounts, audit."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from configurator.access import KeyRing
from configurator.access.tokens import split_key_token
from configurator.cli import main
from configurator.storage import CredentialStore, SqlStore, make_engine
from support import SECRET


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite database, and the test secret in the environment."""
    monkeypatch.setenv("CONFIGURATOR_SECRET_KEY", SECRET)
    return f"sqlite:///{tmp_path / 'db.sqlite'}"


def test_keys_create_prints_the_key_once_and_stores_its_hash(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key goes to stdout; the database holds its HMAC only; creation is audited; list shows no secret."""
    assert (
        main(
            [
                "keys",
                "create",
                "--tenant",
                "shop",
                "--name",
                "web shop",
                "--scope",
                "read,events",
                "--url",
                url,
            ]
        )
        == 0
    )
    token = capsys.readouterr().out.strip()
    engine = make_engine(url)
    who = KeyRing(CredentialStore(engine), SECRET.encode()).authenticate(token)
    assert (who.tenant, who.scopes) == ("shop", ("events", "read"))
    assert [e.action for e in SqlStore(engine, "shop").audit_entries()] == ["key.create"]
    assert main(["keys", "list", "--url", url, "--json"]) == 0
    listed = capsys.readouterr().out
    assert split_key_token(token)[1] not in listed and json.loads(listed)[0]["name"] == "web shop"


def test_keys_revoke_stops_the_key(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A revoked key no longer authenticates; revoking an unknown key is an error."""
    main(["keys", "create", "--tenant", "shop", "--name", "n", "--scope", "read", "--url", url])
    token = capsys.readouterr().out.strip()
    assert main(["keys", "revoke", token.split("_")[1], "--url", url]) == 0
    ring = KeyRing(CredentialStore(make_engine(url)), SECRET.encode())
    assert ring.list()[0].revoked_at is not None
    assert main(["keys", "revoke", "0123456789abcdef", "--url", url]) == 1


def test_keys_need_a_secret_and_known_scopes(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown scope and a missing secret key are clear errors, not tracebacks."""
    assert main(["keys", "create", "--tenant", "shop", "--name", "n", "--scope", "write", "--url", url]) == 2
    assert "unknown scope 'write'" in capsys.readouterr().err
    monkeypatch.delenv("CONFIGURATOR_SECRET_KEY")
    assert main(["keys", "create", "--tenant", "shop", "--name", "n", "--scope", "read", "--url", url]) != 0
    assert "CONFIGURATOR_SECRET_KEY" in capsys.readouterr().err


def test_users_create_reads_the_password_from_stdin_and_disable_ends_it(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rep created with --password-stdin is listed; disabling is audited."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
    args = ["users", "create", "Ana@Shop.example", "--tenant", "shop", "--name", "Ana", "--scope", "read"]
    assert main([*args, "--password-stdin", "--url", url]) == 0
    assert main(["users", "list", "--url", url]) == 0
    assert "ana@shop.example  shop  read  Ana  active" in capsys.readouterr().out
    assert main(["users", "disable", "ana@shop.example", "--url", url]) == 0
    actions = [e.action for e in SqlStore(make_engine(url), "shop").audit_entries()]
    assert actions == ["account.create", "account.disable"]
