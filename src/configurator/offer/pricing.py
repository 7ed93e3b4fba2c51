"""The pricing waterfall: from the list price of a bundle to the rounded amount to pay, step by step.

:func:`~configurator.offer.lines.price_lines` prices the options of a configuration at list price;
:func:`waterfall` applies, in the order of :data:`~configurator.offer.waterfall.STEP_KINDS`, the quantity
ordered, the catalog's volume breaks, bundle discounts and tier discount, the customer's contract, a sales rep's
manual discount (checked against the floor), the priced services, tax by country and rounding by currency. Money is ``Decimal`` throughout; no
step ever goes through a float. docs/pricing.md explains each step's rule with a worked example.

The rules, in short:

* Percentages of one step kind share one base, the subtotal before that kind (two bundle discounts of 5 % and
  4 % take 9 % of the same amount), so the order of discounts within a kind never matters; kinds compound in
  waterfall order.
* Every step after ``quantity`` is rounded to the currency's minor units (``ROUND_HALF_UP``) when it is
  computed, so every figure on a quote is a real amount and they add up: the total is the sum of the step
  amounts, and the lines' amounts sum to the ``list`` step. List prices may carry up to four decimals; the
  ``rounding`` step takes up what is left below the minor unit.
* A discount larger than what is left stops at zero, and its step says so. A manual discount below the floor
  is applied as asked and flags ``needs_approval``; it is never clamped.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.offer.lines import price_lines
    >>> cat = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": "420.00"}}}},
    ...     "pricing": {"tiers": {"mvc": {"discount_pct": 6}}}})
    >>> lines = price_lines(cat, Configuration({"frame": {"alu": 1}}))
    >>> w = waterfall(cat, lines, PricingContext(country="PT", tier="mvc"))
    >>> [(s.kind, str(s.amount), str(s.subtotal)) for s in w.steps]  # doctest: +NORMALIZE_WHITESPACE
    [('list', '420.00', '420.00'), ('quantity', '0.00', '420.00'), ('tier', '-25.20', '394.80'),
     ('tax', '90.80', '485.60'), ('rounding', '0.00', '485.60')]
    >>> w.total, w.needs_approval
    (Decimal('485.60'), False)
"""

from __future__ import annotations

import dataclasses
import decimal
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import get_args

from configurator.catalog.check import CatalogEnvironment
from configurator.catalog.compiled import compiled
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog, Tier
from configurator.errors import ConfigurationError, PricingError
from configurator.offer.lines import Line, ServiceLine
from configurator.offer.tax import TAX_NOTES, TAX_RATES, minor_units, tax_rate
from configurator.offer.waterfall import Step, Waterfall
from configurator.rules.evaluate import evaluate

__all__ = [
    "DEFAULT_MAX_DISCOUNT_PCT",
    "ROUNDING",
    "TIERS",
    "Contract",
    "FloorPolicy",
    "ManualDiscount",
    "PricingContext",
    "waterfall",
]

ROUNDING = ROUND_HALF_UP
"""How amounts are rounded to the currency's minor units: half up (commercial rounding, what VAT rules and
customers expect; 0.125 EUR becomes 0.13)."""

DEFAULT_MAX_DISCOUNT_PCT = Decimal(25)
"""The largest total discount off the list price a sales rep may give without approval, unless the shop
says otherwise (:class:`FloorPolicy`)."""

TIERS: tuple[str, ...] = get_args(Tier)
"""The customer value tiers: ``mvc``, ``mgc``, ``standard``, ``below_zero``."""

_HUNDRED = Decimal(100)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Exact arithmetic: money has at most 14 digits and 4 decimals, rates a handful; 80 digits never round.
_EXACT = decimal.Context(prec=80, rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation, decimal.Overflow])


