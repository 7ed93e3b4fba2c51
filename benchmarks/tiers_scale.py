"""Benchmark: value tiers for 1,000,000 customers / 10,000,000 events (target < 60 s), with peak memory.

A seeded synthetic generator writes an events frame with the columns of the events contract (tenant,
event_id, customer_id, type, channel, ts, amount, margin, cost, referred_customer_id, converted, rating) to a
temporary Parquet file. A fresh child process then reads it and runs ``assign_tiers`` (features with polars,
BG/NBD and Gamma-Gamma fits, vectorised predictions, ranks, explanations), so that its peak resident memory
(``getrusage``) measures the tiers computation and not the generator. Prints a table and updates the "Tiers at
scale" section of docs/benchmarks.md.

Quick mode (``BENCH_QUICK=1``): 20,000 customers and 200,000 events, and the doc is left alone unless ``--doc``.

Run: ``.venv/bin/python benchmarks/tiers_scale.py [--customers 1000000] [--events 10000000] [--seed 7] [--doc | --no-doc]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from _docs import add_doc_options, pick, publish

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Tiers at scale"
END = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SPAN_DAYS = 730
TYPES = (
    ("viewed", 0.40),
    ("configured", 0.14),
    ("quote_requested", 0.07),
    ("quote_sent", 0.06),
    ("purchased", 0.16),
    ("returned", 0.02),
    ("support_ticket", 0.03),
    ("referral", 0.02),
    ("review", 0.03),
    ("stated_need", 0.04),
    ("feedback", 0.03),
)
CHANNELS = ("web", "sales_rep", "email", "phone", "store", "api")


def generate(n_customers: int, n_events: int, seed: int = 7) -> pl.DataFrame:
    """A synthetic events frame: heavy-tailed activity, customers arriving over two years, 2 % anonymous.

    Every customer has at least one event; 5 % are support-heavy (a third of their events are tickets), so
    that every tier occurs. Fully vectorised and deterministic for a seed.
    """
    if n_events < n_customers:
        raise ValueError("expected at least one event per customer")
    rng = np.random.default_rng(seed)
    activity = rng.lognormal(0.0, 1.0, n_customers)
    extra = np.searchsorted(np.cumsum(activity) / activity.sum(), rng.random(n_events - n_customers))
    owner = np.concatenate([np.arange(n_customers), np.minimum(extra, n_customers - 1)])
    birth = rng.uniform(0, SPAN_DAYS, n_customers)
    offset_days = birth[owner] + rng.random(n_events) * (SPAN_DAYS - birth[owner])
    names, probs = zip(*TYPES, strict=True)
    type_index = rng.choice(len(names), n_events, p=np.array(probs) / sum(probs))
    heavy = rng.random(n_customers) < 0.05
    tickets = heavy[owner] & (rng.random(n_events) < 0.33)
    type_index[tickets] = names.index("support_ticket")
    amount = np.zeros(n_events)
    margin = np.zeros(n_events)
    cost = np.zeros(n_events)
    purchased = type_index == names.index("purchased")
    returned = type_index == names.index("returned")
    ticket = type_index == names.index("support_ticket")
    amount[purchased] = np.round(rng.lognormal(4.5, 0.8, int(purchased.sum())), 2)
    margin[purchased] = np.round(amount[purchased] * rng.uniform(0.15, 0.45, int(purchased.sum())), 2)
    amount[returned] = np.round(rng.lognormal(4.0, 0.8, int(returned.sum())), 2)
    margin[returned] = np.round(amount[returned] * rng.uniform(0.15, 0.45, int(returned.sum())), 2)
    cost[ticket] = np.round(rng.lognormal(3.2, 0.7, int(ticket.sum())), 2)
    referral = type_index == names.index("referral")
    review = type_index == names.index("review")
    anonymous = rng.random(n_events) < 0.02
    ts = pl.Series(
        "ts",
        (END - dt.timedelta(days=SPAN_DAYS)).timestamp() * 1e6 + offset_days * 86_400e6,
    ).cast(pl.Int64)
    frame = pl.DataFrame(
        {
            "i": np.arange(n_events),
            "owner": owner,
            "type_index": type_index.astype(np.int8),
            "channel_index": rng.integers(0, len(CHANNELS), n_events).astype(np.int8),
            "ts": ts,
            "amount": amount,
            "margin": margin,
            "cost": cost,
            "anonymous": anonymous,
            "referral": referral,
            "referred": rng.integers(0, n_customers, n_events),
            "converted": rng.random(n_events) < 0.3,
            "review": review,
            "rating": rng.integers(1, 6, n_events),
        }
    )
    return frame.select(
        pl.lit("bench").alias("tenant"),
        pl.concat_str(pl.lit("e"), pl.col("i").cast(pl.String)).alias("event_id"),
        pl.when(~pl.col("anonymous"))
        .then(pl.concat_str(pl.lit("c"), pl.col("owner").cast(pl.String)))
        .alias("customer_id"),
        pl.col("type_index").replace_strict(dict(enumerate(names)), return_dtype=pl.String).alias("type"),
        pl.col("channel_index")
        .replace_strict(dict(enumerate(CHANNELS)), return_dtype=pl.String)
        .alias("channel"),
        pl.col("ts").cast(pl.Datetime("us", "UTC")),
        "amount",
        "margin",
        "cost",
        pl.when(pl.col("referral"))
        .then(pl.concat_str(pl.lit("c"), pl.col("referred").cast(pl.String)))
        .alias("referred_customer_id"),
        pl.when(pl.col("referral")).then(pl.col("converted")).alias("converted"),
        pl.when(pl.col("review")).then(pl.col("rating")).alias("rating"),
    )


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(path: Path) -> dict[str, object]:
    """Read the events and assign the tiers; timings and peak memory of this process."""
    from configurator.customers.tiers import TierAssigner

    start = time.perf_counter()
    events = pl.read_parquet(path)
    read_s = time.perf_counter() - start
    baseline = _rss_mib()
    start = time.perf_counter()
    assigner = TierAssigner().fit(events, as_of=END - dt.timedelta(microseconds=1))
    tiers_s = time.perf_counter() - start
    result = assigner.assignments_
    bg, gg = assigner.models_["bench"]
    return {
        "events": events.height,
        "customers": result.height,
        "read_s": read_s,
        "tiers_s": tiers_s,
        "stages": assigner.timings_,
        "rss_after_read_mib": baseline,
        "peak_rss_mib": _rss_mib(),
        "counts": dict(result.group_by("tier").len().sort("tier").iter_rows()),
        "bgnbd": bg.params_ if bg else None,
        "gamma_gamma": gg.params_ if gg else None,
        "notes": assigner.notes_,
    }


def main(argv: list[str] | None = None) -> int:
    """Generate, run the child, print the table, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=pick(1_000_000, 20_000))
    parser.add_argument("--events", type=int, default=pick(10_000_000, 200_000))
    parser.add_argument("--seed", type=int, default=7)
    add_doc_options(parser)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    events = generate(args.customers, args.events, args.seed)
    generate_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        events.write_parquet(path)
        size_mib = path.stat().st_size / 2**20
        del events
        child = subprocess.run(
            [sys.executable, __file__, "--worker", str(path)], check=True, capture_output=True, text=True
        )
    report = json.loads(child.stdout.strip().splitlines()[-1])
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}"
    counts: dict[str, int] = report["counts"]
    stages: dict[str, float] = report["stages"]
    target = args.customers >= 1_000_000 and args.events >= 10_000_000
    verdict = "target met" if report["tiers_s"] < 60 else "target missed"
    lines = [
        SECTION,
        "",
        f"`benchmarks/tiers_scale.py --customers {args.customers:,} --events {args.events:,} --seed {args.seed}` "
        f"on {machine}, polars {pl.__version__}: a seeded synthetic event log (two years, heavy-tailed activity, "
        f"2 % anonymous events, 5 % support-heavy customers; generated in {generate_s:.1f} s, "
        f"{size_mib:,.0f} MiB of Parquet) read by a fresh process that runs `TierAssigner().fit(events)`. "
        "Peak memory is that process's maximum resident set size (`getrusage`), events frame included.",
        "",
        "| step | seconds |",
        "| --- | ---: |",
        f"| read Parquet ({report['events']:,} events) | {report['read_s']:.2f} |",
        *[f"| {name} | {seconds:.2f} |" for name, seconds in stages.items()],
        f"| **tiers total** ({report['customers']:,} customers) | **{report['tiers_s']:.2f}** |",
        "",
        f"Memory: {report['rss_after_read_mib']:,.0f} MiB resident after reading the events, peak "
        f"{report['peak_rss_mib']:,.0f} MiB while assigning tiers.",
        "",
        f"Machine load (1-minute load average of the {os.cpu_count()} CPUs, other processes included): "
        f"{load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after it.",
        "",
        "Tiers: "
        + ", ".join(f"{tier} {counts.get(tier, 0):,}" for tier in ("mvc", "mgc", "standard", "below_zero")),
        "",
        "Fitted on the synthetic data (weeks): BG/NBD "
        + (
            ", ".join(f"{k} = {v:.4g}" for k, v in report["bgnbd"].items())
            if report["bgnbd"]
            else "not fitted"
        )
        + "; Gamma-Gamma "
        + (
            ", ".join(f"{k} = {v:.4g}" for k, v in report["gamma_gamma"].items())
            if report["gamma_gamma"]
            else "not fitted"
        )
        + ".",
        "",
        f"Verdict: {verdict} ({report['tiers_s']:.1f} s{'' if target else ', smaller than the 1M / 10M target run'}).",
        "",
    ]
    if report["notes"]:
        lines[-2:-2] = ["Notes: " + "; ".join(report["notes"]), ""]
    text = "\n".join(lines)
    print(text)
    publish(SECTION, text, args, DOC)
    return 0


if __name__ == "__main__":
    sys.exit(main())
