"""Lifetime value, collaborative value, RFM scores and transaction summaries over the fitted models."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from configurator.customers.value.arrays import (
    FloatArray,
    IntArray,
    _floats,
    _history,
    _shape,
)
from configurator.customers.value.models import BGNBDModel

__all__ = [
    "CollaborativeWeights",
    "RFMScores",
    "TransactionSummary",
    "collaborative_value",
    "customer_lifetime_value",
    "discount_rate_per_period",
    "rfm_scores",
    "summarize_transactions",
]


def discount_rate_per_period(annual_rate: float, period_years: float) -> float:
    """The discount rate of one period of ``period_years`` years equivalent to ``annual_rate`` a year.

    Example:
        >>> round(discount_rate_per_period(0.10, 1 / 12), 6)
        0.007974
    """
    if annual_rate <= -1:
        raise ValueError(f"annual_rate: expected > -1, got {annual_rate!r}")
    return float((1 + annual_rate) ** period_years - 1)


def customer_lifetime_value(
    purchases: BGNBDModel,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    margin_per_purchase: npt.ArrayLike,
    *,
    horizon: float,
    periods: int = 12,
    discount_rate: float = 0.0,
) -> FloatArray:
    """Discounted expected margin of each customer's purchases over ``horizon`` (in the model's time unit).

    The horizon is cut into ``periods`` equal periods; the margin of the purchases expected in period ``k``
    is discounted by ``(1 + discount_rate) ** k`` (end-of-period convention, as in ``lifetimes``)::

        CLV = sum_k  m * (E[Y(k h/K)] - E[Y((k-1) h/K)]) / (1 + d)^k

    ``margin_per_purchase`` is the expected margin (or revenue) of one future purchase, e.g. from
    :meth:`GammaGammaModel.expected_average_value`. CLV is linear in it.

    Example:
        >>> model = BGNBDModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> clv = customer_lifetime_value(model, [0, 2], [0, 30.43], [38.86, 38.86], [35.0, 24.7], horizon=52)
        >>> [round(float(v), 2) for v in clv]
        [8.82, 38.5]
    """
    if periods < 1:
        raise ValueError(f"periods: expected at least 1, got {periods}")
    if not horizon >= 0:
        raise ValueError(f"horizon: expected a length of time >= 0, got {horizon!r}")
    x, t_x, age = _history(frequency, recency, T)
    margin = np.broadcast_to(_floats(margin_per_purchase, "margin_per_purchase"), x.shape)
    step = horizon / periods
    total = np.zeros(x.shape)
    previous = np.zeros(x.shape)
    for k in range(1, periods + 1):  # a loop over periods, each step vectorised over customers
        current = purchases.expected_purchases(x, t_x, age, k * step)
        total += (current - previous) / (1 + discount_rate) ** k
        previous = current
    result: FloatArray = total * margin
    return result.reshape(_shape(frequency, recency, T, margin_per_purchase))


@dataclass(frozen=True, slots=True)
class CollaborativeWeights:
    """Weights of the collaborative value, in multiples of a *unit value* (e.g. the mean margin per order).

    A customer is worth more than their own purchases when they bring us customers, help other customers
    decide, and tell us what they need. Expressing the weights as multiples of a unit value keeps them
    independent of currency and shop size; :func:`collaborative_value` multiplies by the unit.

    Attributes:
        referral: per converted referral (someone they referred who bought). 1.0 = one average order's
            margin, a conservative credit that ignores the referred customer's own future.
        review: per review written (any rating: a critical review informs other customers too).
        engagement: per engagement event (views, configurations, stated needs, feedback...).
        engagement_cap: engagement events counted at most (so that bots and heavy browsers do not dominate).
    """

    referral: float = 1.0
    review: float = 0.1
    engagement: float = 0.01
    engagement_cap: float = 100.0

    def __post_init__(self) -> None:
        """Reject negative weights: collaborative value only adds."""
        for name in ("referral", "review", "engagement", "engagement_cap"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name}: expected a number >= 0, got {value!r}")


def collaborative_value(
    converted_referrals: npt.ArrayLike,
    reviews: npt.ArrayLike,
    engagement: npt.ArrayLike,
    *,
    unit_value: float,
    weights: CollaborativeWeights | None = None,
) -> FloatArray:
    """``unit_value * (w_ref * referrals + w_rev * reviews + w_eng * min(engagement, cap))`` per customer.

    Example:
        >>> collaborative_value([2, 0], [1, 0], [300, 5], unit_value=40.0).round(2).tolist()
        [124.0, 2.0]
    """
    w = weights or CollaborativeWeights()
    refs, revs, eng = np.broadcast_arrays(
        _floats(converted_referrals, "converted_referrals"),
        _floats(reviews, "reviews"),
        _floats(engagement, "engagement"),
    )
    if np.any(refs < 0) or np.any(revs < 0) or np.any(eng < 0):
        raise ValueError("expected counts >= 0")
    result: FloatArray = unit_value * (
        w.referral * refs + w.review * revs + w.engagement * np.minimum(eng, w.engagement_cap)
    )
    return result


@dataclass(frozen=True, slots=True)
class RFMScores:
    """Quantile scores 1..bins for recency (recent is high), frequency and monetary value, and the cell.

    Attributes:
        recency, frequency, monetary: integer scores per customer.
        cell: ``100 * recency + 10 * frequency + monetary`` (555 is the best cell with 5 bins).
    """

    recency: IntArray
    frequency: IntArray
    monetary: IntArray

    @property
    def cell(self) -> IntArray:
        """The RFM cell code of each customer."""
        result: IntArray = 100 * self.recency + 10 * self.frequency + self.monetary
        return result


def _quantile_score(values: FloatArray, bins: int) -> IntArray:
    """Score 1..bins by rank; tied values share a score (average rank), so the score is order-free."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    ranks = stats.rankdata(values, method="average")
    scores = np.ceil(ranks * bins / values.size - 1e-9).astype(np.int64)
    result: IntArray = np.clip(scores, 1, bins)
    return result


