"""Hidden tastes of simulated customers: part-worths over options and over the catalog's typed attributes.

A :class:`Taste` is what a simulated customer really wants and the product never sees: a utility per top-level
option (its own part-worth plus the part-worths of its attributes) and a price sensitivity. It is linear in the
selected options and the list price, so the best configuration under a taste is one optimisation with the
product's solver (:meth:`Taste.weights` gives its :class:`~configurator.solver.session.Weights`).

:func:`draw_population` draws customers from a few segments plus individual noise. Attribute part-worths are
derived from whatever ``attrs`` the catalog declares, with nothing specific to one catalog:

- ``enum`` attributes (material, brand, colour family...): a part-worth per value;
- ``bool`` attributes: a part-worth for having it;
- ``int`` / ``decimal`` attributes (power, weight...): on the value standardised within its module, either a
  monotone slope (more is better, or worse) or a preferred level (utility falls with the squared distance from
  it); which of the two is drawn per attribute, once per population.

The segment draws the means, the customer adds noise (:class:`PopulationSpec`); a customer's price
sensitivity and budget level are drawn the same way.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "attributes": {"material": {"type": "enum", "values": ["alu", "steel"]}},
    ...     "modules": {"frame": {"options": {"alu": {"price": 400, "attrs": {"material": "alu"}},
    ...                                       "steel": {"price": 300, "attrs": {"material": "steel"}}}}}})
    >>> people = draw_population(bike, 4, seed=1)
    >>> [p.customer_id for p in people], sorted(people[0].options)
    (['sim-0001', 'sim-0002', 'sim-0003', 'sim-0004'], ['frame.alu', 'frame.steel'])
    >>> people == draw_population(bike, 4, seed=1)
    True
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from decimal import Decimal

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.needs.transfer import standardised
from configurator.solver.session import Weights, list_price

__all__ = ["AttributeTaste", "PopulationSpec", "Taste", "carry_over", "draw_population", "price_span"]


@dataclasses.dataclass(frozen=True)
class PopulationSpec:
    """The assumptions behind a simulated population (printed with the results).

    Attributes:
        segments: how many segments customers are drawn from (shares 1/2, 1/3... normalised).
        option_sd: spread of a segment's mean part-worth of an option.
        option_noise: spread of a customer's part-worth around their segment's.
        attribute_sd: spread of a segment's attribute part-worths (per enum value, per bool, per slope).
        attribute_noise: spread of a customer's attribute part-worths around their segment's.
        price_low: the least price sensitivity (utility of saving the catalog's whole price span).
        price_high: the greatest price sensitivity.
        budget_low: the lowest budget level (share of the way from the cheapest to the dearest configuration).
        budget_high: the highest budget level.
    """

    segments: int = 3
    option_sd: float = 1.0
    option_noise: float = 0.5
    attribute_sd: float = 0.7
    attribute_noise: float = 0.3
    price_low: float = 2.0
    price_high: float = 12.0
    budget_low: float = 0.35
    budget_high: float = 0.95

    def lines(self) -> list[str]:
        """The assumptions, one line each.

        Example:
            >>> PopulationSpec().lines()[0]
            '3 segments (shares 1/2, 1/3, ... normalised); each customer belongs to one'
        """
        return [
            f"{self.segments} segments (shares 1/2, 1/3, ... normalised); each customer belongs to one",
            f"option part-worths: segment mean ~ N(0, {self.option_sd}), customer ~ segment + N(0, {self.option_noise})",
            f"attribute part-worths (every attr of the catalog): segment ~ N(0, {self.attribute_sd}), customer + "
            f"N(0, {self.attribute_noise}); enum: per value; bool: for true; numeric: a slope or a preferred level "
            "on the value standardised within its module",
            f"price sensitivity: utility {self.price_low}..{self.price_high} (uniform, segment-centred) for saving "
            "the catalog's price span (sum of each module's dearest option)",
            f"budget level: {self.budget_low}..{self.budget_high} of the way from the cheapest to the dearest valid "
            "configuration (payable total), per customer",
        ]


@dataclasses.dataclass(frozen=True)
class AttributeTaste:
    """A customer's part-worths for one attribute.

    Attributes:
        name: the attribute.
        kind: ``enum``, ``bool``, ``slope`` or ``level``.
        worth: per enum value; ``true`` for bool; ``slope`` (per standard deviation) for slope; ``level`` (the
            preferred standardised value) for level.
    """

    name: str
    kind: str
    worth: Mapping[str, float]

    def utility(self, value: object, z: float | None) -> float:
        """The utility of an option's value of this attribute (``z``: the value standardised in its module)."""
        if self.kind == "enum":
            return self.worth.get(str(value), 0.0)
        if self.kind == "bool":
            return self.worth["true"] if value is True else 0.0
        if z is None:
            return 0.0
        if self.kind == "slope":
            return self.worth["slope"] * z
        return -0.5 * (z - self.worth["level"]) ** 2


@dataclasses.dataclass(frozen=True)
class Taste:
    """One simulated customer's hidden taste for one catalog.

    Attributes:
        customer_id: the customer's id.
        segment: the segment they were drawn from (0-based).
        options: utility of each top-level option (``module.option``): part-worth plus attribute part-worths.
        price_weight: utility per currency unit of list price (negative).
        budget_level: where their budget lies between the cheapest (0) and the dearest (1) configuration.
        attributes: their attribute part-worths (for the record).
    """

    customer_id: str
    segment: int
    options: Mapping[str, float]
    price_weight: float
    budget_level: float
    attributes: tuple[AttributeTaste, ...] = ()

    def weights(self) -> Weights:
        """The taste as solver weights (option utilities once per option, price per unit)."""
        return Weights(options=dict(self.options), price=self.price_weight)

    def utility(self, catalog: Catalog, configuration: Configuration) -> float:
        """The customer's utility of a configuration: its options' utilities plus the price term.

        Example:
            >>> from configurator.catalog.models import Catalog
            >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR",
            ...     "locales": ["en"], "modules": {"m": {"options": {"a": {"price": 100}}}}})
            >>> Taste("x", 0, {"m.a": 2.0}, -0.01, 0.5).utility(cat, Configuration({"m": {"a": 1}}))
            1.0
        """
        own = sum(self.options.get(f"{m}.{o}", 0.0) for m, o, _ in configuration.items())
        return own + self.price_weight * float(list_price(catalog, configuration))

    def drifted(self, rng: random.Random, sd: float) -> Taste:
        """The taste a little later: every option's utility moved by ``N(0, sd)`` (one step of a random walk).

        Example:
            >>> t = Taste("x", 0, {"m.a": 1.0, "m.b": 0.0}, -0.01, 0.5)
            >>> moved = t.drifted(random.Random(1), 0.5)
            >>> moved.customer_id, moved.options != t.options, t.drifted(random.Random(1), 0.0) == t
            ('x', True, True)
        """
        options = {key: value + rng.gauss(0, sd) if sd else value for key, value in self.options.items()}
        return dataclasses.replace(self, options=options)

    def span(self, catalog: Catalog) -> float:
        """The taste's range: per module, best option's utility minus worst (price included); regret's unit."""
        total = 0.0
        for module_id, module in catalog.modules.items():
            values = [
                self.options.get(f"{module_id}.{o}", 0.0) + self.price_weight * float(opt.price)
                for o, opt in module.options.items()
            ]
            if module.choose.min == 0:
                values.append(0.0)
            total += max(values) - min(values)
        return total or 1.0


def price_span(catalog: Catalog) -> Decimal:
    """The sum over modules of the dearest option's price (the unit of price sensitivity)."""
    return sum((max(o.price for o in m.options.values()) for m in catalog.modules.values()), Decimal(0))


def _attribute_kinds(catalog: Catalog, rng: random.Random) -> dict[str, str]:
    """The kind of part-worth of every attribute some option uses (numeric: slope or level, drawn once)."""
    used = sorted({name for m in catalog.modules.values() for o in m.options.values() for name in o.attrs})
    kinds: dict[str, str] = {}
    for name in used:
        declared = catalog.attributes.get(name)
        if (declared is not None and declared.type == "enum") or (
            declared is None and _any_text(catalog, name)
        ):
            kinds[name] = "enum"
        elif declared is not None and declared.type == "bool":
            kinds[name] = "bool"
        else:
            kinds[name] = "slope" if rng.random() < 0.5 else "level"
    return kinds


def _any_text(catalog: Catalog, name: str) -> bool:
    return any(
        isinstance(o.attrs.get(name), str) for m in catalog.modules.values() for o in m.options.values()
    )


def _enum_values(catalog: Catalog, name: str) -> list[str]:
    declared = catalog.attributes.get(name)
    if declared is not None and declared.values:
        return list(declared.values)
    found = {
        str(o.attrs[name]) for m in catalog.modules.values() for o in m.options.values() if name in o.attrs
    }
    return sorted(found)


def _segment_attributes(
    catalog: Catalog, kinds: Mapping[str, str], spec: PopulationSpec, rng: random.Random
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, kind in kinds.items():
        if kind == "enum":
            out[name] = {v: rng.gauss(0, spec.attribute_sd) for v in _enum_values(catalog, name)}
        elif kind == "bool":
            out[name] = {"true": rng.gauss(0, spec.attribute_sd)}
        elif kind == "slope":
            out[name] = {"slope": rng.gauss(0, spec.attribute_sd)}
        else:
            out[name] = {"level": rng.gauss(0, 1.0)}
    return out


def _option_utilities(
    catalog: Catalog,
    means: Mapping[tuple[str, str], float],
    attributes: Mapping[str, AttributeTaste],
    z: Mapping[tuple[str, str, str], float],
    spec: PopulationSpec,
    rng: random.Random,
) -> dict[str, float]:
    """A customer's utility of every top-level option: segment mean plus noise plus attribute part-worths."""
    options: dict[str, float] = {}
    for (module_id, option_id), mean in means.items():
        value = mean + rng.gauss(0, spec.option_noise)
        option = catalog.modules[module_id].options[option_id]
        for name, attr_value in option.attrs.items():
            taste = attributes.get(name)
            if taste is not None:
                value += taste.utility(attr_value, z.get((module_id, option_id, name)))
        options[f"{module_id}.{option_id}"] = value
    return options


def _noisy(worth: Mapping[str, float], spec: PopulationSpec, rng: random.Random) -> dict[str, float]:
    """A customer's attribute part-worths: their segment's plus individual noise."""
    return {
        k: v + (rng.gauss(0, spec.attribute_noise) if k != "level" else rng.gauss(0, 0.3))
        for k, v in worth.items()
    }


def _same_kind(a: str, b: str) -> bool:
    """Whether two attribute kinds are read alike (numeric slope and level are both numeric)."""
    numeric = ("slope", "level")
    return a == b or (a in numeric and b in numeric)


def carry_over(
    tastes: Sequence[Taste],
    source: Catalog,
    other: Catalog,
    *,
    seed: int = 0,
    spec: PopulationSpec | None = None,
) -> list[Taste]:
    """The same customers' tastes for another catalog: what a person likes holds across products.

    Kept from ``source``: the segment, the attribute part-worths of every attribute both catalogs use (same
    name, same kind: text, true/false or numeric), the price sensitivity (as utility of saving the catalog's
    whole price span) and the budget level. Drawn anew (per segment, plus individual noise, as in
    :func:`draw_population`): the options' own part-worths and the attributes only ``other`` uses.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> def cat(name, price):
        ...     return Catalog.model_validate({"catalog": name, "version": "1", "currency": "EUR",
        ...         "locales": ["en"], "attributes": {"colour": {"type": "enum", "values": ["red", "blue"]}},
        ...         "modules": {"m": {"options": {"a": {"price": price, "attrs": {"colour": "red"}},
        ...                                       "b": {"price": 2 * price, "attrs": {"colour": "blue"}}}}}})
        >>> bike, laptop = cat("bike", 100), cat("laptop", 1000)
        >>> people = draw_population(bike, 3, seed=2)
        >>> there = carry_over(people, bike, laptop, seed=2)
        >>> [t.attributes == p.attributes and t.segment == p.segment for t, p in zip(there, people)]
        [True, True, True]
        >>> round(there[0].price_weight / people[0].price_weight, 2)
        0.1
    """
    spec = spec or PopulationSpec()
    rng = random.Random(f"{seed}:carry:{other.catalog}")
    kinds = _attribute_kinds(other, rng)
    z = standardised(other)
    keys = [(m, o) for m, module in other.modules.items() for o in module.options]
    segments = [
        ({key: rng.gauss(0, spec.option_sd) for key in keys}, _segment_attributes(other, kinds, spec, rng))
        for _ in range(spec.segments)
    ]
    ratio = (float(price_span(source)) or 1.0) / (float(price_span(other)) or 1.0)
    out: list[Taste] = []
    for taste in tastes:
        means, worths = segments[taste.segment % len(segments)]
        known = {a.name: a for a in taste.attributes}
        attributes = tuple(
            known[name]
            if name in known and _same_kind(known[name].kind, kinds[name])
            else AttributeTaste(name, kinds[name], _noisy(worth, spec, rng))
            for name, worth in sorted(worths.items())
        )
        options = _option_utilities(other, means, {a.name: a for a in attributes}, z, spec, rng)
        out.append(dataclasses.replace(
            taste, options=options, price_weight=taste.price_weight * ratio, attributes=attributes
        ))  # fmt: skip
    return out


def draw_population(
    catalog: Catalog, n: int, *, seed: int = 0, spec: PopulationSpec | None = None
) -> list[Taste]:
    """``n`` customers' hidden tastes for ``catalog``, reproducible from ``seed``.

    Args:
        catalog: the catalog.
        n: how many customers.
        seed: the random seed (same seed, same catalog: same population).
        spec: the population's assumptions (default :class:`PopulationSpec`).

    Returns:
        The tastes, customers ``sim-0001``, ``sim-0002``...
    """
    spec = spec or PopulationSpec()
    rng = random.Random(seed)
    kinds = _attribute_kinds(catalog, rng)
    z = standardised(catalog)
    keys = [(m, o) for m, module in catalog.modules.items() for o in module.options]
    segments: list[tuple[dict[tuple[str, str], float], dict[str, dict[str, float]], float, float]] = []
    for _ in range(spec.segments):
        means = {key: rng.gauss(0, spec.option_sd) for key in keys}
        worths = _segment_attributes(catalog, kinds, spec, rng)
        price = rng.uniform(spec.price_low, spec.price_high)
        budget = rng.uniform(spec.budget_low, spec.budget_high)
        segments.append((means, worths, price, budget))
    shares = [1 / (k + 1) for k in range(spec.segments)]
    span = float(price_span(catalog)) or 1.0
    people: list[Taste] = []
    for i in range(n):
        segment = rng.choices(range(spec.segments), weights=shares)[0]
        seg_options, seg_attributes, seg_price, seg_budget = segments[segment]
        attributes = tuple(
            AttributeTaste(name, kinds[name], _noisy(worth, spec, rng))
            for name, worth in sorted(seg_attributes.items())
        )
        options = _option_utilities(catalog, seg_options, {a.name: a for a in attributes}, z, spec, rng)
        width = (spec.price_high - spec.price_low) / 4
        sensitivity = min(spec.price_high, max(spec.price_low, seg_price + rng.uniform(-width, width)))
        reach = (spec.budget_high - spec.budget_low) / 4
        level = min(spec.budget_high, max(spec.budget_low, seg_budget + rng.uniform(-reach, reach)))
        people.append(Taste(f"sim-{i + 1:04d}", segment, options, -sensitivity / span, level, attributes))
    return people
