"""API keys: shown once, stored as a keyed hash, scoped to a tenant, revocable."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.access import KeyRing, check_tenant
from configurator.access.tokens import keyed_hash, split_key_token
from configurator.errors import AuthenticationError
from configurator.storage import CredentialStore, make_engine, upgrade


@pytest.fixture
def ring() -> KeyRing:
    """A key ring over a fresh in-memory database."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    return KeyRing(CredentialStore(engine), b"k" * 32)


def test_the_store_keeps_only_a_keyed_hash(ring: KeyRing) -> None:
    """The stored row holds the HMAC of the key under the server secret, never the key or its secret."""
    token, record = ring.create("shop", "web", ["read"], created_by="t")
    stored = ring.credentials.key(record.key_id)
    assert stored is not None and stored.secret_hash == keyed_hash(b"k" * 32, token)
    assert split_key_token(token)[1] not in repr(stored)


def test_a_key_hashed_under_another_secret_is_refused(ring: KeyRing) -> None:
    """Changing the server secret invalidates every key."""
    token, _ = ring.create("shop", "web", ["read"], created_by="t")
    with pytest.raises(AuthenticationError):
        KeyRing(ring.credentials, b"x" * 32).authenticate(token)


def test_a_guessed_secret_for_a_real_key_id_is_refused(ring: KeyRing) -> None:
    """Knowing a key's public id is not enough."""
    _, record = ring.create("shop", "web", ["read"], created_by="t")
    with pytest.raises(AuthenticationError, match="unknown or revoked"):
        ring.authenticate(f"cfg_{record.key_id}_{'A' * 43}")


def test_revoking_is_tenant_checked_and_final(ring: KeyRing) -> None:
    """Another tenant cannot revoke a key; a revoked key stays revoked and is refused."""
    token, record = ring.create("shop", "web", ["read"], created_by="t")
    assert not ring.revoke(record.key_id, tenant="other")
    assert ring.authenticate(token).tenant == "shop"
    assert ring.revoke(record.key_id, tenant="shop") and not ring.revoke(record.key_id)
    with pytest.raises(AuthenticationError):
        ring.authenticate(token)


@pytest.mark.parametrize(
    ("tenant", "name", "scopes", "field"),
    [
        ("Shop", "web", ["read"], "tenant"),
        ("shop", "", ["read"], "name"),
        ("shop", "web\u200b", ["read"], "name"),
        ("shop", "web", ["write"], "scope"),
        ("shop", "web", [], "scope"),
    ],
)
def test_bad_tenants_names_and_scopes_are_refused(
    ring: KeyRing, tenant: str, name: str, scopes: list[str], field: str
) -> None:
    """A key needs a lowercase tenant id, a printable name and known scopes."""
    with pytest.raises(ValueError, match=field):
        ring.create(tenant, name, scopes, created_by="t")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_a_key_is_refused_not_crashed(text: str) -> None:
    """Whatever is sent as a key, authentication answers with AuthenticationError only."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    with pytest.raises(AuthenticationError):
        KeyRing(CredentialStore(engine), b"k" * 32).authenticate(text)


def test_tenant_ids_are_checked() -> None:
    """Tenant ids are lowercase slugs of at most 64 characters."""
    assert check_tenant("shop-1.eu") == "shop-1.eu"
    with pytest.raises(ValueError):
        check_tenant("a" * 65)
