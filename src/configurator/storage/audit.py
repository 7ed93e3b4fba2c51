"""The audit log: who did what to whom, appended by every identity, consent and quote change.

It also holds the *claims* of less trusted events (action ``claim``, :mod:`configurator.customers.trust`):
traits that were not applied to a profile and merges that were not made, for a rep to confirm or dismiss.

Example:
    >>> import datetime as dt
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> log = AuditRepository(engine, "shop")
    >>> at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    >>> log.audit(AuditRecord("merge", "rep", "c1", "c2", {"reason": "same email"}, at))
    >>> [(e.action, e.subject, e.details) for e in log.audit_entries(subject="c2")]
    [('merge', 'c1', {'reason': 'same email'})]
    >>> from configurator.customers.trust import Provenance
    >>> said = Provenance("e9", "api", "claimed").claim("c1", "email", "eve@example.com", at)
    >>> log.audit(AuditRecord("claim", said.actor, said.customer_id, said.related, said.details(), at))
    >>> [str(c) for c in log.claims("c1")]
    ["c1: email 'eve@example.com' claimed by api:e9 at 2026-05-01T00:00:00+00:00"]
"""

from __future__ import annotations

from sqlalchemy import insert, or_, select

from configurator.customers.identity import AuditRecord
from configurator.customers.trust import CLAIM_ACTION, Claim
from configurator.storage.models import AuditEntry, Customer
from configurator.storage.sql import jsonable, table
from configurator.storage.transaction import UnitOfWork

__all__ = ["AuditRepository"]

_ADD_AUDIT = insert(table(AuditEntry))


class AuditRepository(UnitOfWork):
    """The tenant's audit log (part of :class:`~configurator.storage.store.SqlStore`)."""

    def audit(self, record: AuditRecord) -> None:
        """Append to the audit log."""
        with self.atomic():
            self.execute(
                _ADD_AUDIT,
                {
                    "tenant": self.tenant,
                    "at": record.at,
                    "action": record.action,
                    "actor": record.actor,
                    "subject": record.subject,
                    "related": record.related,
                    "details": jsonable(dict(record.details)),
                },
            )

    def audit_entries(self, *, subject: str | None = None) -> list[AuditRecord]:
        """The audit log of the tenant (optionally about one subject, or related to it), oldest first."""
        with self.atomic():
            stmt = select(AuditEntry).where(AuditEntry.tenant == self.tenant)
            if subject is not None:
                stmt = stmt.where(or_(AuditEntry.subject == subject, AuditEntry.related == subject))
            return [
                AuditRecord(e.action, e.actor, e.subject, e.related, dict(e.details), e.at)
                for e in self.session.execute(stmt.order_by(AuditEntry.id)).scalars()
            ]

    def claims(self, *customer_ids: str) -> list[Claim]:
        """The claims about customers, oldest first: their own, and those of the profiles merged into them.

        A merge claim is listed for both customers it names.
        """
        merged = select(Customer.customer_id).where(
            Customer.tenant == self.tenant, Customer.merged_into.in_(customer_ids)
        )
        subject = or_(AuditEntry.subject.in_(customer_ids), AuditEntry.subject.in_(merged))
        related = or_(AuditEntry.related.in_(customer_ids), AuditEntry.related.in_(merged))
        stmt = (
            select(AuditEntry.subject, AuditEntry.details, AuditEntry.at)
            .where(AuditEntry.tenant == self.tenant, AuditEntry.action == CLAIM_ACTION, or_(subject, related))
            .order_by(AuditEntry.id)
        )
        with self.atomic():
            return [Claim.from_audit(s, dict(d or {}), at) for s, d, at in self.session.execute(stmt)]
