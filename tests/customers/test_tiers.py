"""Tests of configurator.customers.tiers: features, tiers, explanations, objections, determinism."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from pydantic import ValidationError

from configurator.customers.tiers import (
    EVENT_COLUMNS,
    OBJECTION_REASON,
    TIER_COLUMNS,
    TierAssigner,
    TierConfig,
    assign_tiers,
    customer_features,
)
from configurator.errors import NotFittedError

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
TYPES = (
    "viewed",
    "configured",
    "quote_requested",
    "quote_sent",
    "purchased",
    "returned",
    "support_ticket",
    "referral",
    "review",
    "stated_need",
    "feedback",
)


def at(day: float) -> dt.datetime:
    """A UTC timestamp ``day`` days after 2024-01-01."""
    return START + dt.timedelta(days=day)


def events(rows: Sequence[dict[str, Any]], tenant: str = "shop") -> pl.DataFrame:
    """An events frame with the contract's columns; rows give customer, type, day and the amounts they need."""
    full = []
    for i, row in enumerate(rows):
        full.append(
            {
                "tenant": row.get("tenant", tenant),
                "event_id": row.get("event_id", f"e{i}"),
                "customer_id": row.get("customer"),
                "type": row["type"],
                "channel": row.get("channel", "web"),
                "ts": at(row["day"]),
                "amount": float(row.get("amount", row.get("margin", 0.0) * 3)),
                "margin": float(row.get("margin", 0.0)),
                "cost": float(row.get("cost", 0.0)),
                "referred_customer_id": row.get("referred"),
                "converted": row.get("converted"),
                "rating": row.get("rating"),
            }
        )
    return pl.DataFrame(full, schema=dict(EVENT_COLUMNS))


def population(n: int = 200, seed: int = 5) -> pl.DataFrame:
    """A seeded population of ``n`` customers with purchases, tickets, returns, intents, referrals, reviews."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for c in range(n):
        first = float(rng.uniform(0, 250))
        repeats = rng.uniform(first, 365, rng.poisson(rng.gamma(1.0, 2.5)))
        for day in [first, *repeats]:
            margin = round(float(rng.lognormal(3.5, 0.5)), 2)
            rows.append({"customer": f"c{c:03d}", "type": "purchased", "day": float(day), "margin": margin})
        if c % 9 == 0:
            rows.append({"customer": f"c{c:03d}", "type": "support_ticket", "day": 300, "cost": 400.0})
        if c % 5 == 0:
            rows.append({"customer": f"c{c:03d}", "type": "quote_requested", "day": 340})
        if c % 11 == 0:
            rows.append({"customer": f"c{c:03d}", "type": "referral", "day": 310, "converted": True})
        if c % 13 == 0:
            rows.append({"customer": f"c{c:03d}", "type": "review", "day": 320, "rating": 5})
    return events(rows)


AS_OF = dt.date(2024, 12, 31)


# --- features ----------------------------------------------------------------------------------------------


def test_features_count_purchase_days_and_window_sums() -> None:
    """Same-day purchases count once; margins, costs, referrals and intents are summed over the look-back."""
    frame = events(
        [
            {"customer": "a", "type": "purchased", "day": 10, "margin": 10},
            {"customer": "a", "type": "purchased", "day": 10.5, "margin": 5},
            {"customer": "a", "type": "purchased", "day": 40, "margin": 20},
            {"customer": "a", "type": "quote_requested", "day": 30},  # before the last purchase: converted
            {"customer": "a", "type": "quote_requested", "day": 45},
            {"customer": "a", "type": "configured", "day": 46},
            {"customer": "a", "type": "returned", "day": 41, "margin": 7},
            {"customer": "a", "type": "support_ticket", "day": 42, "cost": 3},
            {"customer": "a", "type": "referral", "day": 43, "converted": True},
            {"customer": "a", "type": "referral", "day": 44, "converted": False},
            {"customer": "a", "type": "review", "day": 44, "rating": 4},
            {"customer": None, "type": "purchased", "day": 20, "margin": 999},
            {"customer": "b", "type": "viewed", "day": 5},
        ]
    )
    features = customer_features(frame, as_of=dt.date(2024, 3, 1))
    a, b = features.rows(named=True)
    assert (a["customer_id"], b["customer_id"]) == ("a", "b")
    assert a["purchase_days"] == 2 and a["margin_total"] == 35 and a["margin_first"] == 15
    assert a["last_day"] - a["first_day"] == 30
    assert a["age_days"] == (dt.date(2024, 3, 1) - dt.date(2024, 1, 11)).days
    assert (a["returns_lost_margin"], a["support_cost"], a["converted_referrals"], a["reviews"]) == (
        7,
        3,
        1,
        1,
    )
    assert a["open_intent"] == pytest.approx(0.3 + 0.05)
    assert a["engagement"] == 3  # two quote requests and one configuration
    assert b["purchase_days"] == 0 and b["age_days"] is None and b["engagement"] == 1


def test_events_after_as_of_and_outside_the_window_are_left_out() -> None:
    """A date as_of counts its whole UTC day; the look-back window bounds margin and cost to serve."""
    frame = events(
        [
            {"customer": "a", "type": "purchased", "day": 0, "margin": 10},
            {"customer": "a", "type": "purchased", "day": 59.9, "margin": 20},
            {"customer": "a", "type": "purchased", "day": 60.1, "margin": 40},
        ]
    )
    (row,) = customer_features(frame, as_of=dt.date(2024, 2, 29), config=TierConfig(lookback_days=30)).rows(
        named=True
    )
    assert row["purchase_days"] == 2 and row["margin_total"] == 30 and row["margin"] == 20


def test_missing_columns_are_reported() -> None:
    """A frame without the contract's columns is rejected with the missing names."""
    with pytest.raises(ValueError, match=r"missing columns .*margin"):
        assign_tiers(events([{"customer": "a", "type": "viewed", "day": 1}]).drop("margin"))


