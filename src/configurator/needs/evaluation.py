"""Evaluate needs models on a sales history: value recommendation in interactive configuration.

The protocol (Fargier, Gimenez and Mengin's, on the Renault data): k-fold cross-validation where identical
sales stay in the same fold; for every test sale, its recorded variables are assigned one by one in a seeded
random order; before each assignment every model recommends a value for that variable given the values already
assigned, **among the values still valid** (the caller's ``valid_domains``, e.g. a compiled decision diagram);
precision is the share of steps where the recommendation equals the sold value. Steps where only one value is
still valid count as hits for every model (the configurator shows that value as forced). All models are scored
on the same steps in one pass, so their numbers compare side by side.

Forced steps say nothing about a model, and on constrained products they are most of the steps (about 70 % on
the Renault medium model), so each score also keeps the **unforced** steps apart (more than one valid value:
the model had a choice to make): :attr:`ModelScore.unforced_precision` is the precision on those alone, and
:attr:`ModelScore.forced_share` the share of forced steps. Report both beside the overall precision.

Raw sales are dirty: :func:`clean_sales` classifies each row (value outside its domain, violated constraint,
no valid completion) and keeps the counts for the report. Cells holding the joker ``-1`` on a variable whose
domain has no ``-1`` are read as "not recorded" (the sale left that option out of the record) and counted.
Models train on every row of the training folds, dirty ones included (a value outside its domain is read as
not recorded: the rest of the row still says what people buy); only valid rows are test sales.

This module does not import the solver: the caller passes the valid-domain function (``configurator needs
evaluate`` wires a decision diagram).

Example:
    >>> domains = {"a": (0, 1), "b": (0, 1), "c": (0, 1, 2)}
    >>> rows = [{"a": a, "b": a, "c": c} for a in (0, 1) for c in (0, 1, 2)] * 2
    >>> same = lambda partial: {  # constraint: b == a
    ...     n: tuple(v for v in d if partial.get(n, v) == v and partial.get("b" if n == "a" else "a", v) == v
    ...              or n == "c" and partial.get(n, v) == v) for n, d in domains.items()}
    >>> result = evaluate(rows, range(len(rows)), same, domains=domains, folds=3, seed=1)
    >>> result.test_sales, result.steps, result.forced_steps, list(result.scores)
    (12, 36, 12, ['bayes_net', 'blend', 'similarity', 'chow_liu', 'naive_bayes', 'most_frequent'])
    >>> score = result.scores["most_frequent"]
    >>> score.unforced_steps, round(score.forced_share, 3), score.precision >= score.unforced_precision
    (24, 0.333, True)
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence

from configurator.errors import ConfiguratorError
from configurator.needs.models import MODELS, NeedsModel, make_model

__all__ = ["Evaluation", "ModelScore", "SalesQuality", "clean_sales", "evaluate", "make_folds"]

JOKER = -1
"""The value a sales history uses for "option absent"."""

ValidDomains = Callable[[Mapping[str, int]], Mapping[str, Sequence[int]]]
"""Valid values of every variable given a partial assignment (exact: each extends to a full solution)."""


@dataclasses.dataclass(frozen=True)
class SalesQuality:
    """What a raw sales history holds, row by row.

    Attributes:
        rows: data rows read.
        outside_domain: rows with at least one value outside its variable's domain.
        violating: rows (in the domains) violating a constraint whose scope the columns cover.
        not_extendable: rows passing both checks that extend to no valid full configuration.
        valid: indices of the rows that are none of the above (the test sales).
        unrecorded_cells: joker cells read as "not recorded", and the number of rows holding one.
    """

    rows: int
    outside_domain: int
    violating: int
    not_extendable: int
    valid: tuple[int, ...]
    unrecorded_cells: tuple[int, int]

    def lines(self) -> list[str]:
        """A short human report."""
        cells, rows = self.unrecorded_cells
        return [
            f"sales rows: {self.rows}",
            f"  joker -1 on a variable without it, read as not recorded: {cells} cells in {rows} rows",
            f"  outside the domains: {self.outside_domain}",
            f"  violating a constraint: {self.violating}",
            f"  with no valid completion: {self.not_extendable}",
            f"  valid (test sales): {len(self.valid)}",
        ]


def clean_sales(
    rows: Sequence[Mapping[str, int]],
    domains: Mapping[str, Sequence[int]],
    *,
    violates: Callable[[Mapping[str, int]], bool],
    extendable: Callable[[Mapping[str, int]], bool],
) -> tuple[list[dict[str, int]], SalesQuality]:
    """Read raw sales rows: jokers on non-optional variables become unrecorded; classify every row.

    Args:
        rows: raw rows ``{variable: value}``.
        domains: each variable's domain.
        violates: whether a row (in the domains) violates a constraint checkable on its columns.
        extendable: whether a row extends to a valid full configuration.

    Returns:
        The rows with unrecorded cells dropped (same order), and the quality report.

    Example:
        >>> rows, quality = clean_sales([{"a": -1}, {"a": 7}, {"a": 1}], {"a": (0, 1)},
        ...                             violates=lambda r: False, extendable=lambda r: True)
        >>> rows, quality.valid, quality.outside_domain, quality.unrecorded_cells
        ([{}, {'a': 7}, {'a': 1}], (0, 2), 1, (1, 1))
    """
    sets = {name: frozenset(values) for name, values in domains.items()}
    out: list[dict[str, int]] = []
    cells = rows_with = 0
    outside = violating = stuck = 0
    valid: list[int] = []
    for i, raw in enumerate(rows):
        row: dict[str, int] = {}
        dropped = 0
        for name, value in raw.items():
            if value == JOKER and JOKER not in sets.get(name, frozenset({JOKER})):
                dropped += 1
                continue
            row[name] = value
        cells += dropped
        rows_with += dropped > 0
        out.append(row)
        if any(value not in sets.get(name, frozenset()) for name, value in row.items()):
            outside += 1
        elif violates(row):
            violating += 1
        elif not extendable(row):
            stuck += 1
        else:
            valid.append(i)
    quality = SalesQuality(len(out), outside, violating, stuck, tuple(valid), (cells, rows_with))
    return out, quality


def make_folds(rows: Sequence[Mapping[str, int]], folds: int, seed: int) -> list[int]:
    """A fold number per row; identical rows share a fold (seeded shuffle of the distinct rows, round robin).

    Example:
        >>> make_folds([{"a": 1}, {"a": 2}, {"a": 1}], 2, seed=0)
        [0, 1, 0]
    """
    if folds < 2:
        raise ConfiguratorError(f"expected at least 2 folds, got {folds}")
    keys = [tuple(sorted(row.items())) for row in rows]
    distinct = sorted(set(keys))
    random.Random(seed).shuffle(distinct)
    fold_of = {key: k % folds for k, key in enumerate(distinct)}
    return [fold_of[key] for key in keys]


@dataclasses.dataclass
class ModelScore:
    """One model's results by step index (0 = first assignment), and recommendation times.

    Every step counts in ``hits_by_step`` and ``steps_by_step``; the unforced ones (more than one valid value)
    count in ``unforced_hits_by_step`` and ``unforced_steps_by_step`` as well.

    Example:
        >>> score = ModelScore("m")
        >>> score.add(0, True, forced=True)
        >>> score.add(0, True)
        >>> score.add(1, False)
        >>> score.add(1, True, forced=True)
        >>> score.steps, score.forced_steps, score.unforced_steps, score.unforced_hits
        (4, 2, 2, 1)
        >>> score.precision, score.unforced_precision, score.forced_share
        (0.75, 0.5, 0.5)
    """

    name: str
    hits_by_step: list[int] = dataclasses.field(default_factory=list)
    steps_by_step: list[int] = dataclasses.field(default_factory=list)
    seconds: list[float] = dataclasses.field(default_factory=list)
    unforced_hits_by_step: list[int] = dataclasses.field(default_factory=list)
    unforced_steps_by_step: list[int] = dataclasses.field(default_factory=list)

    def add(self, step: int, hit: bool, *, forced: bool = False) -> None:
        """Record one step; ``forced``: only one value was valid there (the step says nothing of the model)."""
        while len(self.steps_by_step) <= step:
            self.steps_by_step.append(0)
            self.hits_by_step.append(0)
        while len(self.unforced_steps_by_step) <= step:
            self.unforced_steps_by_step.append(0)
            self.unforced_hits_by_step.append(0)
        self.steps_by_step[step] += 1
        self.hits_by_step[step] += hit
        if not forced:
            self.unforced_steps_by_step[step] += 1
            self.unforced_hits_by_step[step] += hit

    @property
    def steps(self) -> int:
        """Steps scored."""
        return sum(self.steps_by_step)

    @property
    def hits(self) -> int:
        """Steps where the recommendation was the sold value (forced steps included)."""
        return sum(self.hits_by_step)

    @property
    def precision(self) -> float:
        """Share of steps where the recommendation was the sold value (0..1), forced steps included."""
        return self.hits / self.steps if self.steps else 0.0

    @property
    def unforced_steps(self) -> int:
        """Steps where more than one value was valid (the model had a choice to make)."""
        return sum(self.unforced_steps_by_step)

    @property
    def unforced_hits(self) -> int:
        """Unforced steps where the recommendation was the sold value."""
        return sum(self.unforced_hits_by_step)

    @property
    def unforced_precision(self) -> float:
        """Share of the unforced steps where the recommendation was the sold value (0..1; 0 when none)."""
        return self.unforced_hits / self.unforced_steps if self.unforced_steps else 0.0

    @property
    def forced_steps(self) -> int:
        """Steps where only one value was valid (hits for every model)."""
        return self.steps - self.unforced_steps

    @property
    def forced_share(self) -> float:
        """Share of the steps that were forced (0..1; 0 when no step was scored)."""
        return self.forced_steps / self.steps if self.steps else 0.0

    def precision_at(self, step: int) -> float:
        """Precision at one step index."""
        n = self.steps_by_step[step] if step < len(self.steps_by_step) else 0
        return self.hits_by_step[step] / n if n else 0.0

    def time_quantile(self, q: float) -> float:
        """A quantile of the recommendation time in milliseconds (nearest rank; 0 when none)."""
        if not self.seconds:
            return 0.0
        ordered = sorted(self.seconds)
        return 1000 * ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


@dataclasses.dataclass
class Evaluation:
    """The result of :func:`evaluate`: scores by model name, and the protocol's counts."""

    scores: dict[str, ModelScore]
    test_sales: int
    steps: int
    forced_steps: int
    folds: int
    seed: int
    propagation_seconds: list[float]
    fit_seconds: dict[str, float]

    @property
    def forced_share(self) -> float:
        """Share of the steps where only one value was valid (0..1; 0 when no step was scored)."""
        return self.forced_steps / self.steps if self.steps else 0.0

    @property
    def best(self) -> str:
        """The name of the first model (the one the caller is evaluating; the others are baselines)."""
        return next(iter(self.scores))


