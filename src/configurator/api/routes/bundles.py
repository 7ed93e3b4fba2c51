"""``POST /customers/{customer_id}/bundles``: a customer's best diverse bundles, priced and explained.

The budget is judged on what the customer pays (``total``: tier and bundle discounts, the services they pay
for, tax), the figure ``POST /customers/{id}/price`` and the quote show. Every machine code has its words
beside it in the request's locale: ``role_label``, each reason's ``label`` and ``text`` (what the customer did,
and when, never an event id), the budget verdict's ``label`` and ``gap_text``.

Example:
    >>> [route.path for route in router.routes]
    ['/customers/{customer_id}/bundles']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from configurator.api import price_schemas as p
from configurator.api import schemas as s
from configurator.api.auth import Reader
from configurator.api.service import ServiceDep
from configurator.api.views import configuration_out
from configurator.api.wire import Identifier, LocaleTag

if TYPE_CHECKING:
    from configurator.assembly.assemble import AssembledBundle
    from configurator.catalog.models import Catalog
    from configurator.quoting.i18n import Translator

__all__ = ["bundles", "router"]

router = APIRouter(tags=["quotes"])


def _bundle_out(b: AssembledBundle, cat: Catalog, lang: str | None, tr: Translator) -> p.PricedBundleOut:
    """One assembled bundle: its configuration, payable total, services, reasons and repair, labelled in ``lang``."""
    from configurator.quoting.render.labels import BUNDLE_ROLES, REASON_KINDS, budget_gap, label
    from configurator.quoting.render.view import reason_text

    repair = b.repair
    verdict = None
    if b.budget is not None and b.total is not None:
        code, text, gap = budget_gap(tr, b.budget, b.total, cat.currency)
        verdict = p.BudgetVerdictOut(verdict=code, label=text, gap_text=gap)
    return p.PricedBundleOut(
        rank=b.rank,
        role=b.role,
        status=b.status,
        utility=b.utility,
        price=b.price,
        role_label=label(tr, BUNDLE_ROLES, b.role),
        currency=cat.currency,
        total=b.total,
        total_text=tr.money(b.total, cat.currency) if b.total is not None else "",
        budget=verdict,
        configuration=configuration_out(cat, b.configuration, lang),
        services=[
            s.ServiceLineOut(
                service=line.service,
                kind=line.kind,
                label=cat.text(cat.services[line.service].label, lang, line.service)
                if line.service in cat.services
                else line.service,
                included=line.included,
                list_price=line.list_price,
                price=line.price,
                reason=line.reason,
            )
            for line in b.services
        ],
        reasons=[
            p.PricedReasonOut(
                module=r.module,
                option=r.option,
                because=r.because,
                events=list(r.events),
                detail=dict(r.detail),
                label=label(tr, REASON_KINDS, r.because),
                text=reason_text(tr, cat, r),
            )
            for r in b.reasons
        ],
        repair=None
        if repair is None
        else s.RepairOut(
            drop=list(repair.drop),
            keep=list(repair.keep),
            cost=repair.cost,
            raise_budget_to=repair.raise_budget_to,
        ),
    )


@router.post("/customers/{customer_id}/bundles")
def bundles(
    svc: ServiceDep, who: Reader, customer_id: Identifier, body: s.BundlesIn, locale: LocaleTag | None = None
) -> p.PricedBundlesOut:
    """The customer's best diverse bundles: assembled from their needs and tier, priced and explained.

    ``budget`` is the most the customer pays (tax included); each bundle's ``total`` is what they would pay.
    What the customer bought from the other catalogs served teaches this one through shared attributes and
    price level (weaker than their own choices in this catalog).
    """
    from configurator.assembly.assemble import assemble
    from configurator.assembly.context import customer_context
    from configurator.quoting.i18n import Translator

    cat = svc.catalog(body.catalog)
    store = svc.store(who)
    canonical = svc.canonical(store, customer_id)
    tier, _ = svc.tier(store, canonical)
    transfer = svc.transfer(store, cat.catalog)
    context = customer_context(store, store.tenant, canonical, cat, tiers=tier, transfer=transfer)
    found = assemble(
        cat, context, budget=body.budget, requirements=body.requirements, k=body.k, on=svc.now().date()
    )
    channel = found[0].channel if found else "web"
    lang = body.locale or locale
    tr = Translator(lang or cat.default_locale, cat.default_locale)
    return p.PricedBundlesOut(
        customer_id=canonical,
        catalog=cat.catalog,
        tier=context.tier,
        channel=channel,
        bundles=[_bundle_out(b, cat, lang, tr) for b in found],
    )
