"""Wire models of quote editing: what to quote, edits, versions, diffs, approval, sending and the outbox.

Money is a decimal string plus a ``*_text`` formatted in the quote's locale (Babel). :func:`quote_detail` and
:func:`diff_out` turn the library's quotes and diffs into these models.

Example:
    >>> QuoteCreateIn.model_validate({"catalog": "bike", "selections": {"frame": {"alu": 2}},
    ...     "services": {"fit": False}, "discounts": [{"line": "frame.alu", "pct": "5"}]}).discounts[0].pct
    Decimal('5')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from configurator.api import schemas as s
from configurator.api.views import quote_out
from configurator.api.wire import (
    MAX_SELECTIONS,
    CountryCode,
    Identifier,
    LocaleTag,
    PositiveMoney,
    Quantity,
    Requirement,
    Selections,
    ShortIdentifier,
    Version,
)

if TYPE_CHECKING:
    from configurator.catalog.models import Catalog
    from configurator.catalog.models import Quantity as QtyRange
    from configurator.quoting.diff import LineChange, QuoteDiff
    from configurator.quoting.lifecycle import QuoteVersionInfo
    from configurator.quoting.model import Quote

__all__ = [
    "ApproveIn",
    "ApproveOut",
    "DiffOut",
    "LineChangeOut",
    "LineDiscountIn",
    "OutboxMessageOut",
    "QuoteCreateIn",
    "QuoteDetailOut",
    "QuoteEditIn",
    "QuoteLineOut",
    "QuoteServiceOut",
    "SendIn",
    "SendOut",
    "ServiceChangeOut",
    "VersionOut",
    "diff_out",
    "quote_detail",
    "version_out",
]

Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, allow_inf_nan=False)]
"""A percentage: 0 to 100, two decimals at most."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineDiscountIn(_In):
    """A discount on one line of the quote, in percent of its list amount (0 removes one)."""

    line: Requirement = Field(description="The line's module.option.")
    pct: Percent


class _Edits(_In):
    services: dict[Identifier, bool] = Field(
        default_factory=dict,
        max_length=MAX_SELECTIONS,
        description="A service's id -> true (in the quote) or false (declined). Included services are in "
        "unless declined; others only when chosen.",
    )
    discounts: list[LineDiscountIn] = Field(default_factory=list, max_length=MAX_SELECTIONS)


class QuoteCreateIn(_Edits):
    """What to quote: a session's choices as they stand, a configuration, or (neither) the customer's best bundle."""

    catalog: Identifier | None = Field(None, description="Required unless session_id is given.")
    session_id: Identifier | None = Field(None, description="Quote this configuration session's choices.")
    selections: Selections | None = Field(None, description="Quote exactly this configuration.")
    budget: PositiveMoney | None = Field(
        None,
        description="The most the customer pays for one bundle, tax included: the assembled bundle's limit; "
        "with a session or selections, the budget they were chosen under. The quote keeps it and the order "
        "carries it, so that learned needs tell an option left out for its price from one not wanted.",
    )
    requirements: list[Requirement] = Field(
        default_factory=list,
        max_length=MAX_SELECTIONS,
        description="What the customer requires (module.option or !module.option): hard requirements of the "
        "assembled bundle; with a session or selections, what the customer required of them. The quote keeps "
        "those its bundle meets and the order carries them, so that learned needs tell a choice from a "
        "consequence of a requirement.",
    )
    locale: LocaleTag | None = Field(None, description="Default: the customer's language in their country.")
    country: CountryCode | None = Field(
        None, description="Ship-to country for tax (default: the customer's)."
    )
    quantity: Quantity = 1
    accept_repair: bool = Field(
        False, description="Quote the repaired bundle when the request cannot be met."
    )
    quote_id: ShortIdentifier | None = None


class QuoteEditIn(_Edits):
    """Edits that make the quote's next version (what is not given stays as it is)."""

    version: Version | None = Field(None, description="The version edited (refused unless it is the latest).")
    selections: Selections | None = Field(None, description="The new configuration, quantities included.")
    quantity: Quantity | None = Field(None, description="Bundles ordered.")


class ApproveIn(_In):
    """Approve a quote version's price (default: the latest version)."""

    version: Version | None = None


class SendIn(_In):
    """Send a quote version to the customer (default: the latest version)."""

    version: Version | None = None


