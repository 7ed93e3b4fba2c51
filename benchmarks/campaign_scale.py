"""Benchmark: a campaign over 1,000,000 synthetic customers on Dask, with 1 and 2 local workers side by side.

The shop: the seeded event log of ``benchmarks/tiers_scale.py`` (heavy-tailed activity over two years, every
event type), ``--events-per-customer`` events per customer on average, turned into valid events as
``benchmarks/tier_snapshot.py`` does and ingested with ``SqlStore.write_events`` into a SQLite file. Every
customer's first event is a purchase of an e-bike, so every customer owns one and gets a next-best offer
computed from it (the expensive kind: an upgrade reconfigured by the solver); later purchases and
configurations are e-bikes too. The bikes are ``--pool`` distinct valid configurations drawn uniformly from the
catalog's compiled diagram (about 2 billion exist), sold with Zipf popularity (the k-th most popular sells in
proportion to ``1 / k``), as a shop's sales concentrate on fewer configurations than it could build.

Per worker count (``--workers 1 2``): ``run_campaign`` on a ``LocalCluster`` (tiers refreshed, every customer's
next-best offer stored, quotes for the ``--quote-share`` of customers with the best offers among the most
growable), timed as a whole and per step, with the peak resident memory of each worker process and the
per-partition seconds. Besides, in this process: the cost per customer with and without the reconfiguration memo
on a sample (``--cold-sample``), so the figures can be projected for a shop whose customers all own different
configurations. From the measured per-partition costs, a paper projection of the same work on a cluster of
``--machines`` machines of ``--cores`` cores each.

Prints a table and updates the "Campaigns at scale" section of docs/benchmarks.md.

Quick mode (``BENCH_QUICK=1``): 20,000 customers, and the doc is left alone unless ``--doc``.

Run: ``.venv/bin/python benchmarks/campaign_scale.py [--customers 1000000] [--workers 1 2] [--database FILE]
[--doc | --no-doc]`` (``--database`` keeps the generated shop for the next run with the same parameters).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from _docs import add_doc_options, machine, pick, publish
from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.customers.events import Event, validate_event
from configurator.solver.session import ConfigurationSession, list_price
from configurator.storage import SqlStore, make_engine, upgrade
from tier_snapshot import event_fields
from tiers_scale import generate

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Campaigns at scale"
TENANT = "bench"
CATALOG = ROOT / "catalogs" / "ebike.yaml"
BATCH = 5_000
MARGIN = 0.25
NOW = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
COUNTRIES = (("PT", "pt"), ("ES", "es"), ("SE", "sv"), ("GB", "en"))
"""Customers' countries and languages, in turn (quotes need a country for tax)."""


def configuration_pool(catalog: Catalog, size: int, seed: int) -> list[dict[str, Any]]:
    """``size`` distinct valid configurations drawn uniformly from the compiled diagram, with list price."""
    session = ConfigurationSession(catalog, on=NOW.date())
    diagram = session.diagram()
    if diagram is None:
        raise SystemExit(f"{catalog.catalog}: the catalog does not compile to a diagram; cannot sample bikes")
    rng = random.Random(seed)
    seen: dict[tuple[tuple[str, str, int], ...], dict[str, Any]] = {}
    tries = 0
    while len(seen) < size and tries < 20 * size:
        tries += 1
        assignment = diagram.sample(rng=rng)
        if assignment is None:
            raise SystemExit(f"{catalog.catalog}: no valid configuration")
        configuration = session.cp.to_configuration(assignment)
        key = tuple(sorted(configuration.items()))
        if key not in seen:
            price = float(list_price(catalog, configuration))
            seen[key] = {
                "selections": {m: dict(opts) for m, opts in configuration.selections.items() if opts},
                "price": round(price, 2),
                "margin": round(price * MARGIN, 2),
            }
    return list(seen.values())


def _bike_fields(kind: str, i: int, bike: dict[str, Any], catalog_id: str) -> dict[str, Any]:
    if kind == "configured":
        return {"catalog": catalog_id, "selections": bike["selections"]}
    line = {
        "item": catalog_id,
        "catalog": catalog_id,
        "quantity": 1,
        "unit_price": bike["price"],
        "unit_margin": bike["margin"],
        "selections": bike["selections"],
    }
    return {"order_id": f"o{i}", "lines": [line], "currency": "EUR"}


