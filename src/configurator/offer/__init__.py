"""The offer: what assembly and quoting share.

Priced lines and service add-ons (:mod:`~configurator.offer.lines`), the reasons a choice fits a customer
(:mod:`~configurator.offer.reasons`), the pricing waterfall as data (:mod:`~configurator.offer.waterfall`), its
computation in exact ``Decimal`` money (:mod:`~configurator.offer.pricing`) and tax by country
(:mod:`~configurator.offer.tax`).

Import order: ``offer`` sits below ``assembly`` and ``quoting`` and imports only ``errors``, ``rules`` and the
catalog layer (the catalog checker's rule environment evaluates bundle-discount conditions).

Example:
    >>> from decimal import Decimal
    >>> Line("frame", "alu", 2, Decimal("420.00")).amount
    Decimal('840.00')
"""

from configurator.errors import PricingError
from configurator.offer.lines import Line, ServiceLine, price_lines
from configurator.offer.pricing import (
    DEFAULT_MAX_DISCOUNT_PCT,
    ROUNDING,
    TIERS,
    Contract,
    FloorPolicy,
    ManualDiscount,
    PricingContext,
    waterfall,
)
from configurator.offer.reasons import Reason
from configurator.offer.tax import TAX_NOTES, TAX_RATES, minor_units, tax_rate
from configurator.offer.waterfall import STEP_KINDS, Step, Waterfall, net_before_services

__all__ = [
    "DEFAULT_MAX_DISCOUNT_PCT",
    "ROUNDING",
    "STEP_KINDS",
    "TAX_NOTES",
    "TAX_RATES",
    "TIERS",
    "Contract",
    "FloorPolicy",
    "Line",
    "ManualDiscount",
    "PricingContext",
    "PricingError",
    "Reason",
    "ServiceLine",
    "Step",
    "Waterfall",
    "minor_units",
    "net_before_services",
    "price_lines",
    "tax_rate",
    "waterfall",
]
