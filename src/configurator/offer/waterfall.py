"""The pricing waterfall as data: its step kinds, one :class:`Step` each, and the :class:`Waterfall` they make.

:func:`configurator.offer.pricing.waterfall` computes one; quotes store and render it. Plain frozen dataclasses
with exact ``Decimal`` money, no I/O.

Example:
    >>> Step("tier", "mvc", Decimal("-50.40"), Decimal("789.60"), rate=Decimal(6)).is_discount
    True
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

__all__ = ["STEP_KINDS", "Step", "Waterfall", "net_before_services"]

STEP_KINDS = (
    "list",
    "quantity",
    "volume",
    "bundle",
    "tier",
    "contract",
    "manual",
    "services",
    "tax",
    "rounding",
)
"""The waterfall's steps, in order: list price of the bundle, times the quantity ordered, volume breaks, bundle
discounts, tier discount, customer contract price, manual discount by a sales rep, priced services, tax by
country, rounding by currency. A step that changes nothing is still recorded (amount 0) when it applies."""


@dataclasses.dataclass(frozen=True)
class Step:
    """One step of the pricing waterfall.

    Attributes:
        kind: one of :data:`STEP_KINDS`.
        ref: what applied (bundle discount id, tier, contract id, country, rep id, currency...).
        amount: the signed change at this step (discounts are negative).
        subtotal: the running total after this step.
        rate: the percentage, when the step is one (e.g. ``Decimal(6)`` for 6 %).
        note: a plain-English detail for logs and audits (quotes render their own translated text).
    """

    kind: str
    ref: str
    amount: Decimal
    subtotal: Decimal
    rate: Decimal | None = None
    note: str = ""

    @property
    def is_discount(self) -> bool:
        """Whether the step lowers the price."""
        return self.amount < 0


@dataclasses.dataclass(frozen=True)
class Waterfall:
    """The price, step by step, from the list price to the rounded total.

    Attributes:
        currency: ISO 4217 code.
        steps: the steps in order (see :data:`STEP_KINDS`).
        floor: the lowest net price (before services and tax) a sales rep may give without approval.
        needs_approval: the manual discount went below the floor (the quote cannot be sent unapproved).
    """

    currency: str
    steps: tuple[Step, ...]
    floor: Decimal
    needs_approval: bool = False

    def _last(self, *kinds: str) -> Decimal:
        found = [s.subtotal for s in self.steps if s.kind in kinds]
        return found[-1] if found else Decimal(0)

    @property
    def list_total(self) -> Decimal:
        """List price times the quantity ordered, before any discount."""
        return self._last("list", "quantity")

    @property
    def net(self) -> Decimal:
        """The price before tax (services included)."""
        before_tax = [s for s in self.steps if s.kind not in ("tax", "rounding")]
        return before_tax[-1].subtotal if before_tax else Decimal(0)

    @property
    def tax(self) -> Decimal:
        """The tax amount."""
        return sum((s.amount for s in self.steps if s.kind == "tax"), Decimal(0))

    @property
    def total(self) -> Decimal:
        """The amount to pay (the last subtotal)."""
        return self.steps[-1].subtotal if self.steps else Decimal(0)

    @property
    def discounts(self) -> Decimal:
        """The sum of all discounts (negative or zero)."""
        return sum((s.amount for s in self.steps if s.is_discount and s.kind != "rounding"), Decimal(0))


def net_before_services(w: Waterfall) -> Decimal:
    """The price after every discount, before services and tax: what the floor is compared with.

    Example:
        >>> net_before_services(Waterfall("EUR", (Step("list", "c", Decimal(10), Decimal(10)),
        ...     Step("services", "fit", Decimal(5), Decimal(15))), Decimal(0)))
        Decimal('10')
    """
    found = [s.subtotal for s in w.steps if s.kind not in ("services", "tax", "rounding")]
    return found[-1] if found else Decimal(0)
