"""Purging old events by retention period: delete them, or anonymise those the value tiers count.

The rules (periods per type, what counts for the tiers, which fields are free text) live in
:mod:`configurator.customers.retention`; this module finds the rows and changes them in one transaction, with
an entry in the audit log (the counts only).

Example:
    >>> import datetime as dt
    >>> from configurator.customers.events import validate_event
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> def event(i, kind, **fields):
    ...     return validate_event({"event_id": f"e{i}", "type": kind, "customer_id": "c1", "channel": "web",
    ...                            "ts": "2024-01-01T00:00:00Z", **fields}, tenant="shop")
    >>> _ = store.write_events([event(1, "viewed", item="frame.alu"),
    ...     event(2, "support_ticket", ticket_id="t1", cost=12, topic="Ana called about her rack")])
    >>> cut = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    >>> store.purge_events({"viewed": cut, "support_ticket": cut}, at=cut)
    PurgeResult(deleted={'viewed': 1}, anonymised={'support_ticket': 1})
    >>> [(e.type, getattr(e, "topic", None)) for e in store.customer_events("c1")]
    [('support_ticket', None)]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from sqlalchemy import ColumnElement, and_, delete, func, select, update

from configurator.customers.identity import AuditRecord
from configurator.customers.retention import MEASURED, anonymised
from configurator.storage.audit import AuditRepository
from configurator.storage.models import Event as EventRow

__all__ = ["PurgeResult", "RetentionRepository"]

_BATCH = 1_000


@dataclasses.dataclass(frozen=True)
class PurgeResult:
    """How many old events of each type were deleted and how many anonymised."""

    deleted: dict[str, int]
    anonymised: dict[str, int]


class RetentionRepository(AuditRepository):
    """Purging old events (part of :class:`~configurator.storage.store.SqlStore`)."""

    def purge_events(
        self,
        cutoffs: Mapping[str, dt.datetime],
        *,
        at: dt.datetime,
        keep_after: Mapping[str, dt.datetime] | None = None,
        actor: str = "retention",
        dry_run: bool = False,
    ) -> PurgeResult:
        """Delete, or anonymise (types the tiers count, when they have a customer), events older than their cut-off.

        Args:
            cutoffs: per event type, the instant before which its events go.
            keep_after: per event type, the instant after which an old event is anonymised rather than deleted
                (:func:`configurator.customers.retention.tier_window`: the tiers still count it).
            at: when (for the audit log).
            actor: who asked (for the audit log).
            dry_run: count only; nothing changes and nothing is audited.

        Returns:
            The counts per type.
        """
        deleted: dict[str, int] = {}
        kept: dict[str, int] = {}
        with self.atomic():
            session = self.session
            for kind, cutoff in sorted(cutoffs.items()):
                old = and_(EventRow.tenant == self.tenant, EventRow.type == kind, EventRow.ts < cutoff)
                counted_from = (keep_after or {}).get(kind)
                anonymise = kind in MEASURED or counted_from is not None
                counted: ColumnElement[bool]
                if kind in MEASURED or counted_from is None:
                    counted = EventRow.customer_ref.is_not(None)
                else:
                    counted = and_(EventRow.customer_ref.is_not(None), EventRow.ts >= counted_from)
                going = and_(old, ~counted) if anonymise else old
                gone = session.scalar(select(func.count()).select_from(EventRow).where(going)) or 0
                if not dry_run and gone:
                    session.execute(delete(EventRow).where(going))
                if gone:
                    deleted[kind] = gone
                if not anonymise:
                    continue
                changed = 0
                stay = and_(old, counted)
                last = ""
                while True:  # in batches by event id, so a big purge never holds every payload at once
                    rows = session.execute(
                        select(EventRow.event_id, EventRow.payload)
                        .where(stay, EventRow.event_id > last)
                        .order_by(EventRow.event_id)
                        .limit(_BATCH)
                    ).all()
                    if not rows:
                        break
                    for event_id, payload in rows:
                        clean = anonymised(payload)
                        if clean != payload:
                            changed += 1
                            if not dry_run:
                                session.execute(
                                    update(EventRow)
                                    .where(EventRow.tenant == self.tenant, EventRow.event_id == event_id)
                                    .values(payload=clean, anonymous_id=None)
                                )
                    last = rows[-1][0]
                if changed:
                    kept[kind] = changed
            if not dry_run and (deleted or kept):
                self.audit(
                    AuditRecord(
                        action="events.purge",
                        actor=actor,
                        subject=self.tenant,
                        details={
                            "deleted": deleted,
                            "anonymised": kept,
                            "cutoffs": {k: v.isoformat() for k, v in sorted(cutoffs.items())},
                        },
                        at=at,
                    )
                )
        return PurgeResult(deleted=deleted, anonymised=kept)
