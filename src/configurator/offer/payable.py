"""What the customer pays: the one figure that judges a budget everywhere (bundles, the running price, quotes).

A budget is what the customer is willing to pay, so it is compared with the total of the pricing waterfall, not
with the list price: tier discount, bundle and volume discounts, the services the customer pays for, and tax.
Which services are in the total follows the tier policy (:func:`services_in_total`): the ones included for the
customer's tier are (at no charge) unless declined; a paid one only when the customer chooses it.
:func:`payable` prices a configuration that way (the same call a quote makes); :func:`list_cap` turns a budget
into the highest list price that could fit it, the linear bound a solver can use before the exact check.

When the customer's country is unknown, or the tax table does not know it, no tax is added (the total is the
net): a quote then needs a country anyway.

Example:
    >>> from configurator.catalog.configuration import Configuration
    >>> from configurator.catalog.models import Catalog
    >>> cat = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": "1000.00"}}}},
    ...     "pricing": {"tiers": {"mvc": {"discount_pct": 5}}}})
    >>> w = payable(cat, Configuration({"frame": {"alu": 1}}), country="PT", tier="mvc")
    >>> w.list_total, w.total
    (Decimal('1000.00'), Decimal('1168.50'))
    >>> list_cap(cat, Decimal("1168.50"), country="PT", tier="mvc")
    Decimal('1000.00')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import cast

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog, Tier
from configurator.offer.lines import ServiceLine, price_lines
from configurator.offer.pricing import PricingContext, waterfall
from configurator.offer.tax import minor_units, tax_rate
from configurator.offer.waterfall import Waterfall

__all__ = ["UNKNOWN_COUNTRY", "list_cap", "payable", "payable_rate", "services_in_total"]

UNKNOWN_COUNTRY = "ZZ"
"""The region code (CLDR's "unknown region") priced without tax when the customer's country is not known."""

_HUNDRED = Decimal(100)


def _country(country: str | None) -> tuple[str, Decimal | None]:
    """The country to price in, and the tax rate to force (0 when the country or its rate is unknown)."""
    if country and tax_rate(country) is not None:
        return country.upper(), None
    return (
        country.upper() if country and len(country) == 2 and country.isalpha() else UNKNOWN_COUNTRY
    ), Decimal(0)


def services_in_total(
    offered: Iterable[ServiceLine], chosen: Mapping[str, bool] | None = None
) -> tuple[ServiceLine, ...]:
    """The offered services in the total: included ones unless declined, paid ones only when chosen.

    Example:
        >>> fit = ServiceLine("fit", "advisory", True, Decimal(80), Decimal(0))
        >>> course = ServiceLine("course", "training", False, Decimal(100), Decimal(100))
        >>> [s.service for s in services_in_total([fit, course])]
        ['fit']
        >>> [s.service for s in services_in_total([fit, course], {"fit": False, "course": True})]
        ['course']
    """
    wanted = chosen or {}
    return tuple(s for s in offered if wanted.get(s.service, s.included))


def payable(
    catalog: Catalog,
    configuration: Configuration,
    *,
    country: str | None,
    tier: str,
    services: Iterable[ServiceLine] = (),
    quantity: int = 1,
) -> Waterfall:
    """The pricing waterfall of a configuration as this customer pays it (its ``total`` judges budgets).

    Args:
        catalog: the catalog (its pricing block: volume, bundle and tier discounts).
        configuration: what is selected (sub-assemblies included).
        country: the ship-to country (tax); None or unknown adds no tax.
        tier: the customer's value tier.
        services: the services in the total (see :func:`services_in_total`); the paid ones are added.
        quantity: how many bundles.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"m": {"options": {"o": {"price": "100.00"}}}}})
        >>> fit = ServiceLine("fit", "advisory", False, Decimal("20.00"), Decimal("20.00"))
        >>> payable(cat, Configuration({"m": {"o": 1}}), country="SE", tier="standard", services=[fit]).total
        Decimal('150.00')
        >>> payable(cat, Configuration({"m": {"o": 1}}), country=None, tier="standard").total
        Decimal('100.00')
    """
    where, forced = _country(country)
    context = PricingContext(
        country=where,
        quantity=quantity,
        tier=cast(Tier, tier),
        services=tuple(s for s in services if not s.included),
        tax_rate=forced,
    )
    return waterfall(catalog, price_lines(catalog, configuration), context)


def payable_rate(catalog: Catalog, *, country: str | None, tier: str) -> Decimal:
    """How much the customer pays per unit of list price, before bundle discounts and services.

    ``(1 - tier discount) x (1 + tax)``: the slope of :func:`payable` in the list price.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"m": {"options": {"o": {"price": "1"}}}}, "pricing": {"tiers": {"mgc": {"discount_pct": 10}}}})
        >>> payable_rate(cat, country="ES", tier="mgc")
        Decimal('1.089')
    """
    where, forced = _country(country)
    rate = forced if forced is not None else tax_rate(where)
    found = catalog.pricing.tiers.get(cast(Tier, tier))
    off = found.discount_pct if found is not None else Decimal(0)
    return (_HUNDRED - off) / _HUNDRED * (_HUNDRED + (rate or Decimal(0))) / _HUNDRED


def list_cap(catalog: Catalog, budget: Decimal, *, country: str | None, tier: str) -> Decimal:
    """The highest list price whose payable total fits ``budget`` without bundle discounts or services.

    A linear bound for the solver: a bundle above it fits only through a bundle discount; one below it may
    still exceed the budget through its services (check each with :func:`payable`).
    """
    rate = payable_rate(catalog, country=country, tier=tier)
    if rate <= 0:
        return budget
    unit = Decimal(1).scaleb(-(minor_units(catalog.currency) or 2))
    return (budget / rate).quantize(unit, rounding=ROUND_FLOOR)
