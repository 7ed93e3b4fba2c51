"""Benchmark: event ingestion throughput, one writer and eight concurrent writers, per database.

Generates a seeded stream of events (views, configurations, purchases with lines, logged-in visitors with
their browser id, 2,000 customers) and ingests it through ``configurator.customers.ingest.ingest`` into each
database given (validation, idempotent insert, identity and order projections, one transaction per batch of
500): once with one writer, then with eight threads sending overlapping halves (every event twice). Prints a
table and updates the "Event ingestion" section of docs/benchmarks.md (other sections untouched).

Run: ``.venv/bin/python benchmarks/ingest.py [--events 40000] [--url URL ...] [--doc | --no-doc]`` (default: a
temporary SQLite file; pass ``--url postgresql+psycopg://...`` for an empty PostgreSQL database too). Quick
mode (``BENCH_QUICK=1``): 4,000 events, and the doc is left alone unless ``--doc``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import text

from _docs import add_doc_options, pick, publish
from configurator.customers.ingest import IngestReport, ingest
from configurator.storage import SqlStore, display_url, make_engine, upgrade

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Event ingestion"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def event(i: int, n: int) -> dict[str, Any]:
    """Event number ``i`` of ``n``: a view, a configuration or a purchase, timestamps out of order."""
    record: dict[str, Any] = {
        "event_id": f"e{i:07d}",
        "type": "viewed",
        "customer_id": f"c{i % 2_000}",
        "channel": "web",
        "ts": (START + dt.timedelta(minutes=(i * 7919) % n)).isoformat(),
        "catalog": "ebike-urban",
        "item": "ebike-urban",
    }
    if i % 5 == 1:
        record.update(type="configured", selections={"frame": "alu_lowstep", "motor": "bosch_cx"})
        del record["item"]
    if i % 10 == 0:
        del record["catalog"], record["item"]
        record.update(
            type="purchased",
            channel="store",
            order_id=f"o{i}",
            lines=[
                {"item": "ebike-urban", "unit_price": "3490.00", "unit_margin": "910.00"},
                {"item": "bike_fit", "unit_price": "80.00", "unit_margin": "55.00"},
            ],
        )
    if i % 7 == 0:
        record["anonymous_id"] = f"anon{i % 2_000}"
    return record


def run(url: str, n: int, writers: int) -> tuple[float, list[IngestReport]]:
    """Ingest ``n`` events (``writers`` > 1: each event by two writers at once) into a fresh tenant."""
    pool = [event(i, n) for i in range(n)]
    tenant = f"bench{writers}"
    per = 2 * n // writers if writers > 1 else n

    def writer(w: int) -> IngestReport:
        start = w * per // 2 if writers > 1 else 0
        records = [(j + 1, pool[(start + j) % n]) for j in range(per)]
        engine = make_engine(url)
        try:
            return ingest(records, SqlStore(engine, tenant), tenant=tenant, batch_size=500)
        finally:
            engine.dispose()

    started = time.perf_counter()
    with ThreadPoolExecutor(writers) as workers:
        reports = list(workers.map(writer, range(writers)))
    return time.perf_counter() - started, reports


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=pick(40_000, 4_000))
    parser.add_argument("--url", action="append", default=[])
    add_doc_options(parser)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        urls = args.url or [f"sqlite:///{tmp}/bench.db"]
        for url in urls:
            engine = make_engine(url)
            upgrade(engine)
            with engine.connect() as c:
                stored_before = c.execute(text("select count(*) from events")).scalar_one()
            name = (
                "SQLite (file, WAL)"
                if engine.dialect.name == "sqlite"
                else f"PostgreSQL {_pg_version(engine)}"
            )
            for writers in (1, 8):
                seconds, reports = run(url, args.events, writers)
                sent = sum(r.read for r in reports)
                accepted = sum(r.accepted for r in reports)
                duplicates = sum(r.duplicates for r in reports)
                with engine.connect() as c:
                    stored = c.execute(text("select count(*) from events")).scalar_one() - stored_before
                stored_before += stored
                ok = accepted == stored == args.events and duplicates == sent - args.events
                rows.append((name, writers, sent, accepted, duplicates, seconds, ok))
                print(
                    f"{display_url(url)}: {writers} writers, {sent} sent in {seconds:.1f} s", file=sys.stderr
                )
            engine.dispose()
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}"
    lines = [
        SECTION,
        "",
        f"`benchmarks/ingest.py --events {args.events}`: {args.events:,} events (views, configurations, purchases "
        f"with two lines, logged-in visitors' browser ids; 2,000 customers), batches of 500, {machine}. "
        "With 8 writers every event is sent twice, by two threads at once (at-least-once delivery); each thread "
        "has its own connection. Rates count events sent (validated, deduplicated, stored or skipped).",
        "",
        "| database | writers | events sent | accepted | duplicates | seconds | events/s | exactly once |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *[
            f"| {name} | {w} | {sent:,} | {acc:,} | {dup:,} | {s:.1f} | {sent / s:,.0f} | {'yes' if ok else 'NO'} |"
            for name, w, sent, acc, dup, s, ok in rows
        ],
        "",
        "The work is Python-bound (validation, identity rules, SQLAlchemy) and the PostgreSQL server shares the two "
        "CPUs; eight threads share one interpreter, so concurrency buys correctness under contention, not speed. "
        "On a machine busy with other jobs the same runs took 2-4x longer.",
        "",
    ]
    print("\n".join(lines))
    publish(SECTION, "\n".join(lines), args, DOC)
    return 0 if all(r[-1] for r in rows) else 1


def _pg_version(engine: Any) -> str:
    with engine.connect() as c:
        return str(c.execute(text("show server_version")).scalar_one()).split()[0]


if __name__ == "__main__":
    sys.exit(main())
