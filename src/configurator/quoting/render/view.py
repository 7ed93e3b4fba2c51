"""What templates see: a quote as plain data, every text translated and every number formatted for the locale.

:func:`quote_view` makes the view; the message ids it uses are marked with :func:`N_` so that Babel extracts
them into the message catalogs (``configurator/quoting/locale``) beside the templates' own.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.quoting.model import EXAMPLE
    >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu_m": {"label": "Aluminium M"}}}}})
    >>> view = quote_view(Quote.from_data(EXAMPLE), c, Translator("en_GB"))
    >>> view["quote"]["number"], view["reasons"][0]["text"], view["reasons"][0]["events"]
    ('Q-2026-0001', 'You bought Aluminium M before.', ['ev-1'])

Customer-facing text never shows internal ids: a reason says what the customer did in words and, when known,
when (``detail["at"]``, the month and year); the event ids stay in the data for the sales rep's tools.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from configurator.catalog.models import Catalog
from configurator.offer.lines import Line, ServiceLine
from configurator.offer.reasons import Reason
from configurator.offer.waterfall import Step
from configurator.quoting.i18n import Translator
from configurator.quoting.model import Quote

__all__ = ["MAX_REFS", "N_", "TERMS", "option_label", "quote_view", "reason_text", "step_label"]


def N_(msgid: str) -> str:
    """Mark a message for extraction (Babel) without translating it here."""
    return msgid


TERMS = (N_("terms.validity"), N_("terms.payment"), N_("terms.delivery"), N_("terms.warranty"))
"""The term ids the default message catalogs translate (``Quote.terms`` holds them)."""


_STEP_LABELS = {
    "list": N_("List price"),
    "quantity": N_("Quantity × %(qty)s"),
    "volume": N_("Volume discount"),
    "bundle": N_("Bundle discount: %(label)s"),
    "tier": N_("Loyalty discount"),
    "contract": N_("Contract price"),
    "manual": N_("Special discount"),
    "services": N_("Services"),
    "tax": N_("Tax (%(country)s)"),
    "rounding": N_("Rounding"),
}

_REASONS = {
    "stated": N_("You asked for %(option)s."),
    "purchased": N_("You bought %(option)s before."),
    "configured": N_("You chose %(option)s when you configured earlier."),
    "viewed": N_("You looked at %(option)s."),
    "transferred": N_("%(option)s matches what you chose in our other products."),
    "popular": N_("Customers like you chose %(option)s."),
    "required": N_("Your other choices require %(option)s."),
    "budget": N_("With %(option)s the bundle stays within your budget."),
    "tier": N_("We suggest %(option)s: it balances what you like with the price."),
    "default": N_("Our standard choice for %(module)s: %(option)s."),
}

# What the customer did, and when (the month of the latest event behind the reason).
_DATED_REASONS = {
    "stated": N_("You asked for %(option)s in %(when)s."),
    "purchased": N_("You bought %(option)s in %(when)s."),
    "configured": N_("You chose %(option)s when you configured in %(when)s."),
    "viewed": N_("You looked at %(option)s in %(when)s."),
}

# A growth bundle's step up: suggested and charged, never "included".
_UPGRADE_FROM = N_("We suggest %(option)s as a step up from %(instead)s.")
_UPGRADE = N_("We suggest adding %(option)s.")

_SERVICE_KINDS = {
    "post_sale": N_("After-sales service"),
    "training": N_("Training"),
    "advisory": N_("Advice"),
}

_CUSTOMER_FIELDS = ("name", "company", "email", "phone", "address")


def _catalog_at(catalog: Catalog, path: str) -> Catalog | None:
    """The sub-assembly catalog at ``module.option[/module.option...]``."""
    current: Catalog | None = catalog
    for part in filter(None, path.split("/")):
        module, _, option = part.partition(".")
        current = current.products.get((module, option)) if current else None
    return current


def _option_label(
    tr: Translator, catalog: Catalog, module: str, option: str, path: str = ""
) -> tuple[str, str]:
    where = _catalog_at(catalog, path)
    prefix = f"{path}/" if path else ""
    mod = where.modules.get(module) if where else None
    opt = mod.options.get(option) if mod else None
    if mod is None or opt is None:
        tr.text(None, f"{prefix}modules.{module}.options.{option} (not in catalog {catalog.catalog})", "")
        return module, option
    return (
        tr.text(mod.label, f"{prefix}modules.{module}.label", module),
        tr.text(opt.label, f"{prefix}modules.{module}.options.{option}.label", option),
    )


def option_label(
    tr: Translator, catalog: Catalog, module: str, option: str, path: str = ""
) -> tuple[str, str]:
    """The module's and the option's labels in ``tr``'s language (a sub-assembly's at ``path``).

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"frame": {"label": "Frame", "options": {"alu_m": {"label": "Aluminium M"}}}}})
        >>> option_label(Translator("en"), c, "frame", "alu_m")
        ('Frame', 'Aluminium M')
    """
    return _option_label(tr, catalog, module, option, path)


def step_label(tr: Translator, catalog: Catalog, step: Step, quantity: int = 1) -> str:
    """A waterfall step in words (``Loyalty discount``, ``Tax (Portugal)``), as the quote shows it.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"m": {"options": {"o": {}}}}})
        >>> step_label(Translator("pt"), c, Step("tax", "PT", Decimal(23), Decimal(123)))
        'IVA (Portugal)'
    """
    _ = tr.gettext
    values: dict[str, str] = {}
    if step.kind == "bundle":
        found = next((b for b in catalog.pricing.bundles if b.id == step.ref), None)
        values["label"] = tr.text(
            found.label if found else None, f"pricing.bundles.{step.ref}.label", step.ref
        )
    elif step.kind == "tax":
        values["country"] = tr.country(step.ref)
    elif step.kind == "quantity":
        values["qty"] = tr.number(quantity)
    msgid = _STEP_LABELS.get(step.kind)
    return _(msgid, **values) if msgid else tr.text(None, f"waterfall step {step.kind!r}", step.kind)


def _step_view(tr: Translator, catalog: Catalog, quote: Quote, step: Step) -> dict[str, Any]:
    rate = tr.percent(step.rate) if step.rate is not None else ""
    return {
        "kind": step.kind,
        "label": step_label(tr, catalog, step, quote.quantity),
        "rate": rate,
        "amount": tr.money(step.amount, quote.currency),
        "subtotal": tr.money(step.subtotal, quote.currency),
        "is_discount": step.is_discount,
        "is_zero": not step.amount,
    }


def quote_view(
    quote: Quote, catalog: Catalog, tr: Translator, customer: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The plain data templates see: every text translated and every number formatted for ``tr``'s locale.

    Keys: ``lang`` (BCP 47, for ``<html lang>``), ``title`` (the catalog's name), ``quote`` (``number``,
    ``version``, ``date``, ``valid_until``, ``quantity``, ``status``, ``tier``), ``customer`` (``id`` and the
    optional ``name``, ``company``, ``email``, ``phone`` (international format, read as dialled in the locale's
    country), ``address``; ``fields`` lists the given ones as ``key``, ``label``, ``value``), ``lines``
    (``module``, ``option``, ``qty``, ``unit_price``, ``amount``), ``steps`` (``kind``, ``label``, ``rate``,
    ``amount``, ``subtotal``, ``is_discount``, ``is_zero``), ``totals`` (``list``, ``discounts``, ``net``,
    ``tax``, ``total``), ``services`` (``label``, ``kind``, ``included``, ``list_price``, ``price``),
    ``reasons`` (``text``, what the customer did in words and dates; ``refs``, always empty since customer
    text never shows internal ids; ``events``, the ids for internal tools), ``terms`` (texts), ``needs_approval``.

    Example:
        >>> from configurator.quoting.model import EXAMPLE
        >>> from configurator.catalog.models import Catalog
        >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"frame": {"options": {"alu_m": {"label": "Aluminium M"}}}}})
        >>> view = quote_view(Quote.from_data(EXAMPLE), c, Translator("en_US"))
        >>> view["lines"][0]["option"], view["totals"]["total"], view["steps"][1]["label"]
        ('Aluminium M', '€485.60', 'Loyalty discount')
    """
    _ = tr.gettext
    money = functools.partial(_money, tr, quote.currency)
    # Built in this order, so that the fallbacks are listed in it: lines, services, reasons, terms, customer,
    # title, steps.
    lines = [_line_view(tr, catalog, line, money) for line in quote.lines]
    services = [_service_view(tr, catalog, s, money) for s in quote.services]
    reasons = [_reason_view(tr, catalog, r, money) for r in quote.reasons]
    terms = [_(term, valid_until=tr.date(quote.valid_until), currency=quote.currency) for term in quote.terms]
    who = _customer_view(tr, quote.customer_id, customer)
    w = quote.waterfall
    return {
        "lang": tr.locale.replace("_", "-"),
        "title": tr.text(catalog.name, "catalog name", catalog.catalog),
        "quote": {
            "number": quote.quote_id,
            "version": str(quote.version),
            "date": tr.date(quote.created_at.date()),
            "valid_until": tr.date(quote.valid_until),
            "quantity": tr.number(quote.quantity),
            "status": quote.status,
            "catalog_version": quote.catalog_version,
        },
        "customer": who,
        "lines": lines,
        "steps": [_step_view(tr, catalog, quote, s) for s in w.steps],
        "totals": {
            "list": money(w.list_total),
            "discounts": money(w.discounts),
            "net": money(w.net),
            "tax": money(w.tax),
            "total": money(w.total),
        },
        "services": services,
        "reasons": reasons,
        "terms": terms,
        "needs_approval": w.needs_approval,
    }