def rfm_scores(
    time_since_last: npt.ArrayLike, frequency: npt.ArrayLike, monetary: npt.ArrayLike, *, bins: int = 5
) -> RFMScores:
    """RFM quantile scores: less time since the last purchase, more purchases and more value score higher.

    ``time_since_last`` is the time since the last purchase (``T - recency`` in BG/NBD terms).

    Example:
        >>> s = rfm_scores([1, 30, 200, 5, 90], [6, 2, 0, 4, 1], [80, 20, 15, 50, 30])
        >>> s.cell.tolist()
        [555, 332, 111, 444, 223]
    """
    if bins < 1:
        raise ValueError(f"bins: expected at least 1, got {bins}")
    recency, freq, money = np.broadcast_arrays(
        _floats(time_since_last, "time_since_last"),
        _floats(frequency, "frequency"),
        _floats(monetary, "monetary"),
    )
    return RFMScores(
        recency=_quantile_score(-recency, bins),
        frequency=_quantile_score(freq, bins),
        monetary=_quantile_score(money, bins),
    )


@dataclass(frozen=True, slots=True)
class TransactionSummary:
    """Per-customer BG/NBD inputs summarised from transactions (one element per customer).

    Attributes:
        customers: the customer ids, sorted.
        frequency: repeat purchases (distinct purchase times after the first).
        recency: time from the first to the last purchase.
        T: time from the first purchase to the end of observation.
        monetary_value: mean value of the repeat purchases (0 without any).
        first_value: value of the first purchase.
    """

    customers: npt.NDArray[Any]
    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary_value: FloatArray
    first_value: FloatArray


def summarize_transactions(
    customers: npt.ArrayLike,
    times: npt.ArrayLike,
    values: npt.ArrayLike | None = None,
    *,
    observation_end: float,
) -> TransactionSummary:
    """Summarise transactions into frequency, recency, T and mean repeat value per customer (vectorised).

    Transactions of one customer at the same time (e.g. the same day, when times are whole days) count as one
    purchase whose value is their sum, as in Fader and Hardie's CDNOW analyses. Transactions after
    ``observation_end`` are ignored; customers whose first purchase is later are left out.

    Example:
        >>> s = summarize_transactions(["a", "a", "a", "b"], [0, 0, 3, 1], [5, 5, 20, 9], observation_end=7)
        >>> s.frequency.tolist(), s.recency.tolist(), s.T.tolist(), s.monetary_value.tolist()
        ([1.0, 0.0], [3.0, 0.0], [7.0, 6.0], [20.0, 0.0])
    """
    ids = np.asarray(customers)
    t = _floats(times, "times")
    v = np.zeros(t.shape) if values is None else _floats(values, "values")
    if not (ids.shape == t.shape == v.shape) or ids.ndim != 1:
        raise ValueError("customers, times and values: expected 1-d arrays of the same length")
    keep = t <= observation_end
    ids, t, v = ids[keep], t[keep], v[keep]
    order = np.lexsort((t, ids))
    ids, t, v = ids[order], t[order], v[order]
    # one purchase per (customer, time)
    new_purchase = np.ones(ids.size, dtype=bool)
    new_purchase[1:] = (ids[1:] != ids[:-1]) | (t[1:] != t[:-1])
    starts = np.flatnonzero(new_purchase)
    p_ids, p_t = ids[starts], t[starts]
    p_v = np.add.reduceat(v, starts) if v.size else v
    new_customer = np.ones(p_ids.size, dtype=bool)
    new_customer[1:] = p_ids[1:] != p_ids[:-1]
    c_starts = np.flatnonzero(new_customer)
    n_purchases = np.diff(np.append(c_starts, p_ids.size))
    first_t = p_t[c_starts]
    last_t = p_t[np.append(c_starts[1:], p_ids.size) - 1] if p_ids.size else p_t
    total_v = np.add.reduceat(p_v, c_starts) if p_v.size else p_v
    first_v = p_v[c_starts]
    frequency = (n_purchases - 1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, (total_v - first_v) / frequency, 0.0)
    return TransactionSummary(
        customers=p_ids[c_starts],
        frequency=frequency,
        recency=(last_t - first_t).astype(np.float64),
        T=(observation_end - first_t).astype(np.float64),
        monetary_value=monetary.astype(np.float64),
        first_value=first_v.astype(np.float64),
    )
