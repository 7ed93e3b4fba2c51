"""Tax by country and the minor units of currencies: the data the pricing waterfall's last two steps use.

:data:`TAX_RATES` holds the standard VAT (or sales-tax) rate of the countries we ship to, as percentages; a shop
passes its own table (or one rate) through :class:`configurator.offer.pricing.PricingContext` when it needs
reduced rates, exemptions or more countries. :func:`minor_units` asks Babel (CLDR) how many decimals a
currency has: Babel is a core dependency, so a quote rounds the same way wherever it is priced.

Example:
    >>> tax_rate("PT"), tax_rate("se"), tax_rate("XX")
    (Decimal('23'), Decimal('25'), None)
    >>> minor_units("EUR"), minor_units("JPY"), minor_units("BHD")
    (2, 0, 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

__all__ = ["TAX_NOTES", "TAX_RATES", "minor_units", "tax_rate"]

TAX_RATES: Mapping[str, Decimal] = MappingProxyType(
    {
        "PT": Decimal(23),
        "ES": Decimal(21),
        "SE": Decimal(25),
        "GB": Decimal(20),
        "DE": Decimal(19),
        "FR": Decimal(20),
        "US": Decimal(0),
    }
)
"""Standard VAT rates in percent by ISO 3166 alpha-2 country (mainland rates; Madeira, the Azores and the
Canary Islands differ). The US has no federal sales tax: state and local sales taxes depend on the ship-to
address, so the default is 0 and a shop that must collect passes the rate (see :data:`TAX_NOTES`)."""

TAX_NOTES: Mapping[str, str] = MappingProxyType(
    {
        "US": "no federal sales tax; state and local sales tax depend on the ship-to address and are not "
        "included (pass tax_rate to collect it)",
    }
)
"""A plain-English caveat recorded on the tax step for countries whose default rate is a simplification."""


def tax_rate(country: str, table: Mapping[str, Decimal] = TAX_RATES) -> Decimal | None:
    """The tax rate in percent for an ISO 3166 alpha-2 country, or None when the table does not know it.

    Args:
        country: the country code (case-insensitive).
        table: rates by upper-case country code.

    Example:
        >>> tax_rate("de"), tax_rate("DE", {"DE": Decimal(7)})
        (Decimal('19'), Decimal('7'))
    """
    return table.get(country.upper())


def minor_units(currency: str) -> int | None:
    """How many decimals amounts in ``currency`` have (2 for EUR, 0 for JPY), or None when unknown.

    Babel's :func:`babel.numbers.get_currency_precision` answers from CLDR; a code Babel does not know as a
    currency gives None (the pricing context then needs explicit ``minor_units``).

    Example:
        >>> minor_units("SEK"), minor_units("ZZZ")
        (2, None)
    """
    # Imported here: the command line and the catalog tools load this module without pricing anything.
    from babel.numbers import get_currency_precision, is_currency

    if not is_currency(currency):
        return None
    return int(get_currency_precision(currency))
