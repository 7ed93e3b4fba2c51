"""Tests of configurator.customers.value: BG/NBD, Gamma-Gamma, CLV, collaborative value, RFM, summaries."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from configurator.customers.value import (
    BGNBDModel,
    CollaborativeWeights,
    ConvergenceWarning,
    GammaGammaModel,
    collaborative_value,
    customer_lifetime_value,
    discount_rate_per_period,
    rfm_scores,
    summarize_transactions,
)
from configurator.errors import ConfiguratorError, NotFittedError
from support import ROOT, bench_file

CDNOW = "cdnow"
"""The CDNOW purchases inside the benchmark data folder."""
PUBLISHED = BGNBDModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
FloatArray = npt.NDArray[np.float64]

positive = st.floats(0.05, 20.0)
params = st.tuples(st.floats(0.05, 5.0), st.floats(0.1, 50.0), st.floats(0.05, 5.0), st.floats(0.05, 10.0))


@st.composite
def histories(draw: st.DrawFn) -> tuple[float, float, float]:
    """One customer's (frequency, recency, T)."""
    age = draw(st.floats(0.0, 200.0))
    x = draw(st.integers(0, 60))
    recency = 0.0 if x == 0 else draw(st.floats(0.0, 1.0)) * age
    return float(x), recency, age


