"""Trust: which claimed traits fill a profile and which are only claims; claims read back from the audit log."""

from __future__ import annotations

import datetime as dt

from configurator.customers.trust import DEFAULT_TRUST, MERGE, TRUST_LEVELS, Claim, Provenance, sort_traits

AT = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)


def test_the_default_trust_is_the_safe_one() -> None:
    """A sender nobody vouches for is only believed as far as claims go."""
    assert DEFAULT_TRUST == "claimed" and TRUST_LEVELS == ("verified", "claimed")
    assert Provenance("e", "api").claimed is False and Provenance("e", "api", "claimed").claimed is True


def test_an_existing_profile_is_never_filled() -> None:
    """On a profile the write did not create, a differing trait and a trait for an empty field are both claims."""
    held = {"name": "Ana", "email": "ana@example.com", "phone": None}
    offered = {"name": "Ana", "email": "eve@example.com", "phone": "+351912345678"}
    assert sort_traits(held, offered, fresh=False) == (
        {},
        {"email": "eve@example.com", "phone": "+351912345678"},
    )


def test_a_fresh_profile_is_filled_but_never_overwritten() -> None:
    """On a profile the write created, empty fields are filled; a set value or a contested email is a claim."""
    held = {"name": "Rui", "email": None, "phone": None}
    offered = {"name": "Eve", "email": "x@example.com", "phone": "+351912345678"}
    fill, claims = sort_traits(held, offered, fresh=True, contested={"email"})
    assert fill == {"phone": "+351912345678"}
    assert claims == {"name": "Eve", "email": "x@example.com"}


def test_a_claim_reads_back_from_its_audit_details() -> None:
    """A claim (merge claims too) survives the trip through the audit log's details."""
    claim = Provenance("e1", "api", "claimed").claim("c1", MERGE, "gen-1", AT, via="phone")
    assert (claim.actor, claim.related) == ("api:e1", "gen-1")
    assert Claim.from_audit("c1", claim.details(), AT) == claim
    assert claim.as_dict() == {
        "customer_id": "c1",
        "field": "merge",
        "value": "gen-1",
        "event_id": "e1",
        "channel": "api",
        "trust": "claimed",
        "via": "phone",
        "at": "2026-05-01T10:00:00+00:00",
    }
    scrubbed = Claim.from_audit("erased:1", {"erased": True}, AT)
    assert (scrubbed.field, scrubbed.value, scrubbed.trust) == ("", "", "claimed")
