"""The tier snapshot: each tenant's value tiers, computed once by a refresh and read by every request.

Fitting the tiers (:class:`~configurator.customers.tiers.TierAssigner`) is population-wide work: BG/NBD and
Gamma-Gamma over every purchase and ranks over every customer, seconds for a large tenant. So requests never
fit: :meth:`TierRepository.refresh_tiers` reads the tenant's events frame, fits the tiers (customers who objected
to profiling are listed as ``standard``, as :class:`~configurator.customers.tiers.TierAssigner` does) and
replaces the tenant's snapshot (the ``tiers`` table) in one transaction; requests read one row with
:meth:`TierRepository.tier_of`, which makes the store an ``assembly.context.TierSource``. A customer without a
row (new since the last refresh, or no refresh yet) is ``standard`` for the reader
(``assembly.context.snapshot_tier`` gives the reason), never refitted.

When the snapshot is refreshed: ``configurator customers tiers --refresh`` (a schedule runs it, e.g. nightly)
and ``make demo`` after ingesting. Ingestion does not refresh by itself: ``POST /events`` takes one small
batch at a time and must stay as cheap as the batch, so it never refits the population; the batch command
``configurator customers ingest`` leaves the refresh to the schedule too, so loading many files does not refit
once per file (run the refresh once after the last one).

Erasure deletes the person's snapshot row and an export lists it (:meth:`TierRepository.erase`,
:meth:`TierRepository.personal_data`).

Example:
    >>> import datetime as dt
    >>> from configurator.storage import make_engine, upgrade
    >>> from configurator.storage.store import SqlStore
    >>> from configurator.customers.events import validate_event
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> bought = validate_event({"event_id": "e1", "type": "purchased", "customer_id": "ann", "channel": "web",
    ...     "ts": "2026-05-01T12:00:00Z", "order_id": "o1", "margin": 30,
    ...     "lines": [{"item": "bell", "unit_price": 50, "quantity": 1}]}, tenant="shop")
    >>> _ = store.write_events([bought])
    >>> store.tier_of("ann") is None, store.tiers_computed_at() is None
    (True, True)
    >>> at = dt.datetime(2026, 5, 2, tzinfo=dt.UTC)
    >>> summary = store.refresh_tiers(computed_at=at)
    >>> summary.customers, summary.computed_at == store.tiers_computed_at() == at
    ({'mvc': 0, 'mgc': 0, 'standard': 1, 'below_zero': 0}, True)
    >>> store.tier_of("ann")[0], store.tier_of("bob")
    ('standard', None)
    >>> store.tiers_frame().select("customer_id", "tier", "margin").rows()
    [('ann', 'standard', 30.0)]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
import uuid
from collections.abc import Collection, Mapping
from typing import Any

import polars as pl
from sqlalchemy import delete, func, insert, select

from configurator.customers.tiers import TIER_COLUMNS, TIERS, TierAssigner, TierConfig
from configurator.storage.frames import FrameRepository
from configurator.storage.models import TierRow
from configurator.storage.privacy import PrivacyRepository
from configurator.storage.sql import chunks, rowcount, table

__all__ = ["NUMBER_COLUMNS", "StoredTier", "TierRefresh", "TierRepository"]

NUMBER_COLUMNS = tuple(c for c in TIER_COLUMNS if c not in ("tenant", "customer_id", "tier", "reason"))
"""The explanation columns of an assignment, stored as the ``numbers`` JSON of a snapshot row."""

_BATCH = 5_000
"""Rows per INSERT of a snapshot (one executemany each)."""


@dataclasses.dataclass(frozen=True)
class StoredTier:
    """One customer's row of the snapshot.

    Attributes:
        tier: ``mvc``, ``mgc``, ``standard`` or ``below_zero``.
        reason: why, in words.
        computed_at: when the refresh that wrote it ran.
        as_of: the (exclusive) moment the events were counted up to.
        numbers: every number behind the assignment (:data:`NUMBER_COLUMNS`; None for an objection's).
    """

    tier: str
    reason: str
    computed_at: dt.datetime
    as_of: dt.datetime
    numbers: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class TierRefresh:
    """What a refresh wrote.

    Attributes:
        refresh_id: identifies the refresh (every row it wrote carries it).
        computed_at: when it ran (the snapshot's timestamp).
        as_of: the (exclusive) moment the events were counted up to.
        customers: customers per tier, every tier named (in :data:`~configurator.customers.tiers.TIERS` order).
        seconds: how long reading the events, fitting and writing took.
        notes: what the fit fell back on (``TierAssigner.notes_``).
    """

    refresh_id: str
    computed_at: dt.datetime
    as_of: dt.datetime
    customers: dict[str, int]
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """Customers in the snapshot."""
        return sum(self.customers.values())


def _number(value: Any) -> Any:
    """A JSON-ready number: NaN and infinities become None, dates become ISO text."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class TierRepository(PrivacyRepository, FrameRepository):
    """The tenant's tier snapshot (part of :class:`~configurator.storage.store.SqlStore`).

    Also extends erasure and export to the snapshot rows, which hold numbers about the person.
    """

    def replace_tiers(
        self,
        assignments: pl.DataFrame,
        *,
        as_of: dt.datetime,
        computed_at: dt.datetime | None = None,
        refresh_id: str | None = None,
    ) -> str:
        """Replace the tenant's whole snapshot by ``assignments`` in one transaction; return the refresh id.

        Args:
            assignments: ``TierAssigner.assignments_`` (columns ``TIER_COLUMNS``; other tenants' rows ignored).
            as_of: the (exclusive) moment the events were counted up to.
            computed_at: when the tiers were computed (default: now).
            refresh_id: identifies the refresh (default: a new UUID).
        """
        computed_at = computed_at or dt.datetime.now(dt.UTC)
        refresh_id = refresh_id or uuid.uuid4().hex
        mine = assignments.filter(pl.col("tenant") == self.tenant)
        rows = [
            {
                "tenant": self.tenant,
                "customer_id": row["customer_id"],
                "tier": row["tier"],
                "reason": row["reason"],
                "numbers": {c: _number(row[c]) for c in NUMBER_COLUMNS},
                "as_of": as_of,
                "computed_at": computed_at,
                "refresh_id": refresh_id,
            }
            for row in mine.iter_rows(named=True)
        ]
        add = insert(table(TierRow))
        with self.atomic():
            session = self.session
            session.execute(delete(TierRow).where(TierRow.tenant == self.tenant))
            for start in range(0, len(rows), _BATCH):
                session.execute(add, rows[start : start + _BATCH])
        return refresh_id

    def stored_tier(self, customer_id: str) -> StoredTier | None:
        """One customer's snapshot row, or None (new since the last refresh, or no refresh yet)."""
        with self.atomic():
            row = self.session.execute(
                select(TierRow).where(TierRow.tenant == self.tenant, TierRow.customer_id == customer_id)
            ).scalar_one_or_none()
            if row is None:
                return None
            return StoredTier(row.tier, row.reason, row.computed_at, row.as_of, dict(row.numbers))

    def tier_of(self, customer_id: str) -> tuple[str, str] | None:
        """``(tier, reason)`` of one customer from the snapshot, or None without a row (``TierSource``)."""
        with self.atomic():
            row = self.session.execute(
                select(TierRow.tier, TierRow.reason).where(
                    TierRow.tenant == self.tenant, TierRow.customer_id == customer_id
                )
            ).first()
        return None if row is None else (str(row[0]), str(row[1]))

    def tiers_computed_at(self) -> dt.datetime | None:
        """When the tenant's snapshot was computed, or None before the first refresh."""
        with self.atomic():
            return self.session.execute(
                select(func.max(TierRow.computed_at)).where(TierRow.tenant == self.tenant)
            ).scalar_one_or_none()

    def tiers_frame(self) -> pl.DataFrame:
        """The tenant's whole snapshot, one row per customer by customer id (empty before the first refresh).

        Columns: ``tenant``, ``customer_id``, ``tier``, ``reason``, the numbers (:data:`NUMBER_COLUMNS`),
        ``as_of`` and ``computed_at``.
        """
        with self.atomic():
            rows = self.session.execute(
                select(TierRow).where(TierRow.tenant == self.tenant).order_by(TierRow.customer_id)
            ).scalars()
            data = [
                {
                    "tenant": r.tenant,
                    "customer_id": r.customer_id,
                    "tier": r.tier,
                    "reason": r.reason,
                    **{c: r.numbers.get(c) for c in NUMBER_COLUMNS},
                    "as_of": r.as_of,
                    "computed_at": r.computed_at,
                }
                for r in rows
            ]
        columns = ["tenant", "customer_id", "tier", "reason", *NUMBER_COLUMNS, "as_of", "computed_at"]
        return pl.DataFrame(data, infer_schema_length=None) if data else pl.DataFrame(schema=columns)

    def tier_counts(self) -> dict[str, int]:
        """Customers per tier in the tenant's snapshot, every tier named (zeros before the first refresh)."""
        with self.atomic():
            rows = self.session.execute(
                select(TierRow.tier, func.count()).where(TierRow.tenant == self.tenant).group_by(TierRow.tier)
            ).all()
        found = {str(tier): int(count) for tier, count in rows}
        return {tier: int(found.get(tier, 0)) for tier in TIERS}

    def refresh_tiers(
        self,
        *,
        config: TierConfig | None = None,
        as_of: dt.datetime | dt.date | None = None,
        objections: Collection[str] = (),
        computed_at: dt.datetime | None = None,
    ) -> TierRefresh:
        """Fit the tenant's tiers on its stored events and replace the snapshot.

        Customers who did not allow profiling (and ``objections``) are listed as ``standard`` with the
        objection's reason and no numbers. Reading, fitting and writing run outside one transaction except
        the write: requests keep reading the previous snapshot until the new one is committed.

        Args:
            config: thresholds and model settings (default: ``TierConfig()``).
            as_of: count events up to this moment (a date counts its whole UTC day); default: the latest event.
            objections: more customer ids to leave out of profiling.
            computed_at: the snapshot's timestamp (default: now).
        """
        started = time.perf_counter()
        frame = self.events_frame()
        known = set(frame["customer_id"].drop_nulls().to_list())
        excluded = set(objections) | (known - self.profiling_allowed())
        assigner = TierAssigner(config).fit(frame, as_of=as_of, objections=excluded)
        at = computed_at or dt.datetime.now(dt.UTC)
        refresh_id = self.replace_tiers(assigner.assignments_, as_of=assigner.as_of_, computed_at=at)
        found = dict(
            assigner.assignments_.filter(pl.col("tenant") == self.tenant).group_by("tier").len().iter_rows()
        )
        return TierRefresh(
            refresh_id=refresh_id,
            computed_at=at,
            as_of=assigner.as_of_,
            customers={tier: int(found.get(tier, 0)) for tier in TIERS},
            seconds=time.perf_counter() - started,
            notes=tuple(assigner.notes_),
        )

    def erase(
        self, customer_ids: Collection[str], identifiers: Collection[tuple[str, str]], token: str
    ) -> dict[str, int]:
        """Erasure (:meth:`PrivacyRepository.erase`), the person's snapshot rows included (count ``tiers``)."""
        with self.atomic():
            counts = super().erase(customer_ids, identifiers, token)
            removed = 0
            for part in chunks(sorted(customer_ids)):
                removed += rowcount(
                    self.session.execute(
                        delete(TierRow).where(TierRow.tenant == self.tenant, TierRow.customer_id.in_(part))
                    )
                )
            counts["tiers"] = removed
        return counts

    def personal_data(self, customer_ids: Collection[str]) -> dict[str, Any]:
        """Export (:meth:`PrivacyRepository.personal_data`) with the person's snapshot rows (key ``tiers``)."""
        with self.atomic():
            data = super().personal_data(customer_ids)
            tbl = table(TierRow)
            data["tiers"] = self._rows(
                select(*tbl.c)
                .where(tbl.c.tenant == self.tenant, tbl.c.customer_id.in_(sorted(customer_ids)))
                .order_by(tbl.c.customer_id)
            )
        return data
