"""What a customer's purchases in other catalogs say about this one: attribute tastes and price level.

Catalogs share attribute names (weight, capacity, material, brand...), and a customer who picks the lightest
frame of an e-bike or the cheapest option of every module shows a taste that holds beyond that catalog. A
purchase says, module by module, what the customer chose over the alternatives the module offered:

- ``enum`` and ``bool`` attributes (text and true/false values): the chosen option's value, against the values
  of the module's other options (a module whose options all share one value says nothing);
- numeric attributes: where the chosen option lies among the module's options, standardised within the module
  (``z = (value - mean) / sd``), so that grams and kilograms, bikes and laptops compare;
- price: where the chosen option's price lies among the module's options, standardised the same way.

:func:`taste_profile` sums this over the purchases (:class:`TasteProfile`); :func:`transferred_evidence` scores
every option of another catalog's single-choice modules by how the customer's profile **differs from the
population's** (:class:`Transfer`: the other catalogs and the profile of everyone's purchases there): a customer
who picks lighter options than most gets the lighter options here, where the population model already speaks
for what most people pick. The scores, centred within each module, become evidence of kind ``transferred`` (at
most as strong as one configuration of this catalog, so the customer's own choices here outweigh it).
Attributes match by name and kind; an attribute the other catalog does not have says nothing.

Why the difference from the population and not the customer's own level: measured on the simulated
cross-catalog scenario (e-bike then laptop, 100 customers, the purchase on the laptop without questions), the
customer's own levels made the first proposal worse than the laptop's population alone (7.02 edits against
6.96, regret 0.156 against 0.147), and the difference from the population made it better (6.60 against 6.96,
regret 0.120 against 0.147): the population's own taste (most people pick the cheaper options) was counted
twice.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.catalog.configuration import Configuration
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {
    ...         "alu": {"price": 400, "attrs": {"weight_g": 2100, "colour": "black"}},
    ...         "steel": {"price": 300, "attrs": {"weight_g": 2900, "colour": "red"}},
    ...         "carbon": {"price": 1200, "attrs": {"weight_g": 1200, "colour": "black"}}}}}})
    >>> laptop = Catalog.model_validate({"catalog": "laptop", "version": "1", "currency": "EUR",
    ...     "locales": ["en"], "modules": {"chassis": {"options": {
    ...         "light": {"price": 300, "attrs": {"weight_g": 1100, "colour": "black"}},
    ...         "heavy": {"price": 100, "attrs": {"weight_g": 1900, "colour": "red"}}}}}})
    >>> profile = taste_profile([(bike, Configuration({"frame": {"carbon": 1}}), "o-1")])
    >>> round(profile.levels["weight_g"], 2), profile.enums["colour"]["black"] > 0, profile.sources
    (-1.25, True, ('o-1',))
    >>> everyone = taste_profile([(bike, Configuration({"frame": {f: 1}}), f) for f in ("alu", "steel")])
    >>> [(e.variable, e.value, e.kind, e.importance > 0, e.source)
    ...  for e in transferred_evidence(CatalogNeedsView(laptop), profile, everyone)]
    [('chassis', 1, 'transferred', True, 'o-1'), ('chassis', 2, 'transferred', False, '')]
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.customers.events import Event
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.customer import Evidence
from configurator.needs.models import NeedsModel

__all__ = [
    "MIN_BUYERS",
    "PRICE",
    "SHRINK",
    "STRENGTHS",
    "Calibration",
    "Orders",
    "TasteProfile",
    "Transfer",
    "cross_buyers",
    "standardised",
    "taste_profile",
    "transferred_evidence",
]

PRICE = "price"
"""The key of the price level in :attr:`TasteProfile.levels` (an attribute cannot be named so: it is a field)."""
SHRINK = 5.0
"""An attribute's score counts ``n / (n + SHRINK)`` of itself after ``n`` choices (few choices say little)."""


def _numeric(value: object) -> float | None:
    """A number attribute's value as a float; None for text, booleans and anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return float(value)


def _categorical(value: object) -> str | None:
    """A text or true/false attribute's value as a key; None for numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return None


