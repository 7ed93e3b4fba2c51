"""Each customer's next-best offer: an upgrade of what they own, or an add-on service they do not have yet.

For a customer and a catalog, :func:`next_offer` weighs two kinds of offer and keeps the one with the higher
expected value (``probability * margin``):

- **upgrade**: the best change of their latest installed configuration
  (:func:`~configurator.assembly.assemble.next_best`: an upgrade of a single-choice module or an add-on option,
  reconfigured with the fewest changes). Its probability is the logistic of the option's utility gain under
  their learned needs (the gain is a log-odds); its margin is the price difference times the margin rate.
- **service**: the dearest paid service of the catalog they never bought and that their tier does not include.
  Its probability grows with how much of their history is in the catalog (``n / (n + 3)`` for ``n`` pieces of
  evidence, so engaged customers rank first); its margin is its price times the margin rate.

A customer with neither an installed configuration nor any history in the catalog gets no offer.

Example:
    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> offer = CampaignOffer("c-1", "bike", "mgc", "service", "fit", (), "not bought yet", 0.5,
    ...     Decimal("24.00"))
    >>> offer.expected_value
    Decimal('12.00')
    >>> sorted(offer.to_row("r1", dt.datetime(2026, 12, 1, tzinfo=dt.UTC)))[:3]
    ['catalog_id', 'changes', 'created_at']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal
from typing import Any

from configurator.assembly.assemble import next_best
from configurator.assembly.context import CustomerContext
from configurator.campaign.plan import offer_id
from configurator.catalog.models import Catalog
from configurator.offer.lines import price_lines

__all__ = ["CampaignOffer", "next_offer"]

_CENT = Decimal("0.01")


@dataclasses.dataclass(frozen=True)
class CampaignOffer:
    """One customer's next-best offer in one catalog.

    Attributes:
        customer_id: the canonical customer id.
        catalog_id: the catalog.
        tier: their tier in the snapshot.
        kind: ``upgrade`` or ``service``.
        item: ``module.option`` of the upgrade, or the service id.
        changes: what changes from the installed configuration (``+module.option`` / ``-module.option``).
        reason: why, in words.
        probability: how likely they take it (0..1).
        margin: the margin it brings if taken.
    """

    customer_id: str
    catalog_id: str
    tier: str
    kind: str
    item: str
    changes: tuple[str, ...]
    reason: str
    probability: float
    margin: Decimal

    @property
    def expected_value(self) -> Decimal:
        """``probability * margin``, to the cent."""
        return (Decimal(repr(self.probability)) * self.margin).quantize(_CENT)

    def to_row(self, run_id: str, created_at: dt.datetime) -> dict[str, Any]:
        """The stored row (``storage.campaign.OFFER_FIELDS`` but ``run_id`` and ``partition``)."""
        return {
            "offer_id": offer_id(run_id, self.customer_id, self.catalog_id),
            "customer_id": self.customer_id,
            "catalog_id": self.catalog_id,
            "tier": self.tier,
            "kind": self.kind,
            "item": self.item,
            "changes": list(self.changes),
            "reason": self.reason,
            "probability": self.probability,
            "margin": self.margin,
            "expected_value": self.expected_value,
            "created_at": created_at,
        }


def _list_price(catalog: Catalog, configuration: Any) -> Decimal:
    return sum((line.amount for line in price_lines(catalog, configuration)), Decimal(0))


def _upgrade(
    catalog: Catalog, context: CustomerContext, margin_rate: Decimal, on: dt.date | None
) -> CampaignOffer | None:
    installed = context.installed[-1]
    found = next_best(catalog, context, installed, n=1, on=on)
    if not found:
        return None
    bundle = found[0]
    added = [c[1:] for c in bundle.changes if c.startswith("+")] or [c.lstrip("+-") for c in bundle.changes]
    item = added[0] if added else ""
    reason = next(
        (
            f"{r.module}.{r.option}: {r.because}"
            + (f" (instead of {r.detail['instead_of']})" if "instead_of" in r.detail else "")
            for r in bundle.reasons
            if f"{r.module}.{r.option}" == item
        ),
        f"{item}: fits their needs",
    )
    gain = max(-50.0, min(50.0, float(bundle.utility)))
    probability = round(1.0 / (1.0 + math.exp(-gain)), 6)
    revenue = max(Decimal(0), bundle.price - _list_price(catalog, installed))
    return CampaignOffer(
        context.customer_id,
        catalog.catalog,
        context.tier,
        "upgrade",
        item,
        bundle.changes,
        reason,
        probability,
        (revenue * margin_rate).quantize(_CENT),
    )


def _service(
    catalog: Catalog, context: CustomerContext, bought: set[str], margin_rate: Decimal, on: dt.date | None
) -> CampaignOffer | None:
    candidates = [
        (service.price, service_id)
        for service_id, service in catalog.services.items()
        if service_id not in bought
        and service.price > 0
        and context.tier not in service.included_for
        and service.effective(on)
    ]
    if not candidates:
        return None
    price, service_id = max(candidates)
    seen = len(context.evidence) + len(context.installed)
    probability = round(seen / (seen + 3), 6)
    return CampaignOffer(
        context.customer_id,
        catalog.catalog,
        context.tier,
        "service",
        service_id,
        (),
        f"{service_id}: not bought yet ({seen} pieces of their history in {catalog.catalog})",
        probability,
        (price * margin_rate).quantize(_CENT),
    )


def next_offer(
    catalog: Catalog,
    context: CustomerContext,
    bought: set[str],
    *,
    margin_rate: float = 0.3,
    on: dt.date | None = None,
) -> CampaignOffer | None:
    """The customer's next-best offer in ``catalog``: the upgrade or service with the higher expected value.

    Args:
        catalog: the catalog.
        context: the customer's context for it (needs, tier, installed configurations, evidence).
        bought: the items of their past order lines (services bought are not offered again).
        margin_rate: the share of the price that is margin.
        on: the date for effective dates.

    Returns:
        The offer, or None when they have neither an installed configuration nor history in the catalog.
    """
    if not context.installed and not context.evidence:
        return None
    rate = Decimal(repr(margin_rate))
    options = [
        _upgrade(catalog, context, rate, on) if context.installed else None,
        _service(catalog, context, bought, rate, on),
    ]
    found = [o for o in options if o is not None]
    if not found:
        return None
    return max(found, key=lambda o: (o.expected_value, o.kind == "upgrade"))
