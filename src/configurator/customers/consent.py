"""Consent and privacy: consent per purpose, export of everything held on a person, erasure with suppression.

Purposes and defaults (the legal basis we assume; change :data:`DEFAULTS` if yours differs):

- ``profiling`` (learned personalisation: value tiers, learned needs) is allowed by default (legitimate
  interest) until the customer objects; a customer who objects gets catalog defaults, never learned output.
- ``marketing`` is opt-in: denied until granted.

When profiles merge, each purpose keeps the most restrictive choice.

:func:`erase_person` deletes the person's profiles, identifiers, consents, events, orders, quotes and
installed base, replaces their ids in other rows (a referral by someone else, the audit log) by an opaque
``erased:<hmac>`` token, replaces every mention of them in free text that stays (another customer's note or
ticket, a quote, an audit entry: :class:`~configurator.customers.mentions.Mentions`) by ``[erased]``, removes
the quote files the product wrote for them, and keeps a *suppression* entry per identifier: an HMAC of tenant,
kind and normalised value under a key derived from the server secret (:mod:`configurator.customers.keyring`),
never the identifier itself. Later events carrying any of those identifiers are dropped and counted as
suppressed. Every consent change and erasure is audited. :func:`export_person` lists the mentions too.

Example:
    >>> DEFAULTS["profiling"], DEFAULTS["marketing"]
    (True, False)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from configurator.customers.identity import AuditRecord, IdentityStore, canonical_id
from configurator.customers.keyring import PrivacyKeys, require_keys
from configurator.customers.mentions import Mentions
from configurator.errors import CustomerError

__all__ = [
    "DEFAULTS",
    "PURPOSES",
    "ConsentState",
    "ErasureReport",
    "ErasureStore",
    "PrivacyStore",
    "Purpose",
    "consent_status",
    "erase_person",
    "erased_token",
    "export_person",
    "merged_consent",
    "person_mentions",
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
        token: the opaque ``erased:<hmac>`` token that now stands for the person in the audit log.
        profiles: how many profiles (the canonical one and those merged into it) were deleted.
        suppressed: how many identifier hashes were added to the suppression list.
        rows: rows deleted (or anonymised, ``*_anonymised``; mentions scrubbed, ``*_mentions``) per table.
        files_removed: quote files written for the person that were removed.
        files_left: quote files written for the person that could not be removed (remove them by hand).
    """

    token: str
    profiles: int
    suppressed: int
    rows: Mapping[str, int]
    files_removed: tuple[str, ...] = ()
    files_left: tuple[str, ...] = ()


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


class ErasureStore(PrivacyStore, Protocol):
    """What a complete export and an erasure that holds need besides :class:`PrivacyStore`."""

    def mentions_of(self, mentions: Mentions, customer_ids: Collection[str]) -> list[dict[str, Any]]:
        """Where rows that are not these customers' mention the person (table, key, owner, fields)."""
        ...

    def scrub_mentions(self, mentions: Mentions) -> dict[str, int]:
        """Replace every mention of the person in free text that stays; rows changed per table."""
        ...

    def rendered_files(self, customer_ids: Collection[str]) -> list[dict[str, Any]]:
        """The quote files written for these customers (path, quote id, customer, when)."""
        ...

    def release_erased(self) -> None:
        """After an erasure committed: make the deleted bytes unrecoverable where the database allows."""
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


def _texts(values: Any) -> set[str]:
    return {v.strip() for v in values if isinstance(v, str) and v.strip()}


