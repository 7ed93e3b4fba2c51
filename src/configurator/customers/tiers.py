"""Value tiers with their explanations: most valuable, most growable, standard and below-zero customers.

Computed in batch with polars over an events frame (the columns of ``events_frame``: tenant, event_id,
customer_id, type, channel, ts, amount, margin, cost, referred_customer_id, converted, rating). Events without a
customer id (anonymous only) and events after ``as_of`` are ignored. Each tenant is a separate shop: its
customers are modelled and ranked on their own.

For every customer (all numbers are in the explanation columns of the result):

* **CLV**: BG/NBD (repeat purchases) and Gamma-Gamma (margin per purchase) are fitted on the tenant's
  purchase history - purchases on the same UTC day are one purchase, time is measured in weeks by default -
  and the expected margin of the purchases over ``horizon_days`` is discounted at ``annual_discount_rate``
  (:func:`~configurator.customers.value.customer_lifetime_value`).
* **Collaborative value**: converted referrals, reviews and engagement events in the look-back window, each
  weighted in multiples of the mean margin per purchase
  (:class:`~configurator.customers.value.CollaborativeWeights`). **Value** = CLV + collaborative value.
* **Cost to serve**: support tickets' cost plus the lost margin of returns in the look-back window, set
  against the margin of the purchases in the same window.
* **Growth potential**: the margin of demand the customer has shown but not converted - quote requests,
  configurations and stated needs *since their last purchase* (in the look-back window), each weighted by an
  assumed conversion probability - times their expected margin per purchase and ``P(alive)``. Why this and not
  a share-of-wallet gap: the event log does not know what a customer spends elsewhere, but it does record
  intent that has not turned into orders, which is exactly what a sales rep can grow.

Tiers, first rule that fires wins:

1. ``below_zero``: cost to serve > ``below_zero_ratio`` x margin (and > 0): serve them at lower cost.
2. ``mvc``: value ranks in the top ``mvc_top_fraction`` of the tenant's profiled customers and is above
   ``mvc_min_value``: keep them.
3. ``mgc``: growth potential ranks in the top ``mgc_top_fraction`` and is above ``mgc_min_growth``: grow them.
4. ``standard``: everyone else.

Ranks are competition ranks (ties share the better rank) among the tenant's profiled customers, so the result
is a deterministic function of the events, ``as_of``, the objections and the configuration, whatever the
order of the rows.

Customers who objected to profiling are *listed*, with tier ``standard``, reason
``"profiling objection: catalog defaults"`` and no numbers: their events are not used to fit the models nor
to rank anyone, and nothing is learned about them.

Example:
    >>> import datetime as dt, polars as pl
    >>> day = lambda d: dt.datetime(2024, 1, d, tzinfo=dt.timezone.utc)
    >>> events = pl.DataFrame({
    ...     "tenant": "shop", "event_id": ["e1", "e2", "e3", "e4"], "customer_id": ["ann", "ann", "bob", "cy"],
    ...     "type": ["purchased", "purchased", "support_ticket", "purchased"], "channel": "web",
    ...     "ts": [day(1), day(20), day(5), day(9)], "amount": [100.0, 80.0, 0.0, 50.0],
    ...     "margin": [30.0, 25.0, 0.0, 10.0], "cost": [0.0, 0.0, 40.0, 0.0],
    ...     "referred_customer_id": None, "converted": None, "rating": None,
    ... })
    >>> tiers = assign_tiers(events, objections={"cy"}, config=TierConfig(mvc_top_fraction=0.5))
    >>> tiers.select("customer_id", "tier").rows()
    [('ann', 'mvc'), ('bob', 'below_zero'), ('cy', 'standard')]
    >>> tiers.filter(pl.col("customer_id") == "cy")["reason"].item()
    'profiling objection: catalog defaults'
"""

from __future__ import annotations

import datetime as dt
import math
import time
import warnings
from collections.abc import Collection, Mapping
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from configurator.customers.value import (
    BGNBDModel,
    CollaborativeWeights,
    ConvergenceWarning,
    GammaGammaModel,
    collaborative_value,
    customer_lifetime_value,
    discount_rate_per_period,
)
from configurator.errors import NotFittedError

