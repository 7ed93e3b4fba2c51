"""Trust: how far the traits of an event may change what we hold on a customer.

Events reach us from two kinds of senders. An operator's import (``configurator customers ingest FILE``: the
shop's own systems, run by a person) is ``verified``: its traits *are* the customer's contact data (the latest
timestamp wins, see :mod:`configurator.customers.identity`). The open HTTP API (a web shop, a form, anyone who
holds an ordinary key) is ``claimed``: what it says may be true, or may be a stranger who typed someone else's
customer id. Quotes show the profile's contact details, so a claim must never become them unseen.

Rules under ``claimed`` trust (applied by :func:`~configurator.customers.identity.identify`):

1. The event is stored as sent: nothing a person gave us is lost.
2. Traits never change a profile that existed before the write. Each trait that differs from the profile
   (name, email, phone, address, postcode, city, country, company, language), also one for a field the profile
   leaves empty, is recorded as a :class:`Claim` instead. Empty fields are not filled either: an existing
   customer without an email whose quote then shows a stranger's email is the same harm as a replaced one.
3. A profile the same write created (a new customer id, a visitor who just gave an email) has nothing verified
   to protect: its empty fields are filled; a value that differs from one already filled is a claim.
4. An email or phone nobody owns yet is linked only to a profile the write created, or to the profile whose
   contact data already holds it; otherwise it stays unlinked (the trait claim says who claimed it). Anonymous
   ids are linked as under verified trust: that is how a web login reaches its visitor's history.
5. Two existing profiles are never merged. Where the verified rules would merge a generated profile that owns
   the event's email or phone, a ``merge`` claim names both ids instead; a rep who confirms it merges with
   :func:`~configurator.customers.identity.merge` (``configurator customers merge``), audited under their name.

Claims live in the audit log (action :data:`CLAIM_ACTION`, actor ``<channel>:<event id>``, subject the customer,
related the other customer of a merge claim, at the event's time): no table of their own. ``SqlStore.claims``
lists them, the privacy export holds them, erasure scrubs them like any audit entry. They are recorded when an
event is first stored; a replayed event changes nothing (idempotent by event id), so it adds no claim.

Example:
    >>> import datetime as dt
    >>> source = Provenance("e7", "web", "claimed")
    >>> claim = source.claim("c-1", "email", "eve@example.com", dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    >>> str(claim)
    "c-1: email 'eve@example.com' claimed by web:e7 at 2026-05-01T00:00:00+00:00"
    >>> Claim.from_audit("c-1", claim.details(), claim.at) == claim
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ACTOR_LENGTH",
    "CLAIM_ACTION",
    "DEFAULT_TRUST",
    "MERGE",
    "TRUST_LEVELS",
    "Claim",
    "Provenance",
    "Trust",
    "sort_traits",
]

Trust = Literal["verified", "claimed"]
"""How far an event's traits are believed: ``verified`` (an operator's import) or ``claimed`` (the open API)."""
TRUST_LEVELS: tuple[Trust, ...] = ("verified", "claimed")
"""Every trust level, most trusted first."""
DEFAULT_TRUST: Trust = "claimed"
"""The trust of events whose sender says nothing: the safe one."""
CLAIM_ACTION = "claim"
"""The audit log action of a claim."""
MERGE = "merge"
"""The field of a claim that two profiles are one person (its value: the other customer id)."""
ACTOR_LENGTH = 200
"""Most characters of a claim's actor: the width of the audit log's actor column (event ids may be that long)."""


@dataclass(frozen=True)
class Claim:
    """What a less trusted event said about a customer that was not applied: for a rep to confirm or dismiss.

    Attributes:
        customer_id: the customer the claim is about.
        field: the trait (``email``, ``name``, ``company``...), or :data:`MERGE`.
        value: the claimed value (normalised), or the other customer id of a merge claim.
        event_id: the event that said it (stored as sent).
        channel: the event's channel.
        at: the event's time.
        trust: the event's trust level.
        via: for a merge claim, the kind of identifier the two profiles share (``email``, ``phone``...).
    """

    customer_id: str
    field: str
    value: str
    event_id: str
    channel: str
    at: dt.datetime
    trust: Trust = "claimed"
    via: str | None = None

    @property
    def actor(self) -> str:
        """Who made the claim, as the audit log names it: ``<channel>:<event id>`` (cut to :data:`ACTOR_LENGTH`).

        The details keep the whole event id.
        """
        return f"{self.channel}:{self.event_id}"[:ACTOR_LENGTH]

    @property
    def related(self) -> str | None:
        """The other customer of a merge claim, else None."""
        return self.value if self.field == MERGE else None

    def details(self) -> dict[str, str]:
        """The audit entry's details: field, value, event id, channel, trust (and ``via`` of a merge claim)."""
        found = {
            "field": self.field,
            "value": self.value,
            "event_id": self.event_id,
            "channel": self.channel,
            "trust": self.trust,
        }
        return found if self.via is None else {**found, "via": self.via}

    def as_dict(self) -> dict[str, str]:
        """The claim as JSON-ready data (the privacy export)."""
        return {"customer_id": self.customer_id, **self.details(), "at": self.at.isoformat()}

    @classmethod
    def from_audit(cls, subject: str, details: Mapping[str, Any], at: dt.datetime) -> Claim:
        """The claim an audit entry of action :data:`CLAIM_ACTION` records (an erased one keeps blanks)."""
        trust = details.get("trust")
        via = details.get("via")
        return cls(
            customer_id=subject,
            field=str(details.get("field", "")),
            value=str(details.get("value", "")),
            event_id=str(details.get("event_id", "")),
            channel=str(details.get("channel", "")),
            at=at,
            trust="verified" if trust == "verified" else "claimed",
            via=None if via is None else str(via),
        )

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.field} {self.value!r} claimed by {self.actor} at {self.at.isoformat()}"


