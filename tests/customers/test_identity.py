"""Identity rules: normalisation, identify, alias, merge, suggested duplicates; on every store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from configurator.customers.identity import (
    IdentityStore,
    MemoryIdentityStore,
    Profile,
    Traits,
    alias,
    canonical_id,
    identify,
    merge,
    normalise_email,
    normalise_phone,
    suggest_duplicates,
)
from configurator.customers.keyring import PrivacyKeys
from configurator.customers.trust import Provenance
from configurator.errors import CustomerError
from configurator.storage import SqlStore
from pg import open_database
from support import SECRET

T0 = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
KEYS = PrivacyKeys.from_secrets(SECRET.encode())
T1 = T0 + dt.timedelta(hours=1)
CLAIMED = Provenance("e1", "api", "claimed")


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[IdentityStore]:
    """The same identity rules on the in-memory reference store and the SQL store (SQLite, PostgreSQL)."""
    if request.param == "memory":
        yield MemoryIdentityStore("shop")
        return
    with open_database(request.param, request) as db:
        yield SqlStore(db.engine, "shop")


def _audit(store: IdentityStore) -> list[tuple[str, str, str, str | None]]:
    if isinstance(store, MemoryIdentityStore):
        records = store.log
    else:
        assert isinstance(store, SqlStore)
        records = store.audit_entries()
    return [(r.action, r.actor, r.subject, r.related) for r in records]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ana@example.com", "ana@example.com"),
        ("  Ana.Silva@Example.COM ", "ana.silva@example.com"),
        ("ANA+shop@EXAMPLE.pt", "ana+shop@example.pt"),
        ("JOSE@BÜCHER.Example", "jose@bücher.example"),
    ],
)
def test_emails_are_normalised(raw: str, expected: str) -> None:
    """Emails are trimmed and lower-cased (internationalised domains too); dots and +tags are kept."""
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "ana", "ana@", "@example.com", "ana@@example.com", "ana example@x.com"])
def test_invalid_emails_are_refused(raw: str) -> None:
    """Malformed addresses raise ValueError with a reason."""
    with pytest.raises(ValueError, match="not a valid email"):
        normalise_email(raw)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("912 345 678", "PT", "+351912345678"),
        ("+351 912-345-678", "PT", "+351912345678"),
        ("00351912345678", "PT", "+351912345678"),
        ("070-123 45 67", "SE", "+46701234567"),
        ("+46 70 123 45 67", "PT", "+46701234567"),
        ("612 34 56 78", "ES", "+34612345678"),
    ],
)
def test_phones_are_e164_in_a_configurable_region(raw: str, region: str, expected: str) -> None:
    """Phones become E.164; numbers without a country code are read in the given region."""
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize("raw", ["abc", "12", "912-345-67", "+351 000 000 000"])
def test_invalid_phones_are_refused(raw: str) -> None:
    """Text that is not a valid number for its country raises ValueError."""
    with pytest.raises(ValueError, match="phone"):
        normalise_phone(raw, "PT")


def test_traits_normalise_and_reject() -> None:
    """Traits normalise email and phone (region from the context) and reject unknown fields."""
    t = Traits.model_validate({"email": "A@B.SE", "phone": "070 123 45 67"}, context={"region": "SE"})
    assert (t.email, t.phone) == ("a@b.se", "+46701234567")
    assert Traits(name="  Ana  ").name == "Ana"
    with pytest.raises(ValidationError):
        Traits.model_validate({"shoe_size": 42})
    with pytest.raises(ValidationError):
        Traits.model_validate({"name": "bad\x00name"})


def test_an_anonymous_visitor_gets_no_profile(store: IdentityStore) -> None:
    """An anonymous id alone makes no profile; the visitor stays anonymous."""
    assert identify(store, anonymous_id="anon-1", at=T0).customer_id is None
    assert store.owner("anonymous_id", "anon-1") is None
    assert store.canonical_profiles() == []


def test_a_customer_id_names_its_profile(store: IdentityStore) -> None:
    """A customer id creates an external profile on first sight and finds it afterwards."""
    first = identify(store, customer_id="c-1", at=T0)
    again = identify(store, customer_id="c-1", at=T0)
    assert (first.customer_id, first.created) == ("c-1", True)
    assert (again.customer_id, again.created) == ("c-1", False)
    profile = store.get_profile("c-1")
    assert profile is not None and profile.origin == "external"


def test_email_and_phone_in_any_format_find_the_customer(store: IdentityStore) -> None:
    """The same email (any case) or phone (any format) on another channel resolves to the same customer."""
    identify(
        store, customer_id="c-1", traits={"email": "Ana@Example.com", "phone": "+351 912 345 678"}, at=T0
    )
    assert identify(store, traits={"email": " ANA@example.COM"}, at=T0).customer_id == "c-1"
    assert identify(store, traits={"phone": "912345678"}, at=T0).customer_id == "c-1"
    assert identify(store, traits={"phone": "00351 912 345 678"}, at=T0).customer_id == "c-1"
    assert len(store.canonical_profiles()) == 1


def test_an_anonymous_visitor_who_logs_in_is_aliased(store: IdentityStore) -> None:
    """After login the anonymous id points to the customer, so later anonymous visits are theirs."""
    identify(store, anonymous_id="anon-7", at=T0)
    result = alias(store, "anon-7", "c-1", at=T0)
    assert result.customer_id == "c-1"
    assert store.owner("anonymous_id", "anon-7") == "c-1"
    assert identify(store, anonymous_id="anon-7", at=T0).customer_id == "c-1"


def test_aliasing_someone_elses_anonymous_id_is_refused(store: IdentityStore) -> None:
    """An anonymous id already linked to another customer (a shared computer) is not moved."""
    alias(store, "anon-7", "c-1", at=T0)
    with pytest.raises(CustomerError, match="already belongs to customer 'c-1'"):
        alias(store, "anon-7", "c-2", at=T0)
    assert store.owner("anonymous_id", "anon-7") == "c-1"


def test_a_generated_profile_merges_into_the_customer_who_claims_its_identifier(store: IdentityStore) -> None:
    """A walk-in known by phone merges (audited, automatically) into the account that gives the same phone."""
    walk_in = identify(store, anonymous_id="kiosk-1", traits={"name": "Rui", "phone": "965 432 100"}, at=T0)
    assert walk_in.created and walk_in.customer_id and walk_in.customer_id.startswith("gen-")
    later = identify(
        store, customer_id="c-30", traits={"phone": "+351965432100"}, at=T0 + dt.timedelta(days=9)
    )
    assert later.merged == (walk_in.customer_id,)
    assert canonical_id(store, walk_in.customer_id) == "c-30"
    assert store.owner("anonymous_id", "kiosk-1") == "c-30"
    profile = store.get_profile("c-30")
    assert profile is not None and profile.name == "Rui"  # gaps filled from the merged profile
    assert ("merge", "identity-rules", "c-30", walk_in.customer_id) in _audit(store)


def test_two_accounts_sharing_an_email_are_never_merged(store: IdentityStore) -> None:
    """An email owned by another external customer is a conflict: reported, not merged, not moved."""
    identify(store, customer_id="c-1", traits={"email": "family@example.com"}, at=T0)
    result = identify(store, customer_id="c-2", traits={"email": "family@example.com", "name": "Bo"}, at=T0)
    assert result.customer_id == "c-2"
    assert [(c.kind, c.owner) for c in result.conflicts] == [("email", "c-1")]
    assert canonical_id(store, "c-2") == "c-2"
    assert store.owner("email", "family@example.com") == "c-1"
    profile = store.get_profile("c-2")
    assert profile is not None and profile.email is None and profile.name == "Bo"
    assert _audit(store) == []


def test_without_a_customer_id_an_external_owner_wins_over_a_generated_one(store: IdentityStore) -> None:
    """Email and phone owned by different profiles: the external one is the person, the generated one merges."""
    identify(store, customer_id="c-1", traits={"email": "ana@example.com"}, at=T0)
    generated = identify(store, traits={"phone": "912 345 678"}, at=T0).customer_id
    assert generated is not None
    result = identify(store, traits={"phone": "912 345 678", "email": "ana@example.com"}, at=T0)
    assert (result.customer_id, result.merged) == ("c-1", (generated,))


def test_traits_latest_wins_and_older_events_only_fill_gaps(store: IdentityStore) -> None:
    """Out-of-order traits: the newest value wins, whatever the arrival order."""
    identify(store, customer_id="c-1", traits={"address": "Rua Nova 2"}, at=T0 + dt.timedelta(days=2))
    identify(store, customer_id="c-1", traits={"address": "Rua Velha 1", "name": "Ana"}, at=T0)
    profile = store.get_profile("c-1")
    assert profile is not None
    assert (profile.address, profile.name, profile.traits_at) == (
        "Rua Nova 2",
        "Ana",
        T0 + dt.timedelta(days=2),
    )


def test_merge_moves_identifiers_and_is_audited(store: IdentityStore) -> None:
    """A confirmed merge moves identifiers, resolves the loser to the winner, and leaves an audit entry."""
    identify(store, customer_id="a", traits={"name": "Ana Silva"}, at=T0)
    identify(store, customer_id="b", anonymous_id="anon-b", traits={"email": "ana@example.com"}, at=T0)
    result = merge(store, "a", "b", actor="rep-7", reason="same person, confirmed by phone", at=T0)
    assert (result.winner, result.loser, result.identifiers_moved) == ("a", "b", 2)
    assert canonical_id(store, "b") == "a"
    assert identify(store, traits={"email": "ana@example.com"}, at=T0).customer_id == "a"
    assert identify(store, customer_id="b", at=T0).customer_id == "a"
    assert ("merge", "rep-7", "a", "b") in _audit(store)
    identify(store, customer_id="c", at=T0)
    merge(store, "c", "a", actor="rep-7", at=T0)
    assert canonical_id(store, "b") == "c"  # merged profiles follow their winner
    assert sorted(store.merged_ids("c")) == ["a", "b"]


def test_merge_refuses_unknown_and_identical_profiles(store: IdentityStore) -> None:
    """Merging an unknown id, or a profile with itself (also through an earlier merge), is an error."""
    identify(store, customer_id="a", at=T0)
    identify(store, customer_id="b", at=T0)
    with pytest.raises(CustomerError, match="unknown customer 'zz'"):
        merge(store, "a", "zz", actor="x")
    merge(store, "a", "b", actor="x")
    with pytest.raises(CustomerError, match="already the same customer"):
        merge(store, "b", "a", actor="x")


def test_erased_identifiers_are_refused(store: IdentityStore) -> None:
    """The identity rules refuse identifiers whose hash is on the suppression list."""
    if isinstance(store, MemoryIdentityStore):
        store.suppressions.add(KEYS.suppression_hash("shop", "email", "gone@example.com"))
    else:
        assert isinstance(store, SqlStore)
        store.add_suppressions({KEYS.suppression_hash("shop", "email", "gone@example.com")}, T0)
    with pytest.raises(CustomerError, match="erased"):
        identify(store, customer_id="c-9", traits={"email": "Gone@example.com"}, at=T0)
    assert store.get_profile("c-9") is None


def test_naive_timestamps_are_refused() -> None:
    """Identity rules need aware timestamps."""
    with pytest.raises(CustomerError, match="time zone"):
        identify(MemoryIdentityStore(), customer_id="c", at=dt.datetime(2026, 1, 1))


def test_duplicates_are_suggested_never_merged(store: IdentityStore) -> None:
    """Fuzzy name and address matches are suggestions: the store is unchanged."""
    people = [
        ("c-12", "João Pedro Martins", "Rua Direita 45, 3810-175 Aveiro"),
        ("c-33", "Joao Pedro Martin", "R. Direita 45, 3810-175 Aveiro"),
        ("c-40", "Maria Sousa", "Rua Direita 45, 3810-175 Aveiro"),
        ("c-41", "Pedro Martins", "Avenida Central 10, Braga"),
    ]
    for cid, name, address in people:
        identify(store, customer_id=cid, traits={"name": name, "address": address}, at=T0)
    found = suggest_duplicates(store.canonical_profiles())
    assert [(c.a, c.b) for c in found] == [("c-12", "c-33")]
    assert found[0].name_score >= 88 and found[0].address_score is not None
    assert len(store.canonical_profiles()) == 4


def test_suggestions_need_close_names() -> None:
    """Same address, different people: not suggested; same name without addresses: suggested on the name."""
    ps = [
        Profile("1", name="Ana Silva", address="Rua A 1"),
        Profile("2", name="Rui Costa", address="Rua A 1"),
        Profile("3", name="Eva Lund"),
        Profile("4", name="Eva  Lund"),
        Profile("5", name="Eva Lund", merged_into="3"),
    ]
    assert [(c.a, c.b, c.address_score) for c in suggest_duplicates(ps)] == [("3", "4", None)]
    assert suggest_duplicates(ps[:1]) == []


def test_claimed_traits_are_recorded_never_applied(store: IdentityStore) -> None:
    """Claimed traits leave an existing profile as it is (empty fields too); each differing one is an audited claim."""
    identify(store, customer_id="c-1", traits={"name": "Ana", "email": "ana@example.com"}, at=T0)
    said = {"name": "Eve", "email": "eve@example.com", "phone": "912345678", "city": "Porto"}
    got = identify(store, customer_id="c-1", traits=said, at=T1, provenance=CLAIMED)
    profile = store.get_profile("c-1")
    assert profile is not None
    assert (profile.name, profile.email, profile.phone, profile.extra, profile.traits_at) == (
        "Ana",
        "ana@example.com",
        None,
        {},
        T0,
    )
    assert [(c.field, c.value, c.actor, c.at) for c in got.claims] == [
        ("name", "Eve", "api:e1", T1),
        ("email", "eve@example.com", "api:e1", T1),
        ("phone", "+351912345678", "api:e1", T1),
        ("city", "Porto", "api:e1", T1),
    ]
    assert store.owner("email", "eve@example.com") is None and store.owner("phone", "+351912345678") is None
    assert [a for a in _audit(store) if a[0] == "claim"] == [("claim", "api:e1", "c-1", None)] * 4


def test_claimed_traits_equal_to_the_profile_claim_nothing(store: IdentityStore) -> None:
    """A claimed event repeating the profile's own email claims nothing and links it; its anonymous id is linked."""
    store.add_profile(Profile("c-1", name="Ana", email="ana@example.com", created_at=T0))
    said = {"name": "Ana", "email": "ana@example.com"}
    got = identify(store, customer_id="c-1", anonymous_id="anon-1", traits=said, at=T1, provenance=CLAIMED)
    assert got.claims == ()
    assert store.owner("email", "ana@example.com") == "c-1" and store.owner("anonymous_id", "anon-1") == "c-1"


