"""Interaction events: a typed, versioned, discriminated union of everything a customer does with the shop.

Every event has an ``event_id`` (idempotency key, unique per tenant), a ``tenant``, a ``customer_id`` and/or an
``anonymous_id``, a ``channel`` (web, sales_rep, email, phone, store, api), an aware timestamp ``ts`` (stored
in UTC), ``schema_version`` (1) and optional ``traits`` (what the person told us: name, email, phone...).

Interaction types (:data:`INTERACTION_TYPES`): ``viewed``, ``configured`` (full or partial configuration),
``quote_requested``, ``quote_sent``, ``purchased`` (lines, amounts, margin), ``returned`` (refund, lost
margin), ``support_ticket`` (cost to serve), ``referral`` (who was referred, did they buy), ``review``,
``stated_need`` (an explicit preference) and ``feedback``. One more record type travels in the same stream:
``consent`` (a customer grants or withdraws consent for a purpose); it is stored but is not an interaction.

Money is ``Decimal``. :func:`validate_event` turns plain data (a JSON object, a CSV row) into an event or raises
:class:`InvalidEventError` naming the field and the reason. At ingestion it also applies :class:`EventLimits`
(:func:`check_limits`): the timestamp lies between 1970 and a day after now, amounts, margins, costs and stated
budgets are finite and at most 10**12 currency units in absolute value, and identifiers are NFC-normalised, at most
:data:`MAX_ID_LENGTH` characters and free of control and invisible characters. Stored events are read back with
``limits=None`` so that a value stored before a limit existed never breaks a later request.

Example:
    >>> e = validate_event({"event_id": "e1", "type": "review", "customer_id": "c1", "channel": "web",
    ...                     "ts": "2026-03-01T10:00:00+01:00", "rating": 5}, tenant="shop")
    >>> e.type, e.ts.isoformat(), e.tenant
    ('review', '2026-03-01T09:00:00+00:00', 'shop')
    >>> validate_event({"event_id": "e2", "type": "review", "customer_id": "c1", "channel": "web",
    ...                 "ts": "2026-03-01T10:00:00", "rating": 5}, tenant="shop")
    Traceback (most recent call last):
    ...
    configurator.errors.InvalidEventError: ts: Input should have timezone info
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from configurator.customers.identity import DEFAULT_REGION, Traits
from configurator.errors import InvalidEventError

__all__ = [
    "CHANNELS",
    "DEFAULT_LIMITS",
    "EVENT_TYPES",
    "INTERACTION_TYPES",
    "MAX_ID_LENGTH",
    "SCHEMA_VERSION",
    "Channel",
    "Configured",
    "ConsentChanged",
    "Event",
    "EventLimits",
    "Feedback",
    "Line",
    "Measures",
    "Purchased",
    "QuoteRequested",
    "QuoteSent",
    "Referral",
    "Returned",
    "Review",
    "StatedNeed",
    "SupportTicket",
    "Viewed",
    "check_limits",
    "measures",
    "validate_event",
]

SCHEMA_VERSION = 1
"""The event schema version this code writes and reads."""
CHANNELS = ("web", "sales_rep", "email", "phone", "store", "api")
"""Where an interaction happened."""
Channel = Literal["web", "sales_rep", "email", "phone", "store", "api"]
INTERACTION_TYPES = (
    "viewed",
    "configured",
    "quote_requested",
    "quote_sent",
    "purchased",
    "returned",
    "support_ticket",
    "referral",
    "review",
    "stated_need",
    "feedback",
)
"""Interaction event types (what ``events_frame`` returns)."""
EVENT_TYPES = (*INTERACTION_TYPES, "consent")
"""Every record type of the event stream."""


def _text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


MAX_ID_LENGTH = 200
"""Most characters of an identifier (the width of the storage's id columns)."""

Id = Annotated[
    str,
    Field(min_length=1, max_length=MAX_ID_LENGTH, pattern=r"^[^\x00-\x1f\x7f]+$"),
    AfterValidator(_text),
]
"""An identifier: 1-200 characters, no control characters."""
Text = Annotated[str, Field(max_length=5000), AfterValidator(_text)]
"""Free text."""
Money = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=4)]
"""A non-negative amount in currency units."""
SignedMoney = Annotated[Decimal, Field(max_digits=16, decimal_places=4)]
"""An amount that may be negative (a margin)."""
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


