"""Consent and privacy: consent per purpose, export of everything held on a person, erasure with suppression.

Purposes and defaults (the legal basis we assume; change :data:`DEFAULTS` if yours differs):

- ``profiling`` (learned personalisation: value tiers, learned needs) is allowed by default (legitimate
  interest) until the customer objects; a customer who objects gets catalog defaults, never learned output.
- ``marketing`` is opt-in: denied until granted.

When profiles merge, each purpose keeps the most restrictive choice.

:func:`erase_person` deletes the person's profiles, identifiers, consents, events, orders, quotes and
installed base, replaces their ids in other rows (a referral by someone else, the audit log) by an opaque
``erased:<hash>`` token, and keeps a *suppression* entry per identifier: a SHA-256 of tenant, kind and
normalised value, never the identifier itself. Later events carrying any of those identifiers are dropped and
counted as suppressed. Every consent change and erasure is audited.

Example:
    >>> DEFAULTS["profiling"], DEFAULTS["marketing"]
    (True, False)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from configurator.customers.identity import AuditRecord, IdentityStore, canonical_id, identifier_hash
from configurator.errors import CustomerError

__all__ = [
    "DEFAULTS",
    "PURPOSES",
    "ConsentState",
    "ErasureReport",
    "PrivacyStore",
    "Purpose",
    "consent_status",
    "erase_person",
    "erased_token",
    "export_person",
    "merged_consent",
    "record_consent",
    "scrubbed_audit_details",
    "scrubbed_event_payload",
]

Purpose = Literal["profiling", "marketing"]
PURPOSES: tuple[Purpose, ...] = ("profiling", "marketing")
DEFAULTS: Mapping[Purpose, bool] = {"profiling": True, "marketing": False}
"""Whether a purpose is allowed for a customer who never said anything."""


@dataclass(frozen=True)
class ConsentState:
    """A customer's recorded choice for one purpose."""

    customer_id: str
    purpose: Purpose
    granted: bool
    recorded_at: dt.datetime
    source: str


@dataclass(frozen=True)
class ErasureReport:
    """What :func:`erase_person` did.

    Attributes:
        token: the opaque ``erased:<hash>`` token that now stands for the person in the audit log.
        profiles: how many profiles (the canonical one and those merged into it) were deleted.
        suppressed: how many identifier hashes were added to the suppression list.
        rows: rows deleted (or anonymised, ``*_anonymised``) per table.
    """

    token: str
    profiles: int
    suppressed: int
    rows: Mapping[str, int]


class PrivacyStore(IdentityStore, Protocol):
    """What consent, export and erasure need from a store (besides :class:`IdentityStore`)."""

    def set_consent(self, state: ConsentState) -> bool:
        """Record the choice unless a newer one is stored (out-of-order events); True when applied."""
        ...

    def consents(self, customer_id: str) -> list[ConsentState]:
        """The recorded choices of one customer id."""
        ...

    def personal_data(self, customer_ids: Collection[str]) -> dict[str, Any]:
        """Everything held on these customer ids, as JSON-ready data (section name -> rows)."""
        ...

    def erase(
        self, customer_ids: Collection[str], identifiers: Collection[tuple[str, str]], token: str
    ) -> dict[str, int]:
        """Delete the rows of these ids; remove the identifiers, or put ``token``, where other rows mention them."""
        ...

    def add_suppressions(self, hashes: Collection[str], at: dt.datetime) -> int:
        """Remember identifier hashes of an erased person; returns how many were new."""
        ...


