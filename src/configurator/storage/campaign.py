"""Batch campaigns: which partitions of a run are finished, and the next-best offers the run found.

A campaign run (:mod:`configurator.campaign`) splits a tenant's customers into partitions and records each
partition it finishes with :meth:`CampaignRepository.finish_partition`, in the same transaction as the
partition's offers: either both are stored or neither. A rerun of the same run id asks
:meth:`CampaignRepository.finished_partitions` and skips those. Offers carry ids derived from the run and the
customer, and a partition's offers replace whatever an interrupted attempt left, so nothing is stored twice.
A person's offers are part of their export and of their erasure.

Example:
    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> from configurator.storage import make_engine, upgrade
    >>> from configurator.storage.store import SqlStore
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    >>> offer = {"offer_id": "o-1", "customer_id": "ann", "catalog_id": "bike", "tier": "mgc",
    ...     "kind": "service", "item": "fit", "changes": [], "reason": "not bought yet", "probability": 0.5,
    ...     "margin": Decimal("40"), "expected_value": Decimal("20"), "created_at": at}
    >>> store.finish_partition("r1", "offers", 0, {"offers": 1}, offers=[offer], finished_at=at)
    >>> store.finish_partition("r1", "offers", 0, {"offers": 1}, offers=[offer], finished_at=at)
    >>> store.finished_partitions("r1", "offers"), store.campaign_offer_count("r1")
    ({0: {'offers': 1}}, 1)
    >>> store.campaign_offers("r1")[0]["expected_value"]
    Decimal('20.0')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select

from configurator.storage.models import CampaignOfferRow, CampaignPartitionRow
from configurator.storage.privacy import PrivacyRepository
from configurator.storage.sql import chunks, table

__all__ = ["OFFER_FIELDS", "CampaignRepository"]

OFFER_FIELDS = (
    "offer_id",
    "run_id",
    "partition",
    "customer_id",
    "catalog_id",
    "tier",
    "kind",
    "item",
    "changes",
    "reason",
    "probability",
    "margin",
    "expected_value",
    "created_at",
)
"""The columns of a stored offer (the tenant aside), in the order :meth:`CampaignRepository.campaign_offers` reads."""

_BATCH = 5_000
"""Rows per INSERT of offers."""


class CampaignRepository(PrivacyRepository):
    """Campaign runs of the tenant (part of :class:`~configurator.storage.store.SqlStore`)."""

    def finished_partitions(self, run_id: str, step: str) -> dict[int, dict[str, Any]]:
        """``partition -> result`` of every partition of ``run_id`` finished in ``step``."""
        with self.atomic():
            rows = self.session.execute(
                select(CampaignPartitionRow.partition, CampaignPartitionRow.result).where(
                    CampaignPartitionRow.tenant == self.tenant,
                    CampaignPartitionRow.run_id == run_id,
                    CampaignPartitionRow.step == step,
                )
            ).all()
        return {int(p): dict(r) for p, r in sorted(rows)}

    def finish_partition(
        self,
        run_id: str,
        step: str,
        partition: int,
        result: Mapping[str, Any],
        *,
        offers: Sequence[Mapping[str, Any]] = (),
        finished_at: dt.datetime | None = None,
    ) -> None:
        """Record a finished partition, replacing its offers by ``offers``, in one transaction.

        Args:
            run_id: the run.
            step: ``offers`` or ``quotes``.
            partition: the partition number.
            result: its counts (JSON-ready).
            offers: the partition's offers (keys :data:`OFFER_FIELDS` but ``run_id`` and ``partition``); with
                ``step="offers"`` they replace any the partition stored before.
            finished_at: when (default: now).
        """
        at = finished_at or dt.datetime.now(dt.UTC)
        rows = [{**o, "tenant": self.tenant, "run_id": run_id, "partition": partition} for o in offers]
        with self.atomic():
            s = self.session
            s.execute(
                delete(CampaignPartitionRow).where(
                    CampaignPartitionRow.tenant == self.tenant,
                    CampaignPartitionRow.run_id == run_id,
                    CampaignPartitionRow.step == step,
                    CampaignPartitionRow.partition == partition,
                )
            )
            if step == "offers":
                s.execute(
                    delete(CampaignOfferRow).where(
                        CampaignOfferRow.tenant == self.tenant,
                        CampaignOfferRow.run_id == run_id,
                        CampaignOfferRow.partition == partition,
                    )
                )
                add = insert(table(CampaignOfferRow))
                for start in range(0, len(rows), _BATCH):
                    s.execute(add, rows[start : start + _BATCH])
            s.execute(
                insert(table(CampaignPartitionRow)),
                [
                    {
                        "tenant": self.tenant,
                        "run_id": run_id,
                        "step": step,
                        "partition": partition,
                        "result": dict(result),
                        "finished_at": at,
                    }
                ],
            )

    def campaign_offers(
        self, run_id: str, customer_ids: Collection[str] | None = None
    ) -> list[dict[str, Any]]:
        """The offers of a run (of these customers only, when given), by customer and catalog."""
        tbl = table(CampaignOfferRow)
        stmt = select(*(tbl.c[n] for n in OFFER_FIELDS)).where(
            tbl.c.tenant == self.tenant, tbl.c.run_id == run_id
        )
        with self.atomic():
            if customer_ids is None:
                rows = self.session.execute(stmt.order_by(tbl.c.customer_id, tbl.c.catalog_id)).all()
            else:
                rows = []
                for part in chunks(sorted(customer_ids)):
                    rows.extend(self.session.execute(stmt.where(tbl.c.customer_id.in_(part))).all())
                rows.sort(key=lambda r: (r.customer_id, r.catalog_id))
        return [dict(r._mapping) for r in rows]

    def campaign_offer_batches(self, run_id: str, size: int = 50_000) -> Iterator[list[dict[str, Any]]]:
        """The offers of a run in batches of at most ``size`` rows, by customer and catalog (bounded memory)."""
        tbl = table(CampaignOfferRow)
        stmt = (
            select(*(tbl.c[n] for n in OFFER_FIELDS))
            .where(tbl.c.tenant == self.tenant, tbl.c.run_id == run_id)
            .order_by(tbl.c.customer_id, tbl.c.catalog_id)
        )
        with self.atomic():
            result = self.session.execute(stmt.execution_options(yield_per=size))
            for part in result.partitions(size):
                yield [dict(r._mapping) for r in part]

    def campaign_summary(self, run_id: str) -> tuple[dict[str, int], Decimal]:
        """``(offers by kind, sum of expected values to the cent)`` of a run, counted in the database."""
        tbl = table(CampaignOfferRow)
        with self.atomic():
            rows = self.session.execute(
                select(tbl.c.kind, func.count(), func.sum(tbl.c.expected_value))
                .where(tbl.c.tenant == self.tenant, tbl.c.run_id == run_id)
                .group_by(tbl.c.kind)
            ).all()
        kinds = {str(kind): int(n) for kind, n, _ in rows}
        total = sum((Decimal(str(value)) for _, _, value in rows if value is not None), Decimal(0))
        return kinds, total.quantize(Decimal("0.01"))  # SQLite sums the column as a float

    def campaign_top(self, run_id: str, tier: str, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` customers of ``tier`` whose best offer of the run has the highest expected value.

        One row per customer (their best offer: highest expected value, then catalog id), highest first, ties by
        customer id; read in expected-value order so only the head of the run is ever held.
        """
        tbl = table(CampaignOfferRow)
        stmt = (
            select(tbl.c.customer_id, tbl.c.catalog_id, tbl.c.expected_value)
            .where(tbl.c.tenant == self.tenant, tbl.c.run_id == run_id, tbl.c.tier == tier)
            .order_by(tbl.c.expected_value.desc(), tbl.c.customer_id, tbl.c.catalog_id.desc())
        )
        chosen: dict[str, dict[str, Any]] = {}
        with self.atomic():
            result = self.session.execute(stmt.execution_options(yield_per=10_000))
            for row in result:
                if row.customer_id not in chosen:
                    if len(chosen) >= limit:
                        break
                    chosen[row.customer_id] = dict(row._mapping)
            result.close()
        return list(chosen.values())

    def campaign_offer_count(self, run_id: str) -> int:
        """How many offers a run stored."""
        with self.atomic():
            return int(
                self.session.execute(
                    select(func.count()).where(
                        CampaignOfferRow.tenant == self.tenant, CampaignOfferRow.run_id == run_id
                    )
                ).scalar_one()
            )

    def erase(
        self, customer_ids: Collection[str], identifiers: Collection[tuple[str, str]], token: str
    ) -> dict[str, int]:
        """Erasure (:meth:`PrivacyRepository.erase`), the person's campaign offers included (``campaign_offers``)."""
        with self.atomic():
            counts = super().erase(customer_ids, identifiers, token)
            counts["campaign_offers"] = self.delete_customer_rows(CampaignOfferRow, customer_ids)
        return counts

    def personal_data(self, customer_ids: Collection[str]) -> dict[str, Any]:
        """Export (:meth:`PrivacyRepository.personal_data`) with the person's campaign offers (``campaign_offers``)."""
        with self.atomic():
            data = super().personal_data(customer_ids)
            tbl = table(CampaignOfferRow)
            data["campaign_offers"] = self._rows(
                select(*tbl.c)
                .where(tbl.c.tenant == self.tenant, tbl.c.customer_id.in_(sorted(customer_ids)))
                .order_by(tbl.c.customer_id, tbl.c.catalog_id)
            )
        return data
