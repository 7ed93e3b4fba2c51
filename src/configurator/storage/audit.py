"""The audit log: who did what to whom, appended by every identity, consent and quote change.

Example:
    >>> import datetime as dt
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> log = AuditRepository(engine, "shop")
    >>> at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    >>> log.audit(AuditRecord("merge", "rep", "c1", "c2", {"reason": "same email"}, at))
    >>> [(e.action, e.subject, e.details) for e in log.audit_entries(subject="c2")]
    [('merge', 'c1', {'reason': 'same email'})]
"""

from __future__ import annotations

from sqlalchemy import insert, or_, select

from configurator.customers.identity import AuditRecord
from configurator.storage.models import AuditEntry
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