def _line_view(
    tr: Translator, catalog: Catalog, line: Line, money: Callable[[Decimal], str]
) -> dict[str, Any]:
    module, option = _option_label(tr, catalog, line.module, line.option, line.path)
    return {
        "module": module,
        "option": option,
        "qty": tr.number(line.qty),
        "unit_price": money(line.unit_price),
        "amount": money(line.amount),
    }


def _service_view(
    tr: Translator, catalog: Catalog, s: ServiceLine, money: Callable[[Decimal], str]
) -> dict[str, Any]:
    _ = tr.gettext
    found = catalog.services.get(s.service)
    label = tr.text(found.label if found else None, f"services.{s.service}.label", s.service)
    kind = _(_SERVICE_KINDS[s.kind]) if s.kind in _SERVICE_KINDS else s.kind
    return {
        "label": label,
        "kind": kind,
        "included": s.included,
        "list_price": money(s.list_price),
        "price": _("Included") if s.included else money(s.price),
    }


def _reason_view(
    tr: Translator, catalog: Catalog, r: Reason, money: Callable[[Decimal], str]
) -> dict[str, Any]:
    return {"text": reason_text(tr, catalog, r, money), "refs": "", "events": list(r.events)}


def _instead(tr: Translator, catalog: Catalog, r: Reason) -> str:
    ids = [o for o in r.detail.get("instead_of", "").split(",") if o]
    return ", ".join(_option_label(tr, catalog, r.module, o)[1] for o in ids)


