"""Request and response models of the HTTP API (pydantic; they make the OpenAPI document).

Money is a decimal string in JSON (``"1190.00"``), as everywhere in configurator. Request models forbid
unknown fields, so a misspelt field is a 422 problem instead of being ignored. Every field a request carries
is bounded (see :mod:`configurator.api.wire` and the "Limits" section of ``docs/api.md``): identifiers are
NFC without invisible characters, locales are the ones we ship, numbers and money are finite and in range.

Example:
    >>> ChoiceIn(action="select", module="frame", option="carbon_diamond").qty is None
    True
    >>> ChoiceIn.model_validate({"action": "pick"})
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for ChoiceIn
    ...
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from configurator.api.wire import (
    MAX_REQUIREMENTS,
    CountryCode,
    Identifier,
    LocaleTag,
    Money,
    PositiveMoney,
    Quantity,
    Requirement,
    Selections,
    ShortIdentifier,
    Version,
)

__all__ = [
    "AcceptIn",
    "AcceptOut",
    "BundleOut",
    "BundlesIn",
    "BundlesOut",
    "CatalogOut",
    "CatalogSummary",
    "ChoiceIn",
    "ChoiceOut",
    "CompleteIn",
    "CompleteOut",
    "ConfigurationOut",
    "ConflictOut",
    "CustomerHitOut",
    "CustomerOut",
    "EventsOut",
    "KeyIn",
    "KeyOut",
    "MatchedOut",
    "ModuleOut",
    "NewKeyOut",
    "OptionOut",
    "PriceIn",
    "PriceLineOut",
    "PriceOut",
    "PriceStepOut",
    "Problem",
    "QuoteOut",
    "ReasonOut",
    "RecommendationOut",
    "RejectionOut",
    "RepairOut",
    "RuleOut",
    "SelectedOut",
    "ServiceLineOut",
    "ServiceOut",
    "SessionIn",
    "SessionOut",
    "ValidateIn",
    "ValidateOut",
    "ViolationOut",
]

Channel = Literal["web", "sales_rep", "email", "phone", "store", "api"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details; some problems add members (``errors``, ``repair``, ``violations``, ``hint``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:configurator:problem:unknown-customer"])
    title: str
    status: int
    detail: str
    instance: str | None = None


# -- catalogs ------------------------------------------------------------------------------------------------


class CatalogSummary(BaseModel):
    """A catalog in the list: id, version, name in the locale, and its size."""

    id: str
    version: str
    name: str
    currency: str
    locales: list[str]
    module_count: int
    option_count: int
    rule_count: int
    service_count: int


class OptionOut(BaseModel):
    """An option with its label and description in the locale."""

    id: str
    label: str
    description: str | None = None
    price: Decimal
    attrs: dict[str, Any] = Field(default_factory=dict)
    sub_assembly: str | None = Field(
        None, description="The catalog id of the product this option configures."
    )


class ModuleOut(BaseModel):
    """A module (slot of the product): how many options to choose, and its options."""

    id: str
    label: str
    description: str | None = None
    min: int
    max: int | None
    default: list[str]
    options: list[OptionOut]


class RuleOut(BaseModel):
    """A rule's id and message in the locale."""

    id: str
    message: str


class ServiceOut(BaseModel):
    """A service add-on."""

    id: str
    kind: str
    label: str
    price: Decimal


class CatalogOut(CatalogSummary):
    """A catalog with its modules, options, rules and services, labelled in the locale."""

    locale: str
    modules: list[ModuleOut]
    rules: list[RuleOut]
    services: list[ServiceOut]


class ValidateIn(_In):
    """A configuration to check: ``module -> option | [options] | {option: quantity | {qty, config}}``."""

    selections: Selections = Field(examples=[{"frame": "carbon_diamond", "size": "m"}])
    on: dt.date | None = Field(None, description="Judge effective dates on this day (default: ignore them).")


class ViolationOut(BaseModel):
    """A violated rule (or cardinality, quantity or effective date), its message in the locale."""

    rule_id: str
    kind: str
    message: str
    choices: list[str]
    path: str = ""


class ValidateOut(BaseModel):
    """The checker's verdict."""

    catalog: str
    valid: bool
    violations: list[ViolationOut]


# -- sessions ------------------------------------------------------------------------------------------------


