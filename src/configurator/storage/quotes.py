"""Quotes and orders: quote heads and their immutable versions, orders and installed base.

A quote number has one head row (``quotes``: its latest version and status) and one row per version
(``quote_versions``: ``Quote.to_data()`` and the approval and sent stamps); ``quoting.lifecycle`` drives
them. Orders and installed base are projected from ``purchased`` events (:meth:`QuoteRepository.project_orders`,
run by ``write_events``).

Example:
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> quotes = QuoteRepository(engine, "shop")
    >>> quotes.add_quote(quote_id="q1", customer_id="c1", configuration={"frame": "alu"}, total=None,
    ...                  currency="EUR")
    True
    >>> head = quotes.quote_head("q1")
    >>> head.version, head.status, quotes.quote_head("q2"), quotes.quote_version_rows("q1")[0].payload["legacy"]
    (1, 'draft', None, True)
    >>> [q["quote_id"] for q in quotes.quotes_for("c1")], quotes.orders_for("c1"), quotes.order_event("o1")
    (['q1'], [], None)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select, update

from configurator.customers.events import Purchased
from configurator.storage.identity import IdentityRepository
from configurator.storage.models import Base, InstalledItem, Order, Quote, QuoteVersion
from configurator.storage.sql import chunks, dialect_insert, insert_new, insert_one, jsonable, rowcount, table

__all__ = ["QuoteHeadRow", "QuoteRepository", "QuoteVersionRow", "legacy_quote_payload"]


@dataclasses.dataclass(frozen=True)
class QuoteHeadRow:
    """The ``quotes`` row of a quote number: its latest version and the quote's status."""

    quote_id: str
    customer_id: str
    version: int
    status: str
    total: Decimal | None
    currency: str
    created_at: dt.datetime
    valid_until: dt.date | None
    accepted_at: dt.datetime | None
    order_id: str | None


@dataclasses.dataclass(frozen=True)
class QuoteVersionRow:
    """A ``quote_versions`` row: one version's payload (``Quote.to_data()``) and its lifecycle stamps."""

    quote_id: str
    version: int
    customer_id: str
    created_at: dt.datetime
    total: Decimal | None
    currency: str
    locale: str | None
    valid_until: dt.date | None
    payload: dict[str, Any]
    approved_by: str | None
    approved_at: dt.datetime | None
    sent_at: dt.datetime | None


_HEAD_FIELDS = tuple(f.name for f in dataclasses.fields(QuoteHeadRow))
_VERSION_FIELDS = tuple(f.name for f in dataclasses.fields(QuoteVersionRow))


def legacy_quote_payload(
    *,
    tenant: str,
    quote_id: str,
    customer_id: str,
    configuration: Mapping[str, Any],
    total: Decimal | None,
    currency: str,
    catalog_id: str | None,
    catalog_version: str | None,
    status: str,
    created_at: dt.datetime,
) -> dict[str, Any]:
    """The version-1 payload of a quote stored without its full ``Quote`` data (marked ``legacy``).

    Migration 0002 gives every quote made before versions this payload; so does
    :meth:`QuoteRepository.add_quote`.
    """
    return {
        "legacy": True,
        "quote_id": quote_id,
        "version": 1,
        "tenant": tenant,
        "customer_id": customer_id,
        "catalog_id": catalog_id,
        "catalog_version": catalog_version,
        "currency": currency,
        "created_at": created_at.astimezone(dt.UTC).isoformat(),
        "configuration": jsonable(dict(configuration)),
        "total": None if total is None else str(total),
        "status": status,
    }


