"""What ``configurator simulate`` prints: the assumptions, one table per measure, and the JSON object.

The tables have one row per system (the learned system, each baseline, the oracle) and one column per
purchase index; each cell is the measure with its 95 % interval in brackets (Wilson for the acceptance share,
normal approximation for means).

Example:
    >>> from configurator.simulate.metrics import Series
    >>> s = Series(); s.add(0, edits=0, regret=0.0, seconds=0.1); s.add(0, edits=2, regret=0.2, seconds=0.3)
    >>> print("\\n".join(measure_table("acceptance %", {"learned": s}, "acceptance")))
    | acceptance % | purchase 1 |
    | --- | ---: |
    | learned | 50 [9-91] |
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from configurator.simulate.cycle import COUNTRY, DRIFT_SD, PARTIAL_SHARE, Simulation
from configurator.simulate.metrics import Series, mean_interval

SCENARIO_LINES = {
    "default": "stable tastes; every purchase recorded (order, complete configuration, rejected proposal options)",
    "drift": f"tastes drift: every option's utility moves by N(0, {DRIFT_SD}) between purchases",
    "partial": f"customers record only a partial configuration (about {PARTIAL_SHARE:.0%} of the modules) and "
    "buy elsewhere: no order, no rejections",
    "purchases-only": "only the accepted quotes (orders) are recorded: no configuration, no rejections",
    "withdrawn": "halfway through, a new catalog version withdraws the option bought most so far (it stays in the "
    "catalog with an end date; older events still name it)",
    "cross-catalog": "the last purchase is from another catalog: the same customers (segment, attribute tastes "
    "shared by name, price sensitivity and budget level carried over; new part-worths for its options); the "
    "product reads their orders of the first catalog through shared attributes and price level, judged on the "
    "shop's earlier customers, who bought once from each catalog",
}
"""One line per scenario, printed with the assumptions."""

__all__ = [
    "SCENARIO_LINES",
    "assumption_lines",
    "crossing_table",
    "first_purchase_table",
    "judged",
    "measure_table",
    "report_lines",
    "to_data",
    "transfer_effect",
]


def _systems(result: Simulation) -> dict[str, Series]:
    return {"learned": result.learned, **result.baselines, "oracle": result.oracle}


def _cell(series: Series, index: int, measure: str) -> str:
    if measure == "acceptance":
        low, high = series.acceptance_interval(index)
        return f"{100 * series.acceptance(index):.0f} [{100 * low:.0f}-{100 * high:.0f}]"
    if measure == "edits":
        low, high = mean_interval([float(e) for e in series.edits[index]])
        return f"{series.mean_edits(index):.2f} [{low:.2f}-{high:.2f}]"
    if measure == "regret":
        low, high = mean_interval(series.regrets[index])
        return f"{series.mean_regret(index):.3f} [{low:.3f}-{high:.3f}]"
    low, high = mean_interval(series.seconds[index])
    value = series.mean_seconds(index)
    return "-" if math.isnan(value) else f"{1000 * value:.0f} [{1000 * low:.0f}-{1000 * high:.0f}]"


def measure_table(title: str, systems: Mapping[str, Series], measure: str) -> list[str]:
    """A Markdown table of one measure: a row per system, a column per purchase."""
    purchases = max(s.purchases for s in systems.values())
    lines = [
        f"| {title} | " + " | ".join(f"purchase {i + 1}" for i in range(purchases)) + " |",
        "| --- |" + " ---: |" * purchases,
    ]
    for name, series in systems.items():
        lines.append(f"| {name} | " + " | ".join(_cell(series, i, measure) for i in range(purchases)) + " |")
    return lines


def first_purchase_table(result: Simulation) -> list[str]:
    """Purchase 1 of new customers: the learned system with and without questions, beside the population."""
    if not result.unguided.purchases or not result.unguided.edits[0]:
        return []
    systems = {
        f"learned, {result.questions} questions": result.learned,
        "learned, no questions": result.unguided,
        "most_popular": result.baselines["most_popular"],
    }
    first = {name: _first(series) for name, series in systems.items()}
    return [
        *measure_table("purchase 1 (new customers): mean edits", first, "edits"),
        "",
        *measure_table("purchase 1 (new customers): accepted unchanged %", first, "acceptance"),
    ]


def _first(series: Series, index: int = 0) -> Series:
    out = Series()
    for edits, regret in zip(series.edits[index], series.regrets[index], strict=True):
        out.add(0, edits=edits, regret=regret)
    return out


def crossing_table(result: Simulation) -> list[str]:
    """Scenario ``cross-catalog``: the purchase from the other catalog, with and without what was learned.

    Every customer is new to the other catalog: the product's proposal with the questions and what it read
    from the first catalog, without the questions, and with neither, beside the population baseline.
    """
    last = result.purchases - 1
    if (
        result.other is None
        or last >= len(result.untransferred.edits)
        or not result.untransferred.edits[last]
    ):
        return []
    systems = {
        f"learned, {result.questions} questions": _first(result.learned, last),
        "learned (transferred), no questions": _first(result.unguided, last),
        "nothing transferred, no questions": _first(result.untransferred, last),
        "most_popular": _first(result.baselines["most_popular"], last),
    }
    where = f"purchase {last + 1} ({result.other.catalog}, new to every customer)"
    lines: list[str] = []
    for title, measure in (
        ("mean edits", "edits"),
        ("accepted unchanged %", "acceptance"),
        ("utility regret", "regret"),
    ):
        table = measure_table(title, systems, measure)
        lines += [line.replace("purchase 1 |", f"{where} |") for line in table] + [""]
    return [*lines, transfer_effect(result), "", judged(result)]


def judged(result: Simulation) -> str:
    """How the product judged the transfer on the shop's customers who bought from both catalogs."""
    transfer = result.transfer
    if transfer is None or transfer.calibration is None:
        return (
            "The product's transfer was not judged (too few customers bought from both catalogs): strength 1."
        )
    c = transfer.calibration
    return (
        f"The product judged the transfer on {c.buyers} customers who bought from both catalogs ({c.choices:,} "
        f"choices): strength {transfer.strength:g} (maximum likelihood; {c.gain:.4f} nats gained per choice)."
    )


