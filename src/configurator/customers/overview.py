"""Everything we know about one customer, read from a store as plain data: the facts behind the overview page.

:func:`customer_overview` reads the profile and its identifiers (contact details, language, company), the
stored tier snapshot with the numbers behind it (a request never refits the tiers), every stored event of the
person newest first (all merged profiles and channels: the timeline), the quotes with their version count,
status and last change, the orders and the installed base. It returns facts only, no wording: the HTTP API
words them in the caller's locale (``configurator.api.overview``), and learned needs, which come from the
``needs`` layer above this one, are added there.

Besides the snapshot's numbers, the tier facts count the purchases of the look-back window before the
snapshot's ``as_of`` (or before ``now`` without a snapshot) and what they were worth, and the open intent
since the last purchase: the plain numbers a rep can repeat to the customer.

Example:
    >>> import datetime as dt
    >>> from configurator.customers.events import validate_event
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> def event(event_id, day, **fields):
    ...     return validate_event({"event_id": event_id, "customer_id": "c1", "channel": "store",
    ...                            "ts": f"2026-05-{day:02}T12:00:00Z", **fields}, tenant="shop")
    >>> _ = store.write_events([
    ...     event("e1", 1, type="viewed", traits={"name": "Ann", "email": "ann@example.com"}),
    ...     event("e2", 2, type="purchased", order_id="o1", margin=30,
    ...           lines=[{"item": "bell", "unit_price": 12.5, "quantity": 2}]),
    ... ])
    >>> now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    >>> facts = customer_overview(store, "c1", now=now)
    >>> facts.name, facts.contact.emails, [e.event_id for e in facts.events]
    ('Ann', ('ann@example.com',), ['e2', 'e1'])
    >>> facts.tier.code, facts.tier.ranked, facts.tier.purchases, facts.tier.spent, facts.tier.currency
    ('standard', False, 1, Decimal('25.0'), 'EUR')
    >>> [(o.order_id, o.total) for o in facts.orders], [(i.item, i.quantity) for i in facts.installed]
    ([('o1', Decimal('25.0'))], [('bell', 2)])
    >>> customer_overview(store, "nobody", now=now) is None
    True
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from configurator.customers.consent import PrivacyStore, consent_status
from configurator.customers.events import Event, Purchased
from configurator.customers.identity import Profile

__all__ = [
    "INTENT_TYPES",
    "LOOKBACK",
    "Contact",
    "InstalledFact",
    "OrderFact",
    "OrderLineFact",
    "Overview",
    "OverviewStore",
    "QuoteFact",
    "StoredTierFacts",
    "TierFacts",
    "customer_overview",
]

LOOKBACK = dt.timedelta(days=365)
"""The window of the purchases counted in the tier facts (the tiers' default look-back: 12 months)."""

INTENT_TYPES = ("quote_requested", "configured", "stated_need")
"""Events that show demand not yet turned into an order (what growth potential counts)."""


class StoredTierFacts(Protocol):
    """A row of the tier snapshot (``storage.tiers.StoredTier``)."""

    @property
    def tier(self) -> str:
        """``mvc``, ``mgc``, ``standard`` or ``below_zero``."""
        ...

    @property
    def as_of(self) -> dt.datetime:
        """The (exclusive) moment the events were counted up to."""
        ...

    @property
    def computed_at(self) -> dt.datetime:
        """When the refresh ran."""
        ...

    @property
    def numbers(self) -> Mapping[str, Any]:
        """Every number behind the assignment."""
        ...


@runtime_checkable
class OverviewStore(PrivacyStore, Protocol):
    """What the overview reads: profile, identifiers, events, tier snapshot, quotes, orders, installed base."""

    def customer_events(self, customer_id: str) -> list[Event]:
        """Every event of the customer (merged profiles and anonymous ids included), oldest first."""
        ...

    def stored_tier(self, customer_id: str) -> StoredTierFacts | None:
        """The customer's row of the tier snapshot, or None."""
        ...

    def quotes_for(self, customer_id: str) -> list[dict[str, Any]]:
        """The customer's quote heads (rows as mappings), oldest first."""
        ...

    def quote_activity(self, customer_id: str) -> dict[str, dt.datetime]:
        """The latest change of each of the customer's quotes, by quote id."""
        ...

    def orders_for(self, customer_id: str) -> list[dict[str, Any]]:
        """The customer's orders (rows as mappings), oldest first."""
        ...

    def installed_base_for(self, customer_id: str) -> list[dict[str, Any]]:
        """What the customer owns: one row per order line, oldest first."""
        ...


@dataclasses.dataclass(frozen=True)
class Contact:
    """How to reach the customer: every email and phone the identity rules hold, and the latest address."""

    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    address: str | None = None


@dataclasses.dataclass(frozen=True)
class TierFacts:
    """The value tier and the numbers behind it.

    Attributes:
        code: ``mvc``, ``mgc``, ``standard`` or ``below_zero`` (``standard`` without a snapshot row).
        ranked: whether the snapshot has a row for the customer (False: new since the last refresh).
        objection: the customer objected to profiling (ranked as ``standard``, nothing learned).
        as_of: the moment the counts below end (the snapshot's ``as_of``, else now).
        numbers: the snapshot's numbers (empty without a row or for an objection).
        purchases: purchases in the look-back window before ``as_of``.
        spent: what those purchases were worth (order totals).
        currency: the currency of the purchases (``EUR`` without any).
        open_intent: quote requests, configurations and stated needs since the last purchase, in the window.
        computed_at: when the snapshot was computed (None without a row).
    """

    code: str
    ranked: bool
    objection: bool
    as_of: dt.datetime
    numbers: Mapping[str, Any]
    purchases: int
    spent: Decimal
    currency: str
    open_intent: int
    computed_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class QuoteFact:
    """One quote of the customer: a stored quote number, or one known only from the event log."""

    quote_id: str
    catalog: str | None
    versions: int
    status: str
    total: Decimal | None
    currency: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class OrderLineFact:
    """One order line: the item (a product, i.e. a catalog id, or a service id), its catalog and choices."""

    item: str
    catalog: str | None
    quantity: int
    selections: Mapping[str, Mapping[str, int]] | None


@dataclasses.dataclass(frozen=True)
class OrderFact:
    """One order: when, its lines, total and currency."""

    order_id: str
    at: dt.datetime
    lines: tuple[OrderLineFact, ...]
    total: Decimal
    currency: str


@dataclasses.dataclass(frozen=True)
class InstalledFact:
    """One owned line: the item, its catalog and configuration, how many and since when (first order)."""

    item: str
    catalog: str | None
    quantity: int
    configuration: Mapping[str, Mapping[str, int]] | None
    since: dt.datetime


@dataclasses.dataclass(frozen=True)
class Overview:
    """Everything we know about one (canonical) customer, as facts.

    Attributes:
        customer_id: the canonical id.
        name, language, company, country: from the profile (None when never told).
        contact: emails, phones and address.
        profiling: whether profiling is allowed (False: nothing is learned about them).
        tier: the value tier and its numbers.
        events: every stored event of the person, newest first (ties: event id, descending).
        quotes: quotes, most recently changed first.
        orders: orders, newest first.
        installed: owned lines, oldest first.
    """

    customer_id: str
    name: str | None
    language: str | None
    company: str | None
    country: str | None
    contact: Contact
    profiling: bool
    tier: TierFacts
    events: tuple[Event, ...]
    quotes: tuple[QuoteFact, ...]
    orders: tuple[OrderFact, ...]
    installed: tuple[InstalledFact, ...]


def customer_overview(store: OverviewStore, customer_id: str, *, now: dt.datetime) -> Overview | None:
    """The facts of the overview of ``customer_id`` (a canonical id), or None when the store does not know it.

    Args:
        store: a store of the tenant (e.g. ``storage.SqlStore``); every read runs in one transaction.
        customer_id: the canonical customer id (an erased or unknown one answers None).
        now: the current time (the end of the tier counts when there is no snapshot row).
    """
    with store.atomic():
        profile = store.get_profile(customer_id)
        if profile is None:
            return None
        events = store.customer_events(customer_id)
        stored = store.stored_tier(customer_id)
        profiling = consent_status(store, customer_id)["profiling"]
        identifiers = store.identifiers(customer_id)
        quotes = _quotes(store.quotes_for(customer_id), store.quote_activity(customer_id), events)
        orders = tuple(_order(row) for row in reversed(store.orders_for(customer_id)))
        installed = tuple(_installed(row) for row in store.installed_base_for(customer_id))
    return Overview(
        customer_id=customer_id,
        name=profile.name,
        language=profile.extra.get("language"),
        company=profile.extra.get("company"),
        country=profile.extra.get("country"),
        contact=_contact(profile, identifiers),
        profiling=profiling,
        tier=_tier(stored, events, profiling, now),
        events=tuple(sorted(events, key=lambda e: (e.ts, e.event_id), reverse=True)),
        quotes=quotes,
        orders=orders,
        installed=installed,
    )


def _contact(profile: Profile, identifiers: Sequence[tuple[str, str]]) -> Contact:
    """The profile's email and phone first, then every other one the identity rules hold."""

    def values(kind: str, first: str | None) -> tuple[str, ...]:
        found = [first] if first else []
        found += [value for k, value in identifiers if k == kind]
        return tuple(dict.fromkeys(found))

    return Contact(values("email", profile.email), values("phone", profile.phone), profile.address)


def _tier(
    stored: StoredTierFacts | None, events: Sequence[Event], profiling: bool, now: dt.datetime
) -> TierFacts:
    as_of = stored.as_of if stored is not None else now
    start = as_of - LOOKBACK
    window = [e for e in events if start <= e.ts < as_of]
    purchases = [e for e in window if isinstance(e, Purchased)]
    currencies = collections.Counter(e.currency for e in purchases)
    last = max((e.ts for e in purchases), default=None)
    intent = [e for e in window if e.type in INTENT_TYPES and (last is None or e.ts > last)]
    numbers = dict(stored.numbers) if stored is not None and stored.numbers else {}
    return TierFacts(
        code=stored.tier if stored is not None else "standard",
        ranked=stored is not None,
        objection=not profiling,
        as_of=as_of,
        numbers=numbers,
        purchases=len(purchases),
        spent=sum((e.order_total for e in purchases), Decimal(0)),
        currency=currencies.most_common(1)[0][0] if currencies else "EUR",
        open_intent=len(intent),
        computed_at=stored.computed_at if stored is not None else None,
    )


def _quotes(
    heads: Sequence[Mapping[str, Any]], activity: Mapping[str, dt.datetime], events: Sequence[Event]
) -> tuple[QuoteFact, ...]:
    """Stored quote numbers, and the quotes only the event log knows (requested or sent through a channel)."""
    found: dict[str, QuoteFact] = {}
    for head in heads:
        quote_id = str(head["quote_id"])
        created = head["created_at"]
        found[quote_id] = QuoteFact(
            quote_id=quote_id,
            catalog=head.get("catalog_id"),
            versions=int(head.get("version") or 1),
            status=str(head["status"]),
            total=head.get("total"),
            currency=str(head.get("currency") or "EUR"),
            created_at=created,
            updated_at=max(created, activity.get(quote_id, created)),
        )
    logged: dict[str, list[Event]] = {}
    for event in events:
        ref = getattr(event, "quote_id", None)
        if event.type in ("quote_requested", "quote_sent") and ref and ref not in found:
            logged.setdefault(str(ref), []).append(event)
    for quote_id, told in logged.items():
        sent = [e for e in told if e.type == "quote_sent"]
        latest = sent[-1] if sent else told[-1]
        found[quote_id] = QuoteFact(
            quote_id=quote_id,
            catalog=next(
                (getattr(e, "catalog", None) for e in reversed(told) if getattr(e, "catalog", None)), None
            ),
            versions=max(len(sent), 1),
            status="sent" if sent else "requested",
            total=getattr(latest, "total", None),
            currency=str(getattr(latest, "currency", None) or "EUR"),
            created_at=told[0].ts,
            updated_at=told[-1].ts,
        )
    return tuple(sorted(found.values(), key=lambda q: (q.updated_at, q.quote_id), reverse=True))


def _order(row: Mapping[str, Any]) -> OrderFact:
    lines = tuple(
        OrderLineFact(
            item=str(line["item"]),
            catalog=line.get("catalog"),
            quantity=int(line.get("quantity", 1)),
            selections=line.get("selections"),
        )
        for line in row.get("lines") or ()
    )
    return OrderFact(
        str(row["order_id"]), row["ordered_at"], lines, Decimal(row["total"]), str(row["currency"])
    )


def _installed(row: Mapping[str, Any]) -> InstalledFact:
    return InstalledFact(
        item=str(row["item"]),
        catalog=row.get("catalog_id"),
        quantity=int(row.get("quantity") or 1),
        configuration=row.get("configuration"),
        since=row["installed_at"],
    )