def events_of(
    n_customers: int, per_customer: float, pool: list[dict[str, Any]], seed: int, catalog_id: str
) -> Iterator[Event]:
    """The shop's validated events: the tier benchmark's log, every first event a purchase, bikes by popularity."""
    frame = generate(n_customers, int(n_customers * per_customer), seed)
    rng = np.random.default_rng(seed + 1)
    popularity = 1.0 / np.arange(1, len(pool) + 1)
    picks = rng.choice(len(pool), frame.height, p=popularity / popularity.sum())
    for i, row in enumerate(frame.iter_rows(named=True)):
        kind = "purchased" if i < n_customers else row["type"]
        if kind in ("purchased", "configured"):
            fields = _bike_fields(kind, i, pool[int(picks[i])], catalog_id)
        else:
            fields = event_fields(kind, i, row)
        data: dict[str, Any] = {
            "event_id": row["event_id"],
            "type": kind,
            "channel": row["channel"],
            "ts": row["ts"],
            **fields,
        }
        if i < n_customers:
            data["customer_id"] = f"c{i}"
            data["traits"] = dict(zip(("country", "language"), COUNTRIES[i % len(COUNTRIES)], strict=True))
        elif row["customer_id"] is None:
            data["anonymous_id"] = f"a{i}"
        else:
            data["customer_id"] = row["customer_id"]
        yield validate_event(data, tenant=TENANT)


def build_shop(path: Path, customers: int, args: argparse.Namespace, catalog: Catalog) -> dict[str, Any]:
    """Generate and ingest a shop of ``customers`` in ``path`` (or reuse the one the same parameters left there)."""
    print(f"building the shop ({customers:,} customers) in {path}", file=sys.stderr, flush=True)
    marker = {"customers": customers, "per_customer": args.events_per_customer, "pool": args.pool,
              "seed": args.seed, "version": 2}  # fmt: skip
    stamp = path.with_name(path.name + ".json")
    if path.exists() and stamp.exists() and json.loads(stamp.read_text())["marker"] == marker:
        return dict(json.loads(stamp.read_text())["built"], reused=True)
    for old in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"), stamp):
        old.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    store = SqlStore(engine, TENANT)
    started = time.perf_counter()
    pool = configuration_pool(catalog, args.pool, args.seed)
    pool_s = time.perf_counter() - started
    started = time.perf_counter()
    batch: list[Event] = []
    written = 0
    for event in events_of(customers, args.events_per_customer, pool, args.seed, catalog.catalog):
        batch.append(event)
        if len(batch) == BATCH:
            store.write_events(batch)
            written += len(batch)
            batch = []
            if written % 200_000 == 0:
                print(f"  ingested {written:,} events", file=sys.stderr, flush=True)
    if batch:
        store.write_events(batch)
        written += len(batch)
    built = {"events": written, "pool": len(pool), "pool_s": round(pool_s, 1),
             "ingest_s": round(time.perf_counter() - started, 1), "reused": False}  # fmt: skip
    stamp.write_text(json.dumps({"marker": marker, "built": built}))
    return built


def cold_sample(url: str, catalog_path: Path, sample: int) -> dict[str, float]:
    """Seconds per customer of the offers work on ``sample`` customers, with and without the memo, here."""
    from configurator.assembly.kept import reconfigure_memo, set_reconfigure_memo
    from configurator.campaign import CampaignPlan
    from configurator.campaign.worker import offers_partition

    store = SqlStore(make_engine(url), TENANT)
    ids = store.canonical_customer_ids()
    rng = random.Random(3)
    chosen = sorted(rng.sample(ids, min(sample, len(ids))))
    out: dict[str, float] = {}
    kept = reconfigure_memo()
    for label, memo in (("memo", kept), ("cold", 0)):
        set_reconfigure_memo(memo)
        plan = CampaignPlan(url, TENANT, (str(catalog_path),), run_id=f"sample-{label}", partitions=1,
                            quote_top=0, refresh_tiers=False)  # fmt: skip
        offers_partition(plan, 0, chosen[:20])  # compile and fit first: not per customer
        started = time.perf_counter()
        offers_partition(plan, 0, chosen)
        out[label] = (time.perf_counter() - started) / len(chosen)
    set_reconfigure_memo(kept)
    return out


