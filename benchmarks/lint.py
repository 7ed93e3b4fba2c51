"""Benchmark: ``lint_catalog`` on one incremental SAT solver of the catalog against a CP-SAT model per check.

Lints the four example catalogs and catalogs converted from public models (``configurator convert``: the Renault
CLib model, with its 111 compatibility tables, and feature models of FeatureIDE, SPLOT and UVL), each twice in
one process: as the product does (the checks on lint's SAT solver, where the engine is CP-SAT and the tables
suit it) and with every check on a CP-SAT model of its own (what lint did before). Both must give the same
findings. Prints a table and updates the "Lint" section of docs/benchmarks.md. Quick mode (``BENCH_QUICK=1``):
the example catalogs and the SPLOT model only, and the doc is left alone unless ``--doc``.

Run: ``.venv/bin/python benchmarks/lint.py [--doc | --no-doc]``
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from _docs import add_doc_options, publish, quick
from _models import MEGANE, PC_CONFIGURATOR, converted
from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.solver import lint as lint_module
from configurator.solver.backend import get_backend
from configurator.solver.compile import compile_catalog_problem
from configurator.solver.lint import Finding, lint_catalog
from configurator.solver.problem import Table, nodes

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Lint"
EXAMPLES = ("ebike", "kitchen", "laptop", "valve")
MODELS = (
    ("renault-clib-megane", MEGANE, False),
    ("featureide PcConfigurator", PC_CONFIGURATOR, False),
    ("splot DELL", "splot-dell/DELL.splx", True),
    ("uvl berkeleydb", "uvl-models/berkeleydb.uvl", False),
)
"""(label, path under the benchmark data, in quick mode too)."""


def _timed(run: Callable[[], list[Finding]]) -> tuple[list[Finding], float]:
    started = time.perf_counter()
    found = run()
    return found, time.perf_counter() - started


def _row(label: str, catalog: Catalog) -> str:
    """One table row: the catalog's size, both sides' seconds and findings."""
    problem = compile_catalog_problem(catalog).problem
    rows = sum(len(n.rows) for c in problem.constraints for n in nodes(c.expr) if isinstance(n, Table))
    lint_catalog(catalog)  # warm-up, not timed: the catalog's compiled problem is kept for both sides
    kernel, kernel_s = _timed(lambda: lint_catalog(catalog))
    engine = "sat" if lint_module._kernel(problem, get_backend(None)) is not None else "cp-sat"
    kept = lint_module.LINT_TABLE_ROWS
    lint_module.LINT_TABLE_ROWS = -1  # no catalog suits: a CP-SAT model per check, as before
    try:
        before, before_s = _timed(lambda: lint_catalog(catalog))
    finally:
        lint_module.LINT_TABLE_ROWS = kept
    codes = Counter(f.code for f in kernel)
    summary = ", ".join(f"{code} {n}" for code, n in sorted(codes.items())) or "none"
    same = "yes" if kernel == before else "NO"
    print(f"{label}: {kernel_s:.2f} s ({engine}) vs {before_s:.2f} s, same findings: {same}", file=sys.stderr)
    return (
        f"| {label} | {len(catalog.modules)} | {len(catalog.rules)} | {rows:,} | {engine} | {kernel_s:.2f} | "
        f"{before_s:.2f} | {before_s / kernel_s:.1f}x | {summary} | {same} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Lint each catalog both ways, print the table, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    add_doc_options(parser)
    args = parser.parse_args(argv)
    short = quick()
    lines = [
        SECTION,
        "",
        f"`benchmarks/lint.py` on CPython {platform.python_version()}: `lint_catalog` (what `configurator lint` "
        "runs after loading) on each catalog, after one untimed run (the compiled catalog is kept), then each way once in one process. *lint s*: as the product lints (one "
        "incremental SAT solver of the catalog for every check, where the engine is CP-SAT and the tables hold "
        "at most `LINT_TABLE_ROWS` rows; *engine* says which answered); *CP-SAT per check s*: every check on a "
        "CP-SAT model of its own, as before. Converted models: `configurator convert` of the public model "
        "(options unpriced). Both sides must give the same findings.",
        "",
        "| catalog | modules | rules | table rows | engine | lint s | CP-SAT per check s | speed-up | findings "
        "| same findings |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for name in EXAMPLES:
        lines.append(_row(f"{name} (catalogs/{name}.yaml)", load_catalog(ROOT / "catalogs" / f"{name}.yaml")))
    skipped: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for label, relative, in_quick in MODELS:
            if short and not in_quick:
                continue
            catalog = converted(relative, label, Path(folder))
            if catalog is None:
                skipped.append(label)
                continue
            lines.append(_row(label, catalog))
    if skipped:
        lines += ["", f"Skipped (benchmark data absent): {', '.join(skipped)}."]
    print("\n".join(lines))
    publish(SECTION, "\n".join(lines) + "\n", args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
