"""Quote data: priced lines, the pricing waterfall, service lines, explanations and the quote itself.

Plain frozen dataclasses with exact ``Decimal`` money, no I/O. :func:`configurator.quoting.pricing` fills the
:class:`Waterfall`; the assembly layer fills :class:`Reason` items; :mod:`configurator.quoting.render` renders a
:class:`Quote`; storage keeps ``Quote.to_data()`` (JSON-safe: money as strings, dates ISO) and reads it back
with :meth:`Quote.from_data`.

Example:
    >>> from decimal import Decimal
    >>> line = Line("frame", "alu", 2, Decimal("420.00"))
    >>> line.amount
    Decimal('840.00')
    >>> Step("tier", "mvc", Decimal("-50.40"), Decimal("789.60"), rate=Decimal(6)).is_discount
    True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from configurator.catalog.configuration import Configuration

__all__ = [
    "STEP_KINDS",
    "Line",
    "Quote",
    "Reason",
    "ServiceLine",
    "Step",
    "Waterfall",
]

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


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why a choice fits this customer (one bullet of the quote's "why this fits you").

    Attributes:
        module: module id.
        option: option id.
        because: ``stated`` (they asked for it), ``purchased`` / ``configured`` / ``viewed`` (their history),
            ``popular`` (people like them chose it), ``required`` (the rules or their requirements forced it),
            ``budget`` (traded off to fit the budget), ``tier`` (their tier's policy) or ``default``.
        events: ids of the events behind it (empty for population, rules and defaults).
        detail: values the template may show (e.g. ``{"instead_of": "carbon_m", "saves": "770.00"}``).
    """

    module: str
    option: str
    because: str
    events: tuple[str, ...] = ()
    detail: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Quote:
    """A quote: immutable once stored; a change makes a new version of the same number.

    Attributes:
        quote_id: the quote number (same for every version).
        version: 1, 2, ...
        tenant: the shop.
        customer_id: the customer.
        catalog_id: the catalog the bundle was configured in.
        catalog_version: its version.
        locale: the locale it is rendered in (e.g. ``pt_PT``).
        currency: ISO 4217 code.
        created_at: when this version was made (aware).
        valid_until: last day the offer holds.
        tier: the customer's value tier when quoted.
        quantity: how many bundles are ordered.
        configuration: the bundle.
        lines: its priced options.
        services: service add-ons.
        waterfall: the price step by step.
        reasons: why each choice fits this customer.
        terms: message ids of the terms that apply (rendered in the quote's language).
        status: ``draft``, ``sent``, ``accepted``, ``expired`` or ``superseded``.
    """

    quote_id: str
    version: int
    tenant: str
    customer_id: str
    catalog_id: str
    catalog_version: str
    locale: str
    currency: str
    created_at: dt.datetime
    valid_until: dt.date
    tier: str
    quantity: int
    configuration: Configuration
    lines: tuple[Line, ...]
    services: tuple[ServiceLine, ...]
    waterfall: Waterfall
    reasons: tuple[Reason, ...] = ()
    terms: tuple[str, ...] = ()
    status: str = "draft"

    @property
    def total(self) -> Decimal:
        """The amount to pay."""
        return self.waterfall.total

    def to_data(self) -> dict[str, Any]:
        """JSON-safe plain data (money as strings, dates ISO, the configuration as ``selections``/``sub``).

        Example:
            >>> q = Quote.from_data(EXAMPLE)
            >>> Quote.from_data(q.to_data()) == q
            True
        """
        data = dataclasses.asdict(self)
        data["configuration"] = _configuration_data(self.configuration)
        return _jsonable(data)  # type: ignore[no-any-return]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Quote:
        """Read :meth:`to_data`'s output back."""
        w = data["waterfall"]
        waterfall = Waterfall(
            w["currency"],
            tuple(
                Step(
                    s["kind"],
                    s["ref"],
                    Decimal(s["amount"]),
                    Decimal(s["subtotal"]),
                    None if s.get("rate") is None else Decimal(s["rate"]),
                    s.get("note", ""),
                )
                for s in w["steps"]
            ),
            Decimal(w["floor"]),
            bool(w.get("needs_approval", False)),
        )
        return cls(
            quote_id=data["quote_id"],
            version=int(data["version"]),
            tenant=data["tenant"],
            customer_id=data["customer_id"],
            catalog_id=data["catalog_id"],
            catalog_version=data["catalog_version"],
            locale=data["locale"],
            currency=data["currency"],
            created_at=dt.datetime.fromisoformat(data["created_at"]),
            valid_until=dt.date.fromisoformat(data["valid_until"]),
            tier=data["tier"],
            quantity=int(data["quantity"]),
            configuration=_configuration_from(data["configuration"]),
            lines=tuple(
                Line(x["module"], x["option"], int(x["qty"]), Decimal(x["unit_price"]), x.get("path", ""))
                for x in data["lines"]
            ),
            services=tuple(
                ServiceLine(
                    x["service"],
                    x["kind"],
                    bool(x["included"]),
                    Decimal(x["list_price"]),
                    Decimal(x["price"]),
                    x.get("reason", ""),
                )
                for x in data["services"]
            ),
            waterfall=waterfall,
            reasons=tuple(
                Reason(
                    x["module"],
                    x["option"],
                    x["because"],
                    tuple(x.get("events", ())),
                    dict(x.get("detail", {})),
                )
                for x in data.get("reasons", ())
            ),
            terms=tuple(data.get("terms", ())),
            status=data.get("status", "draft"),
        )