class QuoteLineOut(BaseModel):
    """One line of the quote: the option, its quantity, list price and the rep's discount."""

    line: str
    module: str
    option: str
    label: str
    path: str
    qty: int
    qty_min: int = Field(1, description="The fewest units of the option a line may have (the catalog's qty).")
    qty_max: int = Field(1, description="The most units of the option a line may have (the catalog's qty).")
    unit_price: Decimal
    amount: Decimal
    amount_text: str
    discount_pct: Decimal | None
    discount: Decimal | None
    discount_text: str | None


class QuoteServiceOut(BaseModel):
    """A service offered with the bundle and its state: ``included`` (no charge), ``chosen`` or ``declined``.

    ``policy`` says how the tier offers it: ``opt_out`` (in at no charge unless the customer declines it) or
    ``opt_in`` (charged, in the quote only when chosen).
    """

    service: str
    label: str
    kind: str
    state: Literal["included", "chosen", "declined"]
    policy: Literal["opt_out", "opt_in"]
    list_price: Decimal
    price: Decimal
    price_text: str


class QuoteDetailOut(s.QuoteOut):
    """A stored quote version with its lines, services, discounts and approval."""

    needs_approval: bool
    approved_by: str | None
    approved_at: dt.datetime | None
    sent_at: dt.datetime | None
    discount_limit: Decimal | None
    lines: list[QuoteLineOut]
    services: list[QuoteServiceOut]
    total_text: str
    requirements: list[str] = Field(
        default_factory=list,
        description="What the customer required of the bundle (module.option, !module.option).",
    )
    budget: Decimal | None = Field(
        None, description="The most the customer would pay for one bundle, tax included, when they gave one."
    )


class VersionOut(BaseModel):
    """One version of a quote and its status now."""

    version: int
    status: str
    created_at: dt.datetime
    total: Decimal | None
    total_text: str | None
    currency: str
    valid_until: dt.date | None
    needs_approval: bool
    approved_by: str | None
    approved_at: dt.datetime | None
    sent_at: dt.datetime | None


class LineChangeOut(BaseModel):
    """A line added (nothing before), removed (nothing after) or changed, before and after."""

    line: str
    label: str
    qty_before: int | None
    qty_after: int | None
    unit_price_before: Decimal | None
    unit_price_after: Decimal | None
    amount_before: Decimal | None
    amount_after: Decimal | None
    discount_pct_before: Decimal | None
    discount_pct_after: Decimal | None


class ServiceChangeOut(BaseModel):
    """A service whose state changed (None: not offered in that version)."""

    service: str
    before: str | None
    after: str | None


class DiffOut(BaseModel):
    """What changed from version ``from_version`` to ``to_version``."""

    quote_id: str
    from_version: int
    to_version: int
    added: list[LineChangeOut]
    removed: list[LineChangeOut]
    changed: list[LineChangeOut]
    services: list[ServiceChangeOut]
    quantity_before: int
    quantity_after: int
    total_before: Decimal
    total_after: Decimal
    total_before_text: str
    total_after_text: str
    currency: str


class ApproveOut(BaseModel):
    """The approved version."""

    quote_id: str
    version: int
    status: str
    approved_by: str | None
    approved_at: dt.datetime | None


class SendOut(BaseModel):
    """The version sent and its message in the outbox."""

    quote_id: str
    version: int
    status: str
    outbox_id: int
    recipient: str


class OutboxMessageOut(BaseModel):
    """A message for the shop's mailer: recipient, subject, text and the PDF (base64)."""

    id: int
    quote_id: str
    version: int
    recipient: str
    subject: str
    text: str
    locale: str
    filename: str
    attachment_base64: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


def _label(catalog: Catalog | None, module: str, option: str, language: str) -> str:
    mod = catalog.modules.get(module) if catalog is not None else None
    opt = mod.options.get(option) if mod is not None else None
    return catalog.text(opt.label, language, option) if catalog is not None and opt is not None else option


def _quantity(catalog: Catalog | None, module: str, option: str) -> QtyRange | None:
    mod = catalog.modules.get(module) if catalog is not None else None
    opt = mod.options.get(option) if mod is not None else None
    return opt.qty if opt is not None else None


def _line_label(catalog: Catalog | None, key: str, language: str) -> str:
    module, _, option = key.rpartition("/")[2].partition(".")
    return _label(catalog, module, option, language)