class SessionIn(_In):
    """Open a configuration session on a catalog, optionally for a known customer (recommendations)."""

    catalog: Identifier
    customer_id: Identifier | None = None
    on: dt.date | None = Field(None, description="Judge effective dates on this day (default: ignore them).")
    start: Literal["last", "blank"] = Field(
        "last",
        description=(
            "A customer's session starts from their last configuration of the catalog (an order line or a"
            " complete configuration), adapted to the catalog now (`started_from` says what was kept and what"
            " changed); `blank` starts empty."
        ),
    )


class ChoiceIn(_In):
    """One choice: ``select`` / ``deselect`` (exclude) / ``unset`` a ``module.option``, or ``clear`` them all."""

    action: Literal["select", "deselect", "unset", "clear"]
    module: Identifier | None = None
    option: Identifier | None = None
    qty: Quantity | None = None


class ChoiceOut(BaseModel):
    """A choice made in the session."""

    module: str
    option: str
    selected: bool
    qty: int | None = None


class ConflictOut(BaseModel):
    """Why something is impossible: a minimal set of the user's choices and constraints (rule ids, with messages)."""

    choices: list[str]
    constraints: list[str]
    messages: dict[str, str] = Field(default_factory=dict)


class RecommendationOut(BaseModel):
    """An option the customer is likely to want, with their probability of choosing it."""

    option: str
    label: str
    probability: float


class SessionOut(BaseModel):
    """The state of a session: choices, the options still possible per module, and (on request) why not."""

    session_id: str
    catalog: str
    customer_id: str | None
    choices: list[ChoiceOut]
    domains: dict[str, list[str]]
    feasible: bool
    conflict: ConflictOut | None = None
    removed: dict[str, ConflictOut] | None = None
    recommendations: dict[str, list[RecommendationOut]] | None = None


class CompleteIn(_In):
    """How to complete: a customer's session defaults to their needs, others to the modules' defaults."""

    strategy: Literal["defaults", "recommended", "cheapest", "needs"] | None = None
    locale: LocaleTag | None = None


class SelectedOut(BaseModel):
    """A selected option with its label and list price."""

    module: str
    option: str
    qty: int
    label: str
    price: Decimal


class ConfigurationOut(BaseModel):
    """A full configuration: selections, the selected options labelled, the list price."""

    selections: dict[str, dict[str, int]]
    items: list[SelectedOut]
    list_price: Decimal


class CompleteOut(BaseModel):
    """A completion of the session's choices (None when they have no valid completion)."""

    session_id: str
    strategy: str
    configuration: ConfigurationOut | None
    conflict: ConflictOut | None = None


# -- events and customers ------------------------------------------------------------------------------------


class RejectionOut(BaseModel):
    """An event that was not stored: its 1-based position in the request, field and reason."""

    index: int
    event_id: str | None
    field: str
    reason: str


class EventsOut(BaseModel):
    """What happened to the posted events (posting the same events again only counts duplicates)."""

    received: int
    accepted: int
    duplicates: int
    suppressed: int = Field(description="Events of erased people: dropped.")
    rejected: list[RejectionOut]


class CustomerOut(BaseModel):
    """What we know of a customer, summarised: profile, history counts, value tier and why."""

    customer_id: str = Field(description="The canonical id (merged profiles resolve to it).")
    merged_ids: list[str]
    name: str | None
    company: str | None
    country: str | None
    language: str | None
    created_at: dt.datetime
    events: int
    events_by_type: dict[str, int]
    orders: int
    quotes: int
    profiling: bool = Field(description="Whether they allow profiling (else needs are the population's).")
    tier: str = Field(
        description="From the stored tier snapshot; standard until a refresh has computed theirs."
    )
    tier_reason: str
    tier_computed_at: dt.datetime | None = Field(
        default=None, description="When the tier snapshot was computed (null: no tier for them yet)."
    )


class MatchedOut(BaseModel):
    """The identity a search matched: its kind and value (``email``: ``ines@example.pt``)."""

    kind: Literal["customer_id", "email", "phone", "name", "company"]
    value: str


class CustomerHitOut(BaseModel):
    """One customer a search found, with what matched and how well."""

    customer_id: str = Field(description="The canonical id.")
    display_name: str | None = Field(description="Their name, else their company.")
    matched: MatchedOut
    score: float = Field(ge=0, le=100, description="100: an exact identifier or name.")


