"""Rep accounts: argon2 passwords, sign-ins as keyed hashes, expiry, sign-out and disabling."""

from __future__ import annotations

import datetime as dt

import pytest

from configurator.access import Accounts
from configurator.errors import AuthenticationError
from configurator.storage import CredentialStore, make_engine, upgrade

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> list[dt.datetime]:
    """A settable clock."""
    return [AT]


@pytest.fixture
def reps(clock: list[dt.datetime]) -> Accounts:
    """Accounts over a fresh database with one rep, ana@shop.example of tenant shop."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    accounts = Accounts(CredentialStore(engine), b"s" * 32, lambda: clock[0], sign_in_hours=8)
    accounts.create("ana@shop.example", "shop", "Ana Lima", ["read", "quote"], PASSWORD)
    return accounts


def test_passwords_are_stored_as_argon2_hashes(reps: Accounts) -> None:
    """The stored hash is an argon2id hash, not the password."""
    stored = reps.credentials.account("ana@shop.example")
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


def test_wrong_password_unknown_login_and_disabled_account_say_the_same(reps: Accounts) -> None:
    """One message for every refusal, so the answer does not tell which logins exist."""
    messages = set()
    for login, password in (("ana@shop.example", "wrong password!"), ("nobody@shop.example", PASSWORD)):
        with pytest.raises(AuthenticationError) as caught:
            reps.sign_in(login, password)
        messages.add(str(caught.value))
    reps.disable("ana@shop.example")
    with pytest.raises(AuthenticationError) as caught:
        reps.sign_in("ana@shop.example", PASSWORD)
    messages.add(str(caught.value))
    assert messages == {"wrong login or password"}


def test_a_sign_in_expires_and_signing_out_ends_it(reps: Accounts, clock: list[dt.datetime]) -> None:
    """A sign-in holds for its hours, then is refused; sign-out ends it at once."""
    token, who, expires = reps.sign_in("ana@shop.example", PASSWORD)
    assert (who.tenant, who.scopes, expires) == ("shop", ("quote", "read"), AT + dt.timedelta(hours=8))
    clock[0] = AT + dt.timedelta(hours=7)
    assert reps.authenticate(token).id == "ana@shop.example"
    clock[0] = AT + dt.timedelta(hours=8)
    with pytest.raises(AuthenticationError):
        reps.authenticate(token)
    clock[0] = AT
    again, _, _ = reps.sign_in("ana@shop.example", PASSWORD)
    assert reps.sign_out(again) and not reps.sign_out(again)
    with pytest.raises(AuthenticationError):
        reps.authenticate(again)


def test_disabling_an_account_ends_its_sign_ins(reps: Accounts) -> None:
    """A disabled rep's open sign-in is refused at once."""
    token, _, _ = reps.sign_in("ana@shop.example", PASSWORD)
    assert reps.disable("ana@shop.example")
    with pytest.raises(AuthenticationError):
        reps.authenticate(token)


def test_short_passwords_and_taken_logins_are_refused(reps: Accounts) -> None:
    """A password needs 12 characters; a login is unique across tenants (case-insensitive)."""
    with pytest.raises(ValueError, match="password"):
        reps.create("bo@shop.example", "shop", "Bo", ["read"], "short")
    with pytest.raises(ValueError, match="exists"):
        reps.create("ANA@shop.example", "other", "Ana", ["read"], PASSWORD)
