"""``configurator needs``: evaluate learned needs on a sales history.

``needs evaluate --constraints MODEL --sales CSV`` runs the value-recommendation protocol of
:mod:`configurator.needs.evaluation`: the model (XCSP 2.1, UVL, CLib...) is compiled once into a decision
diagram, which gives the exact valid values at every step (CP-SAT propagation when it does not compile); the
sales are cleaned and their defects counted; the learned model and the baselines are cross-validated side by
side. It prints the data-quality report, a table per model, the precision by step and, on its last line, the
learned model's average precision as a percentage (``93.88%``).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from configurator.cli.output import err as _err
from configurator.cli.output import out as _out
from configurator.errors import BackendLimitError, ConfiguratorError

if TYPE_CHECKING:
    from configurator.needs.evaluation import Evaluation
    from configurator.solver.problem import Problem

__all__ = ["MODEL_NAMES", "needs_app", "report_lines"]

needs_app = typer.Typer(
    help="Learned needs: evaluate recommendations on sales histories.", no_args_is_help=True
)
MODEL_NAMES = ("bayes_net", "blend", "similarity", "chow_liu", "naive_bayes", "most_frequent")
"""The names of :data:`configurator.needs.models.MODELS`, the default first, kept here so that the
command line starts without loading the models (a test checks that the two agree)."""

BASELINES = ("naive_bayes", "most_frequent")
"""Models evaluated beside the chosen one unless ``--no-baselines``."""


def report_lines(result: Evaluation) -> list[str]:
    """Markdown tables: one row per model, then precision by step (the models side by side).

    Beside the overall precision, each model's precision on unforced steps (more than one valid value: the
    steps where the model had a choice to make), which forced steps do not inflate.

    Example:
        >>> from configurator.needs.evaluation import Evaluation, ModelScore
        >>> score = ModelScore("similarity", [1, 1], [1, 2], [0.001])
        >>> score.add(0, True, forced=True); score.add(1, False); score.add(1, True)
        >>> result = Evaluation({"similarity": score}, 1, 3, 1, 10, 0, [0.002], {"similarity": 0.5})
        >>> print("\\n".join(report_lines(result)[:3]))
        | model | precision % | unforced % | steps | unforced steps | ms per recommendation (p50 / p95) | fit s (all folds) |
        | --- | ---: | ---: | ---: | ---: | ---: | ---: |
        | similarity | 66.67 | 50.00 | 6 | 2 | 1.000 / 1.000 | 0.5 |
    """
    lines = [
        "| model | precision % | unforced % | steps | unforced steps | ms per recommendation (p50 / p95) "
        "| fit s (all folds) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, score in result.scores.items():
        lines.append(
            f"| {name} | {100 * score.precision:.2f} | {100 * score.unforced_precision:.2f} | {score.steps} | "
            f"{score.unforced_steps} | "
            f"{score.time_quantile(0.5):.3f} / {score.time_quantile(0.95):.3f} | {result.fit_seconds[name]:.1f} |"
        )
    names = list(result.scores)
    lines += ["", "| step | " + " | ".join(names) + " |", "| ---: |" + " ---: |" * len(names)]
    first = result.scores[names[0]]
    for step in range(len(first.steps_by_step)):
        cells = " | ".join(f"{100 * result.scores[n].precision_at(step):.2f}" for n in names)
        lines.append(f"| {step + 1} | {cells} |")
    return lines


def _valid_domains(
    problem: Problem, quiet: bool
) -> Callable[[Mapping[str, int]], Mapping[str, Sequence[int]]]:
    from configurator.solver import operations
    from configurator.solver.dd import CompiledDiagram

    started = time.perf_counter()
    try:
        diagram = CompiledDiagram.compile(problem)
    except BackendLimitError as exc:
        _err().print(f"warning: {exc}; valid values come from CP-SAT propagation (slow)", markup=False)

        def propagated(partial: Mapping[str, int]) -> Mapping[str, Sequence[int]]:
            return operations.propagate(problem, {k: frozenset({v}) for k, v in partial.items()})

        return propagated
    if not quiet:
        _err().print(f"decision diagram compiled in {time.perf_counter() - started:.1f} s", markup=False)
    return diagram.valid_domains


@needs_app.command("evaluate")
def evaluate_command(
    constraints: Annotated[
        Path,
        typer.Option(help="The configuration model: XCSP 2.1 (.xml), UVL (.uvl), catalog or CLib folder."),
    ],
    sales: Annotated[
        Path, typer.Option(help="Sales history CSV: header = variable names, one sale per row.")
    ],
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds.")] = 10,
    seed: Annotated[int, typer.Option(help="Seeds folds, sample and assignment orders.")] = 0,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="Score a seeded sample of N test sales (training uses whole folds)."),
    ] = None,
    model: Annotated[
        str, typer.Option(help=f"The model to evaluate: {', '.join(MODEL_NAMES)}.")
    ] = MODEL_NAMES[0],
    baselines: Annotated[bool, typer.Option(help="Also evaluate naive Bayes and most frequent.")] = True,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the results as JSON (still last line %).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Cross-validate value recommendation; the last line is the average precision (%)."""
    from configurator.io import load_model
    from configurator.io.xcsp import read_sales, violation_checker
    from configurator.needs.evaluation import clean_sales, evaluate
    from configurator.needs.models import MODELS

    if model not in MODELS:
        from configurator.needs.models import make_model

        make_model(model)  # raises with a suggestion
    problem = (
        load_model(constraints) if constraints.suffix not in (".yaml", ".yml") else _catalog(constraints)
    )
    history = read_sales(sales, problem)
    valid_domains = _valid_domains(problem, quiet)
    domains = {v.name: v.domain for v in problem.variables}

    def extendable(row: Mapping[str, int]) -> bool:
        return bool(row) and all(row[k] in valid for k, valid in _restricted(valid_domains, row).items())

    rows, quality = clean_sales(
        history.rows, domains, violates=violation_checker(problem), extendable=extendable
    )
    if not quality.valid:
        raise ConfiguratorError(f"{sales}: no valid sale to test on ({quality.rows} rows, all defective)")
    names = [model] + ([b for b in BASELINES if b != model] if baselines else [])

    def progress(done: int, total: int) -> None:
        if not quiet and (done % 50 == 0 or done == total):
            _err().print(f"  {done}/{total} test sales", markup=False)

    result = evaluate(
        rows,
        quality.valid,
        valid_domains,
        domains={name: domains[name] for name in history.columns},
        models=names,
        folds=folds,
        seed=seed,
        limit=limit,
        progress=progress,
    )
    average = 100 * result.scores[model].precision
    if as_json:
        _out().print(json.dumps(_as_dict(result, quality.lines()), indent=2), markup=False)
    else:
        for line in quality.lines():
            _out().print(line, markup=False)
        _out().print(
            f"{result.test_sales} test sales, {result.steps} steps ({result.forced_steps} forced), "
            f"{folds} folds, seed {seed}",
            markup=False,
        )
        for line in report_lines(result):
            _out().print(line, markup=False)
    _out().print(f"{average:.2f}%", markup=False)
    sys.stdout.flush()


