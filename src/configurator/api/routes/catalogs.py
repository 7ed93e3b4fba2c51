"""``/catalogs``: the catalogs served, one catalog labelled in a locale, checking and pricing a configuration.

Example:
    >>> [route.path for route in router.routes]
    ['/catalogs', '/catalogs/{catalog_id}', '/catalogs/{catalog_id}/validate', '/catalogs/{catalog_id}/price']
"""

from __future__ import annotations

from fastapi import APIRouter

from configurator.api import schemas as s
from configurator.api.auth import Reader
from configurator.api.service import ServiceDep
from configurator.api.views import catalog_summary
from configurator.api.wire import Identifier, LocaleTag
from configurator.catalog.check import find_violations
from configurator.catalog.configuration import Configuration

__all__ = ["get_catalog", "list_catalogs", "price", "router", "validate"]

router = APIRouter(tags=["catalogs"])


@router.get("/catalogs")
def list_catalogs(svc: ServiceDep, who: Reader, locale: LocaleTag | None = None) -> list[s.CatalogSummary]:
    """The catalogs served, with their names in the locale."""
    return [s.CatalogSummary(**catalog_summary(c, locale)) for c in svc.catalogs.values()]


@router.get("/catalogs/{catalog_id}")
def get_catalog(
    svc: ServiceDep, who: Reader, catalog_id: Identifier, locale: LocaleTag | None = None
) -> s.CatalogOut:
    """A catalog's modules, options, rules and services, labelled in the locale (default: the catalog's)."""
    cat = svc.catalog(catalog_id)
    lang = locale or cat.default_locale
    modules = [
        s.ModuleOut(
            id=mid,
            label=cat.text(mod.label, lang, mid),
            description=cat.text(mod.description, lang) or None,
            min=mod.choose.min,
            max=mod.choose.max,
            default=list(mod.default),
            options=[
                s.OptionOut(
                    id=oid,
                    label=cat.text(opt.label, lang, oid),
                    description=cat.text(opt.description, lang) or None,
                    price=opt.price,
                    attrs=dict(opt.attrs),
                    sub_assembly=opt.product,
                )
                for oid, opt in mod.options.items()
            ],
        )
        for mid, mod in cat.modules.items()
    ]
    return s.CatalogOut(
        **catalog_summary(cat, lang),
        locale=lang,
        modules=modules,
        rules=[s.RuleOut(id=r.id, message=cat.text(r.message, lang, r.id)) for r in cat.rules],
        services=[
            s.ServiceOut(
                id=sid, kind=service.kind, label=cat.text(service.label, lang, sid), price=service.price
            )
            for sid, service in cat.services.items()
        ],
    )


@router.post("/catalogs/{catalog_id}/validate")
def validate(
    svc: ServiceDep, who: Reader, catalog_id: Identifier, body: s.ValidateIn, locale: LocaleTag | None = None
) -> s.ValidateOut:
    """Check a full configuration with the independent checker: the rules it violates, in the locale."""
    cat = svc.catalog(catalog_id)
    configuration = Configuration.from_data({"selections": body.selections}, where="body")
    found = find_violations(cat, configuration, on=body.on, locale=locale)
    return s.ValidateOut(
        catalog=cat.catalog,
        valid=not found,
        violations=[
            s.ViolationOut(
                rule_id=v.rule_id, kind=v.kind, message=v.message, choices=list(v.choices), path=v.path
            )
            for v in found
        ],
    )


@router.post("/catalogs/{catalog_id}/price")
def price(svc: ServiceDep, who: Reader, catalog_id: Identifier, body: s.PriceIn) -> s.PriceOut:
    """Price a full configuration: list price lines and the waterfall (quantity, volume, tier, tax, rounding).

    An invalid configuration is never priced: it is a 422 ``invalid-bundle`` problem with its violations.
    """
    from configurator.errors import InvalidBundleError
    from configurator.offer.lines import price_lines
    from configurator.offer.pricing import PricingContext, waterfall

    cat = svc.catalog(catalog_id)
    configuration = Configuration.from_data({"selections": body.selections}, where="body")
    found = find_violations(cat, configuration, on=body.on)
    if found:
        raise InvalidBundleError(cat.catalog, found)
    tier = "standard"
    if body.customer_id is not None:
        store = svc.store(who)
        tier, _ = svc.tier(store, svc.canonical(store, body.customer_id))
    lines = price_lines(cat, configuration)
    w = waterfall(cat, lines, PricingContext(country=body.country, quantity=body.quantity, tier=tier))  # type: ignore[arg-type]
    return s.PriceOut(
        catalog=cat.catalog,
        currency=w.currency,
        tier=tier,
        lines=[
            s.PriceLineOut(
                module=x.module,
                option=x.option,
                qty=x.qty,
                unit_price=x.unit_price,
                amount=x.amount,
                path=x.path,
            )
            for x in lines
        ],
        steps=[
            s.PriceStepOut(
                kind=x.kind, ref=x.ref, amount=x.amount, subtotal=x.subtotal, rate=x.rate, note=x.note
            )
            for x in w.steps
        ],
        net=w.net,
        tax=w.tax,
        total=w.total,
    )
