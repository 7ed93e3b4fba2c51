"""Privacy: everything held on a person (export) and erasure, with the suppression list that keeps them out.

The rules (who is erased, the token that stands for them, what may stay) live in
:mod:`configurator.customers.consent`; this module finds and deletes or anonymises the rows. The export lists
the claims less trusted events made about the person (:mod:`configurator.customers.trust`) on their own too;
erasure scrubs them with the rest of the audit log, and takes the person's email or phone out of the claims
they made about someone else.

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
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, Text, and_, delete, or_, select, update

from configurator.customers.consent import scrubbed_audit_details, scrubbed_event_payload
from configurator.customers.trust import CLAIM_ACTION
from configurator.storage.identity import IdentityRepository
from configurator.storage.models import (
    AuditEntry,
    Base,
    Consent,
    Customer,
    Identity,
    InstalledItem,
    Order,
    Quote,
    QuoteVersion,
    Suppression,
)
from configurator.storage.models import Event as EventRow
from configurator.storage.sql import insert_new, jsonable, like_escaped, rowcount, table

__all__ = ["PrivacyRepository"]


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

            count(
                "events",
                s.execute(
                    delete(EventRow).where(
                        EventRow.tenant == t,
                        or_(
                            EventRow.customer_ref.in_(ids),
                            and_(EventRow.customer_ref.is_(None), EventRow.anonymous_id.in_(anonymous)),
                        ),
                    )
                ),
            )
            counts["events_anonymised"] = self._anonymise_events(ids, anonymous, contacts, token)
            for model in (InstalledItem, Order, QuoteVersion, Quote, Consent, Identity):
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
