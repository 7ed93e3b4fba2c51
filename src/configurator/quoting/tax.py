"""Moved: tax by country and currency minor units are :mod:`configurator.offer.tax`."""

from configurator.offer.tax import TAX_NOTES, TAX_RATES, minor_units, tax_rate

__all__ = ["TAX_NOTES", "TAX_RATES", "minor_units", "tax_rate"]