__all__ = [
    "EVENT_COLUMNS",
    "OBJECTION_REASON",
    "TIERS",
    "TIER_COLUMNS",
    "TierAssigner",
    "TierConfig",
    "assign_tiers",
    "customer_features",
]

EVENT_COLUMNS: Mapping[str, pl.DataType] = {
    "tenant": pl.String(),
    "event_id": pl.String(),
    "customer_id": pl.String(),
    "type": pl.String(),
    "channel": pl.String(),
    "ts": pl.Datetime("us", "UTC"),
    "amount": pl.Float64(),
    "margin": pl.Float64(),
    "cost": pl.Float64(),
    "referred_customer_id": pl.String(),
    "converted": pl.Boolean(),
    "rating": pl.Int64(),
}
"""The events frame contract: column names and types (``events_frame`` of the storage layer)."""

TIERS = ("mvc", "mgc", "standard", "below_zero")
"""Tier names: most valuable, most growable, standard, below zero."""

OBJECTION_REASON = "profiling objection: catalog defaults"
"""The reason given to customers who objected to profiling."""

TIER_COLUMNS = (
    "tenant",
    "customer_id",
    "tier",
    "reason",
    "threshold",
    "value",
    "clv",
    "collaborative_value",
    "margin",
    "cost_to_serve",
    "support_cost",
    "returns_lost_margin",
    "growth_potential",
    "open_intent",
    "p_alive",
    "expected_purchases",
    "expected_margin_per_purchase",
    "frequency",
    "recency_days",
    "age_days",
    "converted_referrals",
    "reviews",
    "engagement",
    "value_rank",
    "value_percentile",
    "growth_rank",
    "growth_percentile",
    "ranked_customers",
)
"""Columns of the result, in order; every number behind an assignment is one of them (null for objections).

``margin``, ``cost_to_serve`` (= ``support_cost`` + ``returns_lost_margin``), the collaborative counts and
``open_intent`` are over the look-back window; ``frequency`` (repeat purchase days), ``recency_days`` and
``age_days`` describe the whole purchase history; ``value_percentile`` is the share of ranked customers at or
below the customer (1.0 for the top).
"""

FloatArray = npt.NDArray[np.float64]

_STRINGS = {"tenant", "customer_id", "tier", "reason", "threshold"}
_INTEGERS = {
    "frequency",
    "recency_days",
    "age_days",
    "converted_referrals",
    "reviews",
    "engagement",
    "value_rank",
    "growth_rank",
    "ranked_customers",
}
_SCHEMA: dict[str, pl.DataType] = {
    c: pl.String() if c in _STRINGS else pl.Int64() if c in _INTEGERS else pl.Float64() for c in TIER_COLUMNS
}


