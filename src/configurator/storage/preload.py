"""A store that reads a group of customers in a few queries and answers their reads from memory.

Work over many customers at once (a campaign partition) reads each customer's profile, events, consents,
installed base, orders and tier. One query per table and customer is most of the time such work takes;
:class:`PreloadedStore` reads them for the whole group in a handful of ``IN`` queries when it is made, then
answers :meth:`get_profile`, :meth:`customer_events`, :meth:`consents`, :meth:`installed_base_for`,
:meth:`orders_for` and :meth:`tier_of` for those customers from memory, with the same answers as
:class:`~configurator.storage.store.SqlStore` (merged profiles and the anonymous ids they own included). Reads
of other customers, and every write, go to the database as usual.

The snapshot is as of when the store was made: use it for one batch of work, then drop it.

Example:
    >>> from configurator.storage import make_engine, upgrade
    >>> from configurator.customers.events import validate_event
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> _ = store.write_events([validate_event({"event_id": "e1", "type": "viewed", "channel": "web",
    ...     "customer_id": "c1", "ts": "2026-05-01T12:00:00Z"}, tenant="shop")])
    >>> group = PreloadedStore(engine, "shop", ["c1", "c2"])
    >>> [e.event_id for e in group.customer_events("c1")], group.customer_events("c2"), group.tier_of("c1")
    (['e1'], [], None)
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.engine import Engine

from configurator.customers.consent import ConsentState, Purpose
from configurator.customers.events import Event, validate_event
from configurator.customers.identity import DEFAULT_REGION, Profile
from configurator.storage.identity import profile_from_row
from configurator.storage.models import Consent, Customer, Identity, InstalledItem, Order, TierRow
from configurator.storage.models import Event as EventRow
from configurator.storage.sql import chunks, table
from configurator.storage.store import SqlStore

__all__ = ["PreloadedStore"]


class PreloadedStore(SqlStore):
    """A :class:`SqlStore` whose reads of ``customer_ids`` (canonical or not) come from one bulk read.

    Args:
        engine: the database.
        tenant: the tenant.
        customer_ids: the customers to read now.
        region: as :class:`SqlStore`.
    """

    def __init__(
        self, engine: Engine, tenant: str, customer_ids: Iterable[str], *, region: str | None = DEFAULT_REGION
    ) -> None:
        super().__init__(engine, tenant, region=region)
        self._profiles: dict[str, Profile] = {}
        self._events: dict[str, list[Event]] = {}
        self._consents: dict[str, list[ConsentState]] = {}
        self._group_rows: dict[str, dict[str, list[dict[str, Any]]]] = {"installed": {}, "orders": {}}
        self._tiers: dict[str, tuple[str, str]] = {}
        self._asked: set[str] = set()
        self._load(sorted(set(customer_ids)))

    def _select_in(self, model: type[Any], column: str, values: list[str]) -> list[Any]:
        tbl = table(model)
        rows: list[Any] = []
        for part in chunks(values):
            rows += self.session.execute(
                select(*tbl.c).where(tbl.c.tenant == self.tenant, tbl.c[column].in_(part))
            ).all()
        return rows

    def _load(self, asked: list[str]) -> None:
        with self.atomic():
            profiles = [profile_from_row(r) for r in self._select_in(Customer, "customer_id", asked)]
            canonical = sorted({p.merged_into or p.customer_id for p in profiles})
            profiles += [profile_from_row(r) for r in self._select_in(Customer, "customer_id", canonical)]
            profiles += [profile_from_row(r) for r in self._select_in(Customer, "merged_into", canonical)]
            for profile in profiles:
                self._profiles[profile.customer_id] = profile
            owner = {
                p.customer_id: p.merged_into or p.customer_id
                for p in self._profiles.values()
                if (p.merged_into or p.customer_id) in canonical
            }
            anonymous = {
                r.value: owner[r.customer_id]
                for r in self._select_in(Identity, "customer_id", sorted(owner))
                if r.kind == "anonymous_id"
            }
            found: list[tuple[Any, str, str, dict[str, Any]]] = []
            for r in self._select_in(EventRow, "customer_ref", sorted(owner)):
                found.append((r.ts, r.event_id, owner[r.customer_ref], r.payload))
            for r in self._select_in(EventRow, "anonymous_id", sorted(anonymous)):
                if r.customer_ref is None:
                    found.append((r.ts, r.event_id, anonymous[r.anonymous_id], r.payload))
            found.sort(key=lambda row: (row[0], row[1]))
            events: dict[str, list[Event]] = collections.defaultdict(list)
            for _, _, who, payload in found:
                events[who].append(validate_event(payload, tenant=self.tenant, region=None, limits=None))
            self._events = {c: events.get(c, []) for c in canonical}
            consents: dict[str, list[ConsentState]] = collections.defaultdict(list)
            for r in sorted(self._select_in(Consent, "customer_id", sorted(owner)), key=lambda r: r.purpose):
                consents[r.customer_id].append(
                    ConsentState(r.customer_id, cast(Purpose, r.purpose), r.granted, r.recorded_at, r.source)
                )
            self._consents = {c: consents.get(c, []) for c in owner}
            for key, model, order in (
                ("installed", InstalledItem, "installed_at"),
                ("orders", Order, "ordered_at"),
            ):
                grouped: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
                for r in sorted(
                    self._select_in(model, "customer_id", canonical), key=lambda r: r._mapping[order]
                ):
                    grouped[r.customer_id].append(dict(r._mapping))
                self._group_rows[key] = {c: grouped.get(c, []) for c in canonical}
            self._tiers = {
                r.customer_id: (str(r.tier), str(r.reason))
                for r in self._select_in(TierRow, "customer_id", canonical)
            }
        self._asked = set(canonical)

    # -- reads answered from memory for the group ----------------------------------------------------------

    def get_profile(self, customer_id: str) -> Profile | None:
        """The stored profile (not following ``merged_into``), or None."""
        if customer_id in self._profiles:
            return self._profiles[customer_id]
        return super().get_profile(customer_id)

    def _canonical(self, customer_id: str) -> str | None:
        profile = self._profiles.get(customer_id)
        if profile is None:
            return None
        found = profile.merged_into or profile.customer_id
        return found if found in self._asked else None

    def customer_events(self, customer_id: str) -> list[Event]:
        """Every stored event of a customer (merged profiles and owned anonymous ids included), oldest first."""
        canonical = self._canonical(customer_id)
        if canonical is None:
            return super().customer_events(customer_id)
        return list(self._events[canonical])

    def consents(self, customer_id: str) -> list[ConsentState]:
        """The recorded choices of one customer id."""
        if customer_id in self._consents:
            return list(self._consents[customer_id])
        return super().consents(customer_id)

    def installed_base_for(self, customer_id: str) -> list[dict[str, Any]]:
        """What a customer owns: one row per order line, oldest first."""
        rows = self._group_rows["installed"].get(customer_id)
        return [dict(r) for r in rows] if rows is not None else super().installed_base_for(customer_id)

    def orders_for(self, customer_id: str) -> list[dict[str, Any]]:
        """A customer's orders (rows as mappings), oldest first."""
        rows = self._group_rows["orders"].get(customer_id)
        return [dict(r) for r in rows] if rows is not None else super().orders_for(customer_id)

    def tier_of(self, customer_id: str) -> tuple[str, str] | None:
        """``(tier, reason)`` of one customer from the snapshot, or None without a row."""
        if customer_id in self._asked:
            return self._tiers.get(customer_id)
        return super().tier_of(customer_id)
