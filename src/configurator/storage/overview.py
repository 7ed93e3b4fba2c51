"""What a customer overview reads beyond the other repositories: when each of a customer's quotes last changed.

A quote's head row says its latest version and status but not when that version was made, sent or approved;
:meth:`OverviewRepository.quote_activity` answers it for all of a customer's quotes in one grouped query over
``quote_versions`` (the head's ``accepted_at`` counts too), scoped to the store's tenant.

Example:
    >>> import datetime as dt
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> at = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    >>> store.add_quote(quote_id="q1", customer_id="c1", configuration={}, total=None, currency="EUR",
    ...                 created_at=at)
    True
    >>> store.quote_activity("c1")
    {'q1': datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.timezone.utc)}
    >>> SqlStore(engine, "other").quote_activity("c1")
    {}
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from configurator.storage.models import Quote, QuoteVersion
from configurator.storage.transaction import UnitOfWork

__all__ = ["OverviewRepository"]


class OverviewRepository(UnitOfWork):
    """Reads of the customer overview that no other repository makes."""

    def quote_activity(self, customer_id: str) -> dict[str, dt.datetime]:
        """The latest moment each quote of the customer was versioned, approved, sent or accepted, by quote id."""
        with self.atomic():
            rows = self.session.execute(
                select(
                    QuoteVersion.quote_id,
                    func.max(QuoteVersion.created_at),
                    func.max(QuoteVersion.approved_at),
                    func.max(QuoteVersion.sent_at),
                )
                .where(QuoteVersion.tenant == self.tenant, QuoteVersion.customer_id == customer_id)
                .group_by(QuoteVersion.quote_id)
            ).all()
            accepted = self.session.execute(
                select(Quote.quote_id, Quote.accepted_at).where(
                    Quote.tenant == self.tenant,
                    Quote.customer_id == customer_id,
                    Quote.accepted_at.is_not(None),
                )
            ).all()
        found: dict[str, list[dt.datetime]] = {}
        for row in [*rows, *accepted]:
            moments = [_utc(m) for m in row[1:] if isinstance(m, dt.datetime)]
            found.setdefault(str(row[0]), []).extend(moments)
        return {quote_id: max(moments) for quote_id, moments in sorted(found.items()) if moments}


def _utc(moment: dt.datetime) -> dt.datetime:
    """An aware UTC moment (aggregates over a UTC column may come back naive on SQLite)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