def _when(r: Reason) -> dt.date | None:
    try:
        return dt.date.fromisoformat(r.detail["at"]) if "at" in r.detail else None
    except ValueError:
        return None


def reason_text(
    tr: Translator, catalog: Catalog, r: Reason, money: Callable[[Decimal], str] | None = None
) -> str:
    """Why an option fits, in the customer's words and dates (never an event id, never "included" for a charge).

    Args:
        tr: the translator (language, money and dates).
        catalog: the catalog (option labels).
        r: the reason.
        money: formats an amount (default: in the catalog's currency).

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"frame": {"options": {"carbon": {"label": "carbon frame"}, "alu": {}}}}})
        >>> reason_text(Translator("en"), c, Reason("frame", "carbon", "configured", ("ev-9",), {"at": "2026-03-02"}))
        'You chose carbon frame when you configured in March 2026.'
        >>> reason_text(Translator("en"), c, Reason("frame", "carbon", "tier", (), {"policy": "upgrade", "instead_of": "alu"}))
        'We suggest carbon frame as a step up from alu.'
    """
    _ = tr.gettext
    if money is None:
        money = functools.partial(_money, tr, catalog.currency)
    module, option = _option_label(tr, catalog, r.module, r.option)
    when = _when(r)
    if r.because == "budget" and "instead_of" in r.detail:
        instead = _instead(tr, catalog, r)
        text = _(
            N_(
                "We chose %(option)s instead of %(instead)s to keep the bundle within your budget (you save %(saves)s)."
            ),
            option=option,
            instead=instead,
            saves=money(Decimal(r.detail.get("saves", "0"))),
        )
    elif r.because == "tier" and r.detail.get("policy") == "upgrade":
        instead = _instead(tr, catalog, r)
        text = _(_UPGRADE_FROM, option=option, instead=instead) if instead else _(_UPGRADE, option=option)
    elif when is not None and r.because in _DATED_REASONS and r.detail.get("source") != "request":
        text = _(_DATED_REASONS[r.because], option=option, when=tr.month(when))
    elif r.because in _REASONS:
        text = _(_REASONS[r.because], option=option, module=module)
    else:
        text = option + " " + tr.text(None, f"reason {r.because!r}", "")
    return text.strip()


def _customer_view(tr: Translator, customer_id: str, customer: Mapping[str, str] | None) -> dict[str, Any]:
    _ = tr.gettext
    given = dict(customer or {})
    if given.get("phone"):
        given["phone"] = tr.phone(given["phone"])
    field_labels = {
        "name": _("Name"),
        "company": _("Company"),
        "email": _("Email"),
        "phone": _("Phone"),
        "address": _("Address"),
    }
    return {
        "id": customer_id,
        **{k: given[k] for k in _CUSTOMER_FIELDS if given.get(k)},
        "fields": [
            {"key": k, "label": field_labels[k], "value": given[k]} for k in _CUSTOMER_FIELDS if given.get(k)
        ],
    }


MAX_REFS = 0
"""Event ids a customer-facing reason cites: none (it says what the customer did, and when, in words)."""


def _money(tr: Translator, currency: str, amount: Decimal) -> str:
    return tr.money(amount, currency)
