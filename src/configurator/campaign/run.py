"""Run a campaign on Dask: refresh the tiers, offers per partition, quotes for the segment, Parquet, a report.

:func:`run_campaign` drives a run from one process (the client); the per-partition work runs in Dask worker
processes (:mod:`configurator.campaign.worker`). By default it starts a ``dask.distributed.LocalCluster``
(``workers`` processes, one thread each); with ``scheduler`` it connects to a running cluster instead. Either
way it talks to a ``Client``, so the code path is the same.

Steps:

1. refresh the tier snapshot (``SqlStore.refresh_tiers``), unless the run already finished a partition;
2. **offers**: the tenant's canonical customers split into partitions by id; every partition not finished in
   an earlier attempt of the run is submitted; each records itself with its offers;
3. **quotes**: the ``quote_top`` customers of the ``segment`` tier with the highest expected value (their best
   offer over the catalogs), partitioned the same way, quoted and saved with run-derived quote numbers;
4. the run's offers and quotes written to Parquet (``offers.parquet``, ``quotes.parquet``) when asked;
5. a :class:`CampaignReport`.

A failed partition does not stop the others; the report lists it and the run can be rerun with the same id.

Needs the ``scale`` extra (``pip install 'configurator[scale]'``).
"""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from configurator.campaign.plan import CampaignPlan, campaign_quote_id, partition_of
from configurator.campaign.worker import offers_partition, quotes_partition
from configurator.errors import ConfiguratorError
from configurator.storage import SqlStore, make_engine

__all__ = ["CampaignReport", "Progress", "run_campaign"]

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``: called as partitions finish."""

INSTALL = "pip install 'configurator[scale]'"
"""How to get Dask."""


@dataclasses.dataclass(frozen=True)
class CampaignReport:
    """What a run did.

    Attributes:
        run_id: the run.
        tenant: the tenant.
        partitions: partitions per step.
        customers: canonical customers of the tenant.
        tiers_refreshed: whether this attempt refreshed the tier snapshot.
        resumed: partitions (of both steps) finished by an earlier attempt and skipped.
        ran: partitions this attempt finished.
        failed: ``step:partition -> error`` of the partitions that failed in this attempt.
        offers: offers stored for the run, by kind (``upgrade``, ``service``) and in all (``total``).
        expected_value: the sum of the offers' expected values.
        quotes: quotes of the run stored (existing ones from earlier attempts included).
        seconds: wall time of this attempt.
        worker_seconds: the offers partitions' own seconds, summed over every attempt (the CPU a rerun or a
            bigger cluster has to share out).
        peak_worker_mb: the largest peak resident memory a worker process reported, in MiB.
        parquet: the Parquet files written.
        timings: wall seconds of this attempt by step (``tiers``, ``plan``, ``cluster`` start and stop,
            ``offers``, ``ranking``, ``quotes``, ``summary``, ``parquet``).
    """

    run_id: str
    tenant: str
    partitions: int
    customers: int
    tiers_refreshed: bool
    resumed: int
    ran: int
    failed: dict[str, str]
    offers: dict[str, int]
    expected_value: Decimal
    quotes: int
    seconds: float
    worker_seconds: float = 0.0
    peak_worker_mb: float = 0.0
    parquet: tuple[str, ...] = ()
    timings: dict[str, float] = dataclasses.field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data."""
        data = dataclasses.asdict(self)
        data["expected_value"] = str(self.expected_value)
        data["parquet"] = list(self.parquet)
        return data


@contextmanager
def _client(workers: int, scheduler: str | None) -> Iterator[Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - the extra is installed in development
        raise ConfiguratorError(f"campaigns run on Dask, which is not installed: {INSTALL}") from exc
    if scheduler:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        # No dashboard, and the scheduler's HTTP endpoint on a free port (8787 may be another cluster's).
        dashboard_address=":0",
        scheduler_kwargs={"dashboard": False},
    )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


def _submit(
    client: Any,
    step: str,
    work: Callable[..., dict[str, Any]],
    plan: CampaignPlan,
    pending: dict[int, list[Any]],
    progress: Progress | None,
    failed: dict[str, str],
) -> int:
    """Run ``work`` over the pending partitions; return how many finished (failures go to ``failed``)."""
    from dask.distributed import as_completed

    futures = {
        client.submit(work, plan, p, items, key=f"campaign-{plan.run_id}-{step}-{p}", pure=False): p
        for p, items in sorted(pending.items())
    }
    done = 0
    total = len(futures)
    for finished, future in enumerate(as_completed(list(futures)), 1):  # type: ignore[no-untyped-call]
        partition = futures[future]
        if future.status == "error":
            failed[f"{step}:{partition}"] = str(future.exception())
        else:
            done += 1
        if progress is not None:
            progress(step, finished, total)
    return done


def _chosen(store: SqlStore, plan: CampaignPlan) -> dict[int, list[tuple[str, str]]]:
    """The segment's ``quote_top`` customers by their best offer's expected value, by partition."""
    if plan.segment is None or plan.quote_top <= 0:
        return {}
    out: dict[int, list[tuple[str, str]]] = collections.defaultdict(list)
    for row in store.campaign_top(plan.run_id, plan.segment, plan.quote_top):
        out[partition_of(row["customer_id"], plan.partitions)].append((row["customer_id"], row["catalog_id"]))
    return dict(out)