def evaluate(
    rows: Sequence[Mapping[str, int]],
    test: Iterable[int],
    valid_domains: ValidDomains,
    *,
    domains: Mapping[str, Sequence[int]],
    models: Mapping[str, Callable[[], NeedsModel]] | Sequence[str] | None = None,
    folds: int = 10,
    seed: int = 0,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Cross-validate needs models by value recommendation (the module docstring gives the protocol).

    Args:
        rows: every sales row (cleaned by :func:`clean_sales`); all rows of the training folds train.
        test: indices of the rows to test on (the valid ones).
        valid_domains: exact valid domains given a partial assignment.
        domains: every variable's domain (values outside are read as not recorded when training).
        models: factories by name, or model names (default: every model of :data:`MODELS`, default first).
        folds: number of folds.
        seed: seeds the folds, the sample and the assignment orders.
        limit: score a seeded sample of this many test sales in total (training still uses whole folds).
        progress: called with (test sales done, total) after each test sale.

    Returns:
        The scores, side by side on the same steps.
    """
    factories = _factories(models)
    fold_of = make_folds(rows, folds, seed)
    chosen = sorted(set(test))
    rng = random.Random(seed)
    if limit is not None and limit < len(chosen):
        chosen = sorted(rng.sample(chosen, limit))
    scores = {name: ModelScore(name) for name in factories}
    fit_seconds = dict.fromkeys(factories, 0.0)
    propagation: list[float] = []
    steps = forced = done = 0
    for fold in range(folds):
        tests = [i for i in chosen if fold_of[i] == fold]
        if not tests:
            continue
        train = [row for i, row in enumerate(rows) if fold_of[i] != fold]
        if not train:
            raise ConfiguratorError(
                f"fold {fold} leaves no sales to train on: the {len(rows)} sales are {len(set(fold_of))} "
                "distinct one(s); use fewer folds or more varied sales"
            )
        fitted: dict[str, NeedsModel] = {}
        for name, factory in factories.items():
            started = time.perf_counter()
            fitted[name] = factory().fit(train, domains)
            fit_seconds[name] += time.perf_counter() - started
        for i in tests:
            sale_steps, sale_forced = _replay(i, rows[i], seed, valid_domains, fitted, scores, propagation)
            steps += sale_steps
            forced += sale_forced
            done += 1
            if progress is not None:
                progress(done, len(chosen))
    return Evaluation(scores, len(chosen), steps, forced, folds, seed, propagation, fit_seconds)


def _factories(
    models: Mapping[str, Callable[[], NeedsModel]] | Sequence[str] | None,
) -> dict[str, Callable[[], NeedsModel]]:
    """Model factories by name: the given ones, or one per model name (default: every model of MODELS)."""
    if models is None:
        models = list(MODELS)
    if isinstance(models, Mapping):
        factories = dict(models)
    else:
        factories = {name: (lambda name=name: make_model(name)) for name in models}  # type: ignore[misc]
    if not factories:
        raise ConfiguratorError("expected at least one model to evaluate")
    return factories


def _replay(
    i: int,
    sale: Mapping[str, int],
    seed: int,
    valid_domains: ValidDomains,
    fitted: Mapping[str, NeedsModel],
    scores: Mapping[str, ModelScore],
    propagation: list[float],
) -> tuple[int, int]:
    """Assign test sale ``i`` in its seeded order, scoring every model at each step; (steps, forced steps)."""
    order = sorted(sale)
    random.Random(f"{seed}:{i}").shuffle(order)
    assigned: dict[str, int] = {}
    steps = forced = 0
    for step, variable in enumerate(order):
        truth = sale[variable]
        started = time.perf_counter()
        candidates = tuple(valid_domains(assigned)[variable])
        propagation.append(time.perf_counter() - started)
        if truth not in candidates:
            raise ConfiguratorError(
                f"test sale {i}: {variable}={truth} is not valid after {assigned}: "
                "the valid domains disagree with the cleaning"
            )
        steps += 1
        if len(candidates) == 1:
            forced += 1
            for score in scores.values():
                score.add(step, True, forced=True)
        else:
            for name, model in fitted.items():
                started = time.perf_counter()
                best = model.recommend(variable, assigned, candidates)[0][0]
                scores[name].seconds.append(time.perf_counter() - started)
                scores[name].add(step, best == truth)
        assigned[variable] = truth
    return steps, forced
