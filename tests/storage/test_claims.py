"""Claims in the SQL store: listed per customer through merges, exported with the person, scrubbed on erasure."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from configurator.customers.consent import erase_person, erased_token, export_person
from configurator.customers.events import validate_event
from configurator.customers.identity import merge
from configurator.storage import SqlStore
from pg import Database
from pg import database as database

T0 = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)


def _viewed(event_id: str, minutes: int, customer_id: str, **traits: str) -> Any:
    ts = (T0 + dt.timedelta(minutes=minutes)).isoformat()
    data = {"event_id": event_id, "type": "viewed", "customer_id": customer_id, "channel": "api", "ts": ts}
    return validate_event({**data, "traits": traits}, tenant="shop")


def _people(database: Database) -> SqlStore:
    """Ana (c1) and Eve (c2) imported as verified; then an open-API event says c1's email is Eve's."""
    store = SqlStore(database.engine, "shop")
    store.write_events(
        [
            _viewed("v1", 0, "c1", name="Ana", email="ana@example.com"),
            _viewed("v2", 1, "c2", name="Eve", email="eve@example.com"),
        ]
    )
    store.write_events([_viewed("v3", 2, "c1", email="eve@example.com", city="Porto")], trust="claimed")
    return store


def test_write_events_is_verified_unless_told(database: Database) -> None:
    """The store believes its caller: without a trust level traits update the profile, with `claimed` they are claims."""
    store = _people(database)
    profile = store.get_profile("c1")
    assert profile is not None and (profile.email, profile.extra) == ("ana@example.com", {})
    assert [(c.field, c.value, c.event_id) for c in store.claims("c1")] == [
        ("email", "eve@example.com", "v3"),
        ("city", "Porto", "v3"),
    ]
    assert store.claims("c2") == [] and store.claims() == []


def test_claims_follow_a_merge(database: Database) -> None:
    """After a rep merges c1 into c3, c3's claims include those made about c1."""
    store = _people(database)
    store.write_events([_viewed("v4", 3, "c3", name="Ana S.")])
    merge(store, "c3", "c1", actor="rep-1", reason="same person")
    assert [c.event_id for c in store.claims("c3")] == ["v3", "v3"]


def test_the_export_lists_the_claims_about_the_person(database: Database) -> None:
    """The privacy export holds the person's claims (readable, JSON-ready) besides the audit log."""
    exported = export_person(_people(database), "c1")
    assert [(c["field"], c["value"], c["event_id"], c["channel"]) for c in exported["claims"]] == [
        ("email", "eve@example.com", "v3", "api"),
        ("city", "Porto", "v3", "api"),
    ]
    assert json.loads(json.dumps(exported, default=str))["claims"][0]["at"] == "2026-05-01T10:02:00+00:00"


def test_erasing_the_claimant_takes_their_email_out_of_claims_about_others(database: Database) -> None:
    """Erasing Eve replaces her email in the claim about Ana by Eve's token; the claim's event and field stay."""
    store = _people(database)
    report = erase_person(store, "c2", actor="dpo")
    assert report.rows["claims_anonymised"] == 1
    (claim, _) = store.claims("c1")
    assert (claim.field, claim.value, claim.event_id) == ("email", erased_token("shop", "c2"), "v3")
    assert "eve@example.com" not in json.dumps(export_person(store, "c1"), default=str)


def test_erasing_the_customer_scrubs_the_claims_about_them(database: Database) -> None:
    """Erasing Ana leaves no claimed value in the audit log: her claims keep blanks and the erased mark."""
    store = _people(database)
    erase_person(store, "c1", actor="dpo")
    entries = [e for e in store.audit_entries() if e.action == "claim"]
    assert len(entries) == 2 and all(e.details == {"erased": True} for e in entries)
    assert {e.subject for e in entries} == {erased_token("shop", "c1")}


def test_a_claim_from_the_longest_event_id_is_stored(database: Database) -> None:
    """An event id of the longest length accepted still fits the audit log: the actor is cut, the details keep it."""
    store = _people(database)
    long_id = "e" * 200
    store.write_events([_viewed(long_id, 4, "c1", name="Eve")], trust="claimed")
    claim = store.claims("c1")[-1]
    assert (claim.field, claim.event_id, len(claim.actor)) == ("name", long_id, 200)
