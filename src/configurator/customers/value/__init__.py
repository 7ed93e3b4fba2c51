"""Customer value: RFM scores, BG/NBD and Gamma-Gamma models, lifetime value and collaborative value.

Everything here works on numpy arrays, one element per customer, and is vectorised: no Python loop runs per
customer (loops run over CLV periods or distinct purchase counts at most). Time is in whatever unit the caller chooses (CDNOW
uses weeks); fitted parameters and predictions are in that unit.

* **RFM** (:func:`rfm_scores`): recency, frequency and monetary quantile scores 1..``bins``.
* **BG/NBD** (:class:`BGNBDModel`, Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while
  alive a customer buys at rate ``lambda ~ Gamma(r, alpha)`` and after every purchase drops out with
  probability ``p ~ Beta(a, b)``. Fitted by maximum likelihood on log-parameters with an analytic gradient.
  Predicts expected purchases in ``(T, T + h]``, ``P(alive)`` and the likelihood of each customer's history.
* **Gamma-Gamma** (:class:`GammaGammaModel`, Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves"):
  the average value of a customer's repeat purchases, shrunk towards the population mean.
* **CLV** (:func:`customer_lifetime_value`): expected margin per purchase times expected purchases per period,
  discounted, summed over a horizon.
* **Collaborative value** (:func:`collaborative_value`, :class:`CollaborativeWeights`): what a customer is
  worth to us beyond their own purchases - converted referrals, reviews, engagement - each with a weight,
  added to the monetary CLV.

Inputs follow the BG/NBD convention: ``frequency`` is the number of *repeat* purchases (purchases on distinct
days after the first), ``recency`` is the age of the customer at their last purchase (0 when there was none)
and ``T`` is the customer's age at the end of observation; ``0 <= recency <= T``.

Example:
    >>> import numpy as np
    >>> model = BGNBDModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> float(np.round(model.expected_purchases(2, 30.43, 38.86, horizon=39), 3))
    1.226
    >>> float(model.p_alive(0, 0.0, 38.86))
    1.0
"""

from __future__ import annotations

from configurator.customers.value.measures import (
    CollaborativeWeights,
    RFMScores,
    TransactionSummary,
    collaborative_value,
    customer_lifetime_value,
    discount_rate_per_period,
    rfm_scores,
    summarize_transactions,
)
from configurator.customers.value.models import BGNBDModel, ConvergenceWarning, GammaGammaModel

__all__ = [
    "BGNBDModel",
    "CollaborativeWeights",
    "ConvergenceWarning",
    "GammaGammaModel",
    "RFMScores",
    "TransactionSummary",
    "collaborative_value",
    "customer_lifetime_value",
    "discount_rate_per_period",
    "rfm_scores",
    "summarize_transactions",
]