def _decimal(
    value: object, what: str, *, low: Decimal | None = Decimal(0), high: Decimal | None = None
) -> Decimal:
    """``value`` as an exact Decimal within ``[low, high]``; floats are refused (money never goes through one)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise PricingError(f"{what}: expected a Decimal, an int or a numeric string, got {value!r}")
    try:
        number = Decimal(value)
    except decimal.InvalidOperation:
        raise PricingError(f"{what}: expected a number, got {value!r}") from None
    if not number.is_finite():
        raise PricingError(f"{what}: expected a finite number, got {value!r}")
    if low is not None and number < low:
        raise PricingError(f"{what}: expected a number >= {low}, got {number}")
    if high is not None and number > high:
        raise PricingError(f"{what}: expected a number <= {high}, got {number}")
    return number


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # normalising a frozen dataclass in __post_init__


@dataclasses.dataclass(frozen=True)
class Contract:
    """A customer contract: a fixed price per bundle of one catalog, or a discount off the running price.

    Attributes:
        id: the contract reference (shown on the ``contract`` step).
        unit_price: the agreed price of one bundle; a ceiling, never a surcharge (when the discounts before it
            already went lower, the lower price stands).
        discount_pct: the agreed discount, in percent of the subtotal after the tier discount.
        catalog: the catalog the contract is for; pricing another catalog with it is an error.

    Example:
        >>> Contract("K-7", discount_pct=Decimal(10)).discount_pct
        Decimal('10')
        >>> Contract("K-7")
        Traceback (most recent call last):
        ...
        configurator.errors.PricingError: contract K-7: give exactly one of unit_price, discount_pct
    """

    id: str
    unit_price: Decimal | None = None
    discount_pct: Decimal | None = None
    catalog: str | None = None

    def __post_init__(self) -> None:
        """Check that exactly one of the two terms is given and in range."""
        if (self.unit_price is None) == (self.discount_pct is None):
            raise PricingError(f"contract {self.id}: give exactly one of unit_price, discount_pct")
        if self.unit_price is not None:
            _set(self, "unit_price", _decimal(self.unit_price, f"contract {self.id} unit_price"))
        if self.discount_pct is not None:
            pct = _decimal(self.discount_pct, f"contract {self.id} discount_pct", high=_HUNDRED)
            _set(self, "discount_pct", pct)


@dataclasses.dataclass(frozen=True)
class ManualDiscount:
    """A discount a sales rep gives on this quote.

    Either a percentage of the subtotal after the contract, or an amount off the whole order.

    Attributes:
        rep: the sales rep's id (shown on the ``manual`` step, for the audit).
        pct: the discount in percent.
        amount: the discount in the currency, off the order (not per bundle).
        reason: why, in the rep's words (recorded in the step's note).

    Example:
        >>> ManualDiscount("rep-1", amount=Decimal(50)).amount
        Decimal('50')
        >>> ManualDiscount("rep-1", pct=Decimal(-5))
        Traceback (most recent call last):
        ...
        configurator.errors.PricingError: manual discount by rep-1 pct: expected a number >= 0, got -5
    """

    rep: str
    pct: Decimal | None = None
    amount: Decimal | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        """Check that exactly one of pct and amount is given, not negative, and pct at most 100."""
        if (self.pct is None) == (self.amount is None):
            raise PricingError(f"manual discount by {self.rep}: give exactly one of pct, amount")
        if self.pct is not None:
            _set(self, "pct", _decimal(self.pct, f"manual discount by {self.rep} pct", high=_HUNDRED))
        if self.amount is not None:
            _set(self, "amount", _decimal(self.amount, f"manual discount by {self.rep} amount"))


@dataclasses.dataclass(frozen=True)
class FloorPolicy:
    """How far below the list price a sales rep may go without approval.

    A largest total discount off the list price in percent, for the tenant, with overrides per catalog.

    Attributes:
        max_discount_pct: the tenant's limit (default :data:`DEFAULT_MAX_DISCOUNT_PCT`).
        by_catalog: limits for particular catalogs, by catalog id.

    Example:
        >>> policy = FloorPolicy(Decimal(20), {"kitchen-modular": Decimal(15)})
        >>> policy.max_pct("kitchen-modular"), policy.max_pct("ebike-urban")
        (Decimal('15'), Decimal('20'))
    """

    max_discount_pct: Decimal = DEFAULT_MAX_DISCOUNT_PCT
    by_catalog: Mapping[str, Decimal] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check that every limit is a percentage."""
        _set(
            self, "max_discount_pct", _decimal(self.max_discount_pct, "floor max_discount_pct", high=_HUNDRED)
        )
        _set(
            self,
            "by_catalog",
            {
                k: _decimal(v, f"floor max_discount_pct for {k}", high=_HUNDRED)
                for k, v in self.by_catalog.items()
            },
        )

    def max_pct(self, catalog: str) -> Decimal:
        """The limit for ``catalog``."""
        return self.by_catalog.get(catalog, self.max_discount_pct)


