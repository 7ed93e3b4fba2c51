"""``configurator campaign``: a batch campaign over a tenant's whole customer base on Dask.

Refreshes the tier snapshot, finds every customer's next-best offer in each catalog, quotes the most valuable
customers of a segment, stores everything (and writes Parquet with ``--parquet``) and prints a summary. Runs on a
local Dask cluster of ``--workers`` processes, or on a running cluster with ``--scheduler``. Rerunning with the
same ``--run-id`` resumes: finished partitions are skipped and nothing is stored twice. On a terminal a progress
bar per step shows the partitions finished; elsewhere one line per partition. Exit code 1 when a
partition failed (rerun the same run id). Needs the ``scale`` extra.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from configurator.cli.output import err as _err
from configurator.cli.output import out as _out
from configurator.cli.params import DatabaseOption, JsonOption, TenantOption

__all__ = ["campaign"]


def campaign(
    catalog: Annotated[list[Path], typer.Option("--catalog", help="Catalog YAML file (repeat for several).")],
    database: DatabaseOption = None,
    tenant: TenantOption = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Local worker processes.")] = 2,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler (tcp://host:8786).")
    ] = None,
    partitions: Annotated[int, typer.Option(min=1, max=100_000, help="Partitions of the customers.")] = 8,
    run_id: Annotated[
        str | None, typer.Option("--run-id", help="The run (rerun the same id to resume; default: new).")
    ] = None,
    segment: Annotated[
        str, typer.Option(help="Tier whose customers are quoted: mvc, mgc, standard, or none.")
    ] = "mgc",
    quote_top: Annotated[
        int, typer.Option("--quote-top", min=0, help="Customers of the segment to quote, best first.")
    ] = 100,
    parquet: Annotated[
        Path | None, typer.Option(help="Folder for offers.parquet and quotes.parquet.")
    ] = None,
    population_sales: Annotated[
        int,
        typer.Option(
            "--population-sales",
            min=0,
            help="Learn population needs from each catalog's latest N sales (0: all).",
        ),
    ] = 50_000,
    as_json: JsonOption = False,
) -> None:
    """Tiers, next-best offers and quotes for every customer of a tenant, partitioned over Dask workers."""
    import dataclasses

    from rich.progress import Progress

    from configurator.campaign import CampaignPlan, run_campaign
    from configurator.settings import get_settings
    from configurator.storage import ensure_schema

    if segment not in ("mvc", "mgc", "standard", "none"):
        raise typer.BadParameter(
            f"expected mvc, mgc, standard or none, got {segment!r}", param_hint="--segment"
        )
    settings = get_settings()
    url = database or settings.database_url
    ensure_schema(url).dispose()
    plan = CampaignPlan(
        url,
        tenant or settings.tenant,
        tuple(str(p) for p in catalog),
        partitions=partitions,
        segment=None if segment == "none" else segment,
        quote_top=quote_top,
        population_sales=population_sales or None,
    )
    if run_id:
        plan = dataclasses.replace(plan, run_id=run_id)

    console = _err()
    bars: dict[str, Any] = {}
    board = Progress(console=console, transient=False) if console.is_terminal else None

    def progress(step: str, done: int, total: int) -> None:
        if board is None:  # not a terminal (a log, CI): one line per finished partition
            console.print(f"{step}: {done}/{total} partitions", markup=False)
            return
        if step not in bars:
            bars[step] = board.add_task(f"{step} (partitions)", total=total)
        board.update(bars[step], completed=done)

    if board is not None:
        board.start()
    try:
        report = run_campaign(plan, workers=workers, scheduler=scheduler, parquet=parquet, progress=progress)
    finally:
        if board is not None:
            board.stop()
    if as_json:
        _out().print(json.dumps(report.to_data(), indent=2), markup=False, soft_wrap=True)
    else:
        offers = report.offers
        _out().print(
            f"campaign {report.run_id} ({report.tenant}): {report.customers} customers, "
            f"{report.partitions} partitions ({report.ran} partition tasks run, {report.resumed} resumed); "
            f"tiers {'refreshed' if report.tiers_refreshed else 'kept'}; "
            f"offers {offers['total']} ({offers['upgrade']} upgrades, {offers['service']} services), "
            f"expected value {report.expected_value}; quotes {report.quotes}; {report.seconds:.1f} s "
            f"(offers: {report.worker_seconds:.1f} worker-s, peak {report.peak_worker_mb:.0f} MiB per worker)",
            markup=False,
        )
        for path in report.parquet:
            _out().print(f"wrote {path}", markup=False)
    for where, error in report.failed.items():
        _err().print(f"failed {where}: {error} (rerun with --run-id {report.run_id})", markup=False)
    if report.failed:
        raise typer.Exit(1)
