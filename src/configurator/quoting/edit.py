"""Quote exactly what was configured, and edit a quote into its next version.

:func:`configured_quote` quotes a configuration as the rep made it (every option with its quantity, re-checked
by the independent checker), where :func:`~configurator.quoting.build.quote_for_customer` assembles a bundle:
nothing is re-derived, so no quantity is lost. :func:`edit_changes` turns a rep's edits of a stored version
(selections and quantities, the bundles ordered, service choices, line discounts) into the changes of the next
version, for :func:`~configurator.quoting.lifecycle.revise`.

Services follow the tier's policy, visibly: a service included for the customer's tier is in the quote at no
charge unless declined (``{"fit": False}``); any other service offered is in the total only when chosen
(``{"course": True}``). Each service is then ``included``, ``chosen`` or ``declined``
(:meth:`~configurator.quoting.model.Quote.service_state`).

Line discounts are a percentage of a line's list amount; together they are one amount off the order in the
waterfall's ``manual`` step. Each tier has a limit (:func:`discount_limits`, from the setting
``CONFIGURATOR_DISCOUNT_LIMITS``); a discount above it makes the version wait for an approval
(:attr:`~configurator.quoting.model.Quote.needs_approval`).

Example:
    >>> import datetime as dt
    >>> from configurator.catalog.models import Catalog
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}}},
    ...                 "cages": {"choose": "any", "options": {"cage": {"price": 10, "qty": {"max": 3}}}}},
    ...     "services": {"fit": {"kind": "advisory", "price": 80, "included_for": ["mvc"]},
    ...                  "course": {"kind": "training", "price": 100}}})
    >>> at = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    >>> wanted = Configuration({"frame": {"alu": 1}, "cages": {"cage": 2}})
    >>> q = configured_quote(bike, wanted, QuoteEdits(discounts={"frame.alu": Decimal(20)}),
    ...     customer_id="ann", tenant="shop", quote_id="Q-1", locale="en", country="PT", tier="mvc",
    ...     created_at=at, limits=discount_limits("mvc=15"))
    >>> [(line.key, line.qty) for line in q.lines]
    [('frame.alu', 1), ('cages.cage', 2)]
    >>> [(s, q.service_state(s)) for s in ("fit", "course")], q.needs_approval
    ([('fit', 'included'), ('course', 'declined')], True)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, get_args

from configurator.assembly.context import customer_context
from configurator.assembly.explain import Explainer
from configurator.assembly.policy import DEFAULT_POLICIES
from configurator.assembly.ports import CustomerStore
from configurator.assembly.services import service_lines
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog, Tier
from configurator.errors import QuoteBuildError
from configurator.offer.lines import Line, ServiceLine, price_lines
from configurator.offer.pricing import ManualDiscount, PricingContext, waterfall
from configurator.offer.reasons import Reason
from configurator.offer.tax import minor_units
from configurator.offer.waterfall import Waterfall
from configurator.quoting.build import (
    DEFAULT_TERMS,
    check_bundle,
    customer_locale,
    default_quote_id,
    locale_code,
)
from configurator.quoting.model import LineDiscount, Quote, met_requirements

if TYPE_CHECKING:  # typing only
    from configurator.needs.transfer import Transfer

__all__ = [
    "DEFAULT_DISCOUNT_LIMITS",
    "QuoteEdits",
    "configured_quote",
    "customer_configured_quote",
    "discount_limits",
    "edit_changes",
]

DEFAULT_DISCOUNT_LIMITS = "mvc=15,mgc=10,standard=5,below_zero=0"
"""The line discount limits (percent) by tier unless ``CONFIGURATOR_DISCOUNT_LIMITS`` says otherwise."""

_TIERS: tuple[str, ...] = get_args(Tier)
_HUNDRED = Decimal(100)


@dataclasses.dataclass(frozen=True)
class QuoteEdits:
    """What a rep asks of a quote: the configuration, the bundles ordered, services and line discounts.

    Attributes:
        configuration: the configuration to quote (None: keep the quote's).
        quantity: bundles ordered (None: keep).
        services: a service's id -> True (in the quote) or False (declined); services not named keep their
            state (a new quote: included ones in, priced ones out).
        discounts: a line's ``module.option`` -> discount in percent; 0 removes one; lines not named keep
            theirs (a line no longer in the configuration loses its discount).
    """

    configuration: Configuration | None = None
    quantity: int | None = None
    services: Mapping[str, bool] = dataclasses.field(default_factory=dict)
    discounts: Mapping[str, Decimal] = dataclasses.field(default_factory=dict)


def discount_limits(text: str = DEFAULT_DISCOUNT_LIMITS) -> dict[str, Decimal]:
    """The line discount limits by tier from ``tier=pct`` pairs (a tier not named gets 0).

    Example:
        >>> discount_limits("mvc=15, mgc=10")
        {'mvc': Decimal('15'), 'mgc': Decimal('10'), 'standard': Decimal('0'), 'below_zero': Decimal('0')}
        >>> discount_limits("gold=5")
        Traceback (most recent call last):
        ...
        configurator.errors.QuoteBuildError: discount limits: expected tier=pct pairs for tiers mvc, mgc, standard, below_zero, got 'gold=5'
    """
    found = dict.fromkeys(_TIERS, Decimal(0))
    for part in text.split(","):
        if not part.strip():
            continue
        tier, _, pct = part.partition("=")
        try:
            value = Decimal(pct.strip())
        except ArithmeticError:
            value = Decimal(-1)
        if tier.strip() not in _TIERS or not value.is_finite() or not 0 <= value <= _HUNDRED:
            raise QuoteBuildError(
                f"discount limits: expected tier=pct pairs for tiers {', '.join(_TIERS)}, got {part.strip()!r}"
            )
        found[tier.strip()] = value
    return found


def _offered(
    catalog: Catalog, configuration: Configuration, tier: str, country: str, on: dt.date | None
) -> list[ServiceLine]:
    return service_lines(catalog, configuration, DEFAULT_POLICIES[tier], country, on=on)  # type: ignore[index]


def _choose(
    offered: Sequence[ServiceLine], choices: Mapping[str, bool]
) -> tuple[tuple[ServiceLine, ...], tuple[ServiceLine, ...]]:
    """The services in the quote and those declined: included ones unless declined, others only when chosen."""
    known = {s.service for s in offered}
    unknown = sorted(set(choices) - known)
    if unknown:
        raise QuoteBuildError(
            f"services: {', '.join(unknown)} not offered with this bundle to this customer "
            f"(offered: {', '.join(sorted(known)) or 'none'})"
        )
    kept: list[ServiceLine] = []
    declined: list[ServiceLine] = []
    for line in offered:
        wanted = choices.get(line.service, line.included)
        (kept if wanted else declined).append(line)
    return tuple(kept), tuple(declined)


def _line_discounts(
    lines: Sequence[Line], quantity: int, discounts: Mapping[str, Decimal], currency: str
) -> tuple[LineDiscount, ...]:
    digits = minor_units(currency)
    unit = Decimal(1).scaleb(-(2 if digits is None else digits))
    top = {line.key: line for line in lines if not line.path}
    out = []
    for key, pct in discounts.items():
        if key not in top:
            raise QuoteBuildError(
                f"discounts: no line {key!r} in the quote (lines: {', '.join(top) or 'none'})"
            )
        if not pct.is_finite() or not 0 <= pct <= _HUNDRED:
            raise QuoteBuildError(f"discounts: {key}: expected a percentage from 0 to 100, got {pct}")
        if pct == 0:
            continue
        amount = (top[key].amount * quantity * pct / _HUNDRED).quantize(unit, rounding=ROUND_HALF_UP)
        out.append(LineDiscount(key, pct, amount))
    order = list(top)
    return tuple(sorted(out, key=lambda d: order.index(d.line)))


def _priced(
    catalog: Catalog,
    configuration: Configuration,
    *,
    country: str,
    tier: str,
    quantity: int,
    services: tuple[ServiceLine, ...],
    discounts: Mapping[str, Decimal],
    rep: str,
) -> tuple[tuple[Line, ...], tuple[LineDiscount, ...], Waterfall]:
    lines = price_lines(catalog, configuration)
    taken = _line_discounts(lines, quantity, discounts, catalog.currency)
    manual = None
    if taken:
        total = sum((d.amount for d in taken), Decimal(0))
        words = ", ".join(f"{d.line} {d.pct.normalize():f} %" for d in taken)
        manual = ManualDiscount(rep, amount=total, reason=f"line discounts: {words}")
    context = PricingContext(
        country=country,
        quantity=quantity,
        tier=tier,  # type: ignore[arg-type]  # checked by the caller
        manual=manual,
        services=tuple(s for s in services if not s.included),
    )
    return lines, taken, waterfall(catalog, lines, context)


def configured_quote(
    catalog: Catalog,
    configuration: Configuration,
    edits: QuoteEdits | None = None,
    *,
    customer_id: str,
    tenant: str,
    quote_id: str,
    locale: str,
    country: str,
    tier: str,
    created_at: dt.datetime,
    limits: Mapping[str, Decimal] | None = None,
    reasons: Sequence[Reason] = (),
    rep: str = "rep",
    valid_days: int = 30,
    terms: Sequence[str] = DEFAULT_TERMS,
    on: dt.date | None = None,
    requirements: Sequence[str] = (),
    budget: Decimal | None = None,
) -> Quote:
    """A draft quote (version 1) of exactly ``configuration``: every option with its quantity.

    Args:
        catalog: the catalog.
        configuration: what the rep configured (checked here by the independent checker).
        edits: bundles ordered, service choices and line discounts (its ``configuration`` is ignored).
        customer_id: the customer.
        tenant: the shop.
        quote_id: the quote number.
        locale: the language to render it in.
        country: the ship-to country (tax, service eligibility).
        tier: the customer's tier (services' terms, the line discount limit).
        created_at: when (aware).
        limits: line discount limits by tier (default :data:`DEFAULT_DISCOUNT_LIMITS`).
        reasons: why each choice fits the customer, when known.
        rep: who gives the discounts (named on the ``manual`` step).
        valid_days: days the offer holds.
        terms: the terms' message ids.
        on: the date for effective dates (default: ``created_at``'s date).
        requirements: what the customer required of it (``module.option``, ``!module.option``); the quote
            keeps those the configuration meets.
        budget: the most the customer would pay for one bundle (tax included), when they gave one; the order
            carries it, so that the needs model can tell an option left out for its price.

    Raises:
        InvalidBundleError: the configuration violates a rule.
        QuoteBuildError: an unknown tier, a service not offered, a discount on no line or out of range, a
            budget that is not positive.
    """
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        raise QuoteBuildError(f"created_at: expected an aware datetime, got {created_at.isoformat()}")
    if tier not in _TIERS:
        raise QuoteBuildError(f"tier: expected one of {', '.join(_TIERS)}, got {tier!r}")
    if budget is not None and not budget > 0:
        raise QuoteBuildError(f"budget: expected an amount above 0, got {budget}")
    edits = edits or QuoteEdits()
    day = on if on is not None else created_at.date()
    _check_requirements(catalog, requirements)
    check_bundle(catalog, configuration, day)
    if configuration.catalog is None:
        configuration = dataclasses.replace(configuration, catalog=catalog.catalog)
    kept, declined = _choose(_offered(catalog, configuration, tier, country, day), edits.services)
    quantity = edits.quantity or 1
    lines, taken, steps = _priced(
        catalog,
        configuration,
        country=country,
        tier=tier,
        quantity=quantity,
        services=kept,
        discounts=edits.discounts,
        rep=rep,
    )
    selected = {(m, o) for m, o, _ in configuration.items()}
    return Quote(
        quote_id=quote_id,
        version=1,
        tenant=tenant,
        customer_id=customer_id,
        catalog_id=catalog.catalog,
        catalog_version=str(catalog.version),
        locale=locale_code(locale),
        currency=steps.currency,
        created_at=created_at,
        valid_until=created_at.date() + dt.timedelta(days=valid_days),
        tier=tier,
        quantity=quantity,
        configuration=configuration,
        lines=lines,
        services=kept,
        waterfall=steps,
        reasons=tuple(r for r in reasons if (r.module, r.option) in selected),
        terms=tuple(terms),
        discounts=taken,
        declined=declined,
        discount_limit=(limits or discount_limits()).get(tier, Decimal(0)),
        requirements=met_requirements(configuration, requirements),
        budget=budget,
    )


def _check_requirements(catalog: Catalog, requirements: Sequence[str]) -> None:
    """Refuse a requirement that is not ``module.option`` / ``!module.option`` of a top-level option of ``catalog``."""
    for text in requirements:
        module, dot, option = text.strip().lstrip("!").strip().rpartition(".")
        mod = catalog.modules.get(module)
        if not dot or mod is None or option not in mod.options:
            raise QuoteBuildError(
                f"requirements: expected module.option or !module.option of catalog {catalog.catalog}, got {text!r}"
            )


def edit_changes(
    catalog: Catalog,
    quote: Quote,
    edits: QuoteEdits,
    *,
    country: str,
    created_at: dt.datetime,
    limits: Mapping[str, Decimal] | None = None,
    rep: str = "rep",
    on: dt.date | None = None,
) -> dict[str, Any]:
    """The changes that make ``quote``'s next version from ``edits`` (pass them to ``lifecycle.revise``).

    The configuration, quantity, services and discounts not edited stay as they are; the price is computed
    again (the offer holds as many days from now as the edited version did from its making).

    Example:
        >>> import datetime as dt
        >>> from configurator.catalog.models import Catalog
        >>> from configurator.quoting.model import EXAMPLE
        >>> c = Catalog.model_validate({"catalog": "bike-city", "version": "2026.11", "currency": "EUR",
        ...     "locales": ["en"], "modules": {"frame": {"options": {"alu_m": {"price": "420.00"}}}},
        ...     "pricing": {"tiers": {"mvc": {"discount_pct": 6}}}})
        >>> at = dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC)
        >>> changes = edit_changes(c, Quote.from_data(EXAMPLE), QuoteEdits(quantity=2), country="PT", created_at=at)
        >>> changes["quantity"], [(line.key, line.qty) for line in changes["lines"]], str(changes["waterfall"].total)
        (2, [('frame.alu_m', 1)], '971.21')
    """
    configuration = edits.configuration or quote.configuration
    if configuration.catalog is None:
        configuration = dataclasses.replace(configuration, catalog=catalog.catalog)
    day = on if on is not None else created_at.date()
    check_bundle(catalog, configuration, day)
    before = {s.service: True for s in quote.services} | {s.service: False for s in quote.declined}
    offered = _offered(catalog, configuration, quote.tier, country, day)
    names = {s.service for s in offered}
    choices = {k: v for k, v in before.items() if k in names} | dict(edits.services)
    kept, declined = _choose(offered, choices)
    keys = {line.key for line in price_lines(catalog, configuration) if not line.path}
    wanted = {d.line: d.pct for d in quote.discounts if d.line in keys} | dict(edits.discounts)
    quantity = edits.quantity or quote.quantity
    lines, taken, steps = _priced(
        catalog,
        configuration,
        country=country,
        tier=quote.tier,
        quantity=quantity,
        services=kept,
        discounts=wanted,
        rep=rep,
    )
    selected = {(m, o) for m, o, _ in configuration.items()}
    days = (quote.valid_until - quote.created_at.date()).days
    return {
        "created_at": created_at,
        "valid_until": created_at.date() + dt.timedelta(days=max(days, 0)),
        "catalog_version": str(catalog.version),
        "quantity": quantity,
        "configuration": configuration,
        "lines": lines,
        "services": kept,
        "declined": declined,
        "waterfall": steps,
        "currency": steps.currency,
        "reasons": tuple(r for r in quote.reasons if (r.module, r.option) in selected),
        "discounts": taken,
        "discount_limit": (limits or discount_limits()).get(quote.tier, Decimal(0)),
        "requirements": met_requirements(configuration, quote.requirements),
    }


def customer_configured_quote(
    store: CustomerStore,
    catalog: Catalog,
    customer_id: str,
    configuration: Configuration,
    edits: QuoteEdits | None = None,
    *,
    tier: str,
    created_at: dt.datetime,
    locale: str | None = None,
    country: str | None = None,
    quote_id: str | None = None,
    limits: Mapping[str, Decimal] | None = None,
    rep: str = "rep",
    requirements: Sequence[str] = (),
    budget: Decimal | None = None,
    transfer: Transfer | None = None,
) -> Quote:
    """:func:`configured_quote` for a stored customer: their language, country and the reasons behind each choice.

    Args:
        store: the tenant's store.
        catalog: the catalog.
        customer_id: the customer's canonical id.
        configuration: what was configured.
        edits: bundles ordered, service choices, line discounts.
        tier: the customer's tier.
        created_at: when (aware).
        locale: the language (default: their language in their country, else the catalog's).
        country: the ship-to country (default: their ``country`` trait, else the locale's territory).
        quote_id: the quote number (default ``Q-<date>-<customer>-<catalog initials>``).
        limits: line discount limits by tier.
        rep: who gives the discounts.
        requirements: what the customer required of it (kept where the configuration meets them).
        budget: the most the customer would pay for one bundle (tax included), when they gave one.
        transfer: what the customer's orders of other catalogs teach this one
            (``configurator.assembly.needs.transfer_for``), so that the reasons are those a proposal gives.

    Raises:
        QuoteBuildError: no country is known for the customer, or an edit is refused.
        InvalidBundleError: the configuration violates a rule.
    """
    profile = store.get_profile(customer_id)
    traits = profile.extra if profile is not None else {}
    chosen = locale or customer_locale(traits.get("language"), traits.get("country"), catalog)
    where = country or traits.get("country") or chosen.replace("-", "_").partition("_")[2] or None
    if not where:
        raise QuoteBuildError(
            f"customer {customer_id}: no country in their profile or locale {chosen!r}; pass country (tax needs one)"
        )
    context = customer_context(
        store, store.tenant, customer_id, catalog, tiers=tier, country=where, transfer=transfer
    )
    explainer = Explainer(catalog, context.view, context.needs, evidence=context.evidence)
    return configured_quote(
        catalog,
        configuration,
        edits,
        customer_id=customer_id,
        tenant=store.tenant,
        quote_id=quote_id or default_quote_id(created_at, customer_id, catalog.catalog),
        locale=chosen,
        country=where.upper(),
        tier=tier,
        created_at=created_at,
        limits=limits,
        reasons=explainer.reasons(configuration),
        rep=rep,
        requirements=requirements,
        budget=budget,
    )