def _restricted(
    valid_domains: Callable[[Mapping[str, int]], Mapping[str, Sequence[int]]], row: Mapping[str, int]
) -> dict[str, Sequence[int]]:
    """The valid domains of the row's own variables under the whole row (empty values when infeasible)."""
    found = valid_domains(row)
    return {name: found[name] for name in row}


def _catalog(path: Path) -> Problem:
    from configurator.catalog.loader import load_catalog
    from configurator.solver.compile import compile_catalog_problem

    return compile_catalog_problem(load_catalog(path)).problem


def _as_dict(result: Evaluation, quality: list[str]) -> dict[str, object]:
    return {
        "quality": quality,
        "test_sales": result.test_sales,
        "steps": result.steps,
        "forced_steps": result.forced_steps,
        "folds": result.folds,
        "seed": result.seed,
        "models": {
            name: {
                "precision": score.precision,
                "unforced_precision": score.unforced_precision,
                "unforced_steps": score.unforced_steps,
                "precision_by_step": [score.precision_at(i) for i in range(len(score.steps_by_step))],
                "ms_p50": score.time_quantile(0.5),
                "ms_p95": score.time_quantile(0.95),
                "fit_seconds": result.fit_seconds[name],
            }
            for name, score in result.scores.items()
        },
    }