def _offers_frame(batch: list[dict[str, Any]]) -> Any:
    import polars as pl

    rows = [
        {
            **o,
            "margin": float(o["margin"]),
            "expected_value": float(o["expected_value"]),
            "changes": list(o["changes"]),
        }
        for o in batch
    ]
    return pl.DataFrame(rows, schema_overrides={"changes": pl.List(pl.String)})


def _parquet(
    store: SqlStore, plan: CampaignPlan, folder: Path, quoted: list[tuple[str, str]]
) -> tuple[str, ...]:
    import polars as pl

    folder.mkdir(parents=True, exist_ok=True)
    frames = [_offers_frame(batch) for batch in store.campaign_offer_batches(plan.run_id) if batch]
    frame = (
        pl.concat(frames, how="vertical_relaxed")
        if frames
        else pl.DataFrame(schema={"offer_id": pl.String, "customer_id": pl.String})
    )
    frame.write_parquet(folder / "offers.parquet")
    rows = []
    for customer_id, catalog_id in quoted:
        head = store.quote_head(campaign_quote_id(plan.run_id, customer_id, catalog_id))
        if head is not None:
            rows.append(
                {"quote_id": head.quote_id, "customer_id": customer_id, "catalog_id": catalog_id,
                 "total": float(head.total) if head.total is not None else None, "currency": head.currency}
            )  # fmt: skip
    quotes = (
        pl.DataFrame(rows) if rows else pl.DataFrame(schema={"quote_id": pl.String, "customer_id": pl.String})
    )
    quotes.write_parquet(folder / "quotes.parquet")
    return (str(folder / "offers.parquet"), str(folder / "quotes.parquet"))


def run_campaign(
    plan: CampaignPlan,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    parquet: Path | None = None,
    progress: Progress | None = None,
) -> CampaignReport:
    """Run (or resume) a campaign; see the module docstring for the steps.

    Args:
        plan: the run.
        workers: worker processes of the local cluster (ignored with ``scheduler``).
        scheduler: the address of a running Dask scheduler (``tcp://host:8786``); None starts a local cluster.
        parquet: a folder for ``offers.parquet`` and ``quotes.parquet``.
        progress: called as partitions finish.

    Raises:
        ConfiguratorError: Dask is not installed, or the database is an in-memory SQLite one (workers are
            other processes and cannot see it).
    """
    if plan.database.rstrip("/") in ("sqlite:", "sqlite://") or ":memory:" in plan.database:
        raise ConfiguratorError(
            "a campaign needs a database the workers can open: a SQLite file or a server URL"
        )
    started = time.perf_counter()
    store = SqlStore(make_engine(plan.database), plan.tenant)
    done = {step: store.finished_partitions(plan.run_id, step) for step in ("offers", "quotes")}
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = round(timings.get(step, 0.0) + now - clock, 3)
        clock = now

    refreshed = False
    if plan.refresh_tiers and not done["offers"]:
        store.refresh_tiers(computed_at=plan.created_at)
        refreshed = True
    lap("tiers")
    customers = store.canonical_customer_ids()
    by_partition: dict[int, list[str]] = collections.defaultdict(list)
    for customer_id in customers:
        by_partition[partition_of(customer_id, plan.partitions)].append(customer_id)
    failed: dict[str, str] = {}
    ran = 0
    lap("plan")
    with _client(workers, scheduler) as client:
        lap("cluster")
        pending = {p: by_partition.get(p, []) for p in range(plan.partitions) if p not in done["offers"]}
        ran += _submit(client, "offers", offers_partition, plan, pending, progress, failed)
        lap("offers")
        quoted: list[tuple[str, str]] = []
        if not failed:
            chosen = _chosen(store, plan)
            quoted = [c for items in chosen.values() for c in items]
            lap("ranking")
            waiting = {p: items for p, items in chosen.items() if p not in done["quotes"]}
            ran += _submit(client, "quotes", quotes_partition, plan, waiting, progress, failed)
            lap("quotes")
    lap("cluster")
    kinds, expected = store.campaign_summary(plan.run_id)
    lap("summary")
    files = _parquet(store, plan, parquet, quoted) if parquet is not None and not failed else ()
    lap("parquet")
    stored_quotes = sum(
        1 for c, k in quoted if store.quote_head(campaign_quote_id(plan.run_id, c, k)) is not None
    )
    lap("summary")
    recorded = store.finished_partitions(plan.run_id, "offers").values()
    return CampaignReport(
        run_id=plan.run_id,
        tenant=plan.tenant,
        partitions=plan.partitions,
        customers=len(customers),
        tiers_refreshed=refreshed,
        resumed=len(done["offers"]) + len(done["quotes"]),
        ran=ran,
        failed=failed,
        offers={
            "upgrade": kinds.get("upgrade", 0),
            "service": kinds.get("service", 0),
            "total": sum(kinds.values()),
        },
        expected_value=expected,
        quotes=stored_quotes,
        seconds=round(time.perf_counter() - started, 3),
        worker_seconds=round(sum(float(r.get("seconds", 0)) for r in recorded), 3),
        peak_worker_mb=max((float(r.get("max_rss_mb", 0)) for r in recorded), default=0.0),
        parquet=files,
        timings=timings,
    )
