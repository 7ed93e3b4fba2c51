"""Service add-ons for a bundle: eligibility by tier, product and region, terms by the tier's policy.

A catalog service is offered with a bundle when it is in force on the date, its ``eligible`` expression holds
for the customer's tier and country, its ``requires`` expression holds for the bundle, and the tier's policy
does not hide its kind. It is included (free) when the catalog includes it for the tier or the policy includes
its kind, unless the policy gives no free services; otherwise it is priced at list or at the policy's
discount.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.assembly.policy import DEFAULT_POLICIES
    >>> cat = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}}}},
    ...     "services": {"fit": {"kind": "advisory", "price": 80, "included_for": ["mvc"]},
    ...                  "course": {"kind": "training", "price": 100, "eligible": 'country in ["PT"]'}}})
    >>> bundle = Configuration({"frame": {"alu": 1}})
    >>> [(s.service, s.included, str(s.price)) for s in service_lines(cat, bundle, DEFAULT_POLICIES["mvc"], "PT")]
    [('fit', True, '0'), ('course', False, '75.00')]
    >>> [s.service for s in service_lines(cat, bundle, DEFAULT_POLICIES["below_zero"], "SE")]
    []
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from configurator.assembly.policy import TierPolicy
from configurator.catalog.check import CatalogEnvironment
from configurator.catalog.compiled import compiled
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.offer.lines import ServiceLine
from configurator.rules.evaluate import evaluate

__all__ = ["service_lines"]

_CENT = Decimal("0.01")


def service_lines(
    catalog: Catalog,
    configuration: Configuration,
    policy: TierPolicy,
    country: str | None = None,
    *,
    on: dt.date | None = None,
) -> list[ServiceLine]:
    """The services offered with a bundle to a customer of ``policy.tier`` in ``country``, in catalog order.

    Args:
        catalog: the catalog and its services.
        configuration: the bundle (``requires`` expressions are evaluated on it).
        policy: the tier's policy (which kinds are offered, included or discounted).
        country: ISO 3166 alpha-2 code; None: services whose eligibility names a country are not offered.
        on: the date for the services' effective dates (None ignores them).
    """
    exprs = compiled(catalog)
    context = {"tier": policy.tier} | ({"country": country.upper()} if country else {})
    customer = CatalogEnvironment(catalog, Configuration(), context)
    bundle = CatalogEnvironment(catalog, configuration, context)
    lines: list[ServiceLine] = []
    for sid, service in catalog.services.items():
        if not service.effective(on):
            continue
        eligible = exprs.service_eligible.get(sid)
        if eligible is not None and evaluate(eligible, customer) is not True:
            continue
        requires = exprs.service_requires.get(sid)
        if requires is not None and evaluate(requires, bundle) is not True:
            continue
        terms = policy.terms(service.kind)
        if terms.offer == "hide":
            continue
        where = f" in {country.upper()}" if country and eligible is not None else ""
        if policy.free_services and (policy.tier in service.included_for or terms.offer == "include"):
            why = "catalog" if policy.tier in service.included_for else "policy"
            reason = f"included for tier {policy.tier} ({why}){where}"
            lines.append(ServiceLine(sid, service.kind, True, service.price, Decimal(0), reason))
        elif terms.offer == "discount" and terms.discount_pct > 0:
            price = (service.price * (100 - terms.discount_pct) / 100).quantize(_CENT, ROUND_HALF_UP)
            reason = f"{terms.discount_pct.normalize():f}% off for tier {policy.tier}{where}"
            lines.append(ServiceLine(sid, service.kind, False, service.price, price, reason))
        else:
            reason = f"list price for tier {policy.tier}{where}"
            lines.append(ServiceLine(sid, service.kind, False, service.price, service.price, reason))
    return lines