def run(url: str, workers: int, customers: int, args: argparse.Namespace) -> dict[str, Any]:
    """One campaign with ``workers`` local workers: wall times, partition costs, peak memory per worker."""
    from configurator.campaign import CampaignPlan, run_campaign

    store = SqlStore(make_engine(url), TENANT)
    run_id = f"scale-{workers}w-{int(time.time())}"
    plan = CampaignPlan(
        url, TENANT, (str(CATALOG),), run_id=run_id, partitions=args.partitions or max(8, customers // 1_000),
        segment="mgc", quote_top=max(1, round(customers * args.quote_share)), created_at=NOW,
    )  # fmt: skip
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(step: str, done: int, total: int) -> None:
        marks.setdefault(f"{step}_first", time.perf_counter() - started)
        marks[f"{step}_last"] = time.perf_counter() - started
        if done == total or done % max(1, total // 10) == 0:
            print(f"  {workers} worker(s): {step} {done}/{total}", file=sys.stderr, flush=True)

    report = run_campaign(plan, workers=workers, progress=progress)
    wall = time.perf_counter() - started
    offers = store.finished_partitions(run_id, "offers")
    quotes = store.finished_partitions(run_id, "quotes")
    return {
        "workers": workers,
        "customers": report.customers,
        "partitions": plan.partitions,
        "wall_s": wall,
        "offers": report.offers["total"],
        "upgrades": report.offers["upgrade"],
        "quotes": report.quotes,
        "failed": report.failed,
        "offer_worker_s": sum(float(r["seconds"]) for r in offers.values()),
        "offer_partition_s": sorted(float(r["seconds"]) for r in offers.values()),
        "offer_partition_pid_s": [(int(r.get("pid", 0)), float(r["seconds"])) for r in offers.values()],
        "timings": dict(report.timings),
        "quote_worker_s": sum(float(r["seconds"]) for r in quotes.values()),
        "peak_worker_mb": max(float(r.get("max_rss_mb", 0)) for r in offers.values()),
        "offers_done_at_s": marks.get("offers_last", 0.0),
        "quotes_done_at_s": marks.get("quotes_last", marks.get("offers_last", 0.0)),
    }


def warmup(result: dict[str, Any]) -> float:
    """A worker's one-time cost (catalog, compiled diagram, population fit): its slowest partition over the median."""
    median = statistics.median(result["offer_partition_s"])
    slowest: dict[int, float] = {}
    for pid, seconds in result["offer_partition_pid_s"]:
        slowest[pid] = max(slowest.get(pid, 0.0), seconds)
    return max(0.0, statistics.mean(slowest.values()) - median) if slowest else 0.0


def projection(
    result: dict[str, Any], efficiency: float | None, machines: int, cores: int
) -> dict[str, float]:
    """The same work on ``machines`` x ``cores`` workers, from the measured per-partition seconds.

    The partition work (offers and quotes, each worker's one-time warm-up taken out) is shared out evenly at
    the measured efficiency per worker of the side-by-side runs (speed-up of 2 workers over 1, divided by 2),
    assuming at least 8 partitions per worker; every worker pays the warm-up once; the client's part (tier
    refresh, planning, cluster start, ranking, summary) stays as measured.
    """
    workers = machines * cores
    eff = efficiency if efficiency is not None else 1.0
    warm = warmup(result)
    work = result["offer_worker_s"] + result["quote_worker_s"] - warm * result["workers"]
    parallel = work / (workers * eff) + warm
    timings = result["timings"]
    fixed = sum(timings.get(k, 0.0) for k in ("tiers", "plan", "cluster", "ranking", "summary"))
    return {"workers": workers, "parallel_s": parallel, "fixed_s": fixed, "total_s": parallel + fixed,
            "warmup_s": warm, "partitions": 8 * workers}  # fmt: skip


def _mmss(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def main(argv: list[str] | None = None) -> int:
    """Build the shop, run the campaign per worker count, print the table, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=pick(1_000_000, 20_000))
    parser.add_argument("--events-per-customer", type=float, default=2.0)
    parser.add_argument("--pool", type=int, default=pick(20_000, 2_000), help="distinct configurations sold")
    parser.add_argument("--workers", type=int, nargs="+", default=[2], help="worker counts on the full shop")
    parser.add_argument(
        "--side-by-side",
        type=int,
        default=pick(100_000, 5_000),
        help="a second shop of this many customers run with 1 and 2 workers (0: none)",
    )
    parser.add_argument(
        "--partitions", type=int, default=0, help="default: one per 1,000 customers, at least 8"
    )
    parser.add_argument("--quote-share", type=float, default=0.01)
    parser.add_argument("--cold-sample", type=int, default=pick(2_000, 300))
    parser.add_argument("--machines", type=int, default=10)
    parser.add_argument("--cores", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", type=Path, help="SQLite file to build (or reuse) the shop in")
    parser.add_argument("--side-database", type=Path, help="SQLite file for the side-by-side shop")
    parser.add_argument("--build-only", action="store_true", help="build the shop(s) and stop")
    add_doc_options(parser)
    args = parser.parse_args(argv)
    catalog = load_catalog(CATALOG)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.database or Path(tmp) / "shop.db"
        side_path = args.side_database or Path(tmp) / "side.db"
        built = build_shop(path, args.customers, args, catalog)
        side_built = build_shop(side_path, args.side_by_side, args, catalog) if args.side_by_side else None
        if args.build_only:
            print(json.dumps({"full": built, "side": side_built}))
            return 0
        side = (
            [run(f"sqlite:///{side_path}", w, args.side_by_side, args) for w in (1, 2)]
            if args.side_by_side
            else []
        )
        url = f"sqlite:///{path}"
        sample = cold_sample(url, CATALOG, args.cold_sample)
        full = [run(url, w, args.customers, args) for w in args.workers]
    results = side + full
    speedup = side[0]["wall_s"] / side[1]["wall_s"] if side else None
    efficiency = speedup / 2 if speedup is not None else None
    largest = max(full, key=lambda r: r["workers"])
    plan = projection(largest, efficiency, args.machines, args.cores)
    rows = [
        "| workers | customers | partitions | offers (upgrades) | quotes | wall | offers step | customers/s | "
        "worker s per 1,000 customers | partition s (median / max) | peak MiB per worker |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        parts = r["offer_partition_s"]
        rows.append(
            f"| {r['workers']} | {r['customers']:,} | {r['partitions']} | {r['offers']:,} ({r['upgrades']:,}) | "
            f"{r['quotes']:,} | {_mmss(r['wall_s'])} | {_mmss(r['offers_done_at_s'])} | "
            f"{r['customers'] / r['wall_s']:,.0f} | {1000 * r['offer_worker_s'] / r['customers']:.2f} | "
            f"{statistics.median(parts):.1f} / {max(parts):.1f} | {r['peak_worker_mb']:,.0f} |"
        )
    target = largest["customers"] >= 1_000_000
    verdict = (
        ("target met" if largest["wall_s"] <= 1800 and largest["peak_worker_mb"] < 4096 else "target missed")
        if target
        else "below the 1,000,000-customer target size: not a verdict"
    )
    steps = ", ".join(f"{k} {v:,.0f} s" for k, v in largest["timings"].items() if v >= 0.5)
    shops = f"{args.customers:,} customers ({built['events']:,} events)" + (
        f" and, side by side with 1 and 2 workers, {args.side_by_side:,} customers ({side_built['events']:,} events)"
        if side_built
        else ""
    )
    lines = [
        SECTION,
        "",
        f"`benchmarks/campaign_scale.py --customers {args.customers:,} --side-by-side {args.side_by_side:,} "
        f"--events-per-customer {args.events_per_customer:g} --pool {args.pool:,} --workers "
        f"{' '.join(map(str, args.workers))} --seed {args.seed}` on {machine()}, SQLite file database, Dask "
        f"LocalCluster (one thread per worker process). The shops: {shops}, from the tier benchmark's event log "
        "(every event type), every customer's first event a purchase of an e-bike; "
        f"{built['pool']:,} distinct valid e-bike configurations drawn uniformly from the compiled diagram, sold "
        f"with Zipf popularity (1/k). The full shop was built in {built['pool_s'] + built['ingest_s']:,.0f} s (ingest "
        f"{built['ingest_s']:,.0f} s; not part of the campaign). Each run refreshes the tiers, stores every "
        f"customer's next-best offer and quotes {args.quote_share:.0%} of the customers (the most growable with "
        "the best offers).",
        "",
        *rows,
        "",
        f"Steps of the {largest['customers']:,}-customer run ({largest['workers']} workers): {steps}. Each worker "
        f"pays about {warmup(largest):.0f} s once (catalog, compiled diagram, population needs fitted on the latest "
        "50,000 sales).",
        "",
        f"Per customer, in one process on a sample of {args.cold_sample:,}: {1000 * sample['memo']:.2f} ms with the "
        f"reconfiguration memo, {1000 * sample['cold']:.2f} ms without it (what a shop whose customers all own "
        "different configurations pays).",
        "",
        f"Target (1,000,000 customers within 30 minutes on 2 cores, < 4 GB per worker): {verdict}"
        + (
            f"; on {args.side_by_side:,} customers 2 workers are {speedup:.2f}x one."
            if speedup is not None
            else "."
        ),
        "",
        f"Projection on paper for {args.machines} machines x {args.cores} cores ({plan['workers']} workers, "
        f"`--partitions {plan['partitions']:,}`, a PostgreSQL server instead of the SQLite file): the measured "
        f"partition work of the {largest['customers']:,}-customer run "
        f"({largest['offer_worker_s'] + largest['quote_worker_s']:,.0f} worker-seconds, warm-ups taken out) shared "
        f"out at the measured efficiency per worker ({efficiency if efficiency is not None else 1.0:.2f}), plus one "
        f"warm-up per worker, takes {_mmss(plan['parallel_s'])}; the client's part (tier refresh, planning, "
        f"cluster start, ranking, summary: {_mmss(plan['fixed_s'])} measured) does not shrink, so about "
        f"{_mmss(plan['total_s'])} in all. Not measured: the PostgreSQL server's share ({plan['workers']} workers "
        f"read their partitions and insert about {args.customers / plan['parallel_s']:,.0f} offers per second in "
        "all), which a server sized for the load has to carry. With all configurations different, the partition work grows by the cold/memo ratio "
        f"({sample['cold'] / sample['memo']:.1f}x).",
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    publish(SECTION, section, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