def _selections(value: Any) -> Any:
    """Accept ``{module: option}``, ``{module: [options]}`` or ``{module: {option: qty}}``."""
    if not isinstance(value, Mapping):
        return value
    out: dict[Any, Any] = {}
    for module, chosen in value.items():
        if isinstance(chosen, str):
            out[module] = {chosen: 1}
        elif isinstance(chosen, list):
            out[module] = {str(option): 1 for option in chosen}
        else:
            out[module] = chosen
    return out


Selections = Annotated[
    dict[Id, dict[Id, Annotated[int, Field(ge=0, le=10_000)]]], BeforeValidator(_selections)
]
"""A full or partial configuration: quantity of each chosen option, by module."""
Requirement = Annotated[
    str,
    Field(
        min_length=3, max_length=2 * MAX_ID_LENGTH + 2, pattern=r"^!?[^\x00-\x1f\x7f!]+\.[^\x00-\x1f\x7f.]+$"
    ),
    AfterValidator(_text),
]
"""A stated requirement of one purchase: ``module.option`` (must have) or ``!module.option`` (must not)."""
Required = Annotated[list[Requirement], Field(max_length=100)]
"""What the customer required of one configuration (the occasion's requirements, at most 100)."""


class _Base(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    schema_version: Literal[1] = 1
    event_id: Id
    tenant: Id
    customer_id: Id | None = None
    anonymous_id: Id | None = None
    channel: Channel
    ts: dt.datetime = Field(description="aware timestamp; stored in UTC")
    traits: Traits | None = None

    @field_validator("ts", mode="after")
    @classmethod
    def _to_utc(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("Input should have timezone info")
        try:
            return value.astimezone(dt.UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00+14:00 is before the first representable UTC instant
            raise ValueError(f"{value.isoformat()} is out of range in UTC") from None

    @model_validator(mode="after")
    def _someone(self) -> _Base:
        if self.customer_id is None and self.anonymous_id is None:
            raise ValueError("customer_id or anonymous_id is required")
        return self


class Viewed(_Base):
    """A product, option or page was viewed."""

    type: Literal["viewed"]
    catalog: Id | None = None
    item: Text | None = None
    url: Text | None = None
    seconds: float | None = Field(default=None, ge=0, le=86_400, allow_inf_nan=False)


class Configured(_Base):
    """The customer (or a rep for them) configured a product: the full or partial configuration.

    ``required`` lists what the customer required of it (``module.option``, ``!module.option``), so that the
    learned needs can tell a choice from a consequence of a requirement; ``budget`` (the most they would pay)
    with ``total`` (what it cost them, tax included like the budget) lets them tell an option left out for its
    price from one left out for lack of interest.
    """

    type: Literal["configured"]
    catalog: Id
    catalog_version: Id | None = None
    selections: Selections
    complete: bool = False
    required: Required | None = Field(
        default=None, description="what the customer required of this configuration (module.option)"
    )
    budget: Money | None = Field(
        default=None, description="the most the customer would pay for this configuration when choosing it"
    )
    total: Money | None = Field(
        default=None, description="what this configuration cost the customer (in the same terms as budget)"
    )


class QuoteRequested(_Base):
    """A quote was asked for, optionally for a configuration."""

    type: Literal["quote_requested"]
    catalog: Id | None = None
    quote_id: Id | None = None
    selections: Selections | None = None
    message: Text | None = None


class QuoteSent(_Base):
    """A quote was sent to the customer."""

    type: Literal["quote_sent"]
    quote_id: Id
    catalog: Id | None = None
    total: Money
    currency: Currency = "EUR"
    valid_until: dt.date | None = None


class Line(BaseModel):
    """One order line: what, how many, at what unit price and unit margin; its configuration, requirements, budget."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    item: Id
    catalog: Id | None = None
    quantity: int = Field(default=1, ge=1, le=100_000)
    unit_price: Money
    unit_margin: SignedMoney | None = None
    selections: Selections | None = None
    required: Required | None = Field(
        default=None, description="what the customer required of this line's configuration (module.option)"
    )
    budget: Money | None = Field(
        default=None, description="the most the customer would pay per unit when choosing this configuration"
    )


class Purchased(_Base):
    """An order: lines, total and gross margin (defaults: sums over the lines)."""

    type: Literal["purchased"]
    order_id: Id
    lines: list[Line] = Field(min_length=1, max_length=1000)
    total: Money | None = None
    margin: SignedMoney | None = None
    currency: Currency = "EUR"

    @model_validator(mode="after")
    def _margin_known(self) -> Purchased:
        if self.margin is None and any(line.unit_margin is None for line in self.lines):
            raise ValueError("margin is required unless every line has a unit_margin")
        return self

    @property
    def order_total(self) -> Decimal:
        """The total, or the sum of the lines."""
        if self.total is not None:
            return self.total
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal(0))

    @property
    def order_margin(self) -> Decimal:
        """The gross margin, or the sum of the lines' margins."""
        if self.margin is not None:
            return self.margin
        return sum(((line.unit_margin or Decimal(0)) * line.quantity for line in self.lines), Decimal(0))


class Returned(_Base):
    """Goods came back: the refunded amount and the margin lost with them."""

    type: Literal["returned"]
    order_id: Id
    amount: Money
    margin: Money = Decimal(0)
    items: list[Id] = Field(default_factory=list, max_length=1000)
    reason: Text | None = None


class SupportTicket(_Base):
    """A support case and what it cost to serve."""

    type: Literal["support_ticket"]
    ticket_id: Id
    cost: Money
    topic: Text | None = None
    minutes: int | None = Field(default=None, ge=0, le=100_000)
    resolved: bool | None = None


class Referral(_Base):
    """The customer referred someone; ``converted`` when that person bought."""

    type: Literal["referral"]
    referred_customer_id: Id
    converted: bool = False


class Review(_Base):
    """A rating (1-5) and optional text."""

    type: Literal["review"]
    rating: int = Field(ge=1, le=5)
    catalog: Id | None = None
    item: Text | None = None
    text: Text | None = None


class StatedNeed(_Base):
    """An explicit preference: ``need`` (e.g. ``budget``, ``attribute:weight_g``, ``option:frame.alu``)."""

    type: Literal["stated_need"]
    need: Id
    value: bool | int | float | Text | None = None
    importance: float = Field(default=1.0, ge=0, le=1, allow_inf_nan=False)
    catalog: Id | None = None


class Feedback(_Base):
    """Free-text feedback, optionally with a 0-10 score (NPS)."""

    type: Literal["feedback"]
    text: Text
    score: int | None = Field(default=None, ge=0, le=10)
    topic: Text | None = None


class ConsentChanged(_Base):
    """The customer granted or withdrew consent for a purpose (``profiling``, ``marketing``)."""

    type: Literal["consent"]
    purpose: Literal["profiling", "marketing"]
    granted: bool

    @model_validator(mode="after")
    def _known_customer(self) -> ConsentChanged:
        if self.customer_id is None:
            raise ValueError("consent needs a customer_id")
        return self


Event = Annotated[
    Viewed
    | Configured
    | QuoteRequested
    | QuoteSent
    | Purchased
    | Returned
    | SupportTicket
    | Referral
    | Review
    | StatedNeed
    | Feedback
    | ConsentChanged,
    Field(discriminator="type"),
]
"""Any event of the stream (a discriminated union on ``type``)."""

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def _reason(exc: ValidationError) -> InvalidEventError:
    error = exc.errors(include_url=False)[0]
    loc = list(error["loc"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        tags = ", ".join(EVENT_TYPES)
        if error["type"] == "union_tag_not_found":
            return InvalidEventError("type", f"missing (one of {tags})")
        return InvalidEventError("type", f"unknown event type {error['input'].get('type')!r} (one of {tags})")
    if loc and loc[0] in EVENT_TYPES:
        loc = loc[1:]  # the discriminator tag pydantic puts first
    where = ".".join(str(part) for part in loc)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "literal_error" and where == "schema_version":
        message = f"unsupported schema version (supported: {SCHEMA_VERSION})"
    return InvalidEventError(where, message)


@dataclasses.dataclass(frozen=True)
class EventLimits:
    """What an event may hold at ingestion, beyond its types (see :func:`check_limits`).

    Attributes:
        max_future: how far after ``now`` an event may be dated (clock skew of the sender).
        earliest: the earliest timestamp accepted.
        max_money: the largest absolute amount, margin, cost or stated budget, in currency units: a sanity
            bound (no overflow, no infinity) that holds for currencies without decimals too, the same as the
            HTTP API's; whether a large amount may be believed is for authentication to say, not for a bound.
        max_id_length: the most characters of an identifier (NFC-normalised).
    """

    max_future: dt.timedelta = dt.timedelta(days=1)
    earliest: dt.datetime = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    max_money: Decimal = Decimal(10**12)
    max_id_length: int = MAX_ID_LENGTH


DEFAULT_LIMITS = EventLimits()
"""The limits :func:`validate_event` applies unless told otherwise."""

_IDENTIFIERS = (
    "event_id",
    "customer_id",
    "anonymous_id",
    "order_id",
    "quote_id",
    "ticket_id",
    "referred_customer_id",
)
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories refused in identifiers: controls, format characters (zero-width, bidi), separators."""


def _identifier_problem(value: str, limit: int) -> str | None:
    """Why an (NFC-normalised) identifier is refused, or None."""
    if len(value) > limit:
        return f"expected at most {limit} characters, got {len(value)}"
    for char in value:
        if unicodedata.category(char) in _INVISIBLE or (char.isspace() and char != " "):
            name = unicodedata.name(char, "unnamed")
            return f"expected no control or invisible characters, got U+{ord(char):04X} ({name}) in {value!r}"
    return None


def _money(event: Event) -> Iterator[tuple[str, Decimal]]:
    """``(field, amount)`` of every amount of an event."""
    if isinstance(event, Purchased):
        for i, line in enumerate(event.lines):
            yield f"lines.{i}.unit_price", line.unit_price
            if line.unit_margin is not None:
                yield f"lines.{i}.unit_margin", line.unit_margin
        yield "total", event.order_total
        yield "margin", event.order_margin
    elif isinstance(event, QuoteSent):
        yield "total", event.total
    elif isinstance(event, Returned):
        yield "amount", event.amount
        yield "margin", event.margin
    elif isinstance(event, SupportTicket):
        yield "cost", event.cost


def _check_budget(event: StatedNeed, limits: EventLimits) -> None:
    value = event.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if not -float("inf") < value < float("inf"):
        raise InvalidEventError("value", f"expected a finite number, got {value!r}")
    if event.need == "budget" and not 0 < value <= limits.max_money:
        raise InvalidEventError(
            "value", f"expected a budget above 0 and at most {limits.max_money}, got {value!r}"
        )


def check_limits(
    event: Event, *, now: dt.datetime | None = None, limits: EventLimits = DEFAULT_LIMITS
) -> Event:
    """The event with NFC-normalised identifiers, if its timestamp, amounts and identifiers are within ``limits``.

    Args:
        event: a validated event.
        now: the current time (default: the clock), for the latest timestamp accepted.
        limits: the limits.

    Raises:
        InvalidEventError: naming the field, what was expected and what was found.

    Example:
        >>> import datetime as dt
        >>> e = validate_event({"event_id": "e1", "type": "review", "customer_id": "jose\u0301", "channel": "web",
        ...                     "ts": "2026-03-01T10:00:00Z", "rating": 5}, tenant="shop", limits=None)
        >>> check_limits(e, now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)).customer_id == "jos\u00e9"
        True
        >>> check_limits(e, now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
        Traceback (most recent call last):
        ...
        configurator.errors.InvalidEventError: ts: expected between 1970-01-01T00:00:00+00:00 and 2026-02-02T00:00:00+00:00 (now + 1 day, 0:00:00), got 2026-03-01T10:00:00+00:00
    """
    now = now if now is not None else dt.datetime.now(dt.UTC)
    latest = now + limits.max_future
    if not limits.earliest <= event.ts <= latest:
        raise InvalidEventError(
            "ts",
            f"expected between {limits.earliest.isoformat()} and {latest.isoformat()} "
            f"(now + {limits.max_future}), got {event.ts.isoformat()}",
        )
    for where, amount in _money(event):
        if abs(amount) > limits.max_money:
            raise InvalidEventError(
                where, f"expected at most {limits.max_money} in absolute value, got {amount}"
            )
    if isinstance(event, StatedNeed):
        _check_budget(event, limits)
    update: dict[str, str] = {}
    for name in _IDENTIFIERS:
        value = getattr(event, name, None)
        if value is None:
            continue
        normal = unicodedata.normalize("NFC", value)
        problem = _identifier_problem(normal, limits.max_id_length)
        if problem is not None:
            raise InvalidEventError(name, problem)
        if normal != value:
            update[name] = normal
    return event.model_copy(update=update) if update else event


def validate_event(
    data: Any,
    *,
    tenant: str,
    region: str | None = DEFAULT_REGION,
    now: dt.datetime | None = None,
    limits: EventLimits | None = DEFAULT_LIMITS,
) -> Event:
    """Validate plain data into an event of ``tenant``; ``region`` reads phone numbers in traits.

    A record without a tenant gets ``tenant``; one that names another tenant is invalid (a store writes one
    tenant). With ``limits`` (the default) the event must also be within them at ``now`` (see
    :func:`check_limits`); ``limits=None`` reads back what a store holds (validated when it was written, maybe
    under other limits) without refusing it.

    Raises:
        InvalidEventError: naming the first offending field and why.
    """
    if not isinstance(data, Mapping):
        raise InvalidEventError("", f"expected a JSON object, got {type(data).__name__}")
    record = dict(data)
    if record.get("tenant") in (None, ""):
        record["tenant"] = tenant
    elif record["tenant"] != tenant:
        raise InvalidEventError("tenant", f"event of tenant {record['tenant']!r}, ingesting into {tenant!r}")
    try:
        event = _ADAPTER.validate_python(record, context={"region": region})
    except ValidationError as exc:
        raise _reason(exc) from None
    return event if limits is None else check_limits(event, now=now, limits=limits)


class Measures(BaseModel):
    """The numbers an event contributes to value: amount, margin and cost to serve (currency units)."""

    model_config = ConfigDict(frozen=True)

    amount: Decimal = Decimal(0)
    margin: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)


def measures(event: Event) -> Measures:
    """Order total and margin of a purchase, refund and lost margin of a return, cost of a ticket, else 0.

    Example:
        >>> e = validate_event({"event_id": "r", "type": "returned", "customer_id": "c", "channel": "store",
        ...                     "ts": "2026-01-02T00:00:00Z", "order_id": "o", "amount": "99.5", "margin": 30},
        ...                    tenant="t")
        >>> measures(e)
        Measures(amount=Decimal('99.5'), margin=Decimal('30'), cost=Decimal('0'))
    """
    if isinstance(event, Purchased):
        return Measures(amount=event.order_total, margin=event.order_margin)
    if isinstance(event, Returned):
        return Measures(amount=event.amount, margin=event.margin)
    if isinstance(event, SupportTicket):
        return Measures(cost=event.cost)
    return Measures()
