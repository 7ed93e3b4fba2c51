"""Benchmark: does what the product learned in one catalog transfer to another (scenario ``cross-catalog``)?

For pairs of example catalogs, a seeded population buys ``--purchases - 1`` times from the first catalog and
then once from the second (``configurator simulate --scenario cross-catalog``): the same customers, their
attribute tastes shared by attribute name, their price sensitivity and budget level carried over, new
part-worths for the second catalog's options. At that last purchase every customer is new to the second
catalog; side by side on the same customers and occasions: the product with its guided-selling questions and
what it read from the first catalog's orders (shared attributes and price level,
:mod:`configurator.needs.transfer`), the product without the questions, the product with neither (the
population of the second catalog alone), and the most popular configuration. The figure that matters is the
transfer's own effect: "no questions" with and without what was transferred.

Prints the tables and updates the "Cross-catalog transfer" section of docs/benchmarks.md. Quick mode
(``BENCH_QUICK=1``): 10 customers, a history of 30, one pair, and the doc is left alone unless ``--doc``.

Run: ``.venv/bin/python benchmarks/transfer.py [--customers 200] [--purchases 3] [--seed 1] [--history 300]
[--pair ebike:laptop] [--doc | --no-doc]``
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sys
from pathlib import Path

from _docs import add_doc_options, pick, publish, quick
from configurator import load_catalog
from configurator.simulate.cycle import HISTORY, simulate
from configurator.simulate.report import SCENARIO_LINES, crossing_table

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Cross-catalog transfer"
PAIRS = ("ebike:laptop", "laptop:ebike", "valve:kitchen")
"""Catalog pairs (file stems, first:second); the first two share weight, battery capacity and the care plan."""


def shared(first: str, second: str) -> list[str]:
    """The attribute names options of both catalogs use (what can transfer besides price)."""
    names = []
    for stem in (first, second):
        cat = load_catalog(ROOT / "catalogs" / f"{stem}.yaml")
        names.append({n for m in cat.modules.values() for o in m.options.values() for n in o.attrs})
    return sorted(names[0] & names[1])


def _run(job: tuple[str, int, int, int, int]) -> list[str]:
    """One pair: its Markdown block."""
    pair, customers, purchases, seed, history = job
    first, second = pair.split(":")
    a = load_catalog(ROOT / "catalogs" / f"{first}.yaml")
    b = load_catalog(ROOT / "catalogs" / f"{second}.yaml")
    result = simulate(
        a,
        customers=customers,
        purchases=purchases,
        seed=seed,
        history=history,
        scenario="cross-catalog",
        other=b,
    )
    common = ", ".join(shared(first, second)) or "none"
    lines = [
        f"### {a.catalog} then {b.catalog} ({customers} customers, {result.seconds:.0f} s)",
        "",
        f"Attributes both use: {common}; and the price level.",
        "",
        *crossing_table(result),
        "",
    ]
    print("\n".join(lines), flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run every pair, print the tables, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--customers", type=int, default=pick(200, 10))
    parser.add_argument("--purchases", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--history", type=int, default=pick(HISTORY, 30))
    parser.add_argument("--pair", action="append", help="first:second catalog file stems (default: PAIRS)")
    parser.add_argument("--jobs", type=int, default=2, help="simulations run at the same time (processes)")
    add_doc_options(parser)
    args = parser.parse_args(argv)
    pairs = args.pair or (list(PAIRS[:1]) if quick() else list(PAIRS))
    jobs = [(pair, args.customers, args.purchases, args.seed, args.history) for pair in pairs]
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        blocks = list(pool.map(_run, jobs))
    lines = [
        SECTION,
        "",
        f"`configurator simulate --scenario cross-catalog --customers {args.customers} --purchases "
        f"{args.purchases} --seed {args.seed} --history {args.history}` per pair (`benchmarks/transfer.py`): "
        f"{SCENARIO_LINES['cross-catalog']}. Each first catalog is bought {args.purchases - 1} times, then the "
        "second once. Cells: the measure at that last purchase with its 95 % interval in brackets. The "
        'transfer\'s own effect is the two "no questions" rows side by side (same customers, same occasions).',
        "",
        *(line for block in blocks for line in block),
    ]
    section = "\n".join(lines)
    publish(SECTION, section, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
