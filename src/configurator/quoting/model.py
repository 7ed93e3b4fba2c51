"""The quote: a bundle's priced lines, waterfall, services and reasons for one customer, and its stored form.

Plain frozen dataclasses with exact ``Decimal`` money, no I/O. The value types a quote is made of
(:class:`~configurator.offer.lines.Line`, :class:`~configurator.offer.lines.ServiceLine`,
:class:`~configurator.offer.waterfall.Waterfall`, :class:`~configurator.offer.reasons.Reason`) live in
:mod:`configurator.offer`. :mod:`configurator.quoting.render`
renders a :class:`Quote`; storage keeps ``Quote.to_data()`` (JSON-safe: money as strings, dates ISO) and reads it
back with :meth:`Quote.from_data`.

Example:
    >>> q = Quote.from_data(EXAMPLE)
    >>> q.lines[0].amount, q.total
    (Decimal('420.00'), Decimal('485.60'))
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from configurator.catalog.configuration import Configuration
from configurator.offer.lines import Line, ServiceLine
from configurator.offer.reasons import Reason
from configurator.offer.waterfall import Step, Waterfall

__all__ = ["EXAMPLE", "LineDiscount", "Quote", "met_requirements"]


@dataclasses.dataclass(frozen=True)
class LineDiscount:
    """A sales rep's discount on one line of the quote, in percent of that line's list amount.

    Attributes:
        line: the line's key, ``module.option``.
        pct: the discount in percent (0 to 100).
        amount: what it takes off the order: ``pct`` of the line's list amount times the bundles ordered,
            rounded to the currency's minor units.

    Example:
        >>> LineDiscount("frame.alu_m", Decimal(10), Decimal("42.00")).line
        'frame.alu_m'
    """

    line: str
    pct: Decimal
    amount: Decimal


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
        status: ``draft``, ``pending_approval``, ``sent``, ``accepted``, ``expired`` or ``superseded``.
        discounts: the rep's line discounts (taken off the order in the waterfall's ``manual`` step).
        declined: services offered with the bundle but not in the quote (an included one the customer
            declined, or a priced one not chosen); ``services`` holds those in it.
        discount_limit: the largest line discount (percent) a rep may give this customer's tier without an
            approval, when the quote was made (None: no line discounts were checked).
        requirements: what the customer required of the bundle (``module.option``, ``!module.option``): the
            occasion it was configured for; carried into the order when the quote is accepted, so that the
            needs model can tell a choice from a consequence of a requirement.
        budget: the most the customer would pay for one bundle (tax included, as the total), when they gave
            one: carried into the order too, so that the needs model can tell an option left out for its price
            from one left out for lack of interest.
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
    discounts: tuple[LineDiscount, ...] = ()
    declined: tuple[ServiceLine, ...] = ()
    discount_limit: Decimal | None = None
    requirements: tuple[str, ...] = ()
    budget: Decimal | None = None

    @property
    def total(self) -> Decimal:
        """The amount to pay."""
        return self.waterfall.total

    @property
    def needs_approval(self) -> bool:
        """Whether a principal with the ``approve`` scope must approve the price before it is sent or accepted.

        The waterfall's floor was crossed, or a line discount is above the tier's limit.

        Example:
            >>> q = Quote.from_data(EXAMPLE)
            >>> q.needs_approval
            False
            >>> dataclasses.replace(q, discounts=(LineDiscount("frame.alu_m", Decimal(20), Decimal(84)),),
            ...     discount_limit=Decimal(15)).needs_approval
            True
        """
        if self.waterfall.needs_approval:
            return True
        limit = self.discount_limit
        return limit is not None and any(d.pct > limit for d in self.discounts)

    def service_state(self, service: str) -> str:
        """``included`` (in the quote at no charge), ``chosen`` (in the quote, priced) or ``declined``.

        Example:
            >>> Quote.from_data(EXAMPLE).service_state("setup")
            'included'
        """
        for line in self.services:
            if line.service == service:
                return "included" if line.included else "chosen"
        return "declined"

    def to_data(self) -> dict[str, Any]:
        """JSON-safe plain data (money as strings, dates ISO, the configuration as ``selections``/``sub``).

        Example:
            >>> q = Quote.from_data(EXAMPLE)
            >>> Quote.from_data(q.to_data()) == q
            True
        """
        data = dataclasses.asdict(self)
        data["configuration"] = _configuration_data(self.configuration)
        if not self.requirements:
            del data["requirements"]  # versions stored before quotes kept their requirements read the same
        if self.budget is None:
            del data["budget"]
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
            services=tuple(_service(x) for x in data["services"]),
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
            discounts=tuple(
                LineDiscount(x["line"], Decimal(x["pct"]), Decimal(x["amount"]))
                for x in data.get("discounts", ())
            ),
            declined=tuple(_service(x) for x in data.get("declined", ())),
            discount_limit=None if data.get("discount_limit") is None else Decimal(data["discount_limit"]),
            requirements=tuple(data.get("requirements", ())),
            budget=None if data.get("budget") is None else Decimal(data["budget"]),
        )


def met_requirements(configuration: Configuration, requirements: Iterable[str]) -> tuple[str, ...]:
    """The requirements (``module.option``, ``!module.option``) a configuration meets, in order, once each.

    A quote keeps these: a requirement its bundle does not meet (a repair dropped it, a rep edited it away) was
    not the customer's after all.

    Example:
        >>> bike = Configuration({"frame": {"alu": 1}})
        >>> met_requirements(bike, ["frame.alu", " ! frame.carbon", "frame.steel", "frame.alu", "bad"])
        ('frame.alu', '!frame.carbon')
    """
    kept: list[str] = []
    for text in requirements:
        stripped = text.strip()
        negated = stripped.startswith("!")
        module, dot, option = stripped.lstrip("!").strip().rpartition(".")
        if not dot or not module or not option:
            continue
        key = f"{'!' if negated else ''}{module}.{option}"
        if key not in kept and (configuration.quantity(module, option) > 0) != negated:
            kept.append(key)
    return tuple(kept)


def _service(x: Mapping[str, Any]) -> ServiceLine:
    return ServiceLine(
        x["service"],
        x["kind"],
        bool(x["included"]),
        Decimal(x["list_price"]),
        Decimal(x["price"]),
        x.get("reason", ""),
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