def simulate_bgnbd(
    n: int, r: float, alpha: float, a: float, b: float, seed: int = 1
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Draw BG/NBD histories: Poisson purchases at rate lambda, dropping out after a purchase with prob. p."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    age = rng.uniform(20, 60, n)
    arrivals = rng.poisson(lam * age)
    alive_for = rng.geometric(p)  # repeat purchases made before dropping out, the last one included
    x = np.minimum(arrivals, alive_for)
    # the x-th of `arrivals` uniform arrival times in [0, T] is T * Beta(x, arrivals - x + 1)
    recency = np.where(x > 0, age * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    return x.astype(np.float64), recency, age


# --- BG/NBD on CDNOW ---------------------------------------------------------------------------------------


def test_bgnbd_reproduces_the_published_cdnow_parameters() -> None:
    """On the 2,357-customer CDNOW summary the fit is r, alpha, a, b = 0.243, 4.414, 0.793, 2.426 (+-0.01)."""
    data = np.loadtxt(bench_file(CDNOW, "cdnow_customers_summary.csv"), delimiter=",", skiprows=1)
    model = BGNBDModel().fit(data[:, 1], data[:, 2], data[:, 3])
    assert model.converged_ and model.n_customers_ == 2357
    for name, published in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert model.params_[name] == pytest.approx(published, abs=0.01), name
    assert model.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)


def test_gamma_gamma_is_close_to_the_published_cdnow_parameters() -> None:
    """Gamma-Gamma on the sample's 946 repeat buyers, found in the master file, is near p, q, gamma = 6.25, 3.74, 15.44."""
    sample = np.loadtxt(bench_file(CDNOW, "cdnow_customers_summary.csv"), delimiter=",", skiprows=1)
    raw = np.loadtxt(bench_file(CDNOW, "CDNOW_master.txt"), skiprows=1)
    ymd = raw[:, 1].astype(np.int64)
    dates = np.array([f"{d // 10000}-{d // 100 % 100:02d}-{d % 100:02d}" for d in ymd], dtype="datetime64[D]")
    days = (dates - np.datetime64("1997-01-01")).astype(np.float64)
    cal = summarize_transactions(raw[:, 0].astype(np.int64), days, raw[:, 3], observation_end=272)
    keys = np.column_stack([cal.frequency, np.round(cal.recency / 7, 2), np.round(cal.T / 7, 2)])
    # The sample is ordered by first purchase date, then master id: match each row to the next such customer.
    order = np.lexsort((cal.customers, -cal.T))
    j, picked = 0, []
    for row in sample[:, 1:]:
        while not np.allclose(keys[order[j]], row, atol=0.006):
            j += 1
        picked.append(order[j])
        j += 1
    model = GammaGammaModel().fit(cal.frequency[picked], cal.monetary_value[picked])
    assert model.n_customers_ == 946
    assert model.p_ == pytest.approx(6.25, abs=0.1)
    assert model.q_ == pytest.approx(3.74, abs=0.1)
    assert model.gamma_ == pytest.approx(15.44, abs=0.3)


def test_published_conditional_expectation_for_customer_one() -> None:
    """With the published parameters, x=2, t_x=30.43, T=38.86 expects 1.226 purchases in 39 weeks (FHL 2005)."""
    assert float(PUBLISHED.expected_purchases(2, 30.43, 38.86, 39)) == pytest.approx(1.226, abs=5e-4)


def test_scalars_in_give_zero_dimensional_arrays_out() -> None:
    """Scalar inputs give 0-d results; arrays broadcast."""
    assert PUBLISHED.p_alive(1, 2.0, 10.0).shape == ()
    assert PUBLISHED.expected_purchases([0, 1, 2], [0, 2.0, 3.0], 10.0, [5.0, 5.0, 5.0]).shape == (3,)


# --- BG/NBD properties -------------------------------------------------------------------------------------


@given(params, histories(), st.floats(0.0, 300.0), st.floats(0.0, 300.0))
@settings(max_examples=200)
def test_expected_purchases_are_non_negative_and_grow_with_the_horizon(
    p: tuple[float, float, float, float], history: tuple[float, float, float], h1: float, h2: float
) -> None:
    """Expected purchases in (T, T+h] are >= 0, 0 at h=0, and non-decreasing in h."""
    model = BGNBDModel.from_params(*p)
    short, long = sorted((h1, h2))
    e_short = float(model.expected_purchases(*history, short))
    e_long = float(model.expected_purchases(*history, long))
    assert float(model.expected_purchases(*history, 0.0)) == 0.0
    assert 0.0 <= e_short <= e_long * (1 + 1e-9) + 1e-12


@given(params, histories())
def test_p_alive_is_a_probability_and_one_without_repeat_purchases(
    p: tuple[float, float, float, float], history: tuple[float, float, float]
) -> None:
    """P(alive) is in [0, 1], and exactly 1 for a customer who never bought again (BG/NBD)."""
    model = BGNBDModel.from_params(*p)
    alive = float(model.p_alive(*history))
    assert 0.0 <= alive <= 1.0
    assert float(model.p_alive(0, 0.0, history[2])) == 1.0


@given(params, histories(), st.floats(0.01, 500.0))
@settings(max_examples=100)
def test_closed_form_agrees_with_the_posterior_integral(
    p: tuple[float, float, float, float], history: tuple[float, float, float], horizon: float
) -> None:
    """The hypergeometric closed form and Gauss-Jacobi quadrature over p give the same expectation."""
    model = BGNBDModel.from_params(*p)
    x, recency, age = history
    c = model.alpha_ + age
    assume(abs(model.a_ - 1) >= 1e-3 and (model.r_ + x) * horizon / c < 2000)  # where the quadrature is exact
    closed = float(model.expected_purchases(x, recency, age, horizon)) / float(model.p_alive(x, recency, age))
    integral = float(
        model._expected_by_quadrature(np.array([x]), np.array([c]), np.array([horizon]), model.a_)[0]
    )
    assert closed == pytest.approx(integral, rel=1e-7, abs=1e-10)


@pytest.mark.parametrize("a", [1.0, 1 + 1e-7, 1 - 5e-5])
def test_expected_purchases_are_continuous_through_a_equal_one(a: float) -> None:
    """At a = 1 (where the closed form is 0/0) expected purchases match the posterior integral."""
    model = BGNBDModel.from_params(r=0.5, alpha=5.0, a=a, b=2.0)
    x, recency, age = np.array([0.0, 1.0, 5.0]), np.array([0.0, 10.0, 30.0]), np.array([40.0, 40.0, 40.0])
    alive_value = model.expected_purchases(x, recency, age, 52.0) / model.p_alive(x, recency, age)
    integral = model._expected_by_quadrature(x, model.alpha_ + age, np.full(3, 52.0), a)
    assert np.allclose(alive_value, integral, rtol=1e-7)


def test_expected_purchases_new_matches_the_x0_t0_conditional() -> None:
    """E[X(t)] of a new customer equals the conditional expectation at x = 0, T = 0, and grows with t."""
    curve = PUBLISHED.expected_purchases_new([13.0, 26.0, 39.0])
    assert np.all(np.diff(curve) > 0)
    assert float(curve[2]) == pytest.approx(float(PUBLISHED.expected_purchases(0, 0.0, 0.0, 39.0)))


def test_bgnbd_recovers_simulated_parameters() -> None:
    """Fitted on 20,000 simulated customers, the parameters come back within 20 %."""
    truth = {"r": 0.6, "alpha": 8.0, "a": 0.8, "b": 2.5}
    model = BGNBDModel().fit(*simulate_bgnbd(20_000, truth["r"], truth["alpha"], truth["a"], truth["b"]))
    for name, value in truth.items():
        assert model.params_[name] == pytest.approx(value, rel=0.2), name


def test_sample_weight_equals_repeated_rows() -> None:
    """Fitting distinct histories with counts as weights gives the fit of the repeated rows."""
    x, recency, age = simulate_bgnbd(3_000, 0.6, 8.0, 0.8, 2.5, seed=3)
    repeated = BGNBDModel().fit(np.repeat(x, 2), np.repeat(recency, 2), np.repeat(age, 2))
    weighted = BGNBDModel().fit(x, recency, age, sample_weight=np.full(x.size, 2.0))
    for name, value in repeated.params_.items():
        assert weighted.params_[name] == pytest.approx(value, rel=1e-4), name


def test_log_likelihood_sums_to_the_fitted_total() -> None:
    """The per-customer log-likelihoods add up to log_likelihood_."""
    data = simulate_bgnbd(2_000, 0.6, 8.0, 0.8, 2.5, seed=4)
    model = BGNBDModel().fit(*data)
    assert float(model.log_likelihood(*data).sum()) == pytest.approx(model.log_likelihood_)


def test_a_stopped_optimiser_warns() -> None:
    """An optimiser stopped after one iteration raises a ConvergenceWarning and says so in converged_."""
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model = BGNBDModel(max_iter=1).fit(*simulate_bgnbd(500, 0.6, 8.0, 0.8, 2.5))
    assert not model.converged_


def test_models_are_not_fitted_before_fit() -> None:
    """Predictions and parameters before fit() raise NotFittedError, a ConfiguratorError and ValueError."""
    for call in (
        lambda: BGNBDModel().p_alive(1, 1.0, 2.0),
        lambda: BGNBDModel().expected_purchases(1, 1.0, 2.0, 5.0),
        lambda: BGNBDModel().params_,
        lambda: GammaGammaModel().expected_average_value(1, 10.0),
        lambda: GammaGammaModel().population_mean_,
    ):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            call()
    assert issubclass(NotFittedError, ConfiguratorError) and issubclass(NotFittedError, ValueError)
    assert repr(BGNBDModel()) == "BGNBDModel(penalizer=0.0)"


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        (-1, 0.0, 5.0, "whole numbers"),
        (1.5, 1.0, 5.0, "whole numbers"),
        (2, 6.0, 5.0, "recency <= T"),
        (0, 1.0, 5.0, "0 for customers without repeat purchases"),
        (1, float("nan"), 5.0, "finite"),
    ],
)
def test_invalid_histories_are_rejected(frequency: float, recency: float, T: float, message: str) -> None:
    """Histories that cannot happen are rejected with a message naming the problem."""
    with pytest.raises(ValueError, match=message):
        PUBLISHED.p_alive(frequency, recency, T)


