"""Learned needs: what people like this customer choose (the population), and what this customer showed us.

The population models (:mod:`configurator.needs.models`) learn ``P(value | partial configuration)`` from sold
configurations. :class:`CustomerNeeds` is one customer's model: the population's answer times
``exp(evidence)``, where the evidence of a value is the sum of this customer's signals for it (purchases weigh
more than configurations, configurations more than views; rejected and returned options count against; stated
needs are strong, or hard when their importance is 1). The sum is commutative, so the model is the same
whatever the order of the events (competing hard needs on one variable are resolved by timestamp, then event
id, never by arrival). An update is a dictionary addition (microseconds). A customer who objected to profiling
gets the population model only: nothing is learned.

Cold start: a customer with no history gets the population model, or their segment's
(:func:`fit_segments`).

Outputs: ranked recommendations for an undecided variable among the values still valid
(:meth:`CustomerNeeds.recommend`), and objective weights (:meth:`CustomerNeeds.preferences`:
log-probabilities per value, which ``configurator.assembly.needs`` turns into solver ``Weights``).

Example:
    >>> from configurator.needs.models import SimilarityNeeds
    >>> sales = [{"body": 1, "color": 2}] * 2 + [{"body": 2, "color": 3}] * 2 + [{"body": 2}]
    >>> population = SimilarityNeeds().fit(sales, {"body": (1, 2), "color": (1, 2, 3)})
    >>> me = CustomerNeeds(population).observe(Evidence("color", 1, "purchased", "o-1"))
    >>> me.recommend("color", {"body": 2})[0][0], me.why("color", 1)
    (1, ['o-1'])
    >>> CustomerNeeds(population, profiling=False).observe(Evidence("color", 1, "purchased")).recommend(
    ...     "color", {"body": 2})[0][0]
    3
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Self

from configurator.errors import ConfiguratorError
from configurator.needs.models import NeedsModel, ranked
from configurator.needs.network import BayesianNetworkNeeds

__all__ = ["DEFAULT_STRENGTHS", "CustomerNeeds", "Evidence", "fit_segments"]

DEFAULT_STRENGTHS: Mapping[str, float] = {
    "purchased": 3.0,
    "configured": 1.0,
    "quote_requested": 1.0,
    "viewed": 0.25,
    "transferred": 1.0,
    "stated": 4.0,
    "rejected": -2.0,
    "returned": -2.0,
}
"""Evidence weight (log-odds) of one signal of each kind; stated needs are scaled by their importance."""


@dataclasses.dataclass(frozen=True)
class Evidence:
    """One signal of a customer's needs about one value of one variable.

    Attributes:
        variable: the variable (a module, an option, a Problem variable).
        value: the value the signal is about.
        kind: ``purchased``, ``configured``, ``quote_requested``, ``viewed``, ``stated``, ``rejected``,
            ``returned`` or ``transferred`` (read from purchases in other catalogs:
            :mod:`configurator.needs.transfer`) (the key into the strengths).
        source: the event id it came from (for explanations).
        importance: multiplies the kind's strength (stated needs carry their own importance, 0..1).
        hard: a requirement, not a preference (a stated need of importance 1): only that value is recommended.
        ts: when it happened (resolves competing hard needs: the latest wins).
    """

    variable: str
    value: int
    kind: str
    source: str = ""
    importance: float = 1.0
    hard: bool = False
    ts: dt.datetime | None = None


class CustomerNeeds:
    """One customer's needs: a population model as the prior, updated by this customer's evidence.

    Args:
        population: a fitted population model (the customer's segment's, or everyone's).
        strengths: evidence weight per kind (default :data:`DEFAULT_STRENGTHS`).
        profiling: False when the customer objected to profiling: nothing is learned about them.
        smoothing: share of the prior spread evenly over the candidates once this customer has evidence on the
            variable, so that their own signals can outweigh a population that never chose that value.

    Learned state: ``evidence_`` (summed log-odds per variable and value), ``requirements_`` (hard needs),
    ``sources_`` (the event ids behind each value), ``n_observed_`` (signals applied) and ``n_ignored_``.
    """

    def __init__(
        self,
        population: NeedsModel,
        *,
        strengths: Mapping[str, float] | None = None,
        profiling: bool = True,
        smoothing: float = 0.1,
    ) -> None:
        population._check()
        if not 0 <= smoothing < 1:
            raise ConfiguratorError(f"CustomerNeeds: expected 0 <= smoothing < 1, got {smoothing}")
        self.smoothing = smoothing
        self.population = population
        self.strengths = dict(DEFAULT_STRENGTHS if strengths is None else strengths)
        self.profiling = profiling
        self.evidence_: dict[str, dict[int, float]] = {}
        self.requirements_: dict[str, Evidence] = {}
        self.sources_: dict[tuple[str, int], list[str]] = {}
        self.n_observed_ = 0
        self.n_ignored_ = 0

    def observe(self, *signals: Evidence) -> Self:
        """Apply signals (commutative: any order gives the same model). Unknown kinds raise.

        Raises:
            ConfiguratorError: a kind with no strength.
        """
        for signal in signals:
            strength = self.strengths.get(signal.kind)
            if strength is None:
                raise ConfiguratorError(
                    f"unknown evidence kind {signal.kind!r}; expected one of: {', '.join(self.strengths)}"
                )
            if not self.profiling:
                self.n_ignored_ += 1
                continue
            self.n_observed_ += 1
            if signal.hard:
                current = self.requirements_.get(signal.variable)
                if current is None or _later(signal, current):
                    self.requirements_[signal.variable] = signal
                continue
            per_value = self.evidence_.setdefault(signal.variable, {})
            per_value[signal.value] = per_value.get(signal.value, 0.0) + strength * signal.importance
            if signal.source:
                self.sources_.setdefault((signal.variable, signal.value), []).append(signal.source)
        return self

    def distribution(
        self, variable: str, partial: Mapping[str, int], candidates: Sequence[int] | None = None
    ) -> dict[int, float]:
        """The population's distribution times ``exp(evidence)``, over the candidates, summing to 1.

        A hard need on the variable puts all the mass on its value when that value is a candidate.
        """
        prior = self.population.distribution(variable, partial, candidates)
        required = self.requirements_.get(variable)
        if required is not None and required.value in prior:
            return {value: 1.0 if value == required.value else 0.0 for value in prior}
        evidence = self.evidence_.get(variable)
        if not evidence:
            return prior
        top = max(evidence.get(value, 0.0) for value in prior)
        even = self.smoothing / len(prior)
        raw = {
            value: ((1 - self.smoothing) * p + even) * math.exp(evidence.get(value, 0.0) - top)
            for value, p in prior.items()
        }
        total = sum(raw.values())
        if total <= 0:
            return prior
        return {value: r / total for value, r in raw.items()}

    def recommend(
        self, variable: str, partial: Mapping[str, int], candidates: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """The candidates ranked by this customer's probability (best first)."""
        return ranked(self.distribution(variable, partial, candidates))

    def preferences(
        self, partial: Mapping[str, int] | None = None, *, floor: float = 1e-4
    ) -> dict[str, dict[int, float]]:
        """Log-probabilities of every value of every variable not in ``partial``: the objective's weights.

        Maximising their sum over a configuration picks, variable by variable, this customer's most likely
        values (given ``partial``); the solver trades them off against the constraints and the budget.
        ``floor`` bounds the penalty of a value never seen (``log(floor)``).
        """
        known = dict(partial or {})
        out: dict[str, dict[int, float]] = {}
        for variable in self.population.variables_:
            if variable in known:
                continue
            dist = self.distribution(variable, known)
            out[variable] = {value: math.log(max(p, floor)) for value, p in dist.items()}
        return out

    def why(self, variable: str, value: int) -> list[str]:
        """The event ids that pushed ``variable = value`` (empty when only the population speaks)."""
        required = self.requirements_.get(variable)
        if required is not None and required.value == value:
            return [required.source]
        return list(self.sources_.get((variable, value), ()))


def fit_segments(
    rows: Sequence[Mapping[str, int]],
    segment_of: Sequence[str],
    domains: Mapping[str, Sequence[int]] | None = None,
    *,
    factory: Callable[[], NeedsModel] = BayesianNetworkNeeds,
    min_rows: int = 30,
) -> tuple[NeedsModel, dict[str, NeedsModel]]:
    """A population model for everyone, and one per segment that has at least ``min_rows`` sales.

    Cold start: a new customer gets their segment's model when there is one, else everyone's. ``factory`` makes
    each unfitted model (default: the Bayesian network, the product's population model).

    Example:
        >>> rows = [{"a": 1}] * 40 + [{"a": 2}] * 10
        >>> everyone, by_segment = fit_segments(rows, ["pt"] * 40 + ["se"] * 10, min_rows=20)
        >>> sorted(by_segment), everyone.recommend("a", {})[0][0], by_segment["pt"].recommend("a", {})[0][0]
        (['pt'], 1, 1)
    """
    if len(segment_of) != len(rows):
        raise ConfiguratorError(f"expected one segment per row: {len(rows)} rows, {len(segment_of)} segments")
    everyone = factory().fit(rows, domains)
    groups: dict[str, list[Mapping[str, int]]] = {}
    for row, segment in zip(rows, segment_of, strict=True):
        groups.setdefault(segment, []).append(row)
    by_segment = {
        segment: factory().fit(members, domains or everyone.domains_)
        for segment, members in sorted(groups.items())
        if len(members) >= min_rows
    }
    return everyone, by_segment


def _later(a: Evidence, b: Evidence) -> bool:
    """Whether ``a`` wins over ``b`` (later timestamp, then larger source id): independent of arrival order."""
    far = dt.datetime.min.replace(tzinfo=dt.UTC)
    return (a.ts or far, a.source, a.value) > (b.ts or far, b.source, b.value)
