"""A budget judged on what the customer pays: the solver searches under a list-price bound, the waterfall decides.

The solver's budget is a linear bound on the list price; a customer's budget is what they pay (tier discount,
bundle discounts, the services they pay for, tax). :class:`BudgetJudge` bridges the two: it starts the solver at
:func:`~configurator.offer.payable.list_cap` and keeps only the bundles whose payable total
(:func:`~configurator.offer.payable.payable`, the figure a quote shows) is within the budget, lowering the bound
by what the services and rounding add until the bundles fit (a few rounds at most).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.assembly.policy import DEFAULT_POLICIES
    >>> from configurator.solver.session import ConfigurationSession, Weights
    >>> cat = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "steel": {"price": 300},
    ...                                       "carbon": {"price": 1200}}}},
    ...     "services": {"fit": {"kind": "advisory", "price": 80}}})
    >>> judge = BudgetJudge(cat, DEFAULT_POLICIES["standard"], Decimal(500), country="PT")
    >>> judge.cap  # 500 / 1.23
    Decimal('406.50')
    >>> found = judge.top_k(ConfigurationSession(cat), Weights(price=1.0, scale=100), 3)
    >>> [(b.configuration.selections, str(judge.total(b.configuration))) for b in found]
    [({'frame': {'alu': 1}}, '492.00'), ({'frame': {'steel': 1}}, '369.00')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from configurator.assembly.policy import TierPolicy
from configurator.assembly.services import service_lines
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.offer.lines import ServiceLine
from configurator.offer.payable import list_cap, payable, payable_rate, services_in_total
from configurator.offer.tax import minor_units
from configurator.offer.waterfall import Waterfall
from configurator.solver.session import Bundle, ConfigurationSession, Weights

__all__ = ["MAX_ROUNDS", "BudgetJudge", "top_k"]

MAX_ROUNDS = 4
"""How many times the solver is asked again with a lower list-price bound before the bundles that fit are kept."""


class BudgetJudge:
    """Judges bundles on the customer's payable total against a budget.

    Args:
        catalog: the catalog.
        policy: the tier's policy (which services are offered and what they cost).
        budget: the most the customer pays, tax included.
        country: the ship-to country (tax, service eligibility); None adds no tax.
        on: the date for the services' effective dates.
    """

    def __init__(
        self,
        catalog: Catalog,
        policy: TierPolicy,
        budget: Decimal,
        *,
        country: str | None,
        on: dt.date | None = None,
    ) -> None:
        self.catalog = catalog
        self.policy = policy
        self.budget = budget
        self.country = country
        self.on = on
        self.cap = list_cap(catalog, budget, country=country, tier=policy.tier)
        self._rate = payable_rate(catalog, country=country, tier=policy.tier)
        self._unit = Decimal(1).scaleb(-(minor_units(catalog.currency) or 2))

    @property
    def key(self) -> tuple[object, ...]:
        """Everything the judge's answers depend on beside the session: catalog, policy, budget, country, date."""
        catalog = self.catalog
        return (
            id(catalog),
            catalog.catalog,
            catalog.version,
            self.policy.model_dump_json(),
            self.budget,
            self.country,
            self.on,
        )

    def services(self, configuration: Configuration) -> list[ServiceLine]:
        """The services offered with ``configuration`` to this customer."""
        return service_lines(self.catalog, configuration, self.policy, self.country, on=self.on)

    def waterfall(self, configuration: Configuration) -> Waterfall:
        """The waterfall of ``configuration`` as the customer pays it (the services the tier puts in the total)."""
        return payable(
            self.catalog,
            configuration,
            country=self.country,
            tier=self.policy.tier,
            services=services_in_total(self.services(configuration)),
        )

    def total(self, configuration: Configuration) -> Decimal:
        """What the customer pays for ``configuration``."""
        return self.waterfall(configuration).total

    def fits(self, configuration: Configuration) -> bool:
        """Whether the payable total is within the budget."""
        return self.total(configuration) <= self.budget

    def lower_cap(self, over: Sequence[tuple[Decimal, Decimal]], cap: Decimal) -> Decimal:
        """A lower list-price bound from bundles over budget, given as (list price, payable total)."""
        estimates = [
            min(price - (total - self.budget) / self._rate, price - self._unit) for price, total in over
        ]
        return min(cap - self._unit, *(e.quantize(self._unit) for e in estimates))

    def top_k(
        self, session: ConfigurationSession, weights: Weights, k: int, *, distance: int = 1
    ) -> list[Bundle]:
        """The best ``k`` diverse bundles whose payable total fits the budget (fewer, or none, when few do)."""
        cap = self.cap
        best: list[Bundle] = []
        for _ in range(MAX_ROUNDS):
            if cap < 0:
                break
            found = session.top_k(weights, k, distance=distance, budget=cap)
            totals = [(b, self.total(b.configuration)) for b in found]
            kept = [b for b, total in totals if total <= self.budget]
            if len(kept) > len(best):
                best = kept
            over = [(b.price, total) for b, total in totals if total > self.budget]
            if not over:
                break
            cap = self.lower_cap(over, cap)
        return best

    def optimize(
        self,
        session: ConfigurationSession,
        weights: Weights | Sequence[Weights],
        *,
        stretch: Decimal = Decimal(0),
    ) -> Bundle | None:
        """The best bundle whose payable total is within the budget raised by ``stretch`` percent, or None."""
        return self._optimize(session, weights, stretch)[0]

    def optimize_within_cap(
        self, session: ConfigurationSession, weights: Weights | Sequence[Weights]
    ) -> tuple[Bundle | None, bool]:
        """:meth:`optimize`, and whether its first try settled it (the best bundle within the list-price cap fit).

        An answer the first try settled stays the answer under any weights that keep it the best bundle within
        the cap; a later try's cap depends on what the earlier tries found under the weights.
        """
        found, tries = self._optimize(session, weights, Decimal(0))
        return found, found is not None and tries == 1

    def _optimize(
        self, session: ConfigurationSession, weights: Weights | Sequence[Weights], stretch: Decimal
    ) -> tuple[Bundle | None, int]:
        """The best bundle within the stretched budget, or None, and how many tries (solves) it took."""
        limit = self.budget * (1 + stretch / 100)
        cap = (self.cap * (1 + stretch / 100)).quantize(self._unit)
        for tries in range(1, MAX_ROUNDS + 1):
            if cap < 0:
                return None, tries - 1
            found = session.optimize(weights, budget=cap)
            if found is None:
                return None, tries
            total = self.total(found.configuration)
            if total <= limit:
                return found, tries
            cap = min(cap - self._unit, (found.price - (total - limit) / self._rate).quantize(self._unit))
        return None, MAX_ROUNDS


def top_k(
    session: ConfigurationSession, weights: Weights, k: int, distance: int, judge: BudgetJudge | None
) -> list[Bundle]:
    """The best ``k`` diverse bundles; within the budget the customer pays when there is a judge."""
    if judge is None:
        return session.top_k(weights, k, distance=distance)
    return judge.top_k(session, weights, k, distance=distance)