def standardised(catalog: Catalog) -> dict[tuple[str, str, str], float]:
    """``(module, option, attribute) -> z``: numeric attributes and the price standardised within their module.

    Over the options that have the attribute (the price is :data:`PRICE`); 0 when they all share one value.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"m": {"options": {"a": {"price": 10, "attrs": {"w": 1}},
        ...                                   "b": {"price": 30, "attrs": {"w": 1}}}}}})
        >>> standardised(cat)
        {('m', 'a', 'w'): 0.0, ('m', 'b', 'w'): 0.0, ('m', 'a', 'price'): -1.0, ('m', 'b', 'price'): 1.0}
    """
    out: dict[tuple[str, str, str], float] = {}
    for module_id, module in catalog.modules.items():
        by_attr: dict[str, list[tuple[str, float]]] = {}
        for option_id, option in module.options.items():
            for name, value in {**option.attrs, PRICE: option.price}.items():
                number = _numeric(value)
                if number is not None:
                    by_attr.setdefault(name, []).append((option_id, number))
            by_attr.setdefault(PRICE, []).append((option_id, float(option.price)))
        for name, pairs in by_attr.items():
            values = [v for _, v in pairs]
            sd = statistics.pstdev(values) if len(values) > 1 else 0.0
            mean = statistics.fmean(values)
            for option_id, number in pairs:
                out[(module_id, option_id, name)] = (number - mean) / sd if sd > 0 else 0.0
    return out