def person_mentions(
    store: PrivacyStore, customer_ids: Collection[str], data: Mapping[str, Any] | None = None
) -> Mentions:
    """The person's identifiers to look for in others' records: names, emails, phones, addresses, ids.

    Taken from their profiles, their identifiers and the traits of their events (``data``: their
    :meth:`~PrivacyStore.personal_data`, read when not given).
    """
    data = store.personal_data(customer_ids) if data is None else data
    names: set[str] = set()
    emails: set[str] = set()
    phones: set[str] = set()
    addresses: set[str] = set()
    ids = set(customer_ids)
    traits = [e.get("payload", {}).get("traits") or {} for e in data.get("events", [])]
    for row in [*data.get("profiles", []), *traits]:
        names |= _texts([row.get("name")])
        emails |= _texts([row.get("email")])
        phones |= _texts([row.get("phone")])
        addresses |= _texts([row.get("address")])
    for row in data.get("identifiers", []):
        kind, value = row.get("kind"), row.get("value")
        {"email": emails, "phone": phones, "anonymous_id": ids}.get(str(kind), set()).update(_texts([value]))
    return Mentions(
        tuple(sorted(names)),
        tuple(sorted(emails)),
        tuple(sorted(phones)),
        tuple(sorted(addresses)),
        tuple(sorted(ids)),
    )


def export_person(store: ErasureStore, customer_id: str) -> dict[str, Any]:
    """Everything held on a person (their canonical profile and every profile merged into it) as JSON data.

    ``mentions`` lists the places where records that are not the person's mention them (another customer's
    event, a quote, an audit entry: table, key, owner and fields, not the text, which is someone else's).

    Raises:
        CustomerError: when the customer is unknown.
    """
    with store.atomic():
        target = _require(store, customer_id)
        ids = [target, *store.merged_ids(target)]
        data = store.personal_data(ids)
        mentions = store.mentions_of(person_mentions(store, ids, data), ids)
        return {
            "tenant": store.tenant,
            "customer_id": target,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(),
            "consent_now": consent_status(store, target),
            **data,
            "mentions": mentions,
            "quote_files": store.rendered_files(ids),
        }


def erased_token(tenant: str, customer_id: str, keys: PrivacyKeys | None = None) -> str:
    """The opaque token (an HMAC under the server secret) that replaces an erased customer id in rows we keep.

    Raises:
        SettingsError: ``keys`` is None and no secret key is set.

    Example:
        >>> erased_token("shop", "c-1", PrivacyKeys.from_secrets(b"s" * 32)).startswith("erased:")
        True
    """
    return (keys or require_keys()).erased_token(tenant, customer_id)


def _remove(files: Collection[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    removed: list[str] = []
    left: list[str] = []
    for name in sorted(set(files)):
        try:
            Path(name).unlink(missing_ok=True)
            removed.append(name)
        except OSError:
            left.append(name)
    return tuple(removed), tuple(left)


def erase_person(
    store: ErasureStore,
    customer_id: str,
    *,
    actor: str,
    at: dt.datetime | None = None,
    keys: PrivacyKeys | None = None,
) -> ErasureReport:
    """Erase a person: personal data, events and mentions go, keyed suppression hashes stay; audited (token only).

    In one transaction: the person's rows are deleted, their ids in rows that stay become the token, every
    mention of them in others' free text becomes ``[erased]``, and their identifiers are suppressed. After it
    commits, the quote files written for them are removed (those that cannot be are listed in the report) and
    the store makes the deleted bytes unrecoverable where it can (:meth:`ErasureStore.release_erased`).

    Raises:
        CustomerError: when the customer is unknown.
        SettingsError: ``keys`` is None and no secret key is set (``CONFIGURATOR_SECRET_KEY``).
    """
    keys = keys or require_keys()
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
        token = keys.erased_token(store.tenant, target)
        mentions = person_mentions(store, ids)
        files = [str(f["path"]) for f in store.rendered_files(ids)]
        rows = dict(store.erase(ids, sorted(pairs), token))
        rows.update({f"{k}_mentions": n for k, n in store.scrub_mentions(mentions).items()})
        added = store.add_suppressions({keys.suppression_hash(store.tenant, k, v) for k, v in pairs}, when)
        store.audit(
            AuditRecord(
                "erase",
                actor,
                token,
                details={
                    "profiles": len(ids),
                    "suppressed": added,
                    "files": len(files),
                    **{f"rows.{k}": n for k, n in rows.items()},
                },
                at=when,
            )
        )
    removed, left = _remove(files)
    store.release_erased()
    return ErasureReport(token, len(ids), added, rows, removed, left)


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
