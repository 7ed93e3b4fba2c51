"""Purchase occasions: what a simulated customer asks for this time, and the best configuration that meets it.

An :class:`Occasion` is one purchase's request: a stated requirement or two (drawn from the customer's taste:
an option of a random module, chosen with probability rising with its utility, so not always their favourite)
and a budget (the customer's budget level, varied by occasion). Occasions differ, so repeating the last
purchase is not enough.

:class:`Searcher` finds the best valid configuration for weights under an occasion with the product's solver
(CP-SAT on the catalog's kept model; no enumeration): the requirements are session choices, the budget is
judged on the payable total as assembly judges it (:class:`~configurator.assembly.budget.BudgetJudge`). The
simulated customer's preferred configuration is :meth:`Searcher.best` under their taste's weights;
:meth:`Searcher.settle` drops what cannot be met (a requirement that conflicts with the rules or the budget,
then the budget), so that every system is judged on an occasion that has an answer.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.solver.session import Weights
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}}}})
    >>> searcher = Searcher(bike, country="PT")
    >>> likes_carbon = Weights(options={"frame.carbon": 5.0})
    >>> searcher.best(likes_carbon, Occasion((), None)).selections
    {'frame': {'carbon': 1}}
    >>> searcher.best(likes_carbon, Occasion((), Decimal(1000))).selections
    {'frame': {'alu': 1}}
    >>> searcher.settle(likes_carbon, Occasion(("frame.carbon",), Decimal(1000)))[0]
    Occasion(requirements=(), budget=Decimal('1000'))
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections.abc import Sequence
from decimal import Decimal

from configurator.assembly.assemble import parse_requirement
from configurator.assembly.budget import BudgetJudge
from configurator.assembly.policy import DEFAULT_POLICIES
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.errors import ConfigurationError
from configurator.offer.payable import payable, payable_rate
from configurator.simulate.tastes import Taste, price_span
from configurator.solver.session import ConfigurationSession, Weights

__all__ = ["Occasion", "Searcher", "draw_occasion"]


@dataclasses.dataclass(frozen=True)
class Occasion:
    """One purchase's request.

    Attributes:
        requirements: stated requirements (``module.option``).
        budget: the most the customer pays (payable total, tax included), or None.
    """

    requirements: tuple[str, ...]
    budget: Decimal | None


class Searcher:
    """Best configurations of one catalog under weights and an occasion (one kept solver session).

    Args:
        catalog: the catalog.
        country: the ship-to country (budgets are judged on what the customer pays there).
        on: the date for effective dates.
    """

    def __init__(self, catalog: Catalog, *, country: str, on: dt.date | None = None) -> None:
        self.catalog = catalog
        self.country = country
        self.session = ConfigurationSession(catalog, on=on)
        cheapest = self.session.optimize(Weights(price=-1.0, scale=100))
        self.cheapest = cheapest.price if cheapest is not None else Decimal(0)
        """The least list price of a valid configuration."""
        self._spanned: Decimal | None = None

    def budget_for(self, level: float, factor: float = 1.0) -> Decimal | None:
        """A payable budget ``level`` of the way from the cheapest configuration to the catalog's price span.

        The price span (each module's dearest option once) stands for the dearest configuration; where
        quantities make even the cheapest configuration dearer than that, the dearest valid configuration's
        list price does. None when prices leave nothing to trade off (no option costs anything, or every valid
        configuration costs the same): a budget could only be met by everything or nothing. Budgets of 100 and
        more are whole amounts, smaller ones are rounded to the cent.
        """
        span = self._span()
        if span <= 0:
            return None
        listed = float(self.cheapest) + level * float(span)
        rate = float(payable_rate(self.catalog, country=self.country, tier="standard"))
        amount = listed * rate * factor
        budget = Decimal(round(amount)) if amount >= 100 else Decimal(f"{amount:.2f}")
        return budget if budget > 0 else None

    def _span(self) -> Decimal:
        """From the cheapest configuration's list price to the dearest's (the price span, else one solve, kept)."""
        if self._spanned is None:
            span = price_span(self.catalog) - self.cheapest
            if span <= 0:
                dearest = self.session.optimize(Weights(price=1.0, scale=100))
                span = (dearest.price if dearest is not None else self.cheapest) - self.cheapest
            self._spanned = span
        return self._spanned

    def best(
        self, weights: Weights | Sequence[Weights], occasion: Occasion, tier: str = "standard"
    ) -> Configuration | None:
        """The best valid configuration for ``weights`` meeting the occasion, or None when none does."""
        session = self.session
        session.clear()
        try:
            for requirement in occasion.requirements:
                choice = parse_requirement(requirement)
                session.select(choice.module, choice.option, choice.qty)
            if occasion.budget is None:
                found = session.optimize(weights)
            else:
                policy = DEFAULT_POLICIES[tier]  # type: ignore[index]
                judge = BudgetJudge(self.catalog, policy, occasion.budget, country=self.country)
                found = judge.optimize(session, weights)
        finally:
            session.clear()
        return None if found is None else found.configuration

    def settle(
        self, weights: Weights, occasion: Occasion, tier: str = "standard"
    ) -> tuple[Occasion, Configuration]:
        """The occasion as it can be met (requirements dropped from the last, then the budget) and its best."""
        requirements = list(occasion.requirements)
        while True:
            current = Occasion(tuple(requirements), occasion.budget)
            found = self.best(weights, current, tier)
            if found is not None:
                return current, found
            if not requirements:
                break
            requirements.pop()
        bare = Occasion((), None)
        found = self.best(weights, bare, tier)
        if found is None:
            raise ConfigurationError(f"catalog {self.catalog.catalog} has no valid configuration")
        return bare, found

    def fits(self, configuration: Configuration, occasion: Occasion, tier: str = "standard") -> bool:
        """Whether a configuration meets the occasion's requirements and budget (validity is checked apart)."""
        for requirement in occasion.requirements:
            choice = parse_requirement(requirement)
            if configuration.quantity(choice.module, choice.option) < 1:
                return False
        if occasion.budget is None:
            return True
        policy = DEFAULT_POLICIES[tier]  # type: ignore[index]
        judge = BudgetJudge(self.catalog, policy, occasion.budget, country=self.country)
        return judge.fits(configuration)

    def total(self, configuration: Configuration, tier: str = "standard") -> Decimal:
        """What the customer pays for a configuration (no services)."""
        return payable(self.catalog, configuration, country=self.country, tier=tier).total


def draw_occasion(catalog: Catalog, taste: Taste, searcher: Searcher, rng: random.Random) -> Occasion:
    """An occasion for a customer: one or two requirements drawn from their taste, and a budget.

    Each requirement is an option of a random module with at least two options, drawn with probability
    proportional to ``exp(utility)`` within the module; the budget is the customer's level times a factor
    drawn log-normally (sd 0.15) around 1.
    """
    modules = [m for m, module in catalog.modules.items() if len(module.options) > 1]
    count = 1 if rng.random() < 0.6 else 2
    chosen = rng.sample(modules, min(count, len(modules)))
    requirements: list[str] = []
    for module_id in chosen:
        options = list(catalog.modules[module_id].options)
        utilities = [taste.options.get(f"{module_id}.{o}", 0.0) for o in options]
        top = max(utilities)
        option = rng.choices(options, weights=[math.exp(u - top) for u in utilities])[0]
        requirements.append(f"{module_id}.{option}")
    factor = math.exp(rng.gauss(0, 0.15))
    return Occasion(tuple(requirements), searcher.budget_for(taste.budget_level, factor))