@dataclasses.dataclass(frozen=True)
class PricingContext:
    """Who buys, how many, where, and what was agreed: everything the waterfall needs besides the lines.

    Attributes:
        country: ISO 3166 alpha-2 code of the ship-to country (tax).
        quantity: how many bundles are ordered (at least 1).
        tier: the customer's value tier (``mvc``, ``mgc``, ``standard``, ``below_zero``).
        contract: the customer's contract, if any.
        manual: a sales rep's discount, if any.
        floor: the approval policy.
        services: the service add-ons on the quote, with what this customer pays (see
            :class:`~configurator.offer.lines.ServiceLine`); added after every discount, before tax.
        currency: ISO 4217 code; None means the catalog's (there is no conversion: another currency is an error).
        tax_rates: VAT / sales-tax rates in percent by country (default :data:`~configurator.offer.tax.TAX_RATES`).
        tax_rate: a rate that overrides the table (e.g. ``Decimal(0)`` for an intra-EU reverse charge, or a US
            state's sales tax); required for a country the table does not know.
        minor_units: decimals of the currency when Babel (CLDR) does not know it.

    Example:
        >>> PricingContext(country="pt", quantity=2).country
        'PT'
        >>> PricingContext(country="PT", quantity=0)
        Traceback (most recent call last):
        ...
        configurator.errors.PricingError: quantity: expected a whole number of bundles >= 1, got 0
    """

    country: str
    quantity: int = 1
    tier: Tier = "standard"
    contract: Contract | None = None
    manual: ManualDiscount | None = None
    floor: FloorPolicy = dataclasses.field(default_factory=FloorPolicy)
    services: tuple[ServiceLine, ...] = ()
    currency: str | None = None
    tax_rates: Mapping[str, Decimal] = dataclasses.field(default_factory=lambda: TAX_RATES)
    tax_rate: Decimal | None = None
    minor_units: int | None = None

    def __post_init__(self) -> None:
        """Normalise the codes and check every field, naming the one that is wrong."""
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity < 1:
            raise PricingError(f"quantity: expected a whole number of bundles >= 1, got {self.quantity!r}")
        if self.tier not in TIERS:
            raise PricingError(f"tier: expected one of {', '.join(TIERS)}, got {self.tier!r}")
        country = self.country.upper() if isinstance(self.country, str) else self.country
        if not isinstance(country, str) or not _COUNTRY.match(country):
            raise PricingError(
                f"country: expected an ISO 3166 alpha-2 code such as 'PT', got {self.country!r}"
            )
        _set(self, "country", country)
        if self.currency is not None and not _CURRENCY.match(str(self.currency)):
            raise PricingError(f"currency: expected an ISO 4217 code such as 'EUR', got {self.currency!r}")
        if self.tax_rate is not None:
            _set(self, "tax_rate", _decimal(self.tax_rate, "tax_rate", high=_HUNDRED))
        if self.minor_units is not None and not (
            isinstance(self.minor_units, int)
            and not isinstance(self.minor_units, bool)
            and 0 <= self.minor_units <= 4
        ):
            raise PricingError(f"minor_units: expected 0 to 4 decimals, got {self.minor_units!r}")
        for service in self.services:
            _decimal(service.price, f"service {service.service} price")