@dataclasses.dataclass(frozen=True)
class TasteProfile:
    """A customer's tastes read from purchases, in terms any catalog can use.

    Attributes:
        enums: per text or true/false attribute, a score per value: how much more often its options were chosen
            than offered beside the chosen one (positive: preferred), averaged over the choices seen.
        levels: per numeric attribute (and :data:`PRICE`), the mean standardised position of the chosen options
            within their modules (negative: the lighter, smaller or cheaper end).
        counts: how many choices each attribute's score rests on (the confidence).
        sources: the purchases (order ids) it was read from.
    """

    enums: Mapping[str, Mapping[str, float]]
    levels: Mapping[str, float]
    counts: Mapping[str, int]
    sources: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether nothing was learned (no purchase had a module with alternatives)."""
        return not self.counts


def taste_profile(purchases: Iterable[tuple[Catalog, Configuration, str]]) -> TasteProfile:
    """Read a :class:`TasteProfile` from purchases: ``(catalog, configuration bought, order id)`` each.

    Only modules that offered alternatives count; selections the catalog does not know are skipped (an order
    outlives its catalog version).
    """
    sums: dict[str, dict[str, float]] = {}
    level_sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    sources: list[str] = []
    for catalog, configuration, source in purchases:
        z = standardised(catalog)
        used = False
        for module_id, option_id, _ in configuration.items():
            module = catalog.modules.get(module_id)
            if module is None or option_id not in module.options or len(module.options) < 2:
                continue
            chosen = module.options[option_id]
            others = [o for k, o in module.options.items() if k != option_id]
            for name, value in {**chosen.attrs, PRICE: chosen.price}.items():
                key = _categorical(value) if name != PRICE else None
                if key is not None:
                    alternatives = [_categorical(o.attrs.get(name)) for o in others]
                    offered = [a for a in alternatives if a is not None and a != key]
                    if not offered:
                        continue
                    scores = sums.setdefault(name, {})
                    scores[key] = scores.get(key, 0.0) + 1.0
                    for other in offered:
                        scores[other] = scores.get(other, 0.0) - 1.0 / len(offered)
                else:
                    position = z.get((module_id, option_id, name))
                    if position is None or all(
                        z.get((module_id, k, name), 0.0) == 0.0 for k in module.options
                    ):
                        continue
                    level_sums[name] = level_sums.get(name, 0.0) + position
                counts[name] = counts.get(name, 0) + 1
                used = True
        if used:
            sources.append(source)
    enums = {
        name: {value: score / counts[name] for value, score in scores.items()}
        for name, scores in sums.items()
    }
    levels = {name: total / counts[name] for name, total in level_sums.items()}
    return TasteProfile(enums, levels, counts, tuple(sources))


def transferred_evidence(
    view: CatalogNeedsView, profile: TasteProfile, reference: TasteProfile | None = None
) -> list[Evidence]:
    """Evidence of kind ``transferred`` for this catalog's options from a customer's profile read elsewhere.

    Every option of a single-choice module with alternatives is scored, for each attribute it shares (by name)
    with the profile, by how the customer differs from ``reference`` (the population's profile; none: from
    nobody): the difference of the value's scores (text, true/false), or the difference of levels times the
    option's standardised position (numbers, price: more of it for a customer above the population's level),
    each weighted by ``n / (n + SHRINK)`` for the customer's ``n`` choices. Each option gets evidence with
    importance ``score - mean`` over its module, clipped to [-1, 1]: a ranking within the module, at most as
    strong as one configuration in this catalog. Only the options pushed up cite the orders (a reason never
    names what counted against an option).
    """
    if profile.empty:
        return []
    base = reference or TasteProfile({}, {}, {})
    catalog = view.catalog
    z = standardised(catalog)
    source = ",".join(profile.sources)
    out: list[Evidence] = []
    for module_id, module in catalog.modules.items():
        if not view.is_single(module_id) or len(module.options) < 2:
            continue
        scores: dict[str, float] = {}
        for option_id, option in module.options.items():
            score = 0.0
            for name, value in {**option.attrs, PRICE: option.price}.items():
                n = profile.counts.get(name)
                if not n:
                    continue
                confidence = n / (n + SHRINK)
                key = _categorical(value) if name != PRICE else None
                if key is not None and name in profile.enums:
                    mine, theirs = profile.enums[name].get(key, 0.0), base.enums.get(name, {}).get(key, 0.0)
                    score += confidence * (mine - theirs)
                elif key is None and name in profile.levels:
                    position = z.get((module_id, option_id, name), 0.0)
                    score += confidence * (profile.levels[name] - base.levels.get(name, 0.0)) * position
            scores[option_id] = score
        mean = statistics.fmean(scores.values())
        for option_id, score in scores.items():
            weight = max(-1.0, min(1.0, score - mean))
            if abs(weight) > 1e-9:
                variable, value = view.variable_of(module_id, option_id)
                cited = source if weight > 0 else ""
                out.append(Evidence(variable, value, "transferred", cited, importance=weight))
    return out


Orders = Sequence[tuple[str, Configuration, str]]
"""A customer's orders: ``(catalog id, configuration, order id)`` each."""

STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)
"""The strengths :meth:`Transfer.calibrated` chooses from (0: nothing transfers)."""
MIN_BUYERS = 30
"""Customers who bought from both sides that :meth:`Transfer.calibrated` needs before it judges the transfer."""


@dataclasses.dataclass(frozen=True)
class Calibration:
    """How well a transfer foretold what customers who bought from both sides chose here.

    Attributes:
        buyers: the customers it was judged on.
        lift: the mean transferred importance of the options they chose here from their own orders elsewhere,
            minus the same from another buyer's orders (the customer's own signal beyond what anyone's says).
        interval: the lift's 95 % interval.
        gain: the mean log-likelihood gained per choice at the chosen strength over none.
        choices: the choices (a buyer's variable covered by the evidence, per configuration) it rests on.
    """

    buyers: int
    lift: float
    interval: tuple[float, float]
    gain: float = 0.0
    choices: int = 0


