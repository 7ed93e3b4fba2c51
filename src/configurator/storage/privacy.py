"""Privacy: everything held on a person (export) and erasure, with the suppression list that keeps them out.

The rules (who is erased, the token that stands for them, what may stay) live in
:mod:`configurator.customers.consent`; this module finds and deletes or anonymises the rows. The export lists
the claims less trusted events made about the person (:mod:`configurator.customers.trust`) on their own too;
erasure scrubs them with the rest of the audit log, and takes the person's email or phone out of the claims
they made about someone else.

Mentions of the person in rows that stay (another customer's events, the other traits of their profile
(company, city...), quotes, audit entries: every string in their JSON and text columns; another customer's own
name, email, phone and address are theirs and stay) are found for the export (:meth:`PrivacyRepository.mentions_of`) and replaced by
``[erased]`` at erasure (:meth:`PrivacyRepository.scrub_mentions`); this reads every such row of the tenant,
which is what an erasure costs. Quote files the product wrote are tracked (``rendered_files``) so that an
erasure removes them. After an erasure commits, :meth:`PrivacyRepository.release_erased` makes the deleted bytes
unrecoverable: on SQLite every connection has ``secure_delete`` on (:mod:`~configurator.storage.engine`), and
the WAL is checkpointed and truncated; on PostgreSQL the touched tables are vacuumed (docs/security.md says
what that does and does not do).

Example:
    >>> import datetime as dt
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> privacy = PrivacyRepository(engine, "shop")
    >>> at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    >>> from configurator.customers.identity import Profile
    >>> _ = privacy.add_profile(Profile("c1", "external", created_at=at))
    >>> [len(rows) for rows in privacy.personal_data(["c1"]).values()]
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    >>> privacy.erase(["c1"], [], "erased:x")["customers"], privacy.add_suppressions({"h1", "h2"}, at)
    (1, 2)
    >>> privacy.suppressed({"h1", "h3"})
    {'h1'}
    >>> privacy.record_rendered_file("/tmp/q-1.html", "q-1", "c1", at)
    >>> [f["quote_id"] for f in privacy.rendered_files(["c1"])]
    ['q-1']
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, Text, and_, delete, or_, select, text, update

from configurator.customers.consent import scrubbed_audit_details, scrubbed_event_payload
from configurator.customers.mentions import Mentions
from configurator.customers.trust import CLAIM_ACTION
from configurator.storage.identity import IdentityRepository
from configurator.storage.models import (
    AuditEntry,
    Base,
    ConfigSessionRow,
    Consent,
    Customer,
    DroppedEvent,
    Identity,
    InstalledItem,
    Order,
    OutboxMessage,
    Quote,
    QuoteVersion,
    RenderedFile,
    Suppression,
    TierRow,
)
from configurator.storage.models import Event as EventRow
from configurator.storage.sql import chunks, insert_new, jsonable, like_escaped, rowcount, table

__all__ = ["ERASED_TABLES", "PrivacyRepository"]

ERASED_TABLES: tuple[type[Base], ...] = (
    AuditEntry,
    ConfigSessionRow,
    Consent,
    Customer,
    EventRow,
    Identity,
    InstalledItem,
    Order,
    OutboxMessage,
    Quote,
    QuoteVersion,
    RenderedFile,
    TierRow,
)
"""The tables an erasure deletes from or rewrites (vacuumed after it on PostgreSQL)."""


class PrivacyRepository(IdentityRepository):
    """Export and erasure of a person's data (part of :class:`~configurator.storage.store.SqlStore`).

    Implements ``customers.consent.PrivacyStore`` (with :class:`IdentityRepository` and its consents).
    """

    def _anonymous_ids(self, customer_ids: Collection[str]) -> list[str]:
        return list(
            self.session.execute(
                select(Identity.value).where(
                    Identity.tenant == self.tenant,
                    Identity.kind == "anonymous_id",
                    Identity.customer_id.in_(list(customer_ids)),
                )
            ).scalars()
        )

    def _rows(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        return [
            {k: jsonable(v) for k, v in row._mapping.items() if k != "tenant"}
            for row in self.session.execute(stmt)
        ]

    def personal_data(self, customer_ids: Collection[str]) -> dict[str, Any]:
        """Everything held on these customer ids, as JSON-ready data."""
        ids = sorted(customer_ids)
        with self.atomic():
            anonymous = self._anonymous_ids(ids)
            t = self.tenant

            def rows(model: type[Base], *where: Any, order: Any = None) -> list[dict[str, Any]]:
                tbl = table(model)
                stmt = select(*tbl.c).where(tbl.c.tenant == t, *where)
                if order is None:
                    return self._rows(stmt)
                return self._rows(stmt.order_by(*order) if isinstance(order, tuple) else stmt.order_by(order))

            events = rows(
                EventRow,
                or_(EventRow.customer_ref.in_(ids), EventRow.anonymous_id.in_(anonymous or [""])),
                order=EventRow.ts,
            )
            return {
                "profiles": rows(Customer, Customer.customer_id.in_(ids), order=Customer.customer_id),
                "identifiers": rows(Identity, Identity.customer_id.in_(ids), order=Identity.kind),
                "consents": rows(Consent, Consent.customer_id.in_(ids), order=Consent.purpose),
                "events": events,
                "orders": rows(Order, Order.customer_id.in_(ids), order=Order.ordered_at),
                "installed_base": rows(InstalledItem, InstalledItem.customer_id.in_(ids)),
                "quotes": rows(Quote, Quote.customer_id.in_(ids), order=Quote.created_at),
                "quote_versions": rows(
                    QuoteVersion,
                    QuoteVersion.customer_id.in_(ids),
                    order=(QuoteVersion.quote_id, QuoteVersion.version),
                ),
                "audit": rows(
                    AuditEntry,
                    or_(AuditEntry.subject.in_(ids), AuditEntry.related.in_(ids)),
                    order=AuditEntry.id,
                ),
                "claims": [c.as_dict() for c in self.claims(*ids)],
            }

    def delete_customer_rows(self, row_class: type[Base], customer_ids: Collection[str]) -> int:
        """Delete a table's rows of these customers in this tenant (by ``customer_id``), in chunks; how many.

        For the repositories that extend :meth:`erase` with a table of their own (outbox, campaign offers).
        """
        tbl = table(row_class)
        removed = 0
        with self.atomic():
            for part in chunks(sorted(customer_ids)):
                removed += rowcount(
                    self.session.execute(
                        delete(tbl).where(tbl.c.tenant == self.tenant, tbl.c.customer_id.in_(part))
                    )
                )
        return removed

    def erase(
        self, customer_ids: Collection[str], identifiers: Collection[tuple[str, str]], token: str
    ) -> dict[str, int]:
        """Delete the person's rows; remove or replace (by ``token``) their identifiers in rows that stay."""
        ids = sorted(customer_ids)
        anonymous = sorted(v for k, v in identifiers if k == "anonymous_id") or [""]
        contacts = sorted(v for k, v in identifiers if k in ("email", "phone"))
        t = self.tenant
        counts: dict[str, int] = {}
        with self.atomic():
            s = self.session

            def count(name: str, result: Any) -> None:
                counts[name] = counts.get(name, 0) + rowcount(result)

            own_events = (
                EventRow.tenant == t,
                or_(
                    EventRow.customer_ref.in_(ids),
                    and_(EventRow.customer_ref.is_(None), EventRow.anonymous_id.in_(anonymous)),
                ),
            )
            self.add_dropped_events(
                list(s.execute(select(EventRow.event_id).where(*own_events)).scalars()),
                dt.datetime.now(dt.UTC),
            )
            count("events", s.execute(delete(EventRow).where(*own_events)))
            counts["events_anonymised"] = self._anonymise_events(ids, anonymous, contacts, token)
            for model in (
                InstalledItem,
                Order,
                QuoteVersion,
                Quote,
                Consent,
                Identity,
                ConfigSessionRow,
                RenderedFile,
            ):
                tbl = table(model)
                count(tbl.name, s.execute(delete(tbl).where(tbl.c.tenant == t, tbl.c.customer_id.in_(ids))))
            count(
                "identities",
                s.execute(
                    delete(Identity).where(
                        Identity.tenant == t, Identity.kind == "anonymous_id", Identity.value.in_(anonymous)
                    )
                ),
            )
            count(
                "customers",
                s.execute(delete(Customer).where(Customer.tenant == t, Customer.customer_id.in_(ids))),
            )
            counts["audit_log_anonymised"] = self._anonymise_audit(ids, token)
            counts["claims_anonymised"] = self._anonymise_claims(contacts, token)
        return counts

    def _anonymise_events(self, ids: list[str], anonymous: list[str], contacts: list[str], token: str) -> int:
        """Scrub the person from the events that stay (:func:`~configurator.customers.consent.scrubbed_event_payload`).

        What stays is someone else's event that mentions the person: a referral of them, their browser id on
        a shared computer, their email or phone given as a household contact.
        """
        s, t = self.session, self.tenant
        mentions = or_(
            EventRow.referred_customer_id.in_(ids),
            EventRow.anonymous_id.in_(anonymous),
            *(
                EventRow.payload.cast(Text).like(f"%{like_escaped(json.dumps(v)[1:-1])}%", escape="\\")
                for v in contacts
            ),
        )
        rows = s.execute(
            select(
                EventRow.event_id, EventRow.anonymous_id, EventRow.referred_customer_id, EventRow.payload
            ).where(EventRow.tenant == t, mentions)
        ).all()
        touched = 0
        for event_id, anonymous_id, referred, payload in rows:
            values: dict[str, Any] = {}
            if referred in ids:
                values["referred_customer_id"] = None
            if anonymous_id in anonymous:
                values["anonymous_id"] = None
            clean = scrubbed_event_payload(
                payload,
                referred_erased=referred in ids,
                anonymous_erased=anonymous_id in anonymous,
                contacts=contacts,
                token=token,
            )
            if values or clean != payload:
                values["payload"] = clean
                s.execute(
                    update(EventRow)
                    .where(EventRow.tenant == t, EventRow.event_id == event_id)
                    .values(**values)
                )
                touched += 1
        return touched

    def _anonymise_audit(self, ids: list[str], token: str) -> int:
        """Put ``token`` for the person in the audit log; keep only harmless details (``scrubbed_audit_details``)."""
        s = self.session
        entries = s.execute(
            select(AuditEntry.id, AuditEntry.subject, AuditEntry.related, AuditEntry.details).where(
                AuditEntry.tenant == self.tenant,
                or_(AuditEntry.subject.in_(ids), AuditEntry.related.in_(ids)),
            )
        ).all()
        for entry_id, subject, related, details in entries:
            s.execute(
                update(AuditEntry)
                .where(AuditEntry.id == entry_id)
                .values(
                    subject=token if subject in ids else subject,
                    related=token if related in ids else related,
                    details=scrubbed_audit_details(details),
                )
            )
        return len(entries)

    def _anonymise_claims(self, contacts: list[str], token: str) -> int:
        """Put ``token`` for the person's email or phone in claims about someone else (who made them stays)."""
        if not contacts:
            return 0
        s = self.session
        mentions = or_(
            *(
                AuditEntry.details.cast(Text).like(f"%{like_escaped(json.dumps(v)[1:-1])}%", escape="\\")
                for v in contacts
            )
        )
        entries = s.execute(
            select(AuditEntry.id, AuditEntry.details).where(
                AuditEntry.tenant == self.tenant, AuditEntry.action == CLAIM_ACTION, mentions
            )
        ).all()
        touched = 0
        for entry_id, details in entries:
            if (details or {}).get("value") in contacts:
                s.execute(
                    update(AuditEntry)
                    .where(AuditEntry.id == entry_id)
                    .values(details={**details, "value": token})
                )
                touched += 1
        return touched

    def add_suppressions(self, hashes: Collection[str], at: dt.datetime) -> int:
        """Remember identifier hashes of an erased person; returns how many were new."""
        if not hashes:
            return 0
        with self.atomic():
            rows = [{"tenant": self.tenant, "identifier_hash": h, "created_at": at} for h in sorted(hashes)]
            return len(insert_new(self.session, Suppression, rows, "identifier_hash"))

    def add_dropped_events(self, event_ids: Collection[str], at: dt.datetime) -> int:
        """Remember the ids of events dropped as an erased person's (so posting one again is a duplicate)."""
        if not event_ids:
            return 0
        with self.atomic():
            rows = [{"tenant": self.tenant, "event_id": e, "dropped_at": at} for e in sorted(set(event_ids))]
            return len(insert_new(self.session, DroppedEvent, rows, "event_id"))

    def dropped_events(self, event_ids: Collection[str]) -> set[str]:
        """The given event ids that were dropped as an erased person's."""
        if not event_ids:
            return set()
        with self.atomic():
            found = self.session.execute(
                select(DroppedEvent.event_id).where(
                    DroppedEvent.tenant == self.tenant, DroppedEvent.event_id.in_(sorted(set(event_ids)))
                )
            )
            return set(found.scalars())

    def record_rendered_file(self, path: str, quote_id: str, customer_id: str, at: dt.datetime) -> None:
        """Remember a quote file the product wrote (written again: the latest quote and time win)."""
        with self.atomic():
            s = self.session
            s.execute(
                delete(RenderedFile).where(RenderedFile.tenant == self.tenant, RenderedFile.path == path)
            )
            s.add(
                RenderedFile(
                    tenant=self.tenant, path=path, quote_id=quote_id, customer_id=customer_id, written_at=at
                )
            )
            s.flush()

    def rendered_files(self, customer_ids: Collection[str]) -> list[dict[str, Any]]:
        """The quote files written for these customers (path, quote id, customer id, when), by path."""
        tbl = table(RenderedFile)
        with self.atomic():
            return self._rows(
                select(*tbl.c)
                .where(tbl.c.tenant == self.tenant, tbl.c.customer_id.in_(sorted(customer_ids)))
                .order_by(tbl.c.path)
            )

    def _free_text(self, customer_ids: Collection[str]) -> Any:
        """``(table, key, owner, column, value)`` of every free-text value of rows that stay, not these customers'."""
        s, t, ids = self.session, self.tenant, sorted(customer_ids) or [""]
        for event_id, owner, payload in s.execute(
            select(EventRow.event_id, EventRow.customer_ref, EventRow.payload).where(
                EventRow.tenant == t, or_(EventRow.customer_ref.is_(None), EventRow.customer_ref.not_in(ids))
            )
        ):
            yield "events", event_id, owner, "payload", payload
        for owner, extra in s.execute(
            select(Customer.customer_id, Customer.extra).where(
                Customer.tenant == t, Customer.customer_id.not_in(ids)
            )
        ):
            yield "customers", owner, owner, "extra", extra
        for quote_id, owner, configuration in s.execute(
            select(Quote.quote_id, Quote.customer_id, Quote.configuration).where(
                Quote.tenant == t, Quote.customer_id.not_in(ids)
            )
        ):
            yield "quotes", quote_id, owner, "configuration", configuration
        for quote_id, version, owner, payload in s.execute(
            select(
                QuoteVersion.quote_id, QuoteVersion.version, QuoteVersion.customer_id, QuoteVersion.payload
            ).where(QuoteVersion.tenant == t, QuoteVersion.customer_id.not_in(ids))
        ):
            yield "quote_versions", f"{quote_id}/{version}", owner, "payload", payload
        for entry_id, actor, subject, related, details in s.execute(
            select(
                AuditEntry.id, AuditEntry.actor, AuditEntry.subject, AuditEntry.related, AuditEntry.details
            ).where(AuditEntry.tenant == t)
        ):
            row = {"actor": actor, "subject": subject, "related": related, "details": details}
            yield "audit_log", entry_id, None, "*", row

    def mentions_of(self, mentions: Mentions, customer_ids: Collection[str]) -> list[dict[str, Any]]:
        """Where rows that are not these customers' mention the person: table, key, owner and the fields.

        The audit entries about the person themselves are in their export already and are not repeated.
        """
        if mentions.is_empty():
            return []
        ids = set(customer_ids)
        found: list[dict[str, Any]] = []
        with self.atomic():
            for name, key, owner, column, value in self._free_text(ids):
                if name == "audit_log" and (value["subject"] in ids or value["related"] in ids):
                    continue
                paths = mentions.paths_in(value)
                if paths:
                    fields = [p if column == "*" else f"{column}.{p}" for p in paths]
                    found.append({"table": name, "key": str(key), "customer_id": owner, "fields": fields})
        return found

    def scrub_mentions(self, mentions: Mentions) -> dict[str, int]:
        """Replace every mention of the person by ``[erased]`` in the free text of rows that stay (rows per table)."""
        counts: dict[str, int] = {}
        if mentions.is_empty():
            return counts
        with self.atomic():
            s, t = self.session, self.tenant
            changes = [
                (name, key, clean)
                for name, key, _owner, _column, value in list(self._free_text(()))
                if (clean := mentions.scrub_data(value)) != value
            ]
            for name, key, clean in changes:
                counts[name] = counts.get(name, 0) + 1
                if name == "events":
                    s.execute(
                        update(EventRow)
                        .where(EventRow.tenant == t, EventRow.event_id == key)
                        .values(payload=clean)
                    )
                elif name == "customers":
                    s.execute(
                        update(Customer)
                        .where(Customer.tenant == t, Customer.customer_id == key)
                        .values(extra=clean)
                    )
                elif name == "quotes":
                    s.execute(
                        update(Quote)
                        .where(Quote.tenant == t, Quote.quote_id == key)
                        .values(configuration=clean)
                    )
                elif name == "quote_versions":
                    quote_id, version = str(key).rsplit("/", 1)
                    s.execute(
                        update(QuoteVersion)
                        .where(
                            QuoteVersion.tenant == t,
                            QuoteVersion.quote_id == quote_id,
                            QuoteVersion.version == int(version),
                        )
                        .values(payload=clean)
                    )
                else:
                    s.execute(update(AuditEntry).where(AuditEntry.id == key).values(**clean))
        return counts

    def release_erased(self) -> None:
        """Make the bytes an erasure deleted unrecoverable (after it committed; a no-op inside a transaction).

        SQLite (``secure_delete`` is on for every connection): checkpoint the WAL into the database file and
        truncate it, so no copy of a deleted page stays in the WAL. PostgreSQL: ``VACUUM`` the tables an
        erasure touches, so their dead row versions become free space (see docs/security.md for what VACUUM
        does not do). Does nothing inside an open transaction: the caller's commit comes later.
        """
        if self.current_session is not None:
            return
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                # on the driver's connection, in autocommit: a checkpoint cannot run inside a transaction
                conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            return
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM " + ", ".join(table(m).name for m in ERASED_TABLES)))
