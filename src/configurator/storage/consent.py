"""Consent records: one choice per customer and purpose, the newest wins.

The rules (defaults, who may change what, merging) live in :mod:`configurator.customers.consent`; this
module stores and reads the choices.

Example:
    >>> import datetime as dt
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> consents = ConsentRepository(engine, "shop")
    >>> may, june = dt.datetime(2026, 5, 1, tzinfo=dt.UTC), dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    >>> consents.set_consent(ConsentState("c1", "marketing", True, june, "web"))
    True
    >>> consents.set_consent(ConsentState("c1", "marketing", False, may, "email"))  # older: ignored
    False
    >>> [(c.purpose, c.granted, c.source) for c in consents.consents("c1")]
    [('marketing', True, 'web')]
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import select, update

from configurator.customers.consent import ConsentState, Purpose
from configurator.storage.models import Consent
from configurator.storage.sql import insert_one, rowcount
from configurator.storage.transaction import UnitOfWork

__all__ = ["ConsentRepository"]


class ConsentRepository(UnitOfWork):
    """Consent choices of the tenant's customers (part of :class:`~configurator.storage.store.SqlStore`)."""

    def set_consent(self, state: ConsentState) -> bool:
        """Record the choice unless a newer one is stored; True when applied."""
        with self.atomic():
            return self._put_consent(state, force=False)

    def replace_consent(self, state: ConsentState) -> bool:
        """Record the choice whatever is stored (a merge's combined choice); True when written."""
        with self.atomic():
            return self._put_consent(state, force=True)

    def consents(self, customer_id: str) -> list[ConsentState]:
        """The recorded choices of one customer id."""
        with self.atomic():
            rows = self.session.execute(
                select(Consent.purpose, Consent.granted, Consent.recorded_at, Consent.source)
                .where(Consent.tenant == self.tenant, Consent.customer_id == customer_id)
                .order_by(Consent.purpose)
            ).all()
            return [ConsentState(customer_id, cast(Purpose, p), g, at, src) for p, g, at, src in rows]

    def _put_consent(self, state: ConsentState, *, force: bool) -> bool:
        s = self.session
        values = {
            "tenant": self.tenant,
            "customer_id": state.customer_id,
            "purpose": state.purpose,
            "granted": state.granted,
            "recorded_at": state.recorded_at,
            "source": state.source[:200],
        }
        if insert_one(s, Consent, values):
            return True
        stmt = update(Consent).where(
            Consent.tenant == self.tenant,
            Consent.customer_id == state.customer_id,
            Consent.purpose == state.purpose,
        )
        if not force:
            stmt = stmt.where(Consent.recorded_at <= state.recorded_at)
        result = s.execute(
            stmt.values(granted=state.granted, recorded_at=state.recorded_at, source=values["source"])
        )
        return bool(rowcount(result))
