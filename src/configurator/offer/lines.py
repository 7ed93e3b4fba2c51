"""Priced lines: the options of a bundle at list price, and the service add-ons offered with it.

:func:`price_lines` turns a configuration into :class:`Line` items (sub-assemblies included); the assembly layer
makes :class:`ServiceLine` items of the services a customer is offered. Plain frozen dataclasses with exact
``Decimal`` money, no I/O.

Example:
    >>> line = Line("frame", "alu", 2, Decimal("420.00"))
    >>> line.amount, line.key
    (Decimal('840.00'), 'frame.alu')
    >>> ServiceLine("setup", "post_sale", True, Decimal("30.00"), Decimal(0)).price
    Decimal('0')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog

__all__ = ["Line", "ServiceLine", "price_lines"]


@dataclasses.dataclass(frozen=True)
class Line:
    """One priced option of the bundle, at list price.

    Attributes:
        module: module id.
        option: option id.
        qty: quantity per bundle.
        unit_price: list price of one unit.
        path: ``""`` for the catalog's own options; ``module.option`` of the sub-assembly for its options.
    """

    module: str
    option: str
    qty: int
    unit_price: Decimal
    path: str = ""

    @property
    def amount(self) -> Decimal:
        """``qty x unit_price``."""
        return self.unit_price * self.qty

    @property
    def key(self) -> str:
        """``module.option`` (prefixed with the sub-assembly path when there is one)."""
        base = f"{self.module}.{self.option}"
        return f"{self.path}/{base}" if self.path else base


@dataclasses.dataclass(frozen=True)
class ServiceLine:
    """A service add-on on the quote: included (free for this customer) or priced.

    Attributes:
        service: service id.
        kind: ``post_sale``, ``training`` or ``advisory``.
        included: free for this customer (e.g. included for their tier).
        list_price: the catalog price.
        price: what this customer pays (0 when included).
        reason: why it is offered (e.g. ``included for tier mvc``, ``eligible in PT``).
    """

    service: str
    kind: str
    included: bool
    list_price: Decimal
    price: Decimal
    reason: str = ""


def price_lines(catalog: Catalog, configuration: Configuration) -> tuple[Line, ...]:
    """The selected options of a configuration at list price, in catalog order.

    A sub-assembly option is followed by the options of its own configuration (``configuration.sub``), with
    ``path`` set to ``module.option`` (nested sub-assemblies join paths with ``/``); their quantities are per
    bundle, so they are multiplied by the sub-assembly option's quantity.

    Args:
        catalog: the catalog (its sub-assembly catalogs come from :attr:`Catalog.products`).
        configuration: what is selected.

    Returns:
        One :class:`Line` per selected option (price 0 options included).

    Raises:
        ConfigurationError: when the configuration names a module or option the catalog does not have.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"frame": {"options": {"alu": {"price": "420.00"}}},
        ...                 "cages": {"choose": "any", "options": {"cage": {"price": "9.95", "qty": {"max": 3}}}}}})
        >>> [(line.key, line.amount) for line in price_lines(cat, Configuration({"cages": {"cage": 2}, "frame": {"alu": 1}}))]
        [('frame.alu', Decimal('420.00')), ('cages.cage', Decimal('19.90'))]
    """
    configuration.check_references(catalog)
    return tuple(_lines(catalog, configuration, "", 1))


def _lines(catalog: Catalog, configuration: Configuration, path: str, times: int) -> Iterator[Line]:
    for mid, module in catalog.modules.items():
        for oid, option in module.options.items():
            qty = configuration.quantity(mid, oid)
            if qty <= 0:
                continue
            yield Line(mid, oid, qty * times, option.price, path)
            product = catalog.products.get((mid, oid))
            if product is not None:
                sub = configuration.sub.get((mid, oid), Configuration())
                here = f"{path}/{mid}.{oid}" if path else f"{mid}.{oid}"
                yield from _lines(product, sub, here, qty * times)
