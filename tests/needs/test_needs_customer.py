"""Tests of configurator.needs.customer: per-customer evidence, privacy, order independence, segments."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.errors import ConfiguratorError, NotFittedError
from configurator.needs.customer import DEFAULT_STRENGTHS, CustomerNeeds, Evidence, fit_segments
from configurator.needs.models import MostFrequentNeeds, SimilarityNeeds
from configurator.needs.network import BayesianNetworkNeeds

DOMAINS = {"body": (1, 2), "color": (1, 2, 3), "wheels": (0, 1)}
SALES = (
    [{"body": 1, "color": 2, "wheels": 0}] * 5
    + [{"body": 2, "color": 3, "wheels": 1}] * 4
    + [{"body": 2, "color": 1, "wheels": 0}]
)


@pytest.fixture(scope="module")
def population() -> SimilarityNeeds:
    """A small fitted population model."""
    return SimilarityNeeds().fit(SALES, DOMAINS)


def test_unfitted_population_is_refused() -> None:
    """A customer model needs a fitted population."""
    with pytest.raises(NotFittedError, match="fit"):
        CustomerNeeds(SimilarityNeeds())


def test_cold_start_is_the_population(population: SimilarityNeeds) -> None:
    """With no evidence the customer gets the population's distribution."""
    me = CustomerNeeds(population)
    assert me.distribution("color", {"body": 2}) == population.distribution("color", {"body": 2})


def test_purchase_outweighs_population(population: SimilarityNeeds) -> None:
    """A purchased value is recommended even where the population prefers another."""
    me = CustomerNeeds(population).observe(Evidence("color", 1, "purchased", "o-1"))
    assert me.recommend("color", {"body": 2})[0][0] == 1
    assert me.why("color", 1) == ["o-1"]


def test_view_weighs_less_than_purchase(population: SimilarityNeeds) -> None:
    """A view moves the probability less than a purchase."""
    viewed = CustomerNeeds(population).observe(Evidence("color", 1, "viewed"))
    bought = CustomerNeeds(population).observe(Evidence("color", 1, "purchased"))
    assert viewed.distribution("color", {})[1] < bought.distribution("color", {})[1]


def test_rejection_counts_against(population: SimilarityNeeds) -> None:
    """A rejected value loses probability."""
    base = CustomerNeeds(population).distribution("color", {"body": 1})[2]
    me = CustomerNeeds(population).observe(Evidence("color", 2, "rejected"))
    assert me.distribution("color", {"body": 1})[2] < base


def test_hard_need_takes_all_mass(population: SimilarityNeeds) -> None:
    """A hard stated need puts all the mass on its value when it is a candidate."""
    me = CustomerNeeds(population).observe(Evidence("wheels", 1, "stated", "n-1", hard=True))
    assert me.distribution("wheels", {"body": 1}) == {0: 0.0, 1: 1.0}
    assert me.recommend("wheels", {}, candidates=(0,)) == [(0, 1.0)]
    assert me.why("wheels", 1) == ["n-1"]


def test_latest_hard_need_wins_whatever_the_order(population: SimilarityNeeds) -> None:
    """Competing hard needs resolve by timestamp, not arrival order."""
    early = Evidence("wheels", 0, "stated", "n-1", hard=True, ts=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    late = Evidence("wheels", 1, "stated", "n-2", hard=True, ts=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    a = CustomerNeeds(population).observe(early, late)
    b = CustomerNeeds(population).observe(late, early)
    assert a.requirements_ == b.requirements_ == {"wheels": late}


def test_profiling_objection_learns_nothing(population: SimilarityNeeds) -> None:
    """A customer who objected to profiling gets the population model only."""
    me = CustomerNeeds(population, profiling=False).observe(Evidence("color", 1, "purchased"))
    assert me.evidence_ == {} and me.n_ignored_ == 1 and me.n_observed_ == 0
    assert me.distribution("color", {}) == population.distribution("color", {})


def test_unknown_kind_is_refused(population: SimilarityNeeds) -> None:
    """An evidence kind without a strength raises a clear error."""
    with pytest.raises(ConfiguratorError, match="unknown evidence kind 'liked'"):
        CustomerNeeds(population).observe(Evidence("color", 1, "liked"))


def test_smoothing_is_validated(population: SimilarityNeeds) -> None:
    """Smoothing must lie in [0, 1)."""
    with pytest.raises(ConfiguratorError, match="smoothing"):
        CustomerNeeds(population, smoothing=1.0)


def test_preferences_are_log_probabilities(population: SimilarityNeeds) -> None:
    """Preferences exp-sum to 1 per variable and skip the known variables."""
    prefs = CustomerNeeds(population).preferences({"body": 2})
    assert set(prefs) == {"color", "wheels"}
    for values in prefs.values():
        assert math.isclose(sum(math.exp(v) for v in values.values()), 1.0, rel_tol=1e-3)


def test_fit_segments_falls_back_to_everyone() -> None:
    """Segments with too few sales get no model of their own."""
    everyone, by_segment = fit_segments(
        SALES, ["a"] * 9 + ["b"], DOMAINS, factory=MostFrequentNeeds, min_rows=5
    )
    assert set(by_segment) == {"a"} and everyone.n_rows_ == 10


def test_fit_segments_fits_the_products_population_model_by_default() -> None:
    """Without a factory, everyone's model and each segment's are Bayesian networks, as the product's population."""
    everyone, by_segment = fit_segments(SALES, ["a"] * len(SALES), DOMAINS, min_rows=5)
    assert isinstance(everyone, BayesianNetworkNeeds)
    assert all(isinstance(model, BayesianNetworkNeeds) for model in by_segment.values()) and by_segment


def test_fit_segments_needs_one_segment_per_row() -> None:
    """A segment list of the wrong length is refused."""
    with pytest.raises(ConfiguratorError, match="one segment per row"):
        fit_segments(SALES, ["a"], DOMAINS)


signals = st.lists(
    st.builds(
        Evidence,
        st.sampled_from(sorted(DOMAINS)),
        st.integers(0, 3),
        st.sampled_from(sorted(DEFAULT_STRENGTHS)),
        st.sampled_from(["e1", "e2", "e3"]),
        st.floats(0, 1),
        st.booleans(),
        st.sampled_from(
            [None, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, tzinfo=dt.UTC)]
        ),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(signals, st.randoms(use_true_random=False))
def test_update_is_order_independent(events: list[Evidence], rnd: object) -> None:
    """The same multiset of signals in any order gives the same recommendations."""
    population = SimilarityNeeds().fit(SALES, DOMAINS)
    shuffled = list(events)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = CustomerNeeds(population).observe(*events)
    b = CustomerNeeds(population).observe(*shuffled)
    for variable in DOMAINS:
        da, db = a.distribution(variable, {}), b.distribution(variable, {})
        assert da.keys() == db.keys()
        assert all(math.isclose(da[k], db[k], rel_tol=1e-9, abs_tol=1e-12) for k in da)