# -- bundles and quotes --------------------------------------------------------------------------------------


class BundlesIn(_In):
    """Assemble bundles for the customer."""

    catalog: Identifier
    budget: PositiveMoney | None = Field(
        None, description="Most the customer pays for a bundle, tax included."
    )
    requirements: list[Requirement] = Field(
        default_factory=list,
        max_length=MAX_REQUIREMENTS,
        examples=[["motor.bosch_cx", "!racks.tubus_cargo_evo"]],
    )
    k: int = Field(3, ge=1, le=10)
    locale: LocaleTag | None = None


class ServiceLineOut(BaseModel):
    """A service add-on offered with a bundle."""

    service: str
    kind: str
    label: str
    included: bool
    list_price: Decimal
    price: Decimal
    reason: str


class ReasonOut(BaseModel):
    """Why an option fits the customer (``stated``, ``purchased``, ``viewed``, ``popular``, ``budget``...)."""

    module: str
    option: str
    because: str
    events: list[str]
    detail: dict[str, str]


class RepairOut(BaseModel):
    """How to get a bundle when the request cannot be met: choices to give up, budget to raise to."""

    drop: list[str]
    keep: list[str]
    cost: int
    raise_budget_to: Decimal | None


class BundleOut(BaseModel):
    """An assembled bundle, ranked and explained."""

    rank: int
    role: str
    status: str
    utility: float
    price: Decimal
    configuration: ConfigurationOut
    services: list[ServiceLineOut]
    reasons: list[ReasonOut]
    repair: RepairOut | None


class BundlesOut(BaseModel):
    """The customer's bundles, best first."""

    customer_id: str
    catalog: str
    tier: str
    channel: str
    bundles: list[BundleOut]


class QuoteOut(BaseModel):
    """A stored quote version, with links to its renderings."""

    quote_id: str
    version: int
    status: str
    customer_id: str
    catalog: str
    locale: str
    currency: str
    tier: str
    quantity: int
    total: Decimal
    created_at: dt.datetime
    valid_until: dt.date
    configuration: ConfigurationOut
    links: dict[str, str]


class AcceptIn(_In):
    """The customer accepts a quote version: an order is recorded once (accepting again changes nothing)."""

    version: Version | None = Field(None, description="Default: the latest version.")
    margin: Money = Field(description="The order's gross margin (quotes carry prices, not costs).")
    order_id: ShortIdentifier | None = None
    channel: Channel = "web"
    at: AwareDatetime | None = Field(None, description="When (with a time zone; default now).")


class AcceptOut(BaseModel):
    """The accepted quote and its order."""

    quote_id: str
    version: int
    status: str
    order_id: str


class KeyIn(_In):
    """A new API key of the caller's tenant: a label and its scopes."""

    name: str = Field(min_length=1, max_length=200, description="Who or what uses the key, e.g. 'web shop'.")
    scopes: list[Literal["read", "events", "quote", "accept", "approve", "admin"]] = Field(
        min_length=1, max_length=6
    )


class KeyOut(BaseModel):
    """An API key as listed: never its secret."""

    key_id: str
    name: str
    scopes: list[str]
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None


class NewKeyOut(KeyOut):
    """A key just created, with the whole key: shown this once, never stored."""

    key: str


class PriceIn(ValidateIn):
    """A full configuration to price for a ship-to country (and, optionally, a customer's tier)."""

    country: CountryCode = Field(description="ISO 3166 alpha-2 ship-to country (tax).")
    quantity: Quantity = 1
    customer_id: Identifier | None = Field(None, description="Price with this customer's value tier.")


class PriceLineOut(BaseModel):
    """One option at list price."""

    module: str
    option: str
    qty: int
    unit_price: Decimal
    amount: Decimal
    path: str


class PriceStepOut(BaseModel):
    """One step of the pricing waterfall."""

    kind: str
    ref: str
    amount: Decimal
    subtotal: Decimal
    rate: Decimal | None
    note: str


class PriceOut(BaseModel):
    """A valid configuration priced: the lines at list price and the waterfall to the total."""

    catalog: str
    currency: str
    tier: str
    lines: list[PriceLineOut]
    steps: list[PriceStepOut]
    net: Decimal
    tax: Decimal
    total: Decimal