def quote_detail(
    quote: Quote,
    catalogs: Mapping[str, Catalog],
    version: QuoteVersionInfo | None = None,
    locale: str | None = None,
) -> QuoteDetailOut:
    """A stored quote version as JSON: lines, services with their state, discounts, approval, totals in words."""
    from configurator.quoting.i18n import Translator

    catalog = catalogs.get(quote.catalog_id)
    words = Translator(locale or quote.locale)
    language = (locale or quote.locale).partition("_")[0]
    discounts = {d.line: d for d in quote.discounts}
    lines = []
    for line in quote.lines:
        d = discounts.get(line.key)
        qty = _quantity(catalog, line.module, line.option) if not line.path else None
        lines.append(
            QuoteLineOut(
                line=line.key,
                module=line.module,
                option=line.option,
                label=_label(catalog, line.module, line.option, language),
                path=line.path,
                qty=line.qty,
                qty_min=qty.min if qty else 1,
                qty_max=qty.max if qty else 1,
                unit_price=line.unit_price,
                amount=line.amount,
                amount_text=words.money(line.amount, quote.currency),
                discount_pct=d.pct if d else None,
                discount=d.amount if d else None,
                discount_text=words.money(d.amount, quote.currency) if d else None,
            )
        )
    services = []
    for service in (*quote.services, *quote.declined):
        known = catalog.services.get(service.service) if catalog is not None else None
        label = (
            catalog.text(known.label, language, service.service)
            if catalog is not None and known is not None
            else service.service
        )
        state = quote.service_state(service.service)
        services.append(
            QuoteServiceOut(
                service=service.service,
                label=label,
                kind=service.kind,
                state=state,
                policy="opt_out" if service.included else "opt_in",
                list_price=service.list_price,
                price=service.price,
                price_text=words.money(service.price, quote.currency),
            )
        )
    return QuoteDetailOut(
        **quote_out(quote, catalogs).model_dump(),
        needs_approval=quote.needs_approval,
        approved_by=version.approved_by if version else None,
        approved_at=version.approved_at if version else None,
        sent_at=version.sent_at if version else None,
        discount_limit=quote.discount_limit,
        lines=lines,
        services=services,
        total_text=words.money(quote.total, quote.currency),
        requirements=list(quote.requirements),
        budget=quote.budget,
    )


def version_out(info: QuoteVersionInfo, locale: str) -> VersionOut:
    """One version of a quote as JSON."""
    from configurator.quoting.i18n import Translator

    return VersionOut(
        version=info.version,
        status=info.status,
        created_at=info.created_at,
        total=info.total,
        total_text=None if info.total is None else Translator(locale).money(info.total, info.currency),
        currency=info.currency,
        valid_until=info.valid_until,
        needs_approval=info.needs_approval,
        approved_by=info.approved_by,
        approved_at=info.approved_at,
        sent_at=info.sent_at,
    )


def _change(change: LineChange, catalog: Catalog | None, language: str) -> LineChangeOut:
    return LineChangeOut(
        line=change.line,
        label=_line_label(catalog, change.line, language),
        qty_before=change.qty_before,
        qty_after=change.qty_after,
        unit_price_before=change.unit_price_before,
        unit_price_after=change.unit_price_after,
        amount_before=change.amount_before,
        amount_after=change.amount_after,
        discount_pct_before=change.discount_before,
        discount_pct_after=change.discount_after,
    )


def diff_out(diff: QuoteDiff, catalog: Catalog | None, locale: str) -> DiffOut:
    """A diff of two versions as JSON, labelled and with totals in words in ``locale``."""
    from configurator.quoting.i18n import Translator

    words = Translator(locale)
    language = locale.partition("_")[0]
    return DiffOut(
        quote_id=diff.quote_id,
        from_version=diff.from_version,
        to_version=diff.to_version,
        added=[_change(c, catalog, language) for c in diff.added],
        removed=[_change(c, catalog, language) for c in diff.removed],
        changed=[_change(c, catalog, language) for c in diff.changed],
        services=[ServiceChangeOut(service=c.service, before=c.before, after=c.after) for c in diff.services],
        quantity_before=diff.quantity_before,
        quantity_after=diff.quantity_after,
        total_before=diff.total_before,
        total_after=diff.total_after,
        total_before_text=words.money(diff.total_before, diff.currency),
        total_after_text=words.money(diff.total_after, diff.currency),
        currency=diff.currency,
    )
