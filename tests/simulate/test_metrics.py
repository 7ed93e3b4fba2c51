"""Tests of the per-purchase measures and their 95 % intervals."""

from __future__ import annotations

from configurator.simulate.metrics import Series, mean_interval, wilson


def test_wilson_contains_the_share_and_narrows_with_more_data() -> None:
    """Wilson's interval holds the observed share and is narrower with more observations."""
    low, high = wilson(30, 100)
    assert low < 0.3 < high
    assert (wilson(300, 1000)[1] - wilson(300, 1000)[0]) < high - low


def test_mean_interval_is_symmetric_around_the_mean() -> None:
    """The normal-approximation interval is centred on the mean."""
    low, high = mean_interval([1.0, 2.0, 3.0, 4.0])
    assert abs((low + high) / 2 - 2.5) < 1e-9 and low < 2.5 < high


def test_series_counts_acceptance_as_zero_edits() -> None:
    """Acceptance is the share of proposals with no edits, per purchase index."""
    series = Series()
    for edits in (0, 2, 0):
        series.add(0, edits=edits, regret=0.0)
    series.add(1, edits=1, regret=0.5, seconds=0.2)
    data = series.to_data()
    assert data["acceptance"] == [0.6667, 0.0]
    assert data["edits"] == [0.6667, 1.0]
    assert data["regret"] == [0.0, 0.5]
    assert "seconds" in data