def _configuration_data(config: Configuration) -> dict[str, Any]:
    return {
        "catalog": config.catalog,
        "selections": {m: dict(options) for m, options in config.selections.items()},
        "sub": [
            {"module": m, "option": o, "configuration": _configuration_data(c)}
            for (m, o), c in config.sub.items()
        ],
    }


def _configuration_from(data: Mapping[str, Any]) -> Configuration:
    return Configuration(
        selections={m: {o: int(q) for o, q in options.items()} for m, options in data["selections"].items()},
        sub={
            (s["module"], s["option"]): _configuration_from(s["configuration"]) for s in data.get("sub", ())
        },
        catalog=data.get("catalog"),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


EXAMPLE: Mapping[str, Any] = {
    "quote_id": "Q-2026-0001",
    "version": 1,
    "tenant": "shop",
    "customer_id": "c-1",
    "catalog_id": "bike-city",
    "catalog_version": "2026.11",
    "locale": "pt_PT",
    "currency": "EUR",
    "created_at": "2026-11-23T10:00:00+00:00",
    "valid_until": "2026-12-23",
    "tier": "mvc",
    "quantity": 1,
    "configuration": {"catalog": "bike-city", "selections": {"frame": {"alu_m": 1}}, "sub": []},
    "lines": [{"module": "frame", "option": "alu_m", "qty": 1, "unit_price": "420.00", "path": ""}],
    "services": [
        {
            "service": "setup",
            "kind": "post_sale",
            "included": True,
            "list_price": "30.00",
            "price": "0",
            "reason": "included for tier mvc",
        }
    ],
    "waterfall": {
        "currency": "EUR",
        "floor": "380.00",
        "needs_approval": False,
        "steps": [
            {
                "kind": "list",
                "ref": "bike-city",
                "amount": "420.00",
                "subtotal": "420.00",
                "rate": None,
                "note": "",
            },
            {"kind": "tier", "ref": "mvc", "amount": "-25.20", "subtotal": "394.80", "rate": "6", "note": ""},
            {"kind": "tax", "ref": "PT", "amount": "90.80", "subtotal": "485.60", "rate": "23", "note": ""},
            {
                "kind": "rounding",
                "ref": "EUR",
                "amount": "0.00",
                "subtotal": "485.60",
                "rate": None,
                "note": "",
            },
        ],
    },
    "reasons": [
        {"module": "frame", "option": "alu_m", "because": "purchased", "events": ["ev-1"], "detail": {}}
    ],
    "terms": ["terms.validity", "terms.payment"],
    "status": "draft",
}
"""A complete quote as plain data (for examples and tests)."""
