"""``/catalogs``: the catalogs served, one catalog labelled in a locale, and checking a full configuration.

Example:
    >>> [route.path for route in router.routes]
    ['/catalogs', '/catalogs/{catalog_id}', '/catalogs/{catalog_id}/validate']
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

__all__ = ["get_catalog", "list_catalogs", "router", "validate"]

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
