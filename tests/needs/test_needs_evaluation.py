"""Tests of configurator.needs.evaluation: cleaning, folds, the recommendation protocol."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.errors import ConfiguratorError
from configurator.needs.evaluation import ModelScore, clean_sales, evaluate, make_folds
from configurator.needs.models import MODELS, MostFrequentNeeds, NeedsModel, make_model

DOMAINS = {"a": (0, 1), "b": (0, 1), "c": (0, 1, 2)}


def same_ab(partial: Mapping[str, int]) -> dict[str, Sequence[int]]:
    """Valid domains under the constraint a == b."""
    out: dict[str, Sequence[int]] = {}
    for name, values in DOMAINS.items():
        allowed = [v for v in values if partial.get(name, v) == v]
        if name in ("a", "b"):
            other = partial.get("b" if name == "a" else "a")
            allowed = [v for v in allowed if other is None or v == other]
        out[name] = tuple(allowed)
    return out


ROWS = [{"a": a, "b": a, "c": c} for a in (0, 1) for c in (0, 1, 2)] * 3 + [{"a": 0, "b": 0, "c": 0}] * 6

SOLUTIONS = [
    {"a": a, "b": b, "c": c} for a, b, c in itertools.product(*DOMAINS.values()) if a == b and c <= a + 1
]
"""Every valid full configuration under a == b and c <= a + 1 (c = 2 needs a = 1)."""


def exact(partial: Mapping[str, int]) -> dict[str, Sequence[int]]:
    """Valid domains under a == b and c <= a + 1, by enumerating the solutions that extend ``partial``."""
    found = [s for s in SOLUTIONS if all(s[name] == value for name, value in partial.items())]
    return {name: tuple(sorted({s[name] for s in found})) for name in DOMAINS}


Recommended = tuple[str, str, dict[str, int], int]
"""A logged recommendation: model, variable, the values assigned before it, the recommended value."""


def spied(log: list[Recommended]) -> dict[str, Callable[[], NeedsModel]]:
    """Factories of every model that log each recommendation they make (first choice) into ``log``."""

    def factory(name: str) -> Callable[[], NeedsModel]:
        def make() -> NeedsModel:
            model = make_model(name)
            inner = model.recommend

            def recommend(
                variable: str, partial: Mapping[str, int], candidates: Sequence[int] | None = None
            ) -> list[tuple[int, float]]:
                ranked = inner(variable, partial, candidates)
                log.append((name, variable, dict(partial), ranked[0][0]))
                return ranked

            model.recommend = recommend  # type: ignore[method-assign]
            return model

        return make

    return {name: factory(name) for name in MODELS}


class FirstValid(MostFrequentNeeds):
    """Recommends the first valid value in domain order, whatever was sold (a model with known hits)."""

    def recommend(
        self, variable: str, partial: Mapping[str, int], candidates: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """The candidates in their given order."""
        values = list(candidates if candidates is not None else self.domains_[variable])
        return [(v, 1 / len(values)) for v in values]


class LastValid(FirstValid):
    """Recommends the last valid value in domain order."""

    def recommend(
        self, variable: str, partial: Mapping[str, int], candidates: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """The candidates in reverse order."""
        return super().recommend(variable, partial, candidates)[::-1]


def test_clean_sales_classifies_rows() -> None:
    """Rows outside domains, violating or stuck are counted apart; jokers become unrecorded."""
    raw = [{"a": 0, "b": 0}, {"a": 5, "b": 0}, {"a": 0, "b": 1}, {"a": 1, "b": 1}, {"a": -1, "b": 1}]
    rows, quality = clean_sales(
        raw,
        DOMAINS,
        violates=lambda r: "a" in r and "b" in r and r["a"] != r["b"],
        extendable=lambda r: r.get("b") != 1 or r.get("a") == 1,
    )
    assert quality.valid == (0, 3) and quality.outside_domain == 1 and quality.violating == 1
    assert quality.not_extendable == 1 and quality.unrecorded_cells == (1, 1)
    assert rows[4] == {"b": 1} and quality.rows == 5
    assert "valid (test sales): 2" in quality.lines()[-1]


def test_folds_keep_identical_rows_together() -> None:
    """Identical sales always share a fold."""
    folds = make_folds(ROWS, 4, seed=3)
    by_row: dict[tuple[tuple[str, int], ...], set[int]] = {}
    for row, fold in zip(ROWS, folds, strict=True):
        by_row.setdefault(tuple(sorted(row.items())), set()).add(fold)
    assert all(len(f) == 1 for f in by_row.values())


def test_one_fold_is_refused() -> None:
    """Cross-validation needs two folds at least."""
    with pytest.raises(ConfiguratorError, match="at least 2 folds"):
        make_folds(ROWS, 1, seed=0)


def test_forced_steps_are_hits_for_every_model() -> None:
    """Once a is chosen, b is forced: every model scores it as a hit, step by step."""
    result = evaluate(ROWS, range(len(ROWS)), same_ab, domains=DOMAINS, folds=3, seed=2)
    assert result.steps == 3 * result.test_sales
    assert result.forced_steps == result.test_sales  # exactly one of a, b per sale: whichever comes second
    assert list(result.scores) == list(MODELS)
    for score in result.scores.values():
        assert score.steps == result.steps and 0 < score.precision <= 1
        assert score.forced_steps == result.forced_steps
        forced_by_step = [
            s - u for s, u in zip(score.steps_by_step, score.unforced_steps_by_step, strict=True)
        ]
        forced_hits = [h - u for h, u in zip(score.hits_by_step, score.unforced_hits_by_step, strict=True)]
        assert forced_hits == forced_by_step and sum(forced_by_step) == result.forced_steps


def test_unforced_precision_on_a_hand_counted_case() -> None:
    """Forced and unforced steps are counted apart; forced ones are hits, unforced ones hit only when right.

    Under a == b every sale has 3 steps: the first of a and b has 2 valid values, the second 1 (forced), c
    has 3. ROWS holds 24 sales: a = 0 in 15, c = 0 in 12, c = 2 in 6, a = 1 in 9. Recommending the first
    valid value hits a/b when a = 0 and c when c = 0; the last valid value when a = 1 and when c = 2.
    """
    result = evaluate(
        ROWS,
        range(len(ROWS)),
        same_ab,
        domains=DOMAINS,
        models={"first": FirstValid, "last": LastValid},
        folds=3,
        seed=4,
    )
    assert (result.test_sales, result.steps, result.forced_steps) == (24, 72, 24)
    assert result.forced_share == pytest.approx(1 / 3)
    first, last = result.scores["first"], result.scores["last"]
    assert (first.unforced_steps, first.forced_steps, first.unforced_hits, first.hits) == (
        48,
        24,
        15 + 12,
        24 + 27,
    )
    assert (last.unforced_steps, last.forced_steps, last.unforced_hits, last.hits) == (48, 24, 9 + 6, 24 + 15)
    assert first.unforced_precision == pytest.approx(27 / 48) and first.precision == pytest.approx(51 / 72)
    assert last.unforced_precision == pytest.approx(15 / 48) and last.forced_share == pytest.approx(1 / 3)


def test_limit_samples_test_sales() -> None:
    """``limit`` scores a seeded sample; the same seed gives the same result."""
    a = evaluate(
        ROWS, range(len(ROWS)), same_ab, domains=DOMAINS, folds=3, seed=5, limit=7, models=["similarity"]
    )
    b = evaluate(
        ROWS, range(len(ROWS)), same_ab, domains=DOMAINS, folds=3, seed=5, limit=7, models=["similarity"]
    )
    assert a.test_sales == 7 and a.scores["similarity"].hits_by_step == b.scores["similarity"].hits_by_step


def test_unknown_model_is_refused() -> None:
    """A misspelt model name gets a suggestion."""
    with pytest.raises(ConfiguratorError, match="did you mean 'naive_bayes'"):
        evaluate(ROWS, [0], same_ab, domains=DOMAINS, models=["naive_bayse"])


def test_disagreeing_domains_are_reported() -> None:
    """A test sale the valid domains reject is an error, not a silent miss."""
    with pytest.raises(ConfiguratorError, match="not valid"):
        evaluate(ROWS, range(len(ROWS)), lambda p: {n: (9,) for n in DOMAINS}, domains=DOMAINS, folds=2)


def test_model_score_quantiles() -> None:
    """Precision by step and time quantiles read what was recorded."""
    score = ModelScore("m")
    score.add(0, True)
    score.add(2, False)
    score.seconds += [0.001, 0.003]
    assert score.precision == 0.5 and score.precision_at(1) == 0.0 and score.precision_at(9) == 0.0
    assert score.time_quantile(0.5) == pytest.approx(1.0) and ModelScore("x").time_quantile(0.5) == 0.0


def test_model_score_keeps_unforced_steps_apart() -> None:
    """A forced hit raises the overall precision, not the unforced one; an empty score reads 0."""
    score = ModelScore("m")
    for step, hit, forced in [(0, True, False), (0, False, False), (1, True, True), (2, True, True)]:
        score.add(step, hit, forced=forced)
    assert (score.steps, score.hits, score.unforced_steps, score.unforced_hits) == (4, 3, 2, 1)
    assert score.precision == 0.75 and score.unforced_precision == 0.5 and score.forced_share == 0.5
    assert score.unforced_steps_by_step == [2, 0, 0] and score.unforced_hits_by_step == [1, 0, 0]
    empty = ModelScore("x")
    assert empty.unforced_precision == 0.0 and empty.forced_share == 0.0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from([(s["a"], s["c"]) for s in SOLUTIONS]), min_size=4, max_size=30),
    st.integers(0, 99),
)
def test_recommendations_are_valid_values(pairs: list[tuple[int, int]], seed: int) -> None:
    """Every model's recommendation at every unforced step is valid given the values assigned before it."""
    rows = [{"a": a, "b": a, "c": c} for a, c in pairs]
    if len(set(pairs)) < 2:
        with pytest.raises(ConfiguratorError, match="no sales to train on"):
            evaluate(rows, range(len(rows)), exact, domains=DOMAINS, folds=2, seed=seed)
        return
    log: list[Recommended] = []
    result = evaluate(rows, range(len(rows)), exact, domains=DOMAINS, models=spied(log), folds=2, seed=seed)
    for name, variable, assigned, value in log:
        assert value in exact(assigned)[variable], (name, variable, assigned, value)
    for name, score in result.scores.items():
        assert sum(1 for entry in log if entry[0] == name) == score.unforced_steps
        assert all(h <= s for h, s in zip(score.hits_by_step, score.steps_by_step, strict=True))
