"""``POST /customers/{customer_id}/bundles``: a customer's best diverse bundles, priced and explained.

Example:
    >>> [route.path for route in router.routes]
    ['/customers/{customer_id}/bundles']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from configurator.api import schemas as s
from configurator.api.auth import Reader
from configurator.api.service import ServiceDep
from configurator.api.views import configuration_out
from configurator.api.wire import Identifier

if TYPE_CHECKING:
    from configurator.assembly.assemble import AssembledBundle
    from configurator.catalog.models import Catalog

__all__ = ["bundles", "router"]

router = APIRouter(tags=["quotes"])


def _bundle_out(b: AssembledBundle, cat: Catalog, lang: str | None) -> s.BundleOut:
    """One assembled bundle: its configuration, service lines, reasons and repair, labelled in ``lang``."""
    repair = b.repair
    return s.BundleOut(
        rank=b.rank,
        role=b.role,
        status=b.status,
        utility=b.utility,
        price=b.price,
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
            s.ReasonOut(
                module=r.module,
                option=r.option,
                because=r.because,
                events=list(r.events),
                detail=dict(r.detail),
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
def bundles(svc: ServiceDep, who: Reader, customer_id: Identifier, body: s.BundlesIn) -> s.BundlesOut:
    """The customer's best diverse bundles: assembled from their needs and tier, priced and explained."""
    from configurator.assembly.assemble import assemble
    from configurator.assembly.context import customer_context

    cat = svc.catalog(body.catalog)
    store = svc.store(who)
    canonical = svc.canonical(store, customer_id)
    tier, _ = svc.tier(store, canonical)
    context = customer_context(store, store.tenant, canonical, cat, tiers=tier)
    found = assemble(
        cat, context, budget=body.budget, requirements=body.requirements, k=body.k, on=svc.now().date()
    )
    channel = found[0].channel if found else "web"
    return s.BundlesOut(
        customer_id=canonical,
        catalog=cat.catalog,
        tier=context.tier,
        channel=channel,
        bundles=[_bundle_out(b, cat, body.locale) for b in found],
    )