def test_from_params_rejects_non_positive_values() -> None:
    """Published parameters must be positive numbers."""
    with pytest.raises(ValueError, match="alpha: expected a positive number"):
        BGNBDModel.from_params(r=1.0, alpha=0.0, a=1.0, b=1.0)


# --- Gamma-Gamma -------------------------------------------------------------------------------------------


def test_gamma_gamma_recovers_simulated_parameters() -> None:
    """Fitted on 20,000 simulated repeat buyers, p, q, gamma come back within 15 %."""
    rng = np.random.default_rng(2)
    p, q, gamma = 4.0, 5.0, 60.0
    nu = rng.gamma(q, 1 / gamma, 20_000)
    x = rng.integers(1, 10, 20_000).astype(np.float64)
    m = rng.gamma(p * x, 1 / nu) / x  # the mean of x Gamma(p, nu) purchases
    model = GammaGammaModel().fit(x, m)
    assert model.params_ == pytest.approx({"p": p, "q": q, "gamma": gamma}, rel=0.15)
    assert float(model.log_likelihood(x, m).sum()) == pytest.approx(model.log_likelihood_)


@given(st.floats(1.5, 20.0), st.floats(1.2, 20.0), positive, st.integers(1, 50), st.floats(0.5, 500.0))
def test_gamma_gamma_expectation_lies_between_the_population_mean_and_the_own_mean(
    p: float, q: float, gamma: float, x: int, m: float
) -> None:
    """E[spend | x, m] is a weighted average of the population mean and m; x = 0 gives the population mean."""
    model = GammaGammaModel.from_params(p=p, q=q, gamma=gamma)
    mean = model.population_mean_
    value = float(model.expected_average_value(x, m))
    assert min(mean, m) * (1 - 1e-9) <= value <= max(mean, m) * (1 + 1e-9)
    assert float(model.expected_average_value(0, m)) == pytest.approx(mean)


def test_gamma_gamma_without_population_mean_gives_nan_for_new_customers() -> None:
    """With q <= 1 the population mean does not exist: customers without repeat purchases get NaN."""
    model = GammaGammaModel.from_params(p=2.0, q=0.8, gamma=10.0)
    assert math.isinf(model.population_mean_)
    assert math.isnan(float(model.expected_average_value(0, 0.0)))
    assert math.isfinite(float(model.expected_average_value(3, 20.0)))


def test_gamma_gamma_needs_repeat_buyers() -> None:
    """Fitting without a single repeat purchase of positive value is an error."""
    with pytest.raises(ValueError, match="at least one customer with a repeat purchase"):
        GammaGammaModel().fit([0, 0, 1], [0.0, 0.0, -5.0])