# --- tiers -------------------------------------------------------------------------------------------------


def test_each_tier_fires_with_its_explanation() -> None:
    """Below-zero, most valuable, most growable and standard each come with their numbers and threshold."""
    assigner = TierAssigner(TierConfig(mvc_top_fraction=0.02, mgc_top_fraction=0.05)).fit(
        population(), as_of=AS_OF
    )
    result = assigner.assignments_
    assert result.columns == list(TIER_COLUMNS)
    assert set(result["tier"]) == {"mvc", "mgc", "standard", "below_zero"}
    assert assigner.notes_ == []
    bg, gg = assigner.models_["shop"]
    assert bg is not None and gg is not None
    for row in result.iter_rows(named=True):
        if row["tier"] == "below_zero":
            assert row["cost_to_serve"] > row["margin"]
            assert row["threshold"] == "cost_to_serve > 1 x margin"
            assert f"cost to serve {round(row['cost_to_serve'], 2)}" in row["reason"]
        elif row["tier"] == "mvc":
            assert row["value_rank"] <= 4 and row["value"] > 0
            assert row["threshold"].startswith("value_rank <= 4 (top 2%)")
            assert f"ranks {row['value_rank']} of 200" in row["reason"]
        elif row["tier"] == "mgc":
            assert row["growth_rank"] <= 10 and row["growth_potential"] > 0 and row["open_intent"] > 0
            assert row["growth_potential"] == pytest.approx(
                row["open_intent"] * row["expected_margin_per_purchase"] * row["p_alive"]
            )
            assert "growth potential" in row["reason"]
        else:
            assert row["threshold"] == "none"
        assert row["value"] == pytest.approx(row["clv"] + row["collaborative_value"])
        assert 0 < row["value_percentile"] <= 1 and row["ranked_customers"] == 200


def test_objections_are_listed_as_standard_and_change_nothing_else() -> None:
    """Objectors get standard with the catalog-defaults reason and no numbers, and do not affect anyone else."""
    frame = population()
    objector = "c003"
    with_objector = assign_tiers(frame, as_of=AS_OF, objections={objector})
    row = with_objector.filter(pl.col("customer_id") == objector).row(0, named=True)
    assert (row["tier"], row["reason"]) == ("standard", OBJECTION_REASON)
    assert all(
        row[c] is None
        for c in TIER_COLUMNS
        if c not in ("tenant", "customer_id", "tier", "reason", "threshold")
    )
    # The objector's events do not enter the models or the ranks: doubling them changes nothing for others.
    more = pl.concat(
        [
            frame,
            frame.filter(pl.col("customer_id") == objector).with_columns(
                pl.col("event_id") + "x", pl.col("margin") * 50
            ),
        ]
    )
    others = pl.col("customer_id") != objector
    assert_frame_equal(
        assign_tiers(more, as_of=AS_OF, objections={objector}).filter(others), with_objector.filter(others)
    )
    assert with_objector.filter(others)["ranked_customers"].unique().to_list() == [199]


def test_anonymous_events_are_ignored() -> None:
    """Events without a customer id change no assignment."""
    frame = population(60)
    anonymous = events(
        [{"customer": None, "type": "purchased", "day": d, "margin": 500.0} for d in range(50)]
    )
    assert_frame_equal(
        assign_tiers(pl.concat([frame, anonymous]), as_of=AS_OF), assign_tiers(frame, as_of=AS_OF)
    )