def _now(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        raise CustomerError(f"timestamp {at.isoformat()} has no time zone")
    return at.astimezone(dt.UTC)


def _require(store: IdentityStore, customer_id: str) -> str:
    found = canonical_id(store, customer_id)
    if found is None:
        raise CustomerError(f"unknown customer {customer_id!r} in tenant {store.tenant!r}")
    return found


def record_consent(
    store: PrivacyStore,
    customer_id: str,
    purpose: Purpose,
    granted: bool,
    *,
    at: dt.datetime | None = None,
    source: str = "api",
    actor: str = "customer",
) -> bool:
    """Record a consent decision for the customer's canonical profile; audited. False when a newer one wins.

    Raises:
        CustomerError: when the customer is unknown or the purpose is not one of :data:`PURPOSES`.
    """
    if purpose not in PURPOSES:
        raise CustomerError(f"unknown purpose {purpose!r} (one of {', '.join(PURPOSES)})")
    when = _now(at)
    with store.atomic():
        target = _require(store, customer_id)
        applied = store.set_consent(ConsentState(target, purpose, granted, when, source))
        store.audit(
            AuditRecord(
                "consent",
                actor,
                target,
                details={"purpose": purpose, "granted": granted, "source": source, "applied": applied},
                at=when,
            )
        )
        return applied


def consent_status(store: PrivacyStore, customer_id: str) -> dict[Purpose, bool]:
    """Whether each purpose is allowed for the customer now (recorded choice, else :data:`DEFAULTS`)."""
    target = _require(store, customer_id)
    status: dict[Purpose, bool] = dict(DEFAULTS)
    for state in store.consents(target):
        status[state.purpose] = state.granted
    return status


def export_person(store: PrivacyStore, customer_id: str) -> dict[str, Any]:
    """Everything held on a person (their canonical profile and every profile merged into it) as JSON data.

    Raises:
        CustomerError: when the customer is unknown.
    """
    with store.atomic():
        target = _require(store, customer_id)
        ids = [target, *store.merged_ids(target)]
        data = store.personal_data(ids)
        return {
            "tenant": store.tenant,
            "customer_id": target,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(),
            "consent_now": consent_status(store, target),
            **data,
        }


def erased_token(tenant: str, customer_id: str) -> str:
    """The opaque token that replaces an erased customer id in rows we keep.

    Example:
        >>> erased_token("shop", "c-1").startswith("erased:")
        True
    """
    return "erased:" + identifier_hash(tenant, "customer_id", customer_id)[:16]


def erase_person(
    store: PrivacyStore, customer_id: str, *, actor: str, at: dt.datetime | None = None
) -> ErasureReport:
    """Erase a person: personal data and events go, suppression hashes stay; audited (with the token only).

    Raises:
        CustomerError: when the customer is unknown.
    """
    when = _now(at)
    with store.atomic():
        target = _require(store, customer_id)
        ids = [target, *store.merged_ids(target)]
        pairs: set[tuple[str, str]] = set()
        for cid in ids:
            pairs.add(("customer_id", cid))
            pairs.update(store.identifiers(cid))
            profile = store.get_profile(cid)
            if profile is not None:
                if profile.email:
                    pairs.add(("email", profile.email))
                if profile.phone:
                    pairs.add(("phone", profile.phone))
        token = erased_token(store.tenant, target)
        rows = store.erase(ids, sorted(pairs), token)
        added = store.add_suppressions({identifier_hash(store.tenant, k, v) for k, v in pairs}, when)
        store.audit(
            AuditRecord(
                "erase",
                actor,
                token,
                details={
                    "profiles": len(ids),
                    "suppressed": added,
                    **{f"rows.{k}": n for k, n in rows.items()},
                },
                at=when,
            )
        )
        return ErasureReport(token, len(ids), added, rows)


def merged_consent(winner: str, loser: ConsentState, kept: ConsentState | None) -> ConsentState:
    """The choice the winner of a merge keeps for the loser's purpose: the most restrictive one.

    Granted only when both granted (an objection on either profile wins), recorded at the later of the two
    times, from the source of the objection (the winner's own when both granted).

    Args:
        winner: the surviving customer id.
        loser: the merged profile's choice.
        kept: the winner's choice for the same purpose, if any.

    Example:
        >>> may, june = dt.datetime(2026, 5, 1, tzinfo=dt.UTC), dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
        >>> c = merged_consent("c1", ConsentState("c2", "marketing", False, may, "email"),
        ...                    ConsentState("c1", "marketing", True, june, "web"))
        >>> c.customer_id, c.granted, c.recorded_at == june, c.source
        ('c1', False, True, 'email')
    """
    if kept is None:
        return ConsentState(winner, loser.purpose, loser.granted, loser.recorded_at, loser.source)
    return ConsentState(
        winner,
        loser.purpose,
        loser.granted and kept.granted,
        max(loser.recorded_at, kept.recorded_at),
        kept.source if loser.granted else loser.source,
    )


def scrubbed_event_payload(
    payload: Mapping[str, Any],
    *,
    referred_erased: bool,
    anonymous_erased: bool,
    contacts: Collection[str],
    token: str,
) -> dict[str, Any]:
    """Someone else's event that mentions an erased person, without them.

    What stays of such an event: a referral names the person by ``token``, their browser id (a shared
    computer) is removed, their email or phone given as a contact is removed from the traits.

    Args:
        payload: the stored event.
        referred_erased: the event refers the erased person.
        anonymous_erased: the event's anonymous id is the erased person's.
        contacts: the erased person's emails and phone numbers.
        token: the :func:`erased_token` that stands for the person.

    Example:
        >>> scrubbed_event_payload({"type": "referral", "referred_customer_id": "c9", "anonymous_id": "a1",
        ...     "traits": {"email": "x@y.example", "name": "Ann"}}, referred_erased=True,
        ...     anonymous_erased=True, contacts=["x@y.example"], token="erased:1")
        {'type': 'referral', 'referred_customer_id': 'erased:1', 'traits': {'name': 'Ann'}}
    """
    clean = dict(payload)
    if referred_erased:
        clean["referred_customer_id"] = token
    if anonymous_erased:
        clean.pop("anonymous_id", None)
    traits = {k: v for k, v in (clean.get("traits") or {}).items() if v not in contacts}
    if traits != (clean.get("traits") or {}):
        clean["traits"] = traits
    return clean


def scrubbed_audit_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """The details an audit entry about an erased person keeps: numbers, flags and blanks, marked ``erased``.

    Example:
        >>> scrubbed_audit_details({"reason": "same email as x@y.example", "score": 0.93, "applied": True})
        {'score': 0.93, 'applied': True, 'erased': True}
    """
    kept = {k: v for k, v in (details or {}).items() if isinstance(v, bool | int | float) or v is None}
    return {**kept, "erased": True}
