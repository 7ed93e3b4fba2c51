"""Benchmark: the learning loop on every example catalog (configurator simulate), learned vs baselines vs oracle.

For each example catalog, a seeded population of simulated customers buys ``--purchases`` times through the
product (store -> tiers and needs -> assemble -> quote accepted -> events ingested; see docs/simulate.md), and
the first proposal of the learned system is compared with the baselines (catalog defaults, most popular,
repeat the last purchase, per-module majority of the customer's purchases) and the oracle on the same
customers and occasions: acceptance of the first proposal unchanged, mean edits and utility regret by purchase,
with 95 % intervals, and the product's time per cycle.

Prints the tables and updates the "The learning loop" section of docs/benchmarks.md.

Quick mode (``BENCH_QUICK=1``): 10 customers, 3 purchases, and the doc is left alone unless ``--doc``.

Run: ``.venv/bin/python benchmarks/learning_loop.py [--customers 200] [--purchases 5] [--seed 1]
[--catalog ebike] [--doc | --no-doc]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _docs import add_doc_options, pick, publish
from configurator import load_catalog
from configurator.simulate.cycle import simulate
from configurator.simulate.report import assumption_lines, measure_table

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## The learning loop"


def main(argv: list[str] | None = None) -> int:
    """Run the simulation per catalog, print the tables, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--customers", type=int, default=pick(200, 10))
    parser.add_argument("--purchases", type=int, default=pick(5, 3))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--catalog", action="append", help="catalog file stem (default: every example catalog)"
    )
    add_doc_options(parser)
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "catalogs").glob("*.yaml"))
    if args.catalog:
        paths = [p for p in paths if p.stem in args.catalog]
    lines = [
        SECTION,
        "",
        f"`configurator simulate --customers {args.customers} --purchases {args.purchases} --seed {args.seed}` "
        "on each example catalog (`benchmarks/learning_loop.py`; what is simulated and how to read the tables: "
        "docs/simulate.md). Cells: the measure by purchase with its 95 % interval in brackets. The issue's "
        "targets: >= 60 % of first proposals accepted unchanged by purchase 3, mean edits falling with every "
        "purchase, the learned system ahead of every baseline from purchase 2.",
        "",
    ]
    assumptions: list[str] = []
    for path in paths:
        catalog = load_catalog(path)
        started = time.perf_counter()
        result = simulate(catalog, customers=args.customers, purchases=args.purchases, seed=args.seed)
        seconds = time.perf_counter() - started
        systems = {"learned": result.learned, **result.baselines, "oracle": result.oracle}
        block = len(lines)
        lines += [f"### {catalog.catalog} ({path.name}, {seconds:.0f} s)", ""]
        lines += [*measure_table("accepted unchanged %", systems, "acceptance"), ""]
        lines += [*measure_table("mean edits", systems, "edits"), ""]
        lines += [*measure_table("utility regret", systems, "regret"), ""]
        lines += [*measure_table("ms per cycle", {"learned": result.learned}, "seconds"), ""]
        assumptions = assumption_lines(result)[1:]
        print("\n".join(lines[block:]), flush=True)
    lines += ["Assumptions:", "", *(f"- {line}" for line in assumptions), ""]
    section = "\n".join(lines)
    print(section)
    publish(SECTION, section, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
