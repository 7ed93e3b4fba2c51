"""Moved: the pricing waterfall is :mod:`configurator.offer.pricing` (lines in :mod:`configurator.offer.lines`)."""

from configurator.offer.lines import price_lines
from configurator.offer.pricing import (
    DEFAULT_MAX_DISCOUNT_PCT,
    ROUNDING,
    TIERS,
    Contract,
    FloorPolicy,
    ManualDiscount,
    PricingContext,
    PricingError,
    waterfall,
)
from configurator.offer.waterfall import net_before_services

__all__ = [
    "DEFAULT_MAX_DISCOUNT_PCT",
    "ROUNDING",
    "TIERS",
    "Contract",
    "FloorPolicy",
    "ManualDiscount",
    "PricingContext",
    "PricingError",
    "net_before_services",
    "price_lines",
    "waterfall",
]
