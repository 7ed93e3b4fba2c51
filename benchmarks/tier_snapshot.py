"""Benchmark: a customer summary request reads the stored tier snapshot, so its time does not grow with the tenant.

For each tenant size (1,000 and 100,000 customers side by side, four events per customer), the seeded synthetic
event log of ``benchmarks/tiers_scale.py`` is turned into valid events and ingested into a fresh SQLite file
(``SqlStore.write_events``, the path ``configurator customers ingest`` takes). Then, per size:

- **refresh**: ``SqlStore.refresh_tiers()`` (read the events frame, fit the tiers, replace the snapshot), the
  population-wide work done once per refresh;
- **refit per request (before)**: what every customer, bundle and quote request used to pay on top of its own
  work: reading the events frame and fitting ``TierAssigner`` (one measurement);
- **request**: ``GET /customers/{id}`` through FastAPI's ``TestClient`` for a sample of customers (median and
  95th percentile after a warm-up), which now reads one snapshot row;
- **parts of the request**, for the same customers: the tier read (``SqlStore.stored_tier``, one row by primary
  key) and the customer's events (``SqlStore.customer_events``), the request's largest read.

Prints a table and updates the "Tier snapshot" section of docs/benchmarks.md.

Quick mode (``BENCH_QUICK=1``): 1,000 and 20,000 customers, fewer requests, and the doc is left alone unless
``--doc``.

Run: ``.venv/bin/python benchmarks/tier_snapshot.py [--sizes 1000 100000] [--events-per-customer 4]
[--requests 200] [--seed 7] [--doc | --no-doc]``
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
from fastapi.testclient import TestClient

from _docs import add_doc_options, pick, publish
from configurator.api import make_app
from configurator.customers.events import Event, validate_event
from configurator.customers.tiers import TIERS, TierAssigner
from configurator.settings import Settings
from configurator.storage import SqlStore, make_engine, upgrade
from tiers_scale import generate

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Tier snapshot"
TENANT = "bench"
BATCH = 2_000


def event_fields(kind: str, i: int, row: dict[str, Any]) -> dict[str, Any]:
    """The fields an event of ``kind`` needs beyond the common ones, from the generator's row."""
    money = round(row["amount"], 2) or 1.0
    match kind:
        case "configured":
            return {"catalog": "bike", "selections": {"frame": {"alu": 1}}}
        case "quote_sent":
            return {"quote_id": f"q{i}", "total": money}
        case "purchased":
            return {
                "order_id": f"o{i}",
                "margin": row["margin"],
                "lines": [{"item": "bike", "unit_price": money, "quantity": 1}],
            }
        case "returned":
            return {"order_id": f"o{i}", "amount": money, "margin": row["margin"]}
        case "support_ticket":
            return {"ticket_id": f"t{i}", "cost": row["cost"]}
        case "referral":
            return {"referred_customer_id": row["referred_customer_id"], "converted": bool(row["converted"])}
        case "review":
            return {"rating": row["rating"]}
        case "stated_need":
            return {"need": "budget", "value": 2_000, "catalog": "bike"}
        case "feedback":
            return {"text": "fine"}
        case _:
            return {}


def events_of(frame: pl.DataFrame) -> Iterator[Event]:
    """The generator's rows as validated events (anonymous rows get a browser id)."""
    for i, row in enumerate(frame.iter_rows(named=True)):
        data: dict[str, Any] = {
            "event_id": row["event_id"],
            "type": row["type"],
            "channel": row["channel"],
            "ts": row["ts"],
            **event_fields(row["type"], i, row),
        }
        if row["customer_id"] is None:
            data["anonymous_id"] = f"a{i}"
        else:
            data["customer_id"] = row["customer_id"]
        yield validate_event(data, tenant=TENANT)


def load(store: SqlStore, frame: pl.DataFrame) -> float:
    """Ingest the events in batches; seconds."""
    started = time.perf_counter()
    batch: list[Event] = []
    for event in events_of(frame):
        batch.append(event)
        if len(batch) == BATCH:
            store.write_events(batch)
            batch = []
    if batch:
        store.write_events(batch)
    return time.perf_counter() - started


def refit(store: SqlStore) -> float:
    """What a request used to add: read the events frame and fit the tiers (objections respected); seconds."""
    started = time.perf_counter()
    frame = store.events_frame()
    known = set(frame["customer_id"].drop_nulls().to_list())
    TierAssigner().fit(frame, objections=known - store.profiling_allowed())
    return time.perf_counter() - started


def requests(url: str, customers: list[str], n: int, seed: int) -> tuple[list[float], dict[str, int]]:
    """``GET /customers/{id}`` for ``n`` random customers after a warm-up: seconds each, and tiers seen."""
    app = make_app(Settings(database_url=url, secret_key="benchmark-secret-" + "x" * 32), catalogs=[])
    key, _ = app.state.service.keys().create(TENANT, "benchmark", ["read"], created_by="benchmark")
    rng = random.Random(seed)
    seen: dict[str, int] = {}
    times: list[float] = []
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        for customer in customers[:5]:  # warm-up: engine, first queries, route
            assert client.get(f"/customers/{customer}").status_code == 200
        for customer in rng.sample(customers, min(n, len(customers))):
            started = time.perf_counter()
            response = client.get(f"/customers/{customer}")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
            tier = response.json()["tier"]
            seen[tier] = seen.get(tier, 0) + 1
    return times, seen