@dataclass(frozen=True)
class Provenance:
    """Where traits come from: the event, its channel, its trust, and the profiles its write created.

    Attributes:
        event_id: the event.
        channel: its channel.
        trust: how far it is believed.
        created: customer ids whose profiles the same write created (rule 3 of the module docstring).
    """

    event_id: str
    channel: str
    trust: Trust = "verified"
    created: frozenset[str] = field(default_factory=frozenset)

    @property
    def claimed(self) -> bool:
        """Whether the traits are only claimed (they never change an existing profile)."""
        return self.trust != "verified"

    def claim(
        self, customer_id: str, name: str, value: str, at: dt.datetime, via: str | None = None
    ) -> Claim:
        """A claim of this event about ``customer_id``."""
        return Claim(customer_id, name, value, self.event_id, self.channel, at, self.trust, via)


def sort_traits(
    held: Mapping[str, str | None],
    offered: Mapping[str, str],
    *,
    fresh: bool,
    contested: Collection[str] = (),
) -> tuple[dict[str, str], dict[str, str]]:
    """Split claimed traits into those filled in and those only claimed (the rules in the module docstring).

    Args:
        held: the profile's values by trait (None or absent: empty).
        offered: the event's traits.
        fresh: whether the same write created the profile (its empty fields may be filled).
        contested: traits whose value another profile owns (an email or phone): claimed, never filled.

    Returns:
        ``(fill, claims)``: traits to write on the profile, and differing traits to record as claims.

    Example:
        >>> held = {"name": "Ana", "email": None}
        >>> sort_traits(held, {"name": "Ana", "email": "eve@example.com"}, fresh=False)
        ({}, {'email': 'eve@example.com'})
        >>> sort_traits(held, {"name": "Eve", "email": "ana@example.com"}, fresh=True)
        ({'email': 'ana@example.com'}, {'name': 'Eve'})
    """
    fill: dict[str, str] = {}
    claims: dict[str, str] = {}
    for name, value in offered.items():
        current = held.get(name)
        if current == value:
            continue
        if fresh and current is None and name not in contested:
            fill[name] = value
        else:
            claims[name] = value
    return fill, claims
