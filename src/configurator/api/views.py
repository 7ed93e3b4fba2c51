"""JSON views of domain objects: configurations, conflicts, catalogs, sessions, quotes and their links.

Each function turns what the library returns into the response models of :mod:`configurator.api.schemas`,
with labels and messages in the locale asked for.

Example:
    >>> links("Q-1", 2)["pdf"]
    '/quotes/Q-1?format=pdf&version=2'
    >>> links("Q 1/2", 1)["accept"]
    '/quotes/Q%201%2F2/accept'
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from configurator.api import schemas as s
from configurator.solver.session import list_price

if TYPE_CHECKING:
    from configurator.api.service import LiveSession
    from configurator.catalog.configuration import Configuration
    from configurator.catalog.models import Catalog
    from configurator.quoting.model import Quote
    from configurator.solver.session import Conflict

__all__ = [
    "MEDIA_TYPES",
    "catalog_summary",
    "configuration_out",
    "conflict_out",
    "links",
    "quote_out",
    "session_out",
]

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "pdf": "application/pdf",
}
"""The media type of each rendered quote format."""


def configuration_out(
    catalog: Catalog, configuration: Configuration, locale: str | None
) -> s.ConfigurationOut:
    """A configuration's selections and items (labelled in the locale, priced) and its list price."""
    items = []
    for module, option, qty in configuration.items():
        mod = catalog.modules.get(module)
        opt = mod.options.get(option) if mod is not None else None
        label = catalog.text(opt.label, locale, option) if opt is not None else option
        items.append(
            s.SelectedOut(module=module, option=option, qty=qty, label=label, price=opt.price if opt else 0)
        )
    return s.ConfigurationOut(
        selections={
            m: {o: q for o, q in opts.items() if q > 0} for m, opts in configuration.selections.items()
        },
        items=items,
        list_price=list_price(catalog, configuration),
    )


def conflict_out(catalog: Catalog, conflict: Conflict, locale: str | None) -> s.ConflictOut:
    """A conflict's choices and rules, with each rule's message in the locale."""
    rules = {rule.id: rule for rule in catalog.rules}
    messages = {c: catalog.text(rules[c].message, locale, c) for c in conflict.constraints if c in rules}
    return s.ConflictOut(
        choices=list(conflict.choices), constraints=list(conflict.constraints), messages=messages
    )


def catalog_summary(catalog: Catalog, locale: str | None) -> dict[str, Any]:
    """The fields of :class:`~configurator.api.schemas.CatalogSummary`: id, name in the locale, counts."""
    return {
        "id": catalog.catalog,
        "version": catalog.version,
        "name": catalog.text(catalog.name, locale, catalog.catalog),
        "currency": catalog.currency,
        "locales": list(catalog.locales),
        "module_count": len(catalog.modules),
        "option_count": sum(len(m.options) for m in catalog.modules.values()),
        "rule_count": len(catalog.rules),
        "service_count": len(catalog.services),
    }


def _recommendations(live: LiveSession, locale: str | None) -> dict[str, list[s.RecommendationOut]] | None:
    """The options a customer's learned needs recommend per module (``None`` for an anonymous session)."""
    if live.view is None or live.needs is None:
        return None
    from configurator.assembly.needs import recommendations

    catalog = live.catalog
    return {
        module: [
            s.RecommendationOut(
                option=option,
                label=catalog.text(catalog.modules[module].options[option].label, locale, option),
                probability=round(p, 6),
            )
            for option, p in ranked
        ]
        for module, ranked in recommendations(live.session, live.view, live.needs).items()
    }


def session_out(sid: str, live: LiveSession, *, explain: bool, locale: str | None) -> s.SessionOut:
    """A session's state: choices, valid options, the conflict when none is left, removed options, advice."""
    session, catalog = live.session, live.catalog
    domains = session.domains()
    feasible = any(domains.values()) or all(m.choose.min == 0 for m in catalog.modules.values())
    conflict = None
    if not feasible:
        found = session.explain()
        conflict = None if found is None else conflict_out(catalog, found, locale)
    removed = None
    if explain and feasible:
        removed = {key: conflict_out(catalog, c, locale) for key, c in session.removed().items()}
    return s.SessionOut(
        session_id=sid,
        catalog=catalog.catalog,
        customer_id=live.customer_id,
        choices=[
            s.ChoiceOut(module=c.module, option=c.option, selected=c.selected, qty=c.qty)
            for c in session.choices
        ],
        domains={m: list(opts) for m, opts in domains.items()},
        feasible=feasible,
        conflict=conflict,
        removed=removed,
        recommendations=_recommendations(live, locale) if feasible else None,
    )


def links(quote_id: str, version: int) -> dict[str, str]:
    """The URLs of a quote version in each format, and of its acceptance."""
    base = f"/quotes/{urllib.parse.quote(quote_id, safe='')}"
    return {fmt: f"{base}?format={fmt}&version={version}" for fmt in MEDIA_TYPES} | {
        "accept": f"{base}/accept"
    }


def quote_out(quote: Quote, catalogs: Mapping[str, Catalog]) -> s.QuoteOut:
    """A stored quote version as JSON (its configuration labelled when its catalog is still served)."""
    cat = catalogs.get(quote.catalog_id)
    configuration = (
        configuration_out(cat, quote.configuration, quote.locale.partition("_")[0])
        if cat is not None
        else s.ConfigurationOut(selections={}, items=[], list_price=Decimal(0))
    )
    return s.QuoteOut(
        quote_id=quote.quote_id,
        version=quote.version,
        status=quote.status,
        customer_id=quote.customer_id,
        catalog=quote.catalog_id,
        locale=quote.locale,
        currency=quote.currency,
        tier=quote.tier,
        quantity=quote.quantity,
        total=quote.total,
        created_at=quote.created_at,
        valid_until=quote.valid_until,
        configuration=configuration,
        links=links(quote.quote_id, quote.version),
    )