def test_a_claimed_event_fills_the_profile_it_creates(store: IdentityStore) -> None:
    """A claimed event for someone new fills the profile it creates and links its email; nothing is claimed."""
    got = identify(store, traits={"email": "rui@example.com", "name": "Rui"}, at=T0, provenance=CLAIMED)
    assert got.created and got.claims == () and got.customer_id is not None
    profile = store.get_profile(got.customer_id)
    assert profile is not None and (profile.name, profile.email) == ("Rui", "rui@example.com")
    assert store.owner("email", "rui@example.com") == got.customer_id
    written = Provenance("e2", "api", "claimed", frozenset({"c-7"}))  # the write created c-7 before identify
    store.add_profile(Profile("c-7", created_at=T0))
    assert identify(store, customer_id="c-7", traits={"name": "Bo"}, at=T0, provenance=written).claims == ()
    assert (store.get_profile("c-7") or Profile("?")).name == "Bo"


def test_a_claimed_event_merges_no_profiles(store: IdentityStore) -> None:
    """Where verified rules merge a generated profile, a claimed event leaves both and audits a claim naming both."""
    other = identify(store, traits={"phone": "912 345 678"}, at=T0).customer_id
    assert other is not None
    identify(store, customer_id="c-1", at=T0)
    got = identify(store, customer_id="c-1", traits={"phone": "+351912345678"}, at=T1, provenance=CLAIMED)
    assert got.merged == () and canonical_id(store, other) == other
    assert store.owner("phone", "+351912345678") == other
    assert [(c.field, c.value, c.via) for c in got.claims if c.field == "merge"] == [
        ("merge", other, "phone")
    ]
    assert ("claim", "api:e1", "c-1", other) in _audit(store)
    assert not [a for a in _audit(store) if a[0] == "merge"]