def transfer_effect(result: Simulation) -> str:
    """The transfer's own effect at the crossing: paired differences, same customers, without questions.

    Mean difference (transferred minus not) of edits and of regret per customer, with 95 % intervals.
    """
    last = result.purchases - 1
    edits = [
        float(a - b)
        for a, b in zip(result.unguided.edits[last], result.untransferred.edits[last], strict=True)
    ]
    regret = [
        a - b for a, b in zip(result.unguided.regrets[last], result.untransferred.regrets[last], strict=True)
    ]
    (e_low, e_high), (r_low, r_high) = mean_interval(edits), mean_interval(regret)
    return (
        f"Transfer's effect (paired, {len(edits)} customers, no questions; transferred minus not): edits "
        f"{sum(edits) / len(edits):+.2f} [{e_low:+.2f} to {e_high:+.2f}], regret "
        f"{sum(regret) / len(regret):+.3f} [{r_low:+.3f} to {r_high:+.3f}]; fewer edits with the transfer for "
        f"{sum(d < 0 for d in edits)} customers, more for {sum(d > 0 for d in edits)}."
    )


def assumption_lines(result: Simulation) -> list[str]:
    """The assumptions of the run, one line each."""
    return [
        f"{len(result.tastes)} simulated customers, {result.purchases} purchases each, seed {result.seed}, "
        f"catalog {result.catalog.catalog} {result.catalog.version}, country {COUNTRY}, scenario "
        f"{result.scenario}: {SCENARIO_LINES[result.scenario]}"
        + (
            f"; withdrawn: {result.withdrawn[0]} from purchase {result.withdrawn[1] + 1}"
            if result.withdrawn
            else ""
        )
        + (
            f"; purchase {result.purchases} from {result.other.catalog} {result.other.version}"
            if result.other is not None
            else ""
        ),
        *result.spec.lines(),
        f"the shop's history: {result.history} earlier customers of the same population bought once before "
        "the run (the population model and most_popular know them at purchase 1); measured customers are new",
        f"guided selling: a customer with no purchase yet is asked up to {result.questions} questions (the "
        "choices whose answers most improve the first proposal, ranked again after each answer) and answers "
        "with their preferred configuration's value; the answers are requirements of the first proposal",
        "occasions: 1 requirement (60 %) or 2, each an option of a random module drawn with probability "
        "~ exp(utility); budget = the customer's level x lognormal(0, 0.15); what cannot be met is dropped",
        "the customer buys their best valid configuration for the occasion (CP-SAT on their hidden utility); "
        "edits = modules whose selection differs from the first proposal",
        "regret = (utility of the best - utility of the proposal) / the taste's range (sum over modules of "
        "best minus worst option, price included)",
        "learned = the product: store -> tier snapshot + needs -> assemble (k=1); quote accepted; configured "
        "and rejected choices ingested; tiers and population refreshed between purchases",
        "oracle = the preferred configuration itself (knows taste and occasion): the ceiling by construction",
        "95 % intervals: Wilson for acceptance, mean +- 1.96 standard errors for edits, regret and time",
    ]


def report_lines(result: Simulation) -> list[str]:
    """The assumptions, then acceptance, edits, regret and the product's time per cycle, as Markdown."""
    systems = _systems(result)
    lines = ["Assumptions:", "", *(f"- {line}" for line in assumption_lines(result)), ""]
    lines += [*measure_table("first proposal accepted unchanged %", systems, "acceptance"), ""]
    lines += [*measure_table("mean edits (modules changed)", systems, "edits"), ""]
    lines += [*measure_table("utility regret", systems, "regret"), ""]
    lines += [*measure_table("ms per cycle (product path)", {"learned": result.learned}, "seconds"), ""]
    lines += [*first_purchase_table(result), ""]
    crossing = crossing_table(result)
    lines += [*crossing, ""] if crossing else []
    lines.append(f"Simulated in {result.seconds:.1f} s.")
    return lines


def to_data(result: Simulation) -> dict[str, Any]:
    """The JSON object: the learned system's series, ``baselines`` and ``oracle`` with the same series."""
    data: dict[str, Any] = {
        "catalog": result.catalog.catalog,
        "customers": len(result.tastes),
        "scenario": result.scenario,
        "withdrawn": (
            None
            if result.withdrawn is None
            else {"option": result.withdrawn[0], "from_purchase": result.withdrawn[1] + 1}
        ),
        "purchases": result.purchases,
        "seed": result.seed,
        **result.learned.to_data(),
        "baselines": {name: series.to_data() for name, series in result.baselines.items()},
        "oracle": result.oracle.to_data(),
        "history": result.history,
        "questions": result.questions,
        "unguided": result.unguided.to_data(),
        "other_catalog": None if result.other is None else result.other.catalog,
        "untransferred": result.untransferred.to_data(),
        "assumptions": assumption_lines(result),
        "total_seconds": round(result.seconds, 3),
    }
    return data
