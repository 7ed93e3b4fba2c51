"""Wire models of the customer's running price and of priced, labelled bundles.

``POST /customers/{id}/price`` answers what the customer pays for what is selected (:class:`RunningPriceOut`);
``POST /customers/{id}/bundles`` answers :class:`PricedBundlesOut`: the bundles of
:class:`~configurator.api.schemas.BundlesOut` with the same payable total, its budget verdict and translated
labels beside every machine code. Money is a decimal string plus a ``*_text`` formatted in the locale.

Example:
    >>> RunningPriceIn.model_validate({"catalog": "ebike-urban", "selections": {"frame": {"alu_m": 1}},
    ...     "budget": "5000", "locale": "pt"}).budget
    Decimal('5000')
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from configurator.api import schemas as s
from configurator.api.wire import Identifier, LocaleTag, PositiveMoney, Selections

__all__ = [
    "MAX_SERVICES",
    "BudgetVerdictOut",
    "PricedBundleOut",
    "PricedBundlesOut",
    "PricedReasonOut",
    "RunningPriceIn",
    "RunningPriceLineOut",
    "RunningPriceOut",
]

MAX_SERVICES = 100
"""The most service choices a running-price request may carry."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunningPriceIn(_In):
    """What is selected now, the services chosen, the budget and the language of the answer."""

    catalog: Identifier
    selections: Selections = Field(examples=[{"frame": {"carbon_diamond": 1}, "racks": {"tubus": 2}}])
    services: Annotated[dict[Identifier, bool], Field(max_length=MAX_SERVICES)] = Field(
        default_factory=dict,
        description="Service id -> in the total or not; left out: included services in, paid ones out.",
    )
    budget: PositiveMoney | None = Field(None, description="The most the customer pays, tax included.")
    locale: LocaleTag | None = Field(
        None, description="Default: the locale query parameter, else the catalog's."
    )


class RunningPriceLineOut(BaseModel):
    """One line of the running price: an option, a service, a discount or the tax."""

    kind: Literal["option", "service", "discount", "tax"]
    kind_label: str
    label: str
    qty: int
    amount: Decimal
    amount_text: str


class BudgetVerdictOut(BaseModel):
    """The payable total against the budget: ``fit`` or ``over``, in words, and by how much."""

    verdict: Literal["fit", "over"]
    label: str
    gap_text: str


class RunningPriceOut(BaseModel):
    """What the customer pays, line by line, with tier and bundle discounts, paid services and tax."""

    currency: str
    tier: str
    lines: list[RunningPriceLineOut]
    net: Decimal
    net_text: str
    tax: Decimal
    tax_text: str
    total: Decimal
    total_text: str
    budget: BudgetVerdictOut | None


class PricedReasonOut(s.ReasonOut):
    """A reason with its kind in words (``label``) and the sentence the customer reads (``text``, no ids)."""

    label: str
    text: str


class PricedBundleOut(s.BundleOut):
    """A bundle with what the customer pays for it, its budget verdict and its role in words."""

    role_label: str
    currency: str
    total: Decimal | None
    total_text: str
    budget: BudgetVerdictOut | None
    reasons: list[PricedReasonOut]  # type: ignore[assignment]  # the reasons, with their words


class PricedBundlesOut(s.BundlesOut):
    """The customer's bundles, best first, each with its payable total."""

    bundles: list[PricedBundleOut]  # type: ignore[assignment]  # the bundles, priced and labelled
