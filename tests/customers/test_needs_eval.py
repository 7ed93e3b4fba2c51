"""Tests of configurator.customers.needs_eval: cleaning, folds, the recommendation protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.customers.needs_eval import ModelScore, clean_sales, evaluate, make_folds
from configurator.customers.needs_models import MODELS
from configurator.errors import ConfiguratorError

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
    """Once a is chosen, b is forced: every model scores it."""
    result = evaluate(ROWS, range(len(ROWS)), same_ab, domains=DOMAINS, folds=3, seed=2)
    assert result.steps == 3 * result.test_sales
    assert result.forced_steps >= result.test_sales
    assert list(result.scores) == list(MODELS)
    for score in result.scores.values():
        assert score.steps == result.steps and 0 < score.precision <= 1


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


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 2)), min_size=4, max_size=30), st.integers(0, 99))
def test_recommendations_are_valid_values(pairs: list[tuple[int, int]], seed: int) -> None:
    """Every step's recommendation is one of the valid values (hits never exceed steps)."""
    rows = [{"a": a, "b": a, "c": c} for a, c in pairs]
    if len(set(pairs)) < 2:
        with pytest.raises(ConfiguratorError, match="no sales to train on"):
            evaluate(rows, range(len(rows)), same_ab, domains=DOMAINS, folds=2, seed=seed)
        return
    result = evaluate(rows, range(len(rows)), same_ab, domains=DOMAINS, folds=2, seed=seed)
    for score in result.scores.values():
        assert all(h <= s for h, s in zip(score.hits_by_step, score.steps_by_step, strict=True))