class TierConfig(BaseModel):
    """Thresholds and model settings of the tiers (all have defaults; a YAML/JSON mapping validates into it).

    Attributes:
        horizon_days: CLV horizon.
        periods: discounting periods in the horizon (12 = monthly for a year).
        annual_discount_rate: discount rate a year.
        time_unit_days: the models' time unit (7 = weeks, as in the BG/NBD literature).
        lookback_days: window for margin vs cost to serve, collaborative counts and open intent.
        mvc_top_fraction: share of ranked customers that can be ``mvc`` (by value).
        mvc_min_value: value an ``mvc`` must exceed.
        mgc_top_fraction: share of ranked customers that can be ``mgc`` (by growth potential).
        mgc_min_growth: growth potential an ``mgc`` must exceed.
        below_zero_ratio: ``below_zero`` when cost to serve > ratio x margin.
        collaborative: weights of referrals, reviews and engagement (multiples of the mean margin per purchase).
        engagement_types: event types that count as engagement.
        intent_weights: assumed probability that one event of each type turns into a purchase (open intent).
        penalizer: L2 penalty on the models' log-parameters (0 = plain maximum likelihood).
        min_customers: purchasers needed to fit BG/NBD (and repeat buyers for Gamma-Gamma); with fewer, the
            calibration rate and the observed mean margin are used instead, and a note says so.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    horizon_days: float = Field(365.0, gt=0)
    periods: int = Field(12, ge=1, le=520)
    annual_discount_rate: float = Field(0.10, ge=0, le=10)
    time_unit_days: float = Field(7.0, gt=0)
    lookback_days: float = Field(365.0, gt=0)
    mvc_top_fraction: float = Field(0.05, ge=0, le=1)
    mvc_min_value: float = 0.0
    mgc_top_fraction: float = Field(0.15, ge=0, le=1)
    mgc_min_growth: float = 0.0
    below_zero_ratio: float = Field(1.0, ge=0)
    collaborative: CollaborativeWeights = CollaborativeWeights()
    engagement_types: tuple[str, ...] = ("viewed", "configured", "quote_requested", "stated_need", "feedback")
    intent_weights: dict[str, float] = Field(
        default_factory=lambda: {"quote_requested": 0.3, "configured": 0.05, "stated_need": 0.1}
    )
    penalizer: float = Field(0.0, ge=0)
    min_customers: int = Field(10, ge=2)


# -- events -> one row per customer ------------------------------------------------------------------------


def _bounds(events: pl.DataFrame, as_of: dt.datetime | dt.date | None) -> tuple[dt.datetime, int]:
    """The exclusive upper bound of the events counted, and the UTC day number of the last day counted."""
    if as_of is None:
        latest = events.select(pl.col("ts").max()).item()
        end = (latest if latest is not None else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) + dt.timedelta(
            microseconds=1
        )
    elif isinstance(as_of, dt.datetime):
        moment = as_of if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)
        end = moment.astimezone(dt.UTC) + dt.timedelta(microseconds=1)
    else:
        end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    last = end - dt.timedelta(microseconds=1)
    return end, (last - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).days


def _check_columns(events: pl.DataFrame) -> None:
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise ValueError(
            f"events: missing columns {', '.join(missing)} (expected {', '.join(EVENT_COLUMNS)})"
        )


def customer_features(
    events: pl.DataFrame,
    *,
    as_of: dt.datetime | dt.date | None = None,
    config: TierConfig | None = None,
) -> pl.DataFrame:
    """One row per (tenant, customer) with the purchase history and the look-back sums, sorted by both.

    Columns: tenant, customer_id, first_day, last_day (UTC day numbers of the first and last purchase),
    purchase_days, last_purchase_ts, margin_total, margin_first (margin of the first purchase day), margin
    (look-back), returns_lost_margin, support_cost, converted_referrals, reviews, engagement, open_intent,
    age_days (from the first purchase to ``as_of``'s day; null without purchases). Money sums are rounded to
    1e-6 so that they do not depend on the order of the rows.

    Three lazy queries collected together: purchases per day then per customer, one group-by of conditional
    sums over all events, and the intent events after each customer's last purchase (a join). A single
    group-by with nested per-group conditions (``day == first_day``) measured twice as slow.
    """
    cfg = config or TierConfig()
    _check_columns(events)
    end, end_day = _bounds(events, as_of)
    start = end - dt.timedelta(days=cfg.lookback_days)
    keys = ["tenant", "customer_id"]
    ev = (
        events.lazy()
        .select(
            pl.col("tenant").cast(pl.String),
            pl.col("customer_id").cast(pl.String),
            pl.col("type").cast(pl.String),
            pl.col("ts").cast(pl.Datetime("us", "UTC")),
            pl.col("margin").cast(pl.Float64).fill_null(0.0),
            pl.col("cost").cast(pl.Float64).fill_null(0.0),
            pl.col("converted").cast(pl.Boolean).fill_null(False),
        )
        .filter(pl.col("customer_id").is_not_null() & (pl.col("ts") < end))
        .with_columns(recent=pl.col("ts") >= start)
    )
    typ, recent = pl.col("type"), pl.col("recent")
    purchased = typ == "purchased"
    per_day = (
        ev.filter(purchased)
        .group_by([*keys, pl.col("ts").dt.epoch("d").alias("day")])
        .agg(pl.col("margin").sum(), pl.col("ts").max().alias("last_ts"))
    )
    purchases = per_day.group_by(keys).agg(
        pl.col("day").min().alias("first_day"),
        pl.col("day").max().alias("last_day"),
        pl.len().cast(pl.Int64).alias("purchase_days"),
        pl.col("last_ts").max().alias("last_purchase_ts"),
        pl.col("margin").sum().alias("margin_total"),
        pl.col("margin").sort_by("day").first().alias("margin_first"),
    )

    def total(column: str, condition: pl.Expr) -> pl.Expr:
        return pl.col(column).filter(condition).sum()

    def count(condition: pl.Expr) -> pl.Expr:
        return condition.sum().cast(pl.Int64)

    sums = ev.group_by(keys).agg(
        total("margin", purchased & recent).alias("margin"),
        total("margin", (typ == "returned") & recent).alias("returns_lost_margin"),
        total("cost", (typ == "support_ticket") & recent).alias("support_cost"),
        count((typ == "referral") & pl.col("converted") & recent).alias("converted_referrals"),
        count((typ == "review") & recent).alias("reviews"),
        count(typ.is_in(list(cfg.engagement_types)) & recent).alias("engagement"),
    )
    weights = {k: float(v) for k, v in cfg.intent_weights.items() if v}
    if weights:
        intents = (
            ev.filter(typ.is_in(list(weights)) & recent)
            .select(*keys, "type", "ts")
            .join(purchases.select(*keys, "last_purchase_ts"), on=keys, how="left")
            .filter(pl.col("last_purchase_ts").is_null() | (pl.col("ts") > pl.col("last_purchase_ts")))
            .group_by(keys)
            .agg(typ.replace_strict(weights, return_dtype=pl.Float64).sum().alias("open_intent"))
        )
    else:
        intents = sums.select(*keys).with_columns(open_intent=pl.lit(0.0))
    money = ["margin_total", "margin_first", "margin", "returns_lost_margin", "support_cost"]
    frame = (
        sums.join(purchases, on=keys, how="left")
        .join(intents, on=keys, how="left")
        .with_columns(
            pl.col("open_intent").fill_null(0.0).round(9),
            (pl.lit(end_day, pl.Int64) - pl.col("first_day").cast(pl.Int64)).alias("age_days"),
            pl.col("first_day").cast(pl.Int64),
            pl.col("last_day").cast(pl.Int64),
            pl.col("purchase_days").fill_null(0),
            *(pl.col(c).fill_null(0.0).round(6) for c in money),
        )
        .sort(keys)
    )
    return frame.collect()


# -- the assigner -------------------------------------------------------------------------------------------


def _distinct(*columns: FloatArray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray]:
    """Rows of the distinct whole-number tuples, the index of each row's tuple, and each tuple's count."""
    if not columns[0].size:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    ints = [c.astype(np.int64) for c in columns]
    if math.prod(int(c.max()) + 1 for c in ints) < 2**62:  # one mixed-radix int64 key: a fast 1-d unique
        key = np.zeros(ints[0].size, dtype=np.int64)
        for column in ints:
            key = key * (int(column.max()) + 1) + column
        _, rows, inverse, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    else:  # pragma: no cover - histories of millions of days
        _, rows, inverse, counts = np.unique(
            np.column_stack(ints), axis=0, return_index=True, return_inverse=True, return_counts=True
        )
    return rows, inverse.reshape(-1), counts.astype(np.float64)


def _competition_rank(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """1 + the number of values strictly greater (ties share the better rank); order-free."""
    ordered = np.sort(values)
    greater = values.size - np.searchsorted(ordered, values, side="right")
    result: npt.NDArray[np.int64] = (greater + 1).astype(np.int64)
    return result


class TierAssigner:
    """Fits the value models on an events frame and assigns every customer a tier with its explanation.

    Follows the scikit-learn habit: configuration in ``__init__``, ``fit()`` returns the assigner, learned
    state ends in ``_``.

    Args:
        config: thresholds and model settings.

    Attributes:
        assignments_: the result frame (columns :data:`TIER_COLUMNS`), sorted by tenant and customer id.
        models_: per tenant, the fitted ``(BGNBDModel | None, GammaGammaModel | None)``; None where the data
            were too thin to fit (the note says what was used instead).
        notes_: what the fit had to fall back on, one line per event (empty when the models fitted).
        as_of_: the exclusive upper bound of the events counted.
        timings_: seconds spent per stage (features, fits, predictions, ranks, explanations).
    """

    def __init__(self, config: TierConfig | None = None) -> None:
        self.config = config

    def fit(
        self,
        events: pl.DataFrame,
        *,
        as_of: dt.datetime | dt.date | None = None,
        objections: Collection[str] = (),
    ) -> Self:
        """Compute features, fit the models per tenant, and assign the tiers.

        Args:
            events: the events frame (:data:`EVENT_COLUMNS`).
            as_of: count events up to this moment (a date counts its whole UTC day); default: the latest event.
            objections: ids of customers who objected to profiling.
        """
        cfg = self.config or TierConfig()
        _check_columns(events)
        self.as_of_ = _bounds(events, as_of)[0]
        self.timings_: dict[str, float] = {}
        clock = time.perf_counter()
        features = customer_features(events, as_of=as_of, config=cfg)
        self.timings_["features (polars group-bys)"] = time.perf_counter() - clock
        objected = pl.col("customer_id").is_in(list(objections)) if objections else pl.lit(False)
        profiled = features.filter(~objected)
        skipped = features.filter(objected).select("tenant", "customer_id")
        self.models_: dict[str, tuple[BGNBDModel | None, GammaGammaModel | None]] = {}
        self.notes_: list[str] = []
        parts = [
            self._assign(tenant, part, cfg)
            for tenant, part in (
                (str(key[0]), group) for key, group in profiled.partition_by("tenant", as_dict=True).items()
            )
        ]
        given = {"tier": "standard", "reason": OBJECTION_REASON, "threshold": "profiling objection"}
        objection_rows = skipped.select(
            pl.col(c).cast(dtype) if c in skipped.columns else pl.lit(given.get(c), dtype).alias(c)
            for c, dtype in _SCHEMA.items()
        )
        clock = time.perf_counter()
        self.assignments_ = pl.concat([*parts, objection_rows], how="vertical").sort("tenant", "customer_id")
        self._tick("assemble and sort", clock)
        return self

    def explain(self, customer_id: str, tenant: str | None = None) -> dict[str, Any]:
        """The assignment of one customer as a mapping of :data:`TIER_COLUMNS` to values.

        Raises:
            NotFittedError: before ``fit()``.
            KeyError: the customer has no assignment (no events, or only anonymous ones).
        """
        if not hasattr(self, "assignments_"):
            raise NotFittedError("TierAssigner is not fitted yet; call fit() first")
        rows = self.assignments_.filter(pl.col("customer_id") == customer_id)
        if tenant is not None:
            rows = rows.filter(pl.col("tenant") == tenant)
        if rows.height != 1:
            raise KeyError(f"{customer_id!r}: {'no' if rows.height == 0 else 'more than one'} assignment")
        return rows.row(0, named=True)

    def _models(
        self,
        tenant: str,
        histories: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
        x: FloatArray,
        m: FloatArray,
        cfg: TierConfig,
    ) -> tuple[BGNBDModel | None, GammaGammaModel | None]:
        bg: BGNBDModel | None = None
        gg: GammaGammaModel | None = None
        if x.size >= cfg.min_customers and np.any(x > 0):
            bg = _fit_quietly(BGNBDModel(penalizer=cfg.penalizer), self.notes_, tenant, *histories)
        else:
            self.notes_.append(
                f"{tenant}: {x.size} purchasers, {int(np.sum(x > 0))} with repeat purchases: too few to fit "
                f"BG/NBD (min_customers={cfg.min_customers}); expected purchases extrapolate each customer's rate"
            )
        repeaters = int(np.sum((x > 0) & (m > 0)))
        if repeaters >= cfg.min_customers:
            gg = _fit_quietly(GammaGammaModel(penalizer=cfg.penalizer), self.notes_, tenant, x, m)
            if gg is not None and gg.q_ <= 1:
                self.notes_.append(
                    f"{tenant}: Gamma-Gamma q <= 1 (no population mean); using observed margins"
                )
                gg = None
        else:
            self.notes_.append(
                f"{tenant}: {repeaters} repeat buyers with positive margin: too few to fit Gamma-Gamma; "
                "using observed mean margins"
            )
        self.models_[tenant] = (bg, gg)
        return bg, gg

    def _assign(self, tenant: str, features: pl.DataFrame, cfg: TierConfig) -> pl.DataFrame:
        n = features.height
        buyers = features["purchase_days"].to_numpy() > 0
        unit = cfg.time_unit_days
        x_all = np.maximum(features["purchase_days"].to_numpy().astype(np.float64) - 1, 0.0)
        first = features["first_day"].fill_null(0).to_numpy().astype(np.float64)
        last = features["last_day"].fill_null(0).to_numpy().astype(np.float64)
        age_days = features["age_days"].fill_null(0).to_numpy().astype(np.float64)
        margin_total = features["margin_total"].to_numpy()
        margin_first = features["margin_first"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            m_all = np.where(x_all > 0, (margin_total - margin_first) / x_all, 0.0)
        x, t_x, age, m = x_all[buyers], (last - first)[buyers] / unit, age_days[buyers] / unit, m_all[buyers]
        # Customers with the same (x, recency, age) in whole days share the BG/NBD likelihood and predictions:
        # fit and predict once per distinct history (a third of the customers at 1M scale), then gather.
        rows, inverse, counts = _distinct(x, (last - first)[buyers], age_days[buyers])
        hx, ht, hage = x[rows], t_x[rows], age[rows]
        clock = time.perf_counter()
        bg, gg = self._models(tenant, (hx, ht, hage, counts), x, m, cfg)
        clock = self._tick("fit BG/NBD and Gamma-Gamma", clock)

        # expected margin per future purchase
        observed_mean = float(
            margin_total[buyers].sum() / max(features["purchase_days"].to_numpy()[buyers].sum(), 1)
        )
        per_purchase, expected, unit_value = _margin_per_purchase(gg, x, m, buyers, observed_mean)
        p_alive, purchases, clv = _lifetime(bg, (hx, ht, hage, inverse), (x, age), expected, buyers, cfg)

        clock = self._tick("predict P(alive), purchases, CLV", clock)
        collab = collaborative_value(
            features["converted_referrals"].to_numpy(),
            features["reviews"].to_numpy(),
            features["engagement"].to_numpy(),
            unit_value=max(unit_value, 0.0) if math.isfinite(unit_value) else 0.0,
            weights=cfg.collaborative,
        )
        value = clv + collab
        open_intent = features["open_intent"].to_numpy()
        growth = p_alive * np.maximum(per_purchase, 0.0) * open_intent
        cost = features["support_cost"].to_numpy() + features["returns_lost_margin"].to_numpy()
        tier, value_rank, growth_rank, mvc_cut, mgc_cut = _rule_tiers(
            value, growth, cost, features["margin"].to_numpy(), cfg
        )

        frame = features.select(
            "tenant",
            "customer_id",
            "margin",
            "support_cost",
            "returns_lost_margin",
            "converted_referrals",
            "reviews",
            "engagement",
            "open_intent",
            (pl.col("purchase_days") - 1).clip(lower_bound=0).alias("frequency"),
            (pl.col("last_day") - pl.col("first_day")).alias("recency_days"),
            "age_days",
        ).with_columns(
            pl.Series("tier", tier, pl.String),
            pl.Series("value", value),
            pl.Series("clv", clv),
            pl.Series("collaborative_value", collab),
            pl.Series("cost_to_serve", cost),
            pl.Series("growth_potential", growth),
            pl.Series("p_alive", p_alive),
            pl.Series("expected_purchases", purchases),
            pl.Series("expected_margin_per_purchase", per_purchase),
            pl.Series("value_rank", value_rank),
            pl.Series("value_percentile", (n - value_rank + 1) / n),
            pl.Series("growth_rank", growth_rank),
            pl.Series("growth_percentile", (n - growth_rank + 1) / n),
            pl.lit(n, pl.Int64).alias("ranked_customers"),
        )
        clock = self._tick("value, growth, ranks, tiers", clock)
        result = _explain(frame, cfg, mvc_cut, mgc_cut).select(pl.col(c).cast(t) for c, t in _SCHEMA.items())
        self._tick("explanations", clock)
        return result

    def _tick(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.timings_[stage] = self.timings_.get(stage, 0.0) + now - since
        return now


def _rule_tiers(
    value: npt.NDArray[np.float64],
    growth: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    margin: npt.NDArray[np.float64],
    cfg: TierConfig,
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int64], npt.NDArray[np.int64], int, int]:
    """The tier rules, first that fires wins: the tiers, the value and growth ranks and the two rank cuts."""
    n = value.shape[0]
    value_rank = _competition_rank(value)
    growth_rank = _competition_rank(growth)
    mvc_cut = math.ceil(cfg.mvc_top_fraction * n - 1e-9)
    mgc_cut = math.ceil(cfg.mgc_top_fraction * n - 1e-9)
    below = (cost > 0) & (cost > cfg.below_zero_ratio * margin)
    mvc = ~below & (value_rank <= mvc_cut) & (value > cfg.mvc_min_value)
    mgc = ~below & ~mvc & (growth_rank <= mgc_cut) & (growth > cfg.mgc_min_growth)
    tier = np.select([below, mvc, mgc], ["below_zero", "mvc", "mgc"], "standard")
    return tier, value_rank, growth_rank, mvc_cut, mgc_cut


def _margin_per_purchase(
    gg: GammaGammaModel | None,
    x: npt.NDArray[np.float64],
    m: npt.NDArray[np.float64],
    buyers: npt.NDArray[np.bool_],
    observed_mean: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """Each customer's expected margin per future purchase, the buyers' values, and the population's.

    Gamma-Gamma shrinks a repeat buyer's mean margin towards the population mean when it was fitted; otherwise
    the observed means stand. Customers without a purchase get the population value.
    """
    per_purchase = np.zeros(buyers.shape[0])
    if gg is not None:
        unit_value = float(gg.population_mean_)
        expected = gg.expected_average_value(x, np.where(m > 0, m, 0.0))
        expected = np.where((x > 0) & (m <= 0), m, expected)
    else:
        unit_value = observed_mean
        expected = np.where(x > 0, m, unit_value)
    per_purchase[buyers] = expected
    per_purchase[~buyers] = unit_value
    return per_purchase, expected, unit_value


def _lifetime(
    bg: BGNBDModel | None,
    histories: tuple[
        npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.intp]
    ],
    buyers_xa: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
    expected: npt.NDArray[np.float64],
    buyers: npt.NDArray[np.bool_],
    cfg: TierConfig,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """P(alive), expected purchases and CLV over the horizon for every customer.

    ``histories`` are the distinct (frequency, recency, age) histories and the index of each buyer's; the
    BG/NBD predictions run once per distinct history. Without a fitted BG/NBD (too few customers), each
    customer's own purchase rate is spread evenly over the periods.
    """
    hx, ht, hage, inverse = histories
    x, age = buyers_xa
    n = buyers.shape[0]
    horizon = cfg.horizon_days / cfg.time_unit_days
    p_alive = np.ones(n)
    purchases = np.zeros(n)
    clv = np.zeros(n)
    rate = discount_rate_per_period(cfg.annual_discount_rate, cfg.horizon_days / cfg.periods / 365.25)
    if bg is not None and x.size:
        p_alive[buyers] = bg.p_alive(hx, ht, hage)[inverse]
        purchases[buyers] = bg.expected_purchases(hx, ht, hage, horizon)[inverse]
        per_unit = customer_lifetime_value(  # CLV is linear in the margin: once per history, then scale
            bg, hx, ht, hage, 1.0, horizon=horizon, periods=cfg.periods, discount_rate=rate
        )
        clv[buyers] = per_unit[inverse] * expected
    elif x.size:
        with np.errstate(divide="ignore", invalid="ignore"):
            naive = np.where(age > 0, x / age * horizon, 0.0)
        discount = sum((1 + rate) ** -k for k in range(1, cfg.periods + 1)) / cfg.periods
        purchases[buyers] = naive
        clv[buyers] = naive * expected * discount
    return p_alive, purchases, clv


def _fit_quietly(model: Any, notes: list[str], tenant: str, *data: npt.NDArray[np.float64]) -> Any:
    """Fit, turning a convergence warning into a note (the parameters are still the best found)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(*data)
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            notes.append(f"{tenant}: {warning.message}")
        else:  # pragma: no cover - re-raise anything unexpected
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return model


def _money(column: str) -> pl.Expr:
    return pl.col(column).round(2).cast(pl.String)


def _explain(frame: pl.DataFrame, cfg: TierConfig, mvc_cut: int, mgc_cut: int) -> pl.DataFrame:
    """Add the reason (a sentence with the numbers) and the threshold that fired."""
    lookback = f"{cfg.lookback_days:g} days"
    mvc_pct = f"{100 * cfg.mvc_top_fraction:g}%"
    mgc_pct = f"{100 * cfg.mgc_top_fraction:g}%"
    tier = pl.col("tier")
    reason = (
        pl.when(tier == "below_zero")
        .then(
            pl.format(
                "cost to serve {} (support {} + returns {}) exceeds {} x margin {} over the last " + lookback,
                _money("cost_to_serve"),
                _money("support_cost"),
                _money("returns_lost_margin"),
                pl.lit(f"{cfg.below_zero_ratio:g}"),
                _money("margin"),
            )
        )
        .when(tier == "mvc")
        .then(
            pl.format(
                "value {} (CLV {} + collaborative {}) ranks {} of {}: in the top " + mvc_pct,
                _money("value"),
                _money("clv"),
                _money("collaborative_value"),
                "value_rank",
                "ranked_customers",
            )
        )
        .when(tier == "mgc")
        .then(
            pl.format(
                "growth potential {} (open intent {} purchases x margin {} x P(alive) {}) ranks {} of {}: in the "
                "top " + mgc_pct,
                _money("growth_potential"),
                pl.col("open_intent").round(2).cast(pl.String),
                _money("expected_margin_per_purchase"),
                pl.col("p_alive").round(3).cast(pl.String),
                "growth_rank",
                "ranked_customers",
            )
        )
        .otherwise(
            pl.format(
                "value {} ranks {} of {} (mvc needs rank <= {}); growth potential {} ranks {} (mgc needs rank <= {})",
                _money("value"),
                "value_rank",
                "ranked_customers",
                pl.lit(str(mvc_cut)),
                _money("growth_potential"),
                "growth_rank",
                pl.lit(str(mgc_cut)),
            )
        )
    )
    threshold = (
        pl.when(tier == "below_zero")
        .then(pl.lit(f"cost_to_serve > {cfg.below_zero_ratio:g} x margin"))
        .when(tier == "mvc")
        .then(pl.lit(f"value_rank <= {mvc_cut} (top {mvc_pct}) and value > {cfg.mvc_min_value:g}"))
        .when(tier == "mgc")
        .then(
            pl.lit(f"growth_rank <= {mgc_cut} (top {mgc_pct}) and growth_potential > {cfg.mgc_min_growth:g}")
        )
        .otherwise(pl.lit("none"))
    )
    return frame.with_columns(reason=reason, threshold=threshold).select(TIER_COLUMNS)


def assign_tiers(
    events: pl.DataFrame,
    *,
    as_of: dt.datetime | dt.date | None = None,
    objections: Collection[str] = (),
    config: TierConfig | None = None,
) -> pl.DataFrame:
    """Tiers with explanations for every customer in ``events`` (columns :data:`TIER_COLUMNS`).

    A shortcut for ``TierAssigner(config).fit(events, as_of=as_of, objections=objections).assignments_``.
    """
    return TierAssigner(config).fit(events, as_of=as_of, objections=objections).assignments_
