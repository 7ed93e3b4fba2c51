"""``POST /customers/{customer_id}/price``: the running price of what is selected, as this customer pays it.

The same figure judges budgets everywhere: :func:`~configurator.offer.payable.payable` prices the selection
with the customer's tier discount, the catalog's bundle and volume discounts, the services their tier is offered
(each one in the total unless the request turns it off) and the tax of their country; the bundles
(``POST /customers/{id}/bundles``) and the quote use the same waterfall. The selection may be partial (the page
prices every click); it is not checked against the rules (the quote is).

Example:
    >>> [route.path for route in router.routes]
    ['/customers/{customer_id}/price']
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter

from configurator.api import price_schemas as p
from configurator.api.auth import Reader
from configurator.api.service import ServiceDep
from configurator.api.wire import Identifier, LocaleTag

if TYPE_CHECKING:
    from configurator.catalog.models import Catalog
    from configurator.offer.lines import Line, ServiceLine
    from configurator.offer.waterfall import Waterfall
    from configurator.quoting.i18n import Translator

__all__ = ["customer_price", "price_lines_out", "router"]

router = APIRouter(tags=["quotes"])

_DISCOUNTS = ("volume", "bundle", "tier", "contract", "manual")

LineKind = Literal["option", "service", "discount", "tax"]


def price_lines_out(
    cat: Catalog,
    lines: tuple[Line, ...],
    w: Waterfall,
    services: Sequence[ServiceLine],
    tr: Translator,
) -> list[p.RunningPriceLineOut]:
    """The lines of a payable waterfall: options at list price, services, discounts, tax; they add up to the total.

    Free services are listed at 0 (a charged one is never shown as free); rounding, when the currency leaves
    any, is part of the tax line.
    """
    from configurator.quoting.render.labels import LINE_KINDS, label
    from configurator.quoting.render.view import option_label, step_label

    def line(kind: LineKind, text: str, qty: int, amount: Decimal) -> p.RunningPriceLineOut:
        return p.RunningPriceLineOut(
            kind=kind,
            kind_label=label(tr, LINE_KINDS, kind),
            label=text,
            qty=qty,
            amount=amount,
            amount_text=tr.money(amount, w.currency),
        )

    out: list[p.RunningPriceLineOut] = []
    for x in lines:
        module, option = option_label(tr, cat, x.module, x.option, x.path)
        out.append(line("option", f"{module}: {option}", x.qty, x.amount))
    quantity = next((s for s in w.steps if s.kind == "quantity"), None)
    if quantity is not None and quantity.amount:
        out.append(line("option", step_label(tr, cat, quantity, int(quantity.ref)), 1, quantity.amount))
    priced = {step.ref: step.amount for step in w.steps if step.kind == "services"}
    for service in services:
        found = cat.services.get(service.service)
        text = tr.text(found.label if found else None, f"services.{service.service}.label", service.service)
        if service.included:
            out.append(line("service", text, 1, Decimal(0)))
        elif service.service in priced:
            out.append(line("service", text, 1, priced[service.service]))
    for step in w.steps:
        if step.kind in _DISCOUNTS and step.amount:
            out.append(line("discount", step_label(tr, cat, step), 1, step.amount))
    rounding = sum((s.amount for s in w.steps if s.kind == "rounding"), Decimal(0))
    for step in w.steps:
        if step.kind == "tax":
            out.append(line("tax", step_label(tr, cat, step), 1, step.amount + rounding))
    return out


@router.post("/customers/{customer_id}/price")
def customer_price(
    svc: ServiceDep,
    who: Reader,
    customer_id: Identifier,
    body: p.RunningPriceIn,
    locale: LocaleTag | None = None,
) -> p.RunningPriceOut:
    """What the customer pays for the selection now: lines, net, tax, total, and the verdict against a budget.

    Of the services the customer's tier is offered with the selection, the included ones are in the total (at
    no charge) unless ``services`` declines them, a paid one only when ``services`` chooses it, as in quotes; a
    service the catalog does not have is a 422 problem.
    """
    from configurator.assembly.policy import DEFAULT_POLICIES
    from configurator.assembly.services import service_lines
    from configurator.catalog.configuration import Configuration
    from configurator.errors import PricingError
    from configurator.offer.lines import price_lines
    from configurator.offer.payable import payable, services_in_total
    from configurator.quoting.i18n import Translator
    from configurator.quoting.render.labels import budget_gap

    cat = svc.catalog(body.catalog)
    unknown = sorted(set(body.services) - set(cat.services))
    if unknown:
        raise PricingError(f"services: catalog {cat.catalog} has no service {', '.join(unknown)}")
    store = svc.store(who)
    canonical = svc.canonical(store, customer_id)
    tier, _ = svc.tier(store, canonical)
    profile = store.get_profile(canonical)
    country = profile.extra.get("country") if profile is not None else None
    configuration = Configuration.from_data({"selections": body.selections}, where="body")
    lines = price_lines(cat, configuration)
    policy = DEFAULT_POLICIES[tier]  # type: ignore[index]  # the tier snapshot holds a known tier
    offered = service_lines(cat, configuration, policy, country, on=svc.now().date())
    chosen = services_in_total(offered, body.services)
    w = payable(cat, configuration, country=country, tier=tier, services=chosen)
    tr = Translator(body.locale or locale or cat.default_locale, cat.default_locale)
    verdict = None
    if body.budget is not None:
        code, text, gap = budget_gap(tr, body.budget, w.total, w.currency)
        verdict = p.BudgetVerdictOut(verdict=code, label=text, gap_text=gap)
    return p.RunningPriceOut(
        currency=w.currency,
        tier=tier,
        lines=price_lines_out(cat, lines, w, chosen, tr),
        net=w.net,
        net_text=tr.money(w.net, w.currency),
        tax=w.tax,
        tax_text=tr.money(w.tax, w.currency),
        total=w.total,
        total_text=tr.money(w.total, w.currency),
        budget=verdict,
    )