def parts(store: SqlStore, customers: list[str], n: int, seed: int) -> tuple[float, float]:
    """Median milliseconds of the tier read and of the events read for ``n`` random customers."""
    sample = random.Random(seed).sample(customers, min(n, len(customers)))
    tier: list[float] = []
    events: list[float] = []
    for customer in sample:
        started = time.perf_counter()
        store.stored_tier(customer)
        tier.append(time.perf_counter() - started)
        started = time.perf_counter()
        store.customer_events(customer)
        events.append(time.perf_counter() - started)
    return statistics.median(tier) * 1000, statistics.median(events) * 1000


def measure(n: int, per_customer: int, n_requests: int, seed: int, folder: Path) -> dict[str, Any]:
    """Build one tenant of ``n`` customers and measure refresh, refit and requests."""
    frame = generate(n, n * per_customer, seed)
    url = f"sqlite:///{folder / f'tenant-{n}.db'}"
    engine = make_engine(url)
    upgrade(engine)
    store = SqlStore(engine, TENANT)
    load_s = load(store, frame)
    customers = sorted(p.customer_id for p in store.canonical_profiles())
    summary = store.refresh_tiers()
    refit_s = refit(store)
    times, seen = requests(url, customers, n_requests, seed)
    tier_ms, events_ms = parts(store, customers, n_requests, seed)
    engine.dispose()
    return {
        "customers": len(customers),
        "events": frame.height,
        "load_s": load_s,
        "refresh_s": summary.seconds,
        "snapshot": summary.customers,
        "refit_s": refit_s,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": statistics.quantiles(times, n=20)[-1] * 1000 if len(times) >= 2 else times[0] * 1000,
        "requests": len(times),
        "tier_ms": tier_ms,
        "events_ms": events_ms,
        "seen": seen,
    }


def verdict(small: dict[str, Any], large: dict[str, Any]) -> str:
    """The verdict line: how the request and its parts grow from the smallest to the largest tenant."""
    scale = large["customers"] / small["customers"]
    request = large["median_ms"] / small["median_ms"]
    tier = large["tier_ms"] / small["tier_ms"]
    events = large["events_ms"] / small["events_ms"]
    text = (
        f"Verdict: with {scale:,.0f}x the customers the tier read takes {tier:.2f}x the time "
        f"({'flat' if tier < 2 else 'it grows'}): no request fits tiers any more (before, each paid "
        f"{large['refit_s']:.2f} s of refitting at {large['customers']:,} customers). The whole request takes "
        f"{request:.2f}x the time"
    )
    if request < 2:
        return text + ": it does not grow with the tenant."
    return (
        text
        + f"; the tier read ({tier:.2f}x) and the customer's events read ({events:.2f}x) are index lookups, "
        "so the rest is the larger database file's page reads and the machine's load (see above)."
    )


def main(argv: list[str] | None = None) -> int:
    """Measure every size, print the table, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, pick(100_000, 20_000)])
    parser.add_argument("--events-per-customer", type=int, default=4)
    parser.add_argument("--requests", type=int, default=pick(200, 50))
    parser.add_argument("--seed", type=int, default=7)
    add_doc_options(parser)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(n, args.events_per_customer, args.requests, args.seed, Path(tmp)) for n in args.sizes]
    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{platform.machine()}"
    )
    small, large = rows[0], rows[-1]
    lines = [
        SECTION,
        "",
        f"`benchmarks/tier_snapshot.py --sizes {' '.join(str(n) for n in args.sizes)} --events-per-customer "
        f"{args.events_per_customer} --requests {args.requests} --seed {args.seed}` on {machine}, SQLite file "
        "database: the synthetic event log of `tiers_scale.py` ingested with `SqlStore.write_events`, then per "
        "tenant size the refresh (`SqlStore.refresh_tiers()`: read the events frame, fit, replace the snapshot), "
        "what every customer, bundle and quote request used to add (read the events frame and fit the tiers), "
        f"and {args.requests} `GET /customers/{{id}}` requests through FastAPI's `TestClient` for random "
        "customers, which now read one row of the snapshot.",
        "",
        "| customers | events | ingest s | refresh s | refit per request before, s | request median ms "
        "| request p95 ms | tier read ms | events read ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[
            f"| {r['customers']:,} | {r['events']:,} | {r['load_s']:.1f} | {r['refresh_s']:.2f} "
            f"| {r['refit_s']:.2f} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['tier_ms']:.2f} "
            f"| {r['events_ms']:.1f} |"
            for r in rows
        ],
        "",
        "Snapshot of the largest tenant: "
        + ", ".join(f"{tier} {large['snapshot'].get(tier, 0):,}" for tier in TIERS)
        + ".",
        "",
        f"Machine load (1-minute load average of the {os.cpu_count()} CPUs, other processes included): "
        f"{load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after it.",
        "",
        verdict(small, large),
        "",
    ]
    print("\n".join(lines))
    publish(SECTION, "\n".join(lines), args, DOC)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