class _Steps:
    """The waterfall being built: appends steps, keeps the running subtotal, stops discounts at zero."""

    def __init__(self, unit: Decimal) -> None:
        self.unit = unit
        self.steps: list[Step] = []
        self.subtotal = Decimal(0)

    def money(self, value: Decimal) -> Decimal:
        return value.quantize(self.unit, rounding=ROUNDING)

    def pct_of(self, base: Decimal, pct: Decimal) -> Decimal:
        return self.money(base * pct / _HUNDRED)

    def add(self, kind: str, ref: str, amount: Decimal, rate: Decimal | None = None, note: str = "") -> None:
        total = self.subtotal + amount
        # Keep the exponent of a rounded subtotal (10.00, not 10.0000 after a list price with four decimals).
        self.subtotal = total.quantize(self.unit) if total == total.quantize(self.unit) else total
        self.steps.append(Step(kind, ref, amount, self.subtotal, rate, note))

    def discount(self, kind: str, ref: str, amount: Decimal, rate: Decimal | None, note: str) -> None:
        """Subtract ``amount`` (>= 0), stopping at zero and saying so."""
        applied = min(amount, self.subtotal)
        if applied < amount:
            note += f"; stopped at zero: {applied} of {amount} applied"
        self.add(kind, ref, -applied, rate, note)


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f} %"


def _resolve_currency(catalog: Catalog, context: PricingContext) -> tuple[str, int]:
    currency = context.currency or catalog.currency
    if currency != catalog.currency:
        raise PricingError(
            f"currency: catalog {catalog.catalog} is priced in {catalog.currency}, "
            f"got {currency} (no currency conversion)"
        )
    digits = context.minor_units if context.minor_units is not None else minor_units(currency)
    if digits is None:
        raise PricingError(
            f"currency: unknown currency {currency!r}; install Babel (pip install 'configurator[pdf]') or pass "
            "minor_units"
        )
    return currency, digits


def _resolve_tax(context: PricingContext) -> tuple[Decimal, str]:
    if context.tax_rate is not None:
        return context.tax_rate, f"rate given for {context.country}"
    rate = tax_rate(context.country, context.tax_rates)
    if rate is None:
        known = ", ".join(sorted(context.tax_rates))
        raise PricingError(
            f"country: no tax rate for {context.country!r} (known: {known}); pass tax_rate or a tax_rates table "
            "that has it"
        )
    rate = _decimal(rate, f"tax rate for {context.country}", high=_HUNDRED)
    return rate, TAX_NOTES.get(context.country, f"standard rate in {context.country}")


def _configuration(catalog: Catalog, lines: Iterable[Line]) -> Configuration:
    """The top-level selection the lines describe (bundle conditions are evaluated on it)."""
    selections: dict[str, dict[str, int]] = {}
    for line in lines:
        if isinstance(line.qty, bool) or not isinstance(line.qty, int) or line.qty < 1:
            raise PricingError(f"line {line.key}: expected a quantity >= 1, got {line.qty!r}")
        _decimal(line.unit_price, f"line {line.key} unit_price")
        if not line.path:
            options = selections.setdefault(line.module, {})
            options[line.option] = options.get(line.option, 0) + line.qty
    configuration = Configuration(selections, catalog=catalog.catalog)
    try:
        configuration.check_references(catalog)
    except ConfigurationError as exc:
        raise ConfigurationError(f"lines do not match catalog {catalog.catalog}: {exc}") from None
    return configuration


