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
from configurator.api import session_schemas as ss
from configurator.api.sessions import ranked_repairs
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
    "choice_label",
    "configuration_out",
    "conflict_out",
    "describe",
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


_CARDINALITY = {
    "en": (
        "{m} takes exactly one option",
        "{m} takes at most one option",
        "{m} takes {a} to {b} options",
        "{m} takes at least {a} options",
    ),
    "pt": (
        "{m} leva exatamente uma opção",
        "{m} leva no máximo uma opção",
        "{m} leva de {a} a {b} opções",
        "{m} leva pelo menos {a} opções",
    ),
    "es": (
        "{m} lleva exactamente una opción",
        "{m} lleva como máximo una opción",
        "{m} lleva de {a} a {b} opciones",
        "{m} lleva al menos {a} opciones",
    ),
    "sv": (
        "{m} tar exakt ett alternativ",
        "{m} tar högst ett alternativ",
        "{m} tar {a} till {b} alternativ",
        "{m} tar minst {a} alternativ",
    ),
}
_QUANTITY = {
    "en": "{o}: the quantity must be {a} to {b}",
    "pt": "{o}: a quantidade tem de ser de {a} a {b}",
    "es": "{o}: la cantidad debe ser de {a} a {b}",
    "sv": "{o}: antalet måste vara {a} till {b}",
}
_OFF_SALE = {
    "en": "{o} is not on sale on this date",
    "pt": "{o} não está à venda nesta data",
    "es": "{o} no está a la venta en esta fecha",
    "sv": "{o} säljs inte detta datum",
}


def describe(catalog: Catalog, constraint: str, locale: str | None) -> str | None:
    """A structural constraint (``module:M:choose``, ``option:M.O:qty``, ``option:M.O:effective``) in words.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en", "pt"],
        ...     "modules": {"frame": {"label": {"en": "Frame", "pt": "Quadro"}, "options": {"alu": {}}}}})
        >>> describe(cat, "module:frame:choose", "pt"), describe(cat, "no-such", "en")
        ('Quadro leva exatamente uma opção', None)
    """
    lang = (locale or catalog.default_locale).partition("_")[0]
    lang = lang if lang in _CARDINALITY else "en"
    kind, _, rest = constraint.partition(":")
    target, _, what = rest.rpartition(":")
    if kind == "module" and what == "choose" and target in catalog.modules:
        mod = catalog.modules[target]
        label = catalog.text(mod.label, locale, target)
        low, high = mod.choose.min, mod.max_choices
        exactly, at_most, between, at_least = _CARDINALITY[lang]
        if low == high == 1:
            return exactly.format(m=label)
        if low == 0 and high == 1:
            return at_most.format(m=label)
        if mod.choose.max is None and low > 0:
            return at_least.format(m=label, a=low)
        return between.format(m=label, a=low, b=high)
    module, _, option = target.partition(".")
    if kind == "option" and module in catalog.modules and option in catalog.modules[module].options:
        opt = catalog.modules[module].options[option]
        label = catalog.text(opt.label, locale, option)
        if what == "qty":
            return _QUANTITY[lang].format(o=label, a=opt.qty.min, b=opt.qty.max)
        if what == "effective":
            return _OFF_SALE[lang].format(o=label)
    return None


def conflict_out(catalog: Catalog, conflict: Conflict, locale: str | None) -> s.ConflictOut:
    """A conflict's choices and rules, with each rule's message in the locale (structure described in words)."""
    rules = {rule.id: rule for rule in catalog.rules}
    messages = {c: catalog.text(rules[c].message, locale, c) for c in conflict.constraints if c in rules}
    for c in conflict.constraints:
        if c not in rules:
            words = describe(catalog, c, locale)
            if words is not None:
                messages[c] = words
    return s.ConflictOut(
        choices=list(conflict.choices), constraints=list(conflict.constraints), messages=messages
    )


def choice_label(catalog: Catalog, key: str, locale: str | None) -> str:
    """A choice ``module.option`` in words: ``Frame: Carbon`` in the locale (the key itself when unknown).

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en", "pt"],
        ...     "modules": {"frame": {"label": {"en": "Frame", "pt": "Quadro"}, "options": {"alu": {}}}}})
        >>> choice_label(cat, "frame.alu", "pt"), choice_label(cat, "x.y", "en")
        ('Quadro: alu', 'x.y')
    """
    module, _, option = key.partition(".")
    mod = catalog.modules.get(module)
    opt = mod.options.get(option) if mod is not None else None
    if mod is None or opt is None:
        return key
    return f"{catalog.text(mod.label, locale, module)}: {catalog.text(opt.label, locale, option)}"


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


def session_out(sid: str, live: LiveSession, *, explain: bool, locale: str | None) -> ss.SessionStateOut:
    """A session's state: choices, domains, conflict and repairs, removed options, advice and the draft."""
    session, catalog = live.session, live.catalog
    domains = session.domains()
    feasible = any(domains.values()) or all(m.choose.min == 0 for m in catalog.modules.values())
    conflict = None
    repairs: list[ss.RepairOut] = []
    if not feasible:
        found = session.explain()
        if found is not None:
            plain = conflict_out(catalog, found, locale)
            conflict = ss.ConflictWordsOut(
                **plain.model_dump(), labels={k: choice_label(catalog, k, locale) for k in plain.choices}
            )
        repairs = [
            ss.RepairOut(
                index=i,
                drop=list(r.drop),
                labels=[choice_label(catalog, k, locale) for k in r.drop],
                cost=r.cost,
            )
            for i, r in enumerate(ranked_repairs(live))
        ]
    removed = None
    if explain and feasible:
        removed = {key: conflict_out(catalog, c, locale) for key, c in session.removed().items()}
    return ss.SessionStateOut(
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
        repairs=repairs,
        draft=live.draft,
        started_from=_started_from(live, locale),
    )


def _started_from(live: LiveSession, locale: str | None) -> ss.StartedFromOut | None:
    """The start a returning customer's session was given (kept in its draft), with labels in the locale."""
    kept = live.draft.get("started_from")
    if not isinstance(kept, dict):
        return None
    try:
        return ss.StartedFromOut(
            kind=kept["kind"],
            at=kept["at"],
            kept=list(kept["kept"]),
            saved=len(kept["kept"]),
            changes=[
                ss.StartChangeOut(
                    key=c["key"], label=_option_words(live.catalog, c["key"], locale), reason=c["reason"]
                )
                for c in kept["changes"]
            ],
        )
    except (KeyError, TypeError, ValueError):  # a draft another client rewrote: no start to show
        return None


def _option_words(catalog: Catalog, key: str, locale: str | None) -> str:
    module, _, option = key.partition(".")
    mod = catalog.modules.get(module)
    opt = mod.options.get(option) if mod is not None else None
    return catalog.text(opt.label, locale, option) if opt is not None else option.replace("_", " ")


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
