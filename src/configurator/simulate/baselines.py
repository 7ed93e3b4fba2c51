"""The baselines the learned system is compared with, and the oracle, on the same customers and occasions.

Each baseline proposes a configuration for an occasion from what it may know; every proposal is completed
validly by the product's solver under the occasion's requirements and budget (:class:`~configurator.simulate.
occasions.Searcher`), so a baseline is never penalised for an invalid or over-budget bundle:

- ``defaults``: the catalog's default options, completed (the cheapest where a module has no default);
- ``most_popular``: per option, the share of all purchases (every customer) up to the last refresh
  (:meth:`History.freeze`) that had it; the catalog's defaults where nobody bought yet;
- ``repeat_last``: the customer's last purchase when it still meets the occasion (and the rules), else
  ``defaults``;
- ``majority``: per option, the share of this customer's earlier purchases that had it (a per-module vote),
  completed; ``defaults`` on a first purchase.

The oracle knows the hidden taste and the occasion: its proposal is the customer's preferred configuration, so
its acceptance is 100 % and its regret 0 (the ceiling, by construction).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.simulate.occasions import Occasion, Searcher
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"default": "alu", "options": {"alu": {"price": 400}, "carbon": {"price": 1200}}}}})
    >>> searcher = Searcher(bike, country="PT")
    >>> carbon = Configuration({"frame": {"carbon": 1}})
    >>> history = History()
    >>> history.add("ann", carbon)
    >>> history.freeze()
    >>> proposals = baseline_proposals(searcher, history, "ann", Occasion((), None))
    >>> {name: c.selections["frame"] for name, c in proposals.items()}
    {'defaults': {'alu': 1}, 'most_popular': {'carbon': 1}, 'repeat_last': {'carbon': 1}, 'majority': {'carbon': 1}}
"""

from __future__ import annotations

import collections
from collections.abc import Mapping

from configurator.catalog.check import find_violations
from configurator.catalog.configuration import Configuration
from configurator.simulate.occasions import Occasion, Searcher
from configurator.solver.session import Weights

__all__ = ["BASELINES", "History", "baseline_proposals"]

BASELINES = ("defaults", "most_popular", "repeat_last", "majority")
"""The baselines, in the order they are reported."""


class History:
    """Every simulated purchase so far: per customer, and counted over the population."""

    def __init__(self) -> None:
        self.by_customer: dict[str, list[Configuration]] = collections.defaultdict(list)
        self.counts: collections.Counter[str] = collections.Counter()
        self.purchases = 0
        self.population: collections.Counter[str] = collections.Counter()
        self.population_purchases = 0

    def freeze(self) -> None:
        """Take the population's counts as they are now (``most_popular`` uses them until the next freeze).

        The simulation freezes at every purchase index, when the product refits its population model, so that
        the baseline and the product know the same purchases.
        """
        self.population = collections.Counter(self.counts)
        self.population_purchases = self.purchases

    def add(self, customer_id: str, configuration: Configuration) -> None:
        """Record a purchase."""
        self.by_customer[customer_id].append(configuration)
        self.counts.update(f"{m}.{o}" for m, o, _ in configuration.items())
        self.purchases += 1


def _defaults(searcher: Searcher) -> Weights:
    prefer = {
        f"{module_id}.{option}": 1.0
        for module_id, module in searcher.catalog.modules.items()
        for option in module.default
    }
    return Weights(options=prefer, scale=100)


def _shares(counts: Mapping[str, int], total: int) -> Weights:
    return Weights(options={key: count / total for key, count in counts.items()}, scale=1000)


def _complete(searcher: Searcher, levels: list[Weights], occasion: Occasion) -> Configuration:
    """The best for lexicographic ``levels`` under the occasion; cheapest first as the last tie-break."""
    levels = [*levels, Weights(price=-1.0, scale=100)]
    found = searcher.best(levels, occasion)
    if found is None:  # the occasion was settled for the customer: this should not happen, but stay valid
        found = searcher.best(levels, Occasion((), None))
    assert found is not None
    return found


def baseline_proposals(
    searcher: Searcher, history: History, customer_id: str, occasion: Occasion
) -> dict[str, Configuration]:
    """Each baseline's proposal for one customer's occasion, given the purchases so far (before this one)."""
    defaults = _defaults(searcher)
    plain = _complete(searcher, [defaults], occasion)
    popular = (
        _complete(searcher, [_shares(history.population, history.population_purchases), defaults], occasion)
        if history.population_purchases
        else plain
    )
    mine = history.by_customer.get(customer_id, [])
    repeat = plain
    if mine:
        last = mine[-1]
        if searcher.fits(last, occasion) and not find_violations(
            searcher.catalog, last, on=searcher.session.on
        ):
            repeat = last
    majority = plain
    if mine:
        counts = collections.Counter(f"{m}.{o}" for c in mine for m, o, _ in c.items())
        majority = _complete(searcher, [_shares(counts, len(mine)), defaults], occasion)
    return {"defaults": plain, "most_popular": popular, "repeat_last": repeat, "majority": majority}
