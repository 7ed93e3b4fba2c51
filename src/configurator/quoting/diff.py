"""What changed between two versions of a quote: lines added, removed and changed, services, totals.

Example:
    >>> import dataclasses
    >>> from decimal import Decimal
    >>> from configurator.offer.lines import Line
    >>> from configurator.quoting.model import EXAMPLE, LineDiscount, Quote
    >>> v1 = Quote.from_data(EXAMPLE)
    >>> v2 = dataclasses.replace(v1, version=2, lines=(Line("frame", "alu_m", 2, Decimal("420.00")),
    ...     Line("bell", "ring", 1, Decimal("9.00"))),
    ...     discounts=(LineDiscount("frame.alu_m", Decimal(5), Decimal("42.00")),))
    >>> d = diff_quotes(v1, v2)
    >>> [c.line for c in d.added], [(c.line, c.qty_before, c.qty_after, str(c.discount_after)) for c in d.changed]
    (['bell.ring'], [('frame.alu_m', 1, 2, '5')])
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from configurator.offer.lines import Line
from configurator.quoting.model import Quote

__all__ = ["LineChange", "QuoteDiff", "ServiceChange", "diff_quotes"]


@dataclasses.dataclass(frozen=True)
class LineChange:
    """One line in either version: quantity, unit price, list amount and discount (percent) before and after.

    A line added has nothing before (None); a line removed nothing after.
    """

    line: str
    qty_before: int | None
    qty_after: int | None
    unit_price_before: Decimal | None
    unit_price_after: Decimal | None
    amount_before: Decimal | None
    amount_after: Decimal | None
    discount_before: Decimal | None
    discount_after: Decimal | None


@dataclasses.dataclass(frozen=True)
class ServiceChange:
    """A service whose state (``included``, ``chosen``, ``declined``, or None when not offered) changed."""

    service: str
    before: str | None
    after: str | None


@dataclasses.dataclass(frozen=True)
class QuoteDiff:
    """The difference between version ``from_version`` and ``to_version`` of a quote."""

    quote_id: str
    from_version: int
    to_version: int
    added: tuple[LineChange, ...]
    removed: tuple[LineChange, ...]
    changed: tuple[LineChange, ...]
    services: tuple[ServiceChange, ...]
    quantity_before: int
    quantity_after: int
    total_before: Decimal
    total_after: Decimal
    currency: str


def _lines(quote: Quote) -> dict[str, tuple[Line, Decimal | None]]:
    pct = {d.line: d.pct for d in quote.discounts}
    return {line.key: (line, pct.get(line.key)) for line in quote.lines}


def _states(quote: Quote) -> dict[str, str]:
    return {s.service: quote.service_state(s.service) for s in (*quote.services, *quote.declined)}


def diff_quotes(before: Quote, after: Quote) -> QuoteDiff:
    """Lines added, removed and changed (quantity, price or discount), services whose state changed, totals."""
    old, new = _lines(before), _lines(after)
    added, removed, changed = [], [], []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        change = LineChange(
            key,
            a[0].qty if a else None,
            b[0].qty if b else None,
            a[0].unit_price if a else None,
            b[0].unit_price if b else None,
            a[0].amount if a else None,
            b[0].amount if b else None,
            a[1] if a else None,
            b[1] if b else None,
        )
        if a is None:
            added.append(change)
        elif b is None:
            removed.append(change)
        elif (a[0].qty, a[0].unit_price, a[1]) != (b[0].qty, b[0].unit_price, b[1]):
            changed.append(change)
    was, now = _states(before), _states(after)
    services = tuple(
        ServiceChange(s, was.get(s), now.get(s))
        for s in [*was, *(k for k in now if k not in was)]
        if was.get(s) != now.get(s)
    )
    return QuoteDiff(
        quote_id=after.quote_id,
        from_version=before.version,
        to_version=after.version,
        added=tuple(added),
        removed=tuple(removed),
        changed=tuple(changed),
        services=services,
        quantity_before=before.quantity,
        quantity_after=after.quantity,
        total_before=before.total,
        total_after=after.total,
        currency=after.currency,
    )