class QuoteRepository(IdentityRepository):
    """Quotes, orders and installed base of the tenant (part of :class:`~configurator.storage.store.SqlStore`)."""

    # -- quotes ---------------------------------------------------------------------------------------------

    def add_quote(
        self,
        *,
        quote_id: str,
        customer_id: str,
        configuration: Mapping[str, Any],
        total: Decimal | None,
        currency: str,
        catalog_id: str | None = None,
        catalog_version: str | None = None,
        status: str = "draft",
        created_at: dt.datetime | None = None,
    ) -> bool:
        """Store a quote summary as version 1 (idempotent by ``quote_id``); False when the number exists.

        Full quotes (lines, waterfall, versions, acceptance) go through ``configurator.quoting.lifecycle``;
        this keeps a summary only (its version payload is :func:`legacy_quote_payload`).
        """
        created_at = created_at or dt.datetime.now(dt.UTC)
        summary: dict[str, Any] = {
            "quote_id": quote_id,
            "customer_id": customer_id,
            "configuration": configuration,
            "total": total,
            "currency": currency,
            "catalog_id": catalog_id,
            "catalog_version": catalog_version,
            "created_at": created_at,
        }
        with self.atomic():
            if not self.insert_quote_head(valid_until=None, status=status, **summary):
                return False
            payload = legacy_quote_payload(tenant=self.tenant, status=status, **summary)
            return self.insert_quote_version(
                quote_id=quote_id,
                version=1,
                customer_id=customer_id,
                created_at=created_at,
                total=total,
                currency=currency,
                locale=None,
                valid_until=None,
                payload=payload,
            )

    def quote_head(self, quote_id: str, *, lock: bool = False) -> QuoteHeadRow | None:
        """The head row of a quote number, or None; ``lock`` holds it until the transaction ends (PostgreSQL)."""
        tbl = table(Quote)
        stmt = select(*(tbl.c[n] for n in _HEAD_FIELDS)).where(
            tbl.c.tenant == self.tenant, tbl.c.quote_id == quote_id
        )
        if lock:
            stmt = stmt.with_for_update()
        with self.atomic():
            row = self.session.execute(stmt).first()
            return None if row is None else QuoteHeadRow(**row._mapping)

    def quote_version_rows(self, quote_id: str, version: int | None = None) -> list[QuoteVersionRow]:
        """The stored versions of a quote number (only ``version`` when given), oldest first."""
        tbl = table(QuoteVersion)
        stmt = select(*(tbl.c[n] for n in _VERSION_FIELDS)).where(
            tbl.c.tenant == self.tenant, tbl.c.quote_id == quote_id
        )
        if version is not None:
            stmt = stmt.where(tbl.c.version == version)
        with self.atomic():
            return [QuoteVersionRow(**r._mapping) for r in self.session.execute(stmt.order_by(tbl.c.version))]

    def insert_quote_version(
        self,
        *,
        quote_id: str,
        version: int,
        customer_id: str,
        created_at: dt.datetime,
        total: Decimal | None,
        currency: str,
        locale: str | None,
        valid_until: dt.date | None,
        payload: Mapping[str, Any],
    ) -> bool:
        """Insert a quote version unless ``(quote_id, version)`` is stored (versions are never overwritten)."""
        with self.atomic():
            return insert_one(
                self.session,
                QuoteVersion,
                {
                    "tenant": self.tenant,
                    "quote_id": quote_id,
                    "version": version,
                    "customer_id": customer_id,
                    "created_at": created_at,
                    "total": total,
                    "currency": currency,
                    "locale": locale,
                    "valid_until": valid_until,
                    "payload": dict(payload),
                },
            )

    def insert_quote_head(
        self,
        *,
        quote_id: str,
        customer_id: str,
        catalog_id: str | None,
        catalog_version: str | None,
        configuration: Mapping[str, Any],
        total: Decimal | None,
        currency: str,
        created_at: dt.datetime,
        valid_until: dt.date | None,
        status: str = "draft",
    ) -> bool:
        """Insert the head of a new quote number at version 1 (status ``draft``); False when the number exists."""
        with self.atomic():
            return insert_one(
                self.session,
                Quote,
                {
                    "tenant": self.tenant,
                    "quote_id": quote_id,
                    "customer_id": customer_id,
                    "catalog_id": catalog_id,
                    "catalog_version": catalog_version,
                    "configuration": jsonable(dict(configuration)),
                    "total": total,
                    "currency": currency,
                    "status": status,
                    "created_at": created_at,
                    "version": 1,
                    "valid_until": valid_until,
                },
            )

    def advance_quote_head(
        self,
        quote_id: str,
        *,
        from_version: int,
        catalog_id: str | None,
        catalog_version: str | None,
        configuration: Mapping[str, Any],
        total: Decimal | None,
        currency: str,
        valid_until: dt.date | None,
        status: str = "draft",
    ) -> bool:
        """Point the head at version ``from_version + 1`` (``status``), unless it moved or was accepted.

        False when the head is not at ``from_version`` any more (another writer revised it) or is accepted.
        """
        with self.atomic():
            result = self.session.execute(
                update(Quote)
                .where(
                    Quote.tenant == self.tenant,
                    Quote.quote_id == quote_id,
                    Quote.version == from_version,
                    Quote.status != "accepted",
                )
                .values(
                    version=from_version + 1,
                    status=status,
                    catalog_id=catalog_id,
                    catalog_version=catalog_version,
                    configuration=jsonable(dict(configuration)),
                    total=total,
                    currency=currency,
                    valid_until=valid_until,
                )
            )
            return bool(rowcount(result))

    def set_quote_status(
        self,
        quote_id: str,
        *,
        version: int,
        status: str,
        only_from: Collection[str],
        accepted_at: dt.datetime | None = None,
        order_id: str | None = None,
    ) -> bool:
        """Set the head's status while it is at ``version`` with a status in ``only_from``; True when changed."""
        values: dict[str, Any] = {"status": status}
        if accepted_at is not None:
            values["accepted_at"] = accepted_at
        if order_id is not None:
            values["order_id"] = order_id
        with self.atomic():
            result = self.session.execute(
                update(Quote)
                .where(
                    Quote.tenant == self.tenant,
                    Quote.quote_id == quote_id,
                    Quote.version == version,
                    Quote.status.in_(list(only_from)),
                )
                .values(**values)
            )
            return bool(rowcount(result))

    def stamp_quote_version(
        self,
        quote_id: str,
        version: int,
        *,
        approved: tuple[str, dt.datetime] | None = None,
        sent_at: dt.datetime | None = None,
    ) -> bool:
        """Set a version's approval (approver, time) or sent time once: a stamp already set is kept.

        True when a stamp was written.
        """
        tbl = table(QuoteVersion)
        where = [tbl.c.tenant == self.tenant, tbl.c.quote_id == quote_id, tbl.c.version == version]
        changed = False
        with self.atomic():
            if approved is not None:
                result = self.session.execute(
                    update(tbl)
                    .where(*where, tbl.c.approved_at.is_(None))
                    .values(approved_by=approved[0], approved_at=approved[1])
                )
                changed = bool(rowcount(result))
            if sent_at is not None:
                result = self.session.execute(
                    update(tbl).where(*where, tbl.c.sent_at.is_(None)).values(sent_at=sent_at)
                )
                changed = changed or bool(rowcount(result))
        return changed

    def expire_quote_heads(self, today: dt.date) -> list[str]:
        """Mark ``expired`` the open quotes (draft, pending approval, sent) valid until before ``today``.

        Returns the expired quote ids, sorted.
        """
        tbl = table(Quote)
        stale = and_(
            tbl.c.tenant == self.tenant,
            tbl.c.status.in_(("draft", "pending_approval", "sent")),
            tbl.c.valid_until.is_not(None),
            tbl.c.valid_until < today,
        )
        with self.atomic():
            s = self.session
            ids = sorted(s.execute(select(tbl.c.quote_id).where(stale).with_for_update()).scalars())
            for chunk in chunks(ids):
                s.execute(update(tbl).where(stale, tbl.c.quote_id.in_(chunk)).values(status="expired"))
            return ids

    def quotes_for(self, customer_id: str) -> list[dict[str, Any]]:
        """A customer's quotes (rows as mappings), oldest first."""
        return self._by_customer(Quote, customer_id, "created_at")

    # -- orders and installed base --------------------------------------------------------------------------

    def orders_for(self, customer_id: str) -> list[dict[str, Any]]:
        """A customer's orders (rows as mappings), oldest first."""
        return self._by_customer(Order, customer_id, "ordered_at")

    def installed_base_for(self, customer_id: str) -> list[dict[str, Any]]:
        """What a customer owns: one row per order line, oldest first."""
        return self._by_customer(InstalledItem, customer_id, "installed_at")

    def order_event(self, order_id: str) -> str | None:
        """The id of the event an order was projected from, or None when there is no such order."""
        with self.atomic():
            found: str | None = self.session.execute(
                select(Order.event_id).where(Order.tenant == self.tenant, Order.order_id == order_id)
            ).scalar()
            return found

    def project_orders(self, purchases: Sequence[Purchased]) -> None:
        """Orders and installed base from new purchases (the first event of an order id wins).

        Purchases of visitors still anonymous stay in the event log only.
        """
        if not purchases:
            return
        with self.atomic():
            canonical = self.canonical_ids(sorted({e.customer_id for e in purchases if e.customer_id}))
            aliases = self.anonymous_owners(
                [e.anonymous_id for e in purchases if e.anonymous_id and not e.customer_id]
            )
            orders: dict[str, tuple[Purchased, str]] = {}
            for e in purchases:
                if e.customer_id:
                    customer: str | None = canonical.get(e.customer_id, e.customer_id)
                else:
                    customer = aliases.get(e.anonymous_id or "")
                if customer is not None and e.order_id not in orders:
                    orders[e.order_id] = (e, customer)
            if orders:
                self._insert_orders(orders)

    def _insert_orders(self, orders: Mapping[str, tuple[Purchased, str]]) -> None:
        s = self.session
        rows = [
            {
                "tenant": self.tenant,
                "order_id": order_id,
                "customer_id": customer,
                "event_id": e.event_id,
                "ordered_at": e.ts,
                "total": e.order_total,
                "margin": e.order_margin,
                "currency": e.currency,
                "lines": [line.model_dump(mode="json", exclude_none=True) for line in e.lines],
            }
            for order_id, (e, customer) in sorted(orders.items())
        ]
        inserted = insert_new(s, Order, rows, "order_id")
        items = [
            {
                "tenant": self.tenant,
                "order_id": order_id,
                "line_no": number,
                "customer_id": customer,
                "item": line.item,
                "catalog_id": line.catalog,
                "quantity": line.quantity,
                "configuration": line.selections,
                "installed_at": e.ts,
            }
            for order_id, (e, customer) in sorted(orders.items())
            if order_id in inserted
            for number, line in enumerate(e.lines, 1)
        ]
        if items:
            s.execute(dialect_insert(s, InstalledItem).on_conflict_do_nothing(), items)

    def _by_customer(self, model: type[Base], customer_id: str, order: str) -> list[dict[str, Any]]:
        tbl = table(model)
        with self.atomic():
            rows = self.session.execute(
                select(*tbl.c)
                .where(tbl.c.tenant == self.tenant, tbl.c.customer_id == customer_id)
                .order_by(tbl.c[order])
            )
            return [dict(r._mapping) for r in rows]