def waterfall(catalog: Catalog, lines: Iterable[Line], context: PricingContext) -> Waterfall:
    """Price a bundle step by step, from the list price to the rounded total (see docs/pricing.md).

    Args:
        catalog: the catalog whose ``pricing`` block applies (volume breaks, bundle discounts, tier discounts).
        lines: the bundle's options at list price, as :func:`~configurator.offer.lines.price_lines` gives them; bundle conditions are
            evaluated on the top-level options they name.
        context: quantity, customer, agreements, services, country and currency.

    Returns:
        The :class:`Waterfall`: steps in :data:`~configurator.offer.waterfall.STEP_KINDS` order, the floor, and
        whether a manual discount went below it.

    Raises:
        PricingError: a line with a bad quantity or price, a contract for another catalog, a currency other
            than the catalog's, a country without a tax rate.
        ConfigurationError: a line names an option the catalog does not have.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> from configurator.offer.waterfall import net_before_services
        >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"m": {"options": {"o": {"price": "100.00"}}}}})
        >>> w = waterfall(cat, [Line("m", "o", 1, Decimal("100.00"))],
        ...               PricingContext(country="DE", manual=ManualDiscount("rep-9", pct=Decimal(30))))
        >>> (w.floor, net_before_services(w), w.needs_approval, w.total)
        (Decimal('75.00'), Decimal('70.00'), True, Decimal('83.30'))
    """
    lines = tuple(lines)
    currency, digits = _resolve_currency(catalog, context)
    configuration = _configuration(catalog, lines)
    rate, tax_note = _resolve_tax(context)
    contract = context.contract
    if contract is not None and contract.catalog is not None and contract.catalog != catalog.catalog:
        raise PricingError(f"contract {contract.id} is for catalog {contract.catalog}, not {catalog.catalog}")
    with decimal.localcontext(_EXACT):
        steps, floor, needs_approval = _run(
            catalog, lines, configuration, context, currency, digits, (rate, tax_note)
        )
    return Waterfall(currency, tuple(steps), floor, needs_approval)


def _run(
    catalog: Catalog,
    lines: tuple[Line, ...],
    configuration: Configuration,
    context: PricingContext,
    currency: str,
    digits: int,
    tax_rule: tuple[Decimal, str],
) -> tuple[list[Step], Decimal, bool]:
    """Every step in :data:`~configurator.offer.waterfall.STEP_KINDS` order: steps, floor, needs approval."""
    q = context.quantity
    unit = Decimal(1).scaleb(-digits)
    w = _Steps(unit)

    one = sum((line.amount for line in lines), Decimal(0))
    w.add("list", catalog.catalog, one, note=f"{len(lines)} options at list price, one bundle")
    w.add("quantity", str(q), one * (q - 1), note=f"{q} bundle(s) at {one} each")
    list_total = w.subtotal

    _volume(w, catalog, q)
    _bundles(w, catalog, configuration, context)
    tier = catalog.pricing.tiers.get(context.tier)
    if tier is not None:
        pct = tier.discount_pct
        w.discount(
            "tier", context.tier, w.pct_of(w.subtotal, pct), pct, f"{_pct(pct)} off for tier {context.tier}"
        )
    _contract(w, context)

    max_pct = context.floor.max_pct(catalog.catalog)
    policy_floor = (list_total * (_HUNDRED - max_pct) / _HUNDRED).quantize(unit, rounding=ROUND_CEILING)
    # Discounts the catalog and the contract grant are approved already: the floor bounds only the rep.
    floor = min(policy_floor, w.subtotal)
    _manual(w, context, floor, max_pct)
    needs_approval = w.subtotal < floor

    _services(w, context)
    tax, tax_note = tax_rule
    w.add("tax", context.country, w.pct_of(w.subtotal, tax), tax, f"{_pct(tax)} on {w.subtotal}: {tax_note}")
    rounded = w.money(w.subtotal)
    w.add(
        "rounding",
        currency,
        rounded - w.subtotal,
        note=f"total to {digits} decimal(s) of {currency}, half up",
    )
    return w.steps, floor, needs_approval


