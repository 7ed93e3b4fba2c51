"""Keyed suppression hashes and erased-person tokens: secret-dependent, rotatable, legacy hashes still honoured."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from configurator.customers.consent import erase_person, erased_token
from configurator.customers.events import Event, validate_event
from configurator.customers.identity import MemoryIdentityStore, identify
from configurator.customers.keyring import (
    PrivacyKeys,
    configured_keys,
    legacy_identifier_hash,
    require_keys,
)
from configurator.errors import CustomerError, SettingsError
from configurator.storage import SqlStore, make_engine, upgrade
from support import SECRET

T0 = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
OTHER = "another-secret-key-of-at-least-32-chars"


def _store() -> SqlStore:
    engine = make_engine("sqlite://")
    upgrade(engine)
    return SqlStore(engine, "shop")


def _event(event_id: str, **fields: object) -> Event:
    record = {"event_id": event_id, "type": "viewed", "channel": "web", "ts": T0.isoformat(), **fields}
    return validate_event(record, tenant="shop")


def test_the_same_email_under_two_secrets_gives_different_tokens() -> None:
    """Suppression hashes and erased tokens depend on the secret: two secrets, two unrelated values."""
    one, two = PrivacyKeys.from_secrets(SECRET.encode()), PrivacyKeys.from_secrets(OTHER.encode())
    email = "ana@example.com"
    assert one.suppression_hash("shop", "email", email) != two.suppression_hash("shop", "email", email)
    assert one.erased_token("shop", "c-1004") != two.erased_token("shop", "c-1004")
    assert one.suppression_hash("shop", "email", email) != legacy_identifier_hash("shop", "email", email)
    assert one.suppression_hash("shop", "email", email) == one.suppression_hash("shop", "email", email)


def test_brute_force_over_phone_numbers_without_the_secret_finds_nothing() -> None:
    """Trying 20,000 phone numbers (the right one among them) matches the stored hash only with the secret."""
    keys = PrivacyKeys.from_secrets(SECRET.encode())
    stored = keys.suppression_hash("shop", "phone", "+351912345678")
    token = keys.erased_token("shop", "c-1004")
    guesses = [f"+3519123{n:05d}" for n in range(40_000, 60_000)]
    assert "+351912345678" in guesses
    unkeyed = {legacy_identifier_hash("shop", "phone", p) for p in guesses}
    wrong_key = PrivacyKeys.from_secrets(OTHER.encode())
    wrong = {wrong_key.suppression_hash("shop", "phone", p) for p in guesses}
    raw_secret = {hmac.new(SECRET.encode(), p.encode(), hashlib.sha256).hexdigest() for p in guesses}
    assert stored not in unkeyed | wrong | raw_secret
    customer_guesses = [f"c-{n}" for n in range(10_000)]
    assert token[len("erased:") :] not in {
        legacy_identifier_hash("shop", "customer_id", c)[:16] for c in customer_guesses
    }
    assert stored in {keys.suppression_hash("shop", "phone", p) for p in guesses}  # the control: with it


def test_erasure_needs_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without CONFIGURATOR_SECRET_KEY an erasure stops with the fix, before changing anything."""
    monkeypatch.delenv("CONFIGURATOR_SECRET_KEY")
    store = _store()
    store.write_events([_event("e1", customer_id="c-1")])
    with pytest.raises(SettingsError, match="CONFIGURATOR_SECRET_KEY"):
        erase_person(store, "c-1", actor="dpo")
    assert store.get_profile("c-1") is not None
    with pytest.raises(SettingsError, match="CONFIGURATOR_SECRET_KEY"):
        require_keys()


def test_writing_events_after_an_erasure_needs_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a tenant erased someone, events are refused without the secret rather than let the person back."""
    store = _store()
    store.write_events([_event("e1", customer_id="c-1")])
    erase_person(store, "c-1", actor="dpo")
    monkeypatch.delenv("CONFIGURATOR_SECRET_KEY")
    with pytest.raises(SettingsError, match="CONFIGURATOR_SECRET_KEY"):
        store.write_events([_event("e2", customer_id="c-1")])


def test_rotation_keeps_erased_people_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a rotation, hashes under the previous secret (CONFIGURATOR_PREVIOUS_SECRET_KEYS) still suppress."""
    store = _store()
    store.write_events([_event("e1", customer_id="c-1", traits={"email": "ana@example.com"})])
    erase_person(store, "c-1", actor="dpo")
    monkeypatch.setenv("CONFIGURATOR_SECRET_KEY", OTHER)
    monkeypatch.setenv("CONFIGURATOR_PREVIOUS_SECRET_KEYS", f"{SECRET}, ")
    result = store.write_events([_event("e2", anonymous_id="a-2", traits={"email": "ANA@example.com"})])
    assert (result.accepted, result.suppressed) == (0, 1)
    with pytest.raises(CustomerError, match="erased"):
        identify(store, customer_id="c-1", at=T0)
    monkeypatch.delenv("CONFIGURATOR_PREVIOUS_SECRET_KEYS")  # forgetting the old secret lets her back in
    assert (
        store.write_events([_event("e3", anonymous_id="a-3", traits={"email": "ana@example.com"})]).accepted
        == 1
    )


def test_unkeyed_hashes_of_earlier_releases_still_suppress() -> None:
    """A suppression entry stored as the unkeyed SHA-256 (before keyed hashes) still keeps the person out."""
    store = _store()
    store.add_suppressions({legacy_identifier_hash("shop", "phone", "+351912345678")}, T0)
    result = store.write_events([_event("e1", customer_id="c-2", traits={"phone": "912 345 678"})])
    assert (result.accepted, result.suppressed) == (0, 1)
    memory = MemoryIdentityStore("shop")
    memory.suppressions.add(legacy_identifier_hash("shop", "email", "old@example.com"))
    with pytest.raises(CustomerError, match="erased"):
        identify(memory, traits={"email": "old@example.com"}, at=T0)


def test_keys_come_from_the_settings_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process keys are those of CONFIGURATOR_SECRET_KEY; the token helper uses them."""
    keys = configured_keys()
    assert keys == PrivacyKeys.from_secrets(SECRET.encode())
    assert erased_token("shop", "c-1") == keys.erased_token("shop", "c-1")
    assert SECRET not in repr(keys)
    monkeypatch.setenv("CONFIGURATOR_SECRET_KEY", "short")
    with pytest.raises(SettingsError, match="5 characters"):
        configured_keys()