@dataclasses.dataclass(frozen=True)
class Transfer:
    """Other catalogs whose orders teach this one, and the population's profile there (the reference).

    Build it once per population refresh with :meth:`fit` (population-wide work), judge it on the customers who
    bought from both sides with :meth:`calibrated`, then read each customer with :meth:`evidence`.

    Attributes:
        catalogs: the other catalogs, by id.
        reference: the profile of every sale of those catalogs.
        strength: multiplies every transferred importance (1: as scored; 0: nothing transfers).
        calibration: what :meth:`calibrated` measured, if it could (None: too few customers bought from both
            sides, and the strength is the default).
    """

    catalogs: Mapping[str, Catalog]
    reference: TasteProfile
    strength: float = 1.0
    calibration: Calibration | None = None

    @classmethod
    def fit(cls, catalogs: Mapping[str, Catalog], sales: Iterable[Event]) -> Transfer:
        """The reference profile from the catalogs' sales (purchased lines and complete configurations).

        Example:
            >>> from configurator.catalog.models import Catalog
            >>> Transfer.fit({}, []).reference.empty
            True
        """
        events = list(sales)
        purchases: list[tuple[Catalog, Configuration, str]] = []
        for catalog_id, catalog in catalogs.items():
            view = CatalogNeedsView(catalog)
            for k, row in enumerate(view.population_rows(events)):
                purchases.append((catalog, Configuration(view.selections(row)), f"{catalog_id}:{k}"))
        profile = taste_profile(purchases)
        return cls(dict(catalogs), dataclasses.replace(profile, sources=()))

    def evidence(
        self, view: CatalogNeedsView, orders: Iterable[tuple[str, Configuration, str]]
    ) -> list[Evidence]:
        """A customer's ``transferred`` evidence for ``view``'s catalog from their orders elsewhere.

        Args:
            view: the catalog's needs view.
            orders: ``(catalog id, configuration, order id)``; orders of this catalog or of catalogs not in
                :attr:`catalogs` are left out.
        """
        if self.strength <= 0:
            return []
        out = self._scored(view, orders)
        if self.strength == 1.0:
            return out
        return [dataclasses.replace(e, importance=e.importance * self.strength) for e in out]

    def _scored(
        self, view: CatalogNeedsView, orders: Iterable[tuple[str, Configuration, str]]
    ) -> list[Evidence]:
        mine = [
            (self.catalogs[catalog_id], configuration, order)
            for catalog_id, configuration, order in orders
            if catalog_id in self.catalogs and catalog_id != view.catalog.catalog
        ]
        return transferred_evidence(view, taste_profile(mine), self.reference) if mine else []

    def calibrated(
        self,
        view: CatalogNeedsView,
        buyers: Sequence[tuple[Orders, Sequence[Configuration]]],
        population: NeedsModel | None = None,
    ) -> Transfer:
        """This transfer judged on customers who bought from both sides: as strong as it foretells their choices.

        The strength is the one of :data:`STRENGTHS` under which their choices here are most likely: each
        choice's probability is ``P(value) * exp(strength * importance)``, normalised over the variable's values,
        with ``P`` the marginal of the catalog's ``population`` model (default: even: what a proposal to a
        customer new here starts from, before anything is chosen) and the importance transferred from that
        buyer's own orders elsewhere (maximum likelihood; 0: nothing transfers). Judged against the population
        given the rest of what they bought instead, the transfer looks redundant (the rest already tells their
        taste), which a new customer's first proposal cannot lean on. Also measured, for the record: the lift of the chosen options' mean importance from
        their own orders over the same from another buyer's orders. With fewer than :data:`MIN_BUYERS` buyers
        the transfer is returned as it is (nothing to judge on).

        Example:
            >>> from configurator.catalog.models import Catalog
            >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
            ...     "modules": {"m": {"options": {"a": {"price": 1}, "b": {"price": 9}}}}})
            >>> Transfer({}, taste_profile([])).calibrated(CatalogNeedsView(cat), []).calibration is None
            True
        """
        if len(buyers) < MIN_BUYERS:
            return self
        scored = [self._scored(view, orders) for orders, _ in buyers]
        rows = [[_row(view, configuration) for configuration in bought] for _, bought in buyers]
        marginals: dict[str, Mapping[int, float]] = {}
        lifts: list[float] = []
        choices: list[tuple[Mapping[int, float], Mapping[int, float], int]] = []
        for k, evidence in enumerate(scored):
            anyone = _agreement(scored[(k + 1) % len(scored)], rows[k])
            lifts.append(_agreement(evidence, rows[k]) - anyone)
            choices += _choices(view, evidence, rows[k], population, marginals)
        likelihood = {
            strength: sum(
                math.log(
                    shares.get(chosen, 1.0)
                    * math.exp(strength * pushed.get(chosen, 0.0))
                    / sum(shares.get(v, 1.0) * math.exp(strength * pushed.get(v, 0.0)) for v in shares)
                )
                for shares, pushed, chosen in choices
            )
            for strength in STRENGTHS
        }
        lift = statistics.fmean(lifts)
        half = 1.96 * statistics.stdev(lifts) / len(lifts) ** 0.5
        best = max(STRENGTHS, key=lambda s: (likelihood[s], -s))
        gain = (likelihood[best] - likelihood[0.0]) / max(1, len(choices))
        calibration = Calibration(len(buyers), lift, (lift - half, lift + half), gain, len(choices))
        return dataclasses.replace(self, strength=best, calibration=calibration)