def _volume(w: _Steps, catalog: Catalog, q: int) -> None:
    """The best volume break the quantity reaches (largest discount, then largest break)."""
    applicable = [v for v in catalog.pricing.volume if v.min_qty <= q]
    if applicable:
        best = max(applicable, key=lambda v: (v.discount_pct, v.min_qty))
        w.discount(
            "volume",
            f"min_qty {best.min_qty}",
            w.pct_of(w.subtotal, best.discount_pct),
            best.discount_pct,
            f"{_pct(best.discount_pct)} off for {q} bundles (break from {best.min_qty})",
        )


def _bundles(w: _Steps, catalog: Catalog, configuration: Configuration, context: PricingContext) -> None:
    """Every bundle discount whose condition holds, each a share of the same base."""
    q = context.quantity
    base = w.subtotal  # every bundle percentage takes its share of the same base
    env = CatalogEnvironment(catalog, configuration, {"tier": context.tier, "country": context.country})
    conditions = compiled(catalog).bundles
    found: list[tuple[Decimal, str, Decimal | None, str]] = []
    for bundle in catalog.pricing.bundles:
        if evaluate(conditions[bundle.id], env) is not True:
            continue
        label = catalog.text(bundle.label, "en", bundle.id)
        if bundle.discount_pct is not None:
            amount = w.pct_of(base, bundle.discount_pct)
            note = f"{label}: {_pct(bundle.discount_pct)} off"
        else:
            assert bundle.discount_amount is not None  # the model requires one of the two
            amount = w.money(bundle.discount_amount * q)
            note = f"{label}: {bundle.discount_amount} off each bundle, {q} bundle(s)"
        found.append((amount, bundle.id, bundle.discount_pct, f"{note} ({bundle.when})"))
    # Largest first, ties by id: the steps do not depend on the order the catalog lists its bundles in, even
    # when the discounts together exceed the price and the last one stops at zero.
    for amount, bid, pct, note in sorted(found, key=lambda f: (-f[0], f[1])):
        w.discount("bundle", bid, amount, pct, note)


def _contract(w: _Steps, context: PricingContext) -> None:
    """The customer's contract: a discount, or a price per bundle that never raises the price."""
    contract = context.contract
    if contract is not None and contract.discount_pct is not None:
        pct = contract.discount_pct
        w.discount("contract", contract.id, w.pct_of(w.subtotal, pct), pct, f"contract discount {_pct(pct)}")
    elif contract is not None and contract.unit_price is not None:
        price = w.money(contract.unit_price * context.quantity)
        if price < w.subtotal:
            w.add(
                "contract",
                contract.id,
                price - w.subtotal,
                note=f"contract price {contract.unit_price} per bundle",
            )
        else:
            w.add(
                "contract",
                contract.id,
                w.money(Decimal(0)),
                note=f"contract price {contract.unit_price} per bundle is not below the price so far; the lower stands",
            )


def _manual(w: _Steps, context: PricingContext, floor: Decimal, max_pct: Decimal) -> None:
    """A sales rep's discount, applied as asked; the note says when it goes below the floor."""
    manual = context.manual
    if manual is None:
        return
    if manual.pct is not None:
        amount, note = w.pct_of(w.subtotal, manual.pct), f"{_pct(manual.pct)} off by {manual.rep}"
    else:
        assert manual.amount is not None  # ManualDiscount requires one of the two
        amount, note = w.money(manual.amount), f"{manual.amount} off the order by {manual.rep}"
    if manual.reason:
        note += f": {manual.reason}"
    after = max(w.subtotal - amount, Decimal(0))
    if after < floor:
        note += f"; below the floor {floor} ({_pct(max_pct)} off list at most): needs approval"
    w.discount("manual", manual.rep, amount, manual.pct, note)


def _services(w: _Steps, context: PricingContext) -> None:
    """One step per service add-on, at what this customer pays."""
    for service in context.services:
        price = w.money(Decimal(service.price))
        if service.included:
            note = f"{service.kind} service included (list {service.list_price})"
        else:
            note = f"{service.kind} service at {price}" + (
                f" (list {service.list_price})" if Decimal(service.list_price) != price else ""
            )
        if service.reason:
            note += f": {service.reason}"
        w.add("services", service.service, price, note=note)