def test_thresholds_are_configurable() -> None:
    """No mvc at a 0 % share; everyone above zero and not below-zero is mvc at 100 %."""
    frame = population(80)
    none = assign_tiers(frame, as_of=AS_OF, config=TierConfig(mvc_top_fraction=0.0))
    assert "mvc" not in set(none["tier"])
    everyone = assign_tiers(frame, as_of=AS_OF, config=TierConfig(mvc_top_fraction=1.0))
    assert set(everyone["tier"]) == {"mvc", "below_zero"}
    lenient = assign_tiers(frame, as_of=AS_OF, config=TierConfig(below_zero_ratio=100.0))
    assert "below_zero" not in set(lenient["tier"])


def test_tenants_are_ranked_separately() -> None:
    """The same customer id in two tenants is two customers, each ranked within its own shop."""
    frame = pl.concat(
        [population(30).with_columns(tenant=pl.lit("a")), population(20).with_columns(tenant=pl.lit("b"))]
    )
    assigner = TierAssigner().fit(frame, as_of=AS_OF)
    result = assigner.assignments_
    assert result.height == 50
    counts = dict(result.group_by("tenant").agg(pl.col("ranked_customers").first()).iter_rows())
    assert counts == {"a": 30, "b": 20}
    assert set(assigner.models_) == {"a", "b"}
    assert assigner.explain("c001", tenant="b")["tenant"] == "b"
    with pytest.raises(KeyError, match="more than one"):
        assigner.explain("c001")


def test_thin_data_falls_back_with_notes() -> None:
    """With fewer purchasers than min_customers, observed rates and margins are used and a note says so."""
    frame = events(
        [
            {"customer": "a", "type": "purchased", "day": 1, "margin": 10},
            {"customer": "a", "type": "purchased", "day": 30, "margin": 30},
            {"customer": "b", "type": "quote_requested", "day": 40},
        ]
    )
    assigner = TierAssigner().fit(frame, as_of=dt.date(2024, 3, 1))
    assert assigner.models_["shop"] == (None, None)
    assert any("too few to fit BG/NBD" in note for note in assigner.notes_)
    a = assigner.explain("a")
    assert a["clv"] > 0 and a["expected_margin_per_purchase"] == 30
    b = assigner.explain("b")
    assert b["p_alive"] == 1.0 and b["growth_potential"] == pytest.approx(0.3 * (40 / 2))


def test_explain_needs_fit() -> None:
    """explain() before fit() raises NotFittedError; an unknown customer raises KeyError."""
    with pytest.raises(NotFittedError):
        TierAssigner().explain("a")
    assigner = TierAssigner().fit(population(20), as_of=AS_OF)
    with pytest.raises(KeyError, match="no assignment"):
        assigner.explain("nobody")


def test_config_is_strict() -> None:
    """Unknown keys and out-of-range thresholds are rejected."""
    with pytest.raises(ValidationError, match="extra"):
        TierConfig.model_validate({"mvc_share": 0.1})
    with pytest.raises(ValidationError, match="mvc_top_fraction"):
        TierConfig(mvc_top_fraction=1.5)
    assert TierConfig.model_validate({"collaborative": {"referral": 2}}).collaborative.referral == 2


def test_empty_events_give_an_empty_result() -> None:
    """No customers, no rows (with the result's columns)."""
    result = assign_tiers(events([{"customer": None, "type": "viewed", "day": 1}]))
    assert result.height == 0 and result.columns == list(TIER_COLUMNS)


# --- determinism -------------------------------------------------------------------------------------------


@st.composite
def event_logs(draw: st.DrawFn) -> pl.DataFrame:
    """Small random event logs over a handful of customers."""
    n = draw(st.integers(1, 40))
    rows = [
        {
            "customer": draw(st.sampled_from(["a", "b", "c", "d", "e", "f", None])),
            "type": draw(st.sampled_from(TYPES)),
            "day": draw(st.integers(0, 360)) + draw(st.sampled_from([0.0, 0.25, 0.5])),
            "margin": draw(st.sampled_from([0.0, 1.1, 2.2, 3.3, 17.5, 80.0])),
            "cost": draw(st.sampled_from([0.0, 5.5, 40.0])),
            "converted": draw(st.sampled_from([None, True, False])),
        }
        for _ in range(n)
    ]
    return events(rows)


@given(event_logs(), st.randoms(use_true_random=False), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
@settings(max_examples=60)
def test_tiers_are_a_deterministic_function_of_the_data_and_thresholds(
    frame: pl.DataFrame, rnd: Any, mvc: float, mgc: float
) -> None:
    """Shuffling the rows changes nothing; the same data and thresholds always give the same tiers."""
    config = TierConfig(mvc_top_fraction=mvc, mgc_top_fraction=mgc, min_customers=2)
    order = list(range(frame.height))
    rnd.shuffle(order)
    first = assign_tiers(frame, as_of=AS_OF, config=config)
    assert_frame_equal(assign_tiers(frame[order], as_of=AS_OF, config=config), first)
    assert set(first["tier"]) <= {"mvc", "mgc", "standard", "below_zero"}
    assert first["customer_id"].to_list() == sorted(first["customer_id"].to_list())
