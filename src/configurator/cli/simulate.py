"""``configurator simulate``: the learning loop measured end to end on a seeded simulated population.

Simulated customers with hidden tastes buy through the product, purchase after purchase
(:mod:`configurator.simulate`); the command prints the assumptions and, per purchase, the share of first
proposals accepted unchanged, the mean edits and the utility regret of the learned system beside the
baselines and the oracle, each with a 95 % interval. ``--json`` prints one object with the keys
``acceptance``, ``edits``, ``regret`` (lists indexed by purchase, for the learned system), ``baselines``
(name -> the same series) and ``oracle``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from configurator.cli.output import err as _err
from configurator.cli.output import out as _out

__all__ = ["simulate"]


def simulate(
    catalog: Annotated[Path, typer.Option(help="Catalog YAML file.")],
    customers: Annotated[int, typer.Option(min=1, max=100_000, help="Simulated customers.")] = 100,
    purchases: Annotated[int, typer.Option(min=1, max=50, help="Purchases per customer.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same figures).")] = 0,
    history: Annotated[
        int, typer.Option(min=0, max=100_000, help="Earlier customers who bought once before the run.")
    ] = 300,
    questions: Annotated[
        int, typer.Option(min=0, max=3, help="Guided-selling questions for a customer's first purchase.")
    ] = 3,
    scenario: Annotated[
        str,
        typer.Option(
            help="default | drift (tastes drift) | partial (partial records) | purchases-only | withdrawn "
            "(a new catalog version withdraws the most bought option halfway) | cross-catalog (the last "
            "purchase is from --other-catalog)."
        ),
    ] = "default",
    other_catalog: Annotated[
        Path | None,
        typer.Option(help="Scenario cross-catalog: the catalog YAML file of the last purchase."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Simulate customers buying again and again: how often is the first proposal accepted unchanged?"""
    from configurator.catalog.loader import load_catalog
    from configurator.simulate.cycle import simulate as run
    from configurator.simulate.report import report_lines, to_data

    cat = load_catalog(catalog)
    other = load_catalog(other_catalog) if other_catalog is not None else None
    if not as_json:
        _err().print(
            f"simulating {customers} customers x {purchases} purchases on {cat.catalog}...", markup=False
        )
    result = run(
        cat, customers=customers, purchases=purchases, seed=seed, history=history, questions=questions,
        scenario=scenario, other=other,
    )  # fmt: skip
    if as_json:
        _out().print(json.dumps(to_data(result), indent=2), markup=False)
    else:
        _out().print("\n".join(report_lines(result)), markup=False)
