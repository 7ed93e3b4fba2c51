"""Events: the interaction log, written idempotently with its effects, and read back per customer or catalog.

:meth:`EventRepository.write_events` stores new events and, in the same transaction, their effects: profiles
for new customer ids, the identity rules (``customers.identity.identify``), consent records
(``customers.consent.record_consent``) and orders with installed base (:meth:`~.quotes.QuoteRepository.project_orders`).
Events carrying an identifier of an erased person are dropped (suppressed): their identifiers are checked
against the suppression list under the keys of the server secret (current, previous and legacy hashes:
:mod:`configurator.customers.keyring`), which is required once the tenant has erased anyone. The id of a
dropped event is remembered (``dropped_events``, ids only) and so are the ids of the events an erasure
deleted: posting one of them again counts as a duplicate, as for a stored event. Events written with ``claimed``
trust (:mod:`configurator.customers.trust`) are stored as sent, but their traits only fill profiles the same
write created, never merge two profiles, and are otherwise recorded as claims in the audit log.

Example:
    >>> from configurator.storage import make_engine, upgrade
    >>> from configurator.customers.events import validate_event
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> events = EventRepository(engine, "shop")
    >>> e = validate_event({"event_id": "e1", "type": "purchased", "customer_id": "c1", "channel": "store",
    ...     "ts": "2026-05-01T12:00:00Z", "order_id": "o1", "margin": 30,
    ...     "lines": [{"item": "bell", "unit_price": 12.5, "quantity": 2}]}, tenant="shop")
    >>> events.write_events([e]), events.write_events([e])
    (WriteResult(accepted=1, duplicates=0, suppressed=0), WriteResult(accepted=0, duplicates=1, suppressed=0))
    >>> [x.event_id for x in events.customer_events("c1")], events.order_event("o1")
    (['e1'], 'e1')
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, Text, select

from configurator.customers.consent import record_consent
from configurator.customers.events import (
    Configured,
    ConsentChanged,
    Event,
    Purchased,
    Referral,
    Review,
    measures,
    validate_event,
)
from configurator.customers.identity import Profile, carried_identifiers, identify
from configurator.customers.ingest import WriteResult, order_reused
from configurator.customers.keyring import configured_keys, require_keys, suppression_candidates
from configurator.customers.trust import Provenance, Trust
from configurator.storage.models import Customer, Identity, Order, Suppression
from configurator.storage.models import Event as EventRow
from configurator.storage.privacy import PrivacyRepository
from configurator.storage.quotes import QuoteRepository
from configurator.storage.sql import insert_new, like_escaped

__all__ = ["EventRepository", "event_row"]


def event_row(event: Event, received_at: dt.datetime) -> dict[str, Any]:
    """The ``events`` row of a validated event."""
    m = measures(event)
    payload = event.model_dump(mode="json", exclude_none=True)
    return {
        "tenant": event.tenant,
        "event_id": event.event_id,
        "type": event.type,
        "schema_version": event.schema_version,
        "channel": event.channel,
        "ts": event.ts,
        "customer_ref": event.customer_id,
        "anonymous_id": event.anonymous_id,
        "amount": m.amount,
        "margin": m.margin,
        "cost": m.cost,
        "referred_customer_id": event.referred_customer_id if isinstance(event, Referral) else None,
        "converted": event.converted if isinstance(event, Referral) else None,
        "rating": event.rating if isinstance(event, Review) else None,
        "payload": payload,
        "received_at": received_at,
    }


def _has_traits(event: Event) -> bool:
    return event.traits is not None and not event.traits.is_empty()


class EventRepository(PrivacyRepository, QuoteRepository):
    """The event log of the tenant (part of :class:`~configurator.storage.store.SqlStore`).

    Implements ``customers.ingest.EventSink``.
    """

    def write_events(self, events: Sequence[Event], *, trust: Trust = "verified") -> WriteResult:
        """Store new events and their effects in one transaction; skip known and suppressed ones.

        Effects of new events, in timestamp order: customer profiles for new customer ids, identity rules for
        events with traits or with both a customer and an anonymous id (:func:`identify`, under ``trust``:
        ``claimed`` traits are recorded as claims instead of changing existing profiles), consent records,
        and orders with their installed base for purchases. Run once more after a race with another writer
        (deadlock, serialization failure, lock wait, unique key: :func:`~configurator.storage.retry.retrying`);
        any other error is raised at once. ``trust`` defaults to ``verified``: the store believes its caller
        (``customers.ingest.ingest`` passes the trust of the sender).
        """
        return self.in_transaction(lambda: self._write(events, trust))

    def _write(self, events: Sequence[Event], trust: Trust) -> WriteResult:
        if any(e.tenant != self.tenant for e in events):
            raise ValueError(f"events of another tenant given to the store of tenant {self.tenant!r}")
        secret = configured_keys()
        if secret is None and self._has_suppressions():
            require_keys()  # an erased person's hashes are keyed: without the secret they would get back in
        own: dict[str, set[str]] = {}
        referred: dict[str, set[str]] = {}
        for e in events:
            carried = carried_identifiers(e.customer_id, e.anonymous_id, e.traits)
            own[e.event_id] = suppression_candidates(self.tenant, carried, secret)
            if isinstance(e, Referral):
                pair = [("customer_id", e.referred_customer_id)]
                referred[e.event_id] = suppression_candidates(self.tenant, pair, secret)
        blocked = self.suppressed({h for hs in (*own.values(), *referred.values()) for h in hs})
        dropped = self.dropped_events([e.event_id for e in events])
        kept: list[Event] = []
        rows: list[dict[str, Any]] = []
        now = dt.datetime.now(dt.UTC)
        newly_dropped: list[str] = []
        for e in events:
            if e.event_id in dropped:
                continue
            if blocked.intersection(own[e.event_id]):
                newly_dropped.append(e.event_id)
                continue
            row = event_row(e, now)
            if blocked.intersection(referred.get(e.event_id, ())):
                row["referred_customer_id"] = None
                row["payload"] = {**row["payload"], "referred_customer_id": "erased"}
            kept.append(e)
            rows.append(row)
        suppressed = self.add_dropped_events(newly_dropped, now)
        seen = len(events) - len(kept) - suppressed  # dropped before, or twice in this batch: duplicates
        conflicts = self._reused_orders(kept)
        if conflicts:
            rows = [row for row in rows if row["event_id"] not in conflicts]
            kept = [e for e in kept if e.event_id not in conflicts]
        refused = tuple((event_id, "order_id", reason) for event_id, reason in conflicts.items())
        if not rows:
            return WriteResult(duplicates=seen, suppressed=suppressed, refused=refused)
        rows.sort(key=lambda r: r["event_id"])  # one lock order for every writer: no deadlocks
        new_ids = insert_new(self.session, EventRow, rows, "event_id")
        fresh = sorted((e for e in kept if e.event_id in new_ids), key=lambda e: (e.ts, e.event_id))
        self._effects(fresh, trust)
        return WriteResult(len(new_ids), len(kept) - len(new_ids) + seen, suppressed, refused)

    def _has_suppressions(self) -> bool:
        """Whether the tenant has erased anyone (a suppression entry)."""
        found = self.session.execute(
            select(Suppression.tenant).where(Suppression.tenant == self.tenant).limit(1)
        )
        return found.first() is not None

    def _reused_orders(self, events: Sequence[Event]) -> dict[str, str]:
        """Reasons, by event id, of purchases whose order id is another event's (stored order, or earlier here).

        The stored side is the ``orders`` table: purchases of visitors still anonymous have no order row, so
        theirs are checked within a batch (and an ingestion run) only.
        """
        purchases = [e for e in events if isinstance(e, Purchased)]
        if not purchases:
            return {}
        stored: dict[str, str] = {
            row[0]: row[1]
            for row in self.session.execute(
                select(Order.order_id, Order.event_id).where(
                    Order.tenant == self.tenant, Order.order_id.in_(sorted({e.order_id for e in purchases}))
                )
            )
        }
        conflicts: dict[str, str] = {}
        for e in purchases:
            first = stored.setdefault(e.order_id, e.event_id)
            if first != e.event_id:
                conflicts[e.event_id] = order_reused(e.order_id, first)
        return conflicts

    def _effects(self, events: Sequence[Event], trust: Trust) -> None:
        if not events:
            return
        firsts: dict[str, dt.datetime] = {}
        for e in events:
            if e.customer_id and e.customer_id not in firsts:
                firsts[e.customer_id] = e.ts
        canonical = self.canonical_ids(sorted(firsts))
        missing = sorted(set(firsts) - set(canonical))
        if missing:  # new customer ids get a profile (a concurrent writer may add the same: no conflict)
            self.add_profiles(Profile(cid, "external", created_at=firsts[cid]) for cid in missing)
            canonical.update(self.canonical_ids(missing))
        created = frozenset(missing)

        # A logged-in visitor's anonymous id becomes theirs: claimed in bulk when nobody owns it yet.
        links = [e for e in events if e.anonymous_id and e.customer_id and not _has_traits(e)]
        owners = self.anonymous_owners([e.anonymous_id for e in links if e.anonymous_id])
        claims: dict[str, tuple[str, dt.datetime]] = {}
        for e in links:
            assert e.anonymous_id and e.customer_id
            if e.anonymous_id not in owners and e.anonymous_id not in claims:
                claims[e.anonymous_id] = (canonical.get(e.customer_id, e.customer_id), e.ts)
        if claims:
            self.claim_anonymous_ids(claims)
            owners = self.anonymous_owners([e.anonymous_id for e in links if e.anonymous_id])
        for e in events:
            linking = bool(e.anonymous_id and e.customer_id)
            if _has_traits(e) or (
                linking and owners.get(e.anonymous_id or "") != canonical.get(e.customer_id or "")
            ):
                # Traits, or an anonymous id owned by another profile: the full identity rules.
                resolved = identify(
                    self,
                    customer_id=e.customer_id,
                    anonymous_id=e.anonymous_id,
                    traits=e.traits,
                    at=e.ts,
                    region=self.region,
                    provenance=Provenance(e.event_id, e.channel, trust, created),
                )
                if e.anonymous_id and resolved.customer_id and e.anonymous_id in owners:
                    owners[e.anonymous_id] = self.owner("anonymous_id", e.anonymous_id) or ""
            if isinstance(e, ConsentChanged) and e.customer_id:
                record_consent(
                    self,
                    e.customer_id,
                    e.purpose,
                    e.granted,
                    at=e.ts,
                    source=f"{e.channel}:{e.event_id}",
                    actor="customer",
                )
        self.project_orders([e for e in events if isinstance(e, Purchased)])

    # -- reading events back: a customer's events, a catalog's sales -----------------------------------------

    def _payload_events(self, stmt: Select[Any]) -> list[Event]:
        """The validated events of the selected ``payload`` column (stored payloads are validated events).

        Read without the ingestion limits: a value stored before a limit existed is the reader's to ignore.
        """
        return [
            validate_event(payload, tenant=self.tenant, region=None, limits=None)
            for payload in self.session.execute(stmt).scalars()
        ]

    def customer_events(self, customer_id: str) -> list[Event]:
        """Every stored event of a customer, as validated events, ordered by timestamp then event id.

        ``customer_id`` may be any of the person's ids: the events of the canonical customer, of every profile
        merged into it and of the anonymous ids they own are returned (the same attribution as
        ``events_frame``), consent records included. An unknown customer has no events (cold start).

        Example:
            >>> from configurator.storage import make_engine, upgrade
            >>> from configurator.customers.events import validate_event
            >>> from configurator.customers.identity import merge
            >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
            >>> store = EventRepository(engine, "shop")
            >>> def viewed(event_id, minute, **who):
            ...     return validate_event({"event_id": event_id, "type": "viewed", "channel": "web",
            ...                            "ts": f"2026-05-01T12:{minute:02}:00Z", **who}, tenant="shop")
            >>> _ = store.write_events([viewed("e2", 2, customer_id="c1"), viewed("e1", 1, customer_id="c2"),
            ...                         viewed("e3", 3, customer_id="c9")])
            >>> _ = merge(store, "c1", "c2", actor="rep", reason="same email")
            >>> [e.event_id for e in store.customer_events("c2")], store.customer_events("c0")
            (['e1', 'e2'], [])
        """
        tenant = self.tenant
        with self.atomic():
            session = self.session
            merged_into = session.execute(
                select(Customer.merged_into).where(
                    Customer.tenant == tenant, Customer.customer_id == customer_id
                )
            ).first()
            if merged_into is None:
                return []
            canonical = merged_into[0] or customer_id
            ids = [
                canonical,
                *session.execute(
                    select(Customer.customer_id).where(
                        Customer.tenant == tenant, Customer.merged_into == canonical
                    )
                ).scalars(),
            ]
            anonymous = list(
                session.execute(
                    select(Identity.value).where(
                        Identity.tenant == tenant,
                        Identity.kind == "anonymous_id",
                        Identity.customer_id.in_(ids),
                    )
                ).scalars()
            )
            # Two lookups, each on its own (tenant, column) index, merged here: one query with an OR over the
            # two columns lets SQLite walk the tenant's (tenant, ts) index instead, which grows with the tenant.
            columns = (EventRow.ts, EventRow.event_id, EventRow.payload)
            rows = list(
                session.execute(
                    select(*columns).where(EventRow.tenant == tenant, EventRow.customer_ref.in_(ids))
                )
            )
            if anonymous:
                rows += session.execute(
                    select(*columns).where(
                        EventRow.tenant == tenant,
                        EventRow.customer_ref.is_(None),
                        EventRow.anonymous_id.in_(anonymous),
                    )
                )
            rows.sort(key=lambda row: (row[0], row[1]))
            return [validate_event(row[2], tenant=tenant, region=None, limits=None) for row in rows]

    def catalog_sales(self, catalog_id: str, *, latest: int | None = None) -> list[Event]:
        """The ``purchased`` and ``configured`` events that mention a catalog, ordered by timestamp then event id.

        ``latest``: only the most recent sales, at most that many (a bounded window of a long history).

        A purchase mentions the catalog when one of its lines does; a configuration when it was made in it.
        What population models of needs are fitted on (``CatalogNeedsView.population_rows`` keeps the
        purchased lines and the complete configurations).

        Example:
            >>> from configurator.storage import make_engine, upgrade
            >>> from configurator.customers.events import validate_event
            >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
            >>> def configured(event_id, catalog):
            ...     return validate_event({"event_id": event_id, "type": "configured", "customer_id": "c1",
            ...         "channel": "web", "ts": "2026-05-01T12:00:00Z", "catalog": catalog,
            ...         "selections": {"frame": "alu"}}, tenant="shop")
            >>> store = EventRepository(engine, "shop")
            >>> _ = store.write_events([configured("e1", "bike"), configured("e2", "bike-xl")])
            >>> [e.event_id for e in store.catalog_sales("bike")]
            ['e1']
        """
        # The JSON text is filtered coarsely in SQL (the quoted id occurs in it), exactly in Python.
        pattern = f"%{like_escaped(json.dumps(catalog_id))}%"
        stmt = select(EventRow.payload).where(
            EventRow.tenant == self.tenant,
            EventRow.type.in_(("purchased", "configured")),
            EventRow.payload.cast(Text).like(pattern, escape="\\"),
        )
        if latest is None:
            stmt = stmt.order_by(EventRow.ts, EventRow.event_id)
        else:
            stmt = stmt.order_by(EventRow.ts.desc(), EventRow.event_id.desc()).limit(max(0, latest))
        with self.atomic():
            events = self._payload_events(stmt)
        if latest is not None:
            events.reverse()
        return [
            e
            for e in events
            if (isinstance(e, Configured) and e.catalog == catalog_id)
            or (isinstance(e, Purchased) and any(line.catalog == catalog_id for line in e.lines))
        ]