def _row(view: CatalogNeedsView, configuration: Configuration) -> dict[str, int]:
    """A bought configuration as the view's row."""
    return view.row({m: dict(o) for m, o in configuration.selections.items()})


def _choices(
    view: CatalogNeedsView,
    evidence: Sequence[Evidence],
    rows: Sequence[Mapping[str, int]],
    population: NeedsModel | None,
    marginals: dict[str, Mapping[int, float]],
) -> list[tuple[Mapping[int, float], Mapping[int, float], int]]:
    """``(value shares, transferred importance, chosen value)`` of each chosen value the evidence covers.

    The shares are the population's marginal over the variable's values (even without a population), read
    once per variable into ``marginals``.
    """
    weights: dict[str, dict[int, float]] = {}
    for e in evidence:
        weights.setdefault(e.variable, {})[e.value] = e.importance
    out: list[tuple[Mapping[int, float], Mapping[int, float], int]] = []
    for row in rows:
        for variable, pushed in weights.items():
            chosen = row.get(variable)
            if chosen is None:
                continue
            shares = marginals.get(variable)
            if shares is None:
                values = view.domains[variable]
                found = population.distribution(variable, {}, values) if population is not None else {}
                shares = marginals[variable] = {v: found.get(v, 1.0) for v in values}
            out.append((shares, pushed, chosen))
    return out


def cross_buyers(
    catalogs: Mapping[str, Catalog], here: Catalog, sales: Iterable[Event]
) -> list[tuple[Orders, list[Configuration]]]:
    """The customers who bought from ``here`` and from some of ``catalogs``, in customer id order.

    For each: their orders there and what they bought here (purchased lines and complete configurations, as the
    population learns from).
    """
    events = list(sales)
    elsewhere: dict[str, list[tuple[str, Configuration, str]]] = {}
    bought: dict[str, list[Configuration]] = {}
    views = {cid: CatalogNeedsView(cat) for cid, cat in catalogs.items() if cid != here.catalog}
    mine = CatalogNeedsView(here)
    for event in events:
        if event.customer_id is None:
            continue
        for cid, view in views.items():
            for row in view.population_rows([event]):
                elsewhere.setdefault(event.customer_id, []).append(
                    (cid, Configuration(view.selections(row)), event.event_id)
                )
        for row in mine.population_rows([event]):
            bought.setdefault(event.customer_id, []).append(Configuration(mine.selections(row)))
    return [(elsewhere[c], bought[c]) for c in sorted(set(elsewhere) & set(bought))]


def _agreement(evidence: Sequence[Evidence], rows: Sequence[Mapping[str, int]]) -> float:
    """Mean transferred importance of the values chosen in ``rows``, over the variables the evidence covers."""
    weights = {(e.variable, e.value): e.importance for e in evidence}
    covered = {e.variable for e in evidence}
    if not covered:
        return 0.0
    total = sum(
        weights.get((variable, row[variable]), 0.0) for row in rows for variable in covered if variable in row
    )
    return total / (len(covered) * max(1, len(rows)))