# --- CLV and collaborative value ---------------------------------------------------------------------------


@given(params, histories(), st.floats(0.0, 1000.0), st.floats(0.0, 100.0), st.floats(0.0, 0.2))
@settings(max_examples=50)
def test_clv_scales_linearly_with_margin(
    p: tuple[float, float, float, float],
    history: tuple[float, float, float],
    margin: float,
    k: float,
    d: float,
) -> None:
    """Multiplying the margin per purchase by k multiplies the CLV by k."""
    model = BGNBDModel.from_params(*p)
    base = float(customer_lifetime_value(model, *history, margin, horizon=52.0, periods=4, discount_rate=d))
    scaled = float(
        customer_lifetime_value(model, *history, margin * k, horizon=52.0, periods=4, discount_rate=d)
    )
    assert scaled == pytest.approx(base * k, rel=1e-9, abs=1e-9)


def test_undiscounted_clv_is_margin_times_expected_purchases() -> None:
    """Without discounting, CLV = margin x expected purchases over the horizon; discounting lowers it."""
    args = ([0, 2, 7], [0.0, 30.43, 35.0], [38.86, 38.86, 38.86])
    flat = customer_lifetime_value(PUBLISHED, *args, 20.0, horizon=52.0, periods=12)
    assert np.allclose(flat, 20.0 * PUBLISHED.expected_purchases(*args, 52.0))
    discounted = customer_lifetime_value(PUBLISHED, *args, 20.0, horizon=52.0, periods=12, discount_rate=0.01)
    assert np.all(discounted < flat)


def test_discount_rate_per_period_compounds_to_the_annual_rate() -> None:
    """Twelve monthly periods compound to the annual rate."""
    monthly = discount_rate_per_period(0.10, 1 / 12)
    assert (1 + monthly) ** 12 == pytest.approx(1.10)


def test_collaborative_value_weights_each_component_and_caps_engagement() -> None:
    """Referrals, reviews and capped engagement are weighted in units of the given value."""
    weights = CollaborativeWeights(referral=2.0, review=0.5, engagement=0.1, engagement_cap=10)
    value = collaborative_value([1, 0, 0], [0, 2, 0], [0, 0, 50], unit_value=10.0, weights=weights)
    assert value.tolist() == pytest.approx([20.0, 10.0, 10.0])
    with pytest.raises(ValueError, match="referral: expected a number >= 0"):
        CollaborativeWeights(referral=-1.0)


# --- RFM and summaries -------------------------------------------------------------------------------------


@given(
    st.lists(st.tuples(st.floats(0, 365), st.integers(0, 20), st.floats(0, 1000)), min_size=1, max_size=60)
)
def test_rfm_scores_are_in_range_order_free_and_monotone(rows: list[tuple[float, int, float]]) -> None:
    """Scores are 1..5, follow the customers when they are permuted, and never decrease with frequency."""
    recency, frequency, money = (np.array(c, dtype=np.float64) for c in zip(*rows, strict=True))
    scores = rfm_scores(recency, frequency, money)
    for s in (scores.recency, scores.frequency, scores.monetary):
        assert s.min() >= 1 and s.max() <= 5
    perm = np.random.default_rng(0).permutation(len(rows))
    permuted = rfm_scores(recency[perm], frequency[perm], money[perm])
    assert np.array_equal(permuted.cell, scores.cell[perm])
    order = np.argsort(frequency, kind="stable")
    assert np.all(np.diff(scores.frequency[order]) >= 0)


def test_summaries_count_one_purchase_per_time_and_drop_later_ones() -> None:
    """Same-time transactions are one purchase with their summed value; later ones are ignored."""
    summary = summarize_transactions(
        ["a", "a", "a", "a", "b", "c"], [0, 0, 3, 9, 2, 8], [5, 5, 20, 99, 7, 1], observation_end=7
    )
    assert summary.customers.tolist() == ["a", "b"]
    assert summary.frequency.tolist() == [1.0, 0.0]
    assert summary.recency.tolist() == [3.0, 0.0]
    assert summary.T.tolist() == [7.0, 5.0]
    assert summary.first_value.tolist() == [10.0, 7.0]
    assert summary.monetary_value.tolist() == [20.0, 0.0]


def test_module_has_no_dependency_beyond_numpy_and_scipy() -> None:
    """The value package imports numpy and scipy only (besides the standard library and configurator)."""
    folder = ROOT / "src" / "configurator" / "customers" / "value"
    sources = [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.py"))]
    assert len(sources) >= 3
    imports = {
        line.split()[1].split(".")[0]
        for source in sources
        for line in source.splitlines()
        if line.startswith(("import ", "from ")) and not line.startswith("from __future__")
    }
    assert imports <= {
        "math",
        "warnings",
        "collections",
        "dataclasses",
        "typing",
        "numpy",
        "scipy",
        "configurator",
    }
