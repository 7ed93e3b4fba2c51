"""The life of a quote in the store: immutable versions, revisions, sending, approval, acceptance, expiry.

A quote number has versions 1, 2, ... Each version is stored once, as ``Quote.to_data()``, and never changes;
a change is a new version (:func:`revise`). The head of the number (storage table ``quotes``) points at the
latest version and holds the status::

    pending_approval --approve--> draft --mark_sent--> sent --accept_quote--> accepted
      |                            |                   |
      +----------------------------+-------------------+--expire_quotes--> expired  (valid_until before today)
    any version but the latest: superseded (revise makes version n+1 the latest)

A version whose price needs an approval (:attr:`~configurator.quoting.model.Quote.needs_approval`: below the
waterfall's floor, or a line discount above the tier's limit) is stored as ``pending_approval``; it can be
neither sent nor accepted until a principal approves it (:func:`approve`, audited with who approved).

Statuses are not part of a version's payload (it is stored with status ``draft``): :func:`load_quote` returns
the status the version has now. Accepting writes a ``purchased`` event (id ``quote-accepted:{id}:v{n}``) in
the same transaction as the status change, so the store's projection creates the order and the installed base
exactly once; sending writes a ``quote_sent`` event (``quote-sent:{id}:v{n}``). Every step is one transaction,
retried on lock conflicts like event ingestion, with the head row locked: two writers accepting or revising the
same quote at once make one order or one next version.

The purchase of an accepted quote has one line: the bundle (item and catalog = the quote's catalog id,
quantity = ``quote.quantity``, selections = the configuration's top-level selections, unit price = total /
quantity to 4 decimals) and an order ``total`` set to the quote's total exactly, so the order total equals the
quote total even when the division is inexact. Quotes carry no cost, so :func:`accept_quote` asks for the
gross ``margin`` of the order. Service add-ons stay in the quote's payload, not in the order lines.

Errors (defined in :mod:`configurator.errors`)::

    QuoteError (ConfiguratorError, ValueError)
    ├── QuoteNotFoundError (also NotFoundError)   no such quote number or version
    ├── QuoteVersionConflictError                 a stored version with other content, or not the next version
    ├── QuoteCustomerMismatchError                the number belongs to another customer
    └── QuoteStateError                           the status refuses it: superseded, expired, accepted, approval
                                                  missing

Example:
    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> from configurator.quoting.model import EXAMPLE, Quote
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> q1 = save_quote(store, Quote.from_data(EXAMPLE))
    >>> q2 = revise(store, q1, terms=("terms.validity",))
    >>> [(v.version, v.status) for v in quote_versions(store, "Q-2026-0001")]
    [(1, 'superseded'), (2, 'draft')]
    >>> at = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
    >>> _ = mark_sent(store, "Q-2026-0001", 2, at)
    >>> accept_quote(store, "Q-2026-0001", 2, at, margin=Decimal("120.00"))
    'Q-2026-0001'
    >>> [(o["order_id"], o["total"]) for o in store.orders_for("c-1")]
    [('Q-2026-0001', Decimal('485.6'))]
    >>> load_quote(store, "Q-2026-0001").status
    'accepted'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from configurator.customers.events import Channel, validate_event
from configurator.customers.identity import AuditRecord
from configurator.errors import (
    QuoteCustomerMismatchError,
    QuoteError,
    QuoteNotFoundError,
    QuoteStateError,
    QuoteVersionConflictError,
)
from configurator.quoting.model import Quote
from configurator.quoting.ports import QuoteHead, QuoteStore, QuoteVersion

__all__ = [
    "QuoteVersionInfo",
    "accept_quote",
    "approve",
    "expire_quotes",
    "load_quote",
    "mark_sent",
    "quote_versions",
    "revise",
    "save_quote",
]

_IDENTITY = ("quote_id", "version", "tenant", "customer_id", "status")
"""Fields :func:`revise` does not change: the number, the version (it picks the next), the shop, the customer,
the status (a new version is a draft)."""
_CENT = Decimal("0.0001")
_MAX_ORDER_BUDGET = Decimal("1e12")
"""Budgets from here up do not fit an order line's money (16 digits, 4 after the point)."""


@dataclasses.dataclass(frozen=True)
class QuoteVersionInfo:
    """One stored version of a quote, with its status now.

    Attributes:
        quote_id: the quote number.
        version: 1, 2, ...
        status: ``draft``, ``pending_approval``, ``sent``, ``accepted``, ``expired`` (the latest version) or
            ``superseded``.
        created_at: when the version was made.
        total: the amount to pay (None for a summary stored without one).
        currency: ISO 4217 code.
        valid_until: last day the offer holds (None for summaries stored before versions).
        approved_by: who approved its price (None when not approved).
        approved_at: when.
        sent_at: when it was sent to the customer.
        legacy: stored before versions (a summary: :func:`load_quote` cannot rebuild a full quote from it).
        needs_approval: its price needs an approval (approved or not: see ``approved_at``).
    """

    quote_id: str
    version: int
    status: str
    created_at: dt.datetime
    total: Decimal | None
    currency: str
    valid_until: dt.date | None
    approved_by: str | None
    approved_at: dt.datetime | None
    sent_at: dt.datetime | None
    legacy: bool
    needs_approval: bool = False


def _aware(at: dt.datetime, what: str) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise QuoteError(f"{what} {at.isoformat()} has no time zone")
    return at


def _payload(quote: Quote) -> dict[str, Any]:
    """What a version stores: the quote as data, its status left at ``draft`` (the head holds the status)."""
    return dataclasses.replace(quote, status="draft").to_data()


def _status(head: QuoteHead, version: int) -> str:
    return "superseded" if version < head.version else head.status


def _rebuild(row: QuoteVersion, head: QuoteHead) -> Quote:
    if row.payload.get("legacy"):
        raise QuoteError(
            f"quote {row.quote_id!r} version {row.version} was stored before quote versions (a summary, "
            f"not a full quote); save the full quote as version {head.version + 1} to continue it"
        )
    return dataclasses.replace(Quote.from_data(row.payload), status=_status(head, row.version))


def _locate(store: QuoteStore, quote_id: str, version: int) -> tuple[QuoteHead, QuoteVersion]:
    """The head (locked until the transaction ends) and one version; raise when either is missing."""
    head = store.quote_head(quote_id, lock=True)
    if head is None:
        raise QuoteNotFoundError(f"unknown quote {quote_id!r} in tenant {store.tenant!r}")
    rows = store.quote_version_rows(quote_id, version)
    if not rows:
        raise QuoteNotFoundError(f"quote {quote_id!r} has no version {version} (latest: {head.version})")
    return head, rows[0]


def _refuse_superseded(head: QuoteHead, version: int, step: str) -> None:
    if version < head.version:
        raise QuoteStateError(
            f"cannot {step} quote {head.quote_id!r} version {version}: superseded by version {head.version}"
        )


def _refuse_expired(head: QuoteHead, quote: Quote, on: dt.date, step: str) -> None:
    if head.status == "expired" or quote.valid_until < on:
        raise QuoteStateError(
            f"cannot {step} quote {quote.quote_id!r} version {quote.version}: expired "
            f"(valid until {quote.valid_until.isoformat()}, now {on.isoformat()})"
        )


def _refuse_unapproved(row: QuoteVersion, quote: Quote, step: str) -> None:
    if quote.needs_approval and row.approved_at is None:
        why = (
            f"its price is below the floor ({quote.waterfall.floor})"
            if quote.waterfall.needs_approval
            else f"a line discount is above the limit for tier {quote.tier} ({quote.discount_limit} %)"
        )
        raise QuoteStateError(
            f"cannot {step} quote {quote.quote_id!r} version {quote.version}: {why} and needs approval first"
        )


def _refuse_other_customer(store: QuoteStore, head: QuoteHead, quote: Quote) -> None:
    """Refuse a version of ``head``'s number for another customer than the number's.

    The head's customer follows merges; a stored payload keeps the id it was made with, so a version carrying
    the customer of the latest stored version (a merged-away id) continues the number too.
    """
    if quote.customer_id == head.customer_id:
        return
    latest = store.quote_version_rows(quote.quote_id, head.version)
    if latest and latest[0].payload.get("customer_id") == quote.customer_id:
        return
    raise QuoteCustomerMismatchError(
        f"quote {quote.quote_id!r} belongs to another customer than {quote.customer_id!r}: "
        "a quote number is one customer's"
    )


def save_quote(store: QuoteStore, quote: Quote) -> Quote:
    """Store a quote version: version 1 of a new number, or the next version of a known one.

    Saving a version that is already stored with the same content (status aside) changes nothing. The head
    moves to a new version as a ``draft``; earlier versions become superseded.

    Args:
        store: the store of the quote's tenant.
        quote: the version to store (its ``status`` is not stored: the head holds it).

    Returns:
        The stored version, with its status now.

    Raises:
        QuoteVersionConflictError: when that version is stored with other content, or ``quote.version`` is not
            1 for a new number or the latest version + 1.
        QuoteStateError: when the quote is accepted (no new versions after acceptance).
        QuoteCustomerMismatchError: when the quote number belongs to another customer.
        QuoteError: for another tenant's quote or a naive ``created_at``.

    Example:
        >>> import dataclasses
        >>> from configurator.quoting.model import EXAMPLE, Quote
        >>> from configurator.storage import SqlStore, make_engine, upgrade
        >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
        >>> store = SqlStore(engine, "shop")
        >>> quote = Quote.from_data(EXAMPLE)
        >>> save_quote(store, quote) == save_quote(store, quote) == quote
        True
        >>> save_quote(store, dataclasses.replace(quote, quantity=2))
        Traceback (most recent call last):
        ...
        configurator.errors.QuoteVersionConflictError: quote 'Q-2026-0001' version 1 is stored with other content (quantity); versions never change: revise it to make version 2
    """
    if quote.tenant != store.tenant:
        raise QuoteError(
            f"quote {quote.quote_id!r} is of tenant {quote.tenant!r}, the store's is {store.tenant!r}"
        )
    _aware(quote.created_at, f"quote {quote.quote_id!r} created_at")
    if quote.quantity < 1:
        raise QuoteError(f"quote {quote.quote_id!r}: quantity must be at least 1, got {quote.quantity}")
    payload = _payload(quote)

    def work() -> Quote:
        head = store.quote_head(quote.quote_id, lock=True)
        if head is not None:
            _refuse_other_customer(store, head, quote)
        stored = store.quote_version_rows(quote.quote_id, quote.version)
        if stored:
            assert head is not None
            return _same_or_conflict(stored[0], head, quote)
        if head is None and quote.version != 1:
            raise QuoteVersionConflictError(
                f"quote {quote.quote_id!r} is new: its first version is 1, got {quote.version}"
            )
        if head is not None and head.status == "accepted":
            raise QuoteStateError(
                f"quote {quote.quote_id!r} was accepted as version {head.version}: it has no new versions"
            )
        if head is not None and quote.version != head.version + 1:
            raise QuoteVersionConflictError(
                f"quote {quote.quote_id!r}: the next version is {head.version + 1}, got {quote.version}"
            )
        customer = quote.customer_id if head is None else head.customer_id  # the head follows merges
        status = "pending_approval" if quote.needs_approval else "draft"
        summary: dict[str, Any] = {
            "catalog_id": quote.catalog_id,
            "catalog_version": quote.catalog_version,
            "configuration": payload["configuration"]["selections"],
            "total": quote.total,
            "currency": quote.currency,
            "valid_until": quote.valid_until,
        }
        inserted = store.insert_quote_version(
            quote_id=quote.quote_id,
            version=quote.version,
            customer_id=customer,
            created_at=quote.created_at,
            total=quote.total,
            currency=quote.currency,
            locale=quote.locale,
            valid_until=quote.valid_until,
            payload=payload,
        )
        if head is None:
            moved = store.insert_quote_head(
                quote_id=quote.quote_id,
                customer_id=customer,
                created_at=quote.created_at,
                status=status,
                **summary,
            )
        else:
            moved = store.advance_quote_head(
                quote.quote_id, from_version=head.version, status=status, **summary
            )
        if not inserted:  # another writer stored this version meanwhile (committed: now visible)
            again, now = (
                store.quote_version_rows(quote.quote_id, quote.version),
                store.quote_head(quote.quote_id),
            )
            if again and now is not None:
                return _same_or_conflict(again[0], now, quote)
        if not (inserted and moved):
            raise QuoteVersionConflictError(
                f"quote {quote.quote_id!r} version {quote.version} was stored at the same time by another writer"
            )
        return dataclasses.replace(quote, status=status)

    return store.in_transaction(work)


def _same_or_conflict(row: QuoteVersion, head: QuoteHead, quote: Quote) -> Quote:
    draft = dataclasses.replace(quote, status="draft")
    if not row.payload.get("legacy"):
        stored = Quote.from_data(row.payload)
        if stored == draft:
            return dataclasses.replace(stored, status=_status(head, row.version))
        changed = [
            f.name for f in dataclasses.fields(Quote) if getattr(stored, f.name) != getattr(draft, f.name)
        ]
    else:
        changed = ["summary stored before quote versions"]
    raise QuoteVersionConflictError(
        f"quote {quote.quote_id!r} version {quote.version} is stored with other content ({', '.join(changed)}); "
        f"versions never change: revise it to make version {head.version + 1}"
    )


def revise(store: QuoteStore, quote: Quote, **changes: Any) -> Quote:
    """Store the next version of a quote: ``quote`` (the latest version) with ``changes`` applied.

    The new version is a ``draft`` created now (unless ``created_at`` is among the changes); the previous one
    becomes superseded.

    Args:
        store: the store.
        quote: the latest version (as loaded or as saved); its ``customer_id`` must be the number's customer.
        **changes: new values of :class:`~configurator.quoting.model.Quote` fields (``lines``, ``waterfall``,
            ``valid_until``, ...); not ``quote_id``, ``version``, ``tenant``, ``customer_id`` or ``status``.

    Returns:
        The new version.

    Raises:
        QuoteNotFoundError: when the quote number is unknown.
        QuoteVersionConflictError: when ``quote`` is not the latest version.
        QuoteStateError: when the quote is accepted.
        QuoteCustomerMismatchError: when the quote number belongs to another customer than ``quote``'s.
        QuoteError: for a field that cannot be changed or does not exist.

    Example:
        >>> import dataclasses
        >>> import datetime as dt
        >>> from configurator.quoting.model import EXAMPLE, Quote
        >>> from configurator.storage import SqlStore, make_engine, upgrade
        >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
        >>> store = SqlStore(engine, "shop")
        >>> v1 = save_quote(store, Quote.from_data(EXAMPLE))
        >>> v2 = revise(store, v1, valid_until=dt.date(2027, 1, 31))
        >>> v2.version, v2.valid_until.isoformat(), load_quote(store, v1.quote_id, 1).status
        (2, '2027-01-31', 'superseded')
        >>> revise(store, dataclasses.replace(v2, customer_id="c-2"), valid_until=dt.date(2027, 2, 28))
        Traceback (most recent call last):
        ...
        configurator.errors.QuoteCustomerMismatchError: quote 'Q-2026-0001' belongs to another customer than 'c-2': a quote number is one customer's
    """
    fields = {f.name for f in dataclasses.fields(Quote)}
    bad = sorted(set(changes) - (fields - set(_IDENTITY)))
    if bad:
        allowed = ", ".join(sorted(fields - set(_IDENTITY)))
        raise QuoteError(f"revise cannot change {', '.join(bad)} (it can change: {allowed})")
    rest = dict(changes)
    created = rest.pop("created_at", None) or dt.datetime.now(dt.UTC)

    def work() -> Quote:
        head = store.quote_head(quote.quote_id, lock=True)
        if head is None:
            raise QuoteNotFoundError(f"unknown quote {quote.quote_id!r} in tenant {store.tenant!r}")
        _refuse_other_customer(store, head, quote)
        if head.status == "accepted":
            raise QuoteStateError(
                f"quote {quote.quote_id!r} was accepted as version {head.version}: it has no new versions"
            )
        if quote.version != head.version:
            raise QuoteVersionConflictError(
                f"quote {quote.quote_id!r}: revise the latest version ({head.version}), not version {quote.version}"
            )
        new = dataclasses.replace(quote, version=head.version + 1, status="draft", created_at=created, **rest)
        return save_quote(store, new)

    return store.in_transaction(work)


def load_quote(store: QuoteStore, quote_id: str, version: int | None = None) -> Quote:
    """A stored version of a quote (default: the latest), with its status now.

    Raises:
        QuoteNotFoundError: when the quote or the version is unknown.
        QuoteError: when the version is a summary stored before quote versions.
    """

    def work() -> Quote:
        head = store.quote_head(quote_id)
        if head is None:
            raise QuoteNotFoundError(f"unknown quote {quote_id!r} in tenant {store.tenant!r}")
        rows = store.quote_version_rows(quote_id, head.version if version is None else version)
        if not rows:
            raise QuoteNotFoundError(f"quote {quote_id!r} has no version {version} (latest: {head.version})")
        return _rebuild(rows[0], head)

    return store.in_transaction(work)


def quote_versions(store: QuoteStore, quote_id: str) -> list[QuoteVersionInfo]:
    """Every stored version of a quote, oldest first, with its status now (empty for an unknown quote)."""

    def work() -> list[QuoteVersionInfo]:
        head = store.quote_head(quote_id)
        if head is None:
            return []
        return [
            QuoteVersionInfo(
                quote_id=r.quote_id,
                version=r.version,
                status=_status(head, r.version),
                created_at=r.created_at,
                total=r.total,
                currency=r.currency,
                valid_until=r.valid_until,
                approved_by=r.approved_by,
                approved_at=r.approved_at,
                sent_at=r.sent_at,
                legacy=bool(r.payload.get("legacy")),
                needs_approval=not r.payload.get("legacy") and Quote.from_data(r.payload).needs_approval,
            )
            for r in store.quote_version_rows(quote_id)
        ]

    return store.in_transaction(work)


def approve(store: QuoteStore, quote_id: str, version: int, by: str, at: dt.datetime) -> bool:
    """Record that ``by`` approved the price of a version (needed to send or accept one that needs approval).

    The first approval stands: approving again changes nothing. A version pending approval becomes a draft.
    Audited (action ``quote_approved``, actor ``by``).

    Returns:
        True when the approval was recorded, False when the version was already approved.

    Raises:
        QuoteNotFoundError: when the quote or the version is unknown.
        QuoteStateError: when the version is superseded, expired or accepted.
    """
    _aware(at, "approval time")

    def work() -> bool:
        head, row = _locate(store, quote_id, version)
        if row.approved_at is not None:
            return False
        _refuse_superseded(head, version, "approve")
        if head.status not in ("draft", "pending_approval", "sent"):
            raise QuoteStateError(f"cannot approve quote {quote_id!r} version {version}: it is {head.status}")
        store.stamp_quote_version(quote_id, version, approved=(by, at))
        store.set_quote_status(quote_id, version=version, status="draft", only_from=("pending_approval",))
        store.audit(
            AuditRecord(
                "quote_approved",
                by,
                head.customer_id,
                details={"quote_id": quote_id, "version": version},
                at=at.astimezone(dt.UTC),
            )
        )
        return True

    return store.in_transaction(work)


def mark_sent(
    store: QuoteStore, quote_id: str, version: int, at: dt.datetime, *, channel: Channel = "sales_rep"
) -> Quote:
    """Record that a version was sent to the customer: the head becomes ``sent``; a ``quote_sent`` event.

    The event id is ``quote-sent:{quote_id}:v{version}``, so sending the same version again records nothing
    new.

    Raises:
        QuoteNotFoundError: when the quote or the version is unknown.
        QuoteStateError: when the version is superseded, expired (``valid_until`` before ``at``'s date),
            accepted without having been sent, or needs an approval it does not have.
    """
    _aware(at, "sending time")

    def work() -> Quote:
        head, row = _locate(store, quote_id, version)
        _refuse_superseded(head, version, "send")
        quote = _rebuild(row, head)
        if head.status == "accepted":
            if row.sent_at is not None:
                return quote
            raise QuoteStateError(f"cannot send quote {quote_id!r} version {version}: it is already accepted")
        _refuse_expired(head, quote, at.date(), "send")
        _refuse_unapproved(row, quote, "send")
        store.stamp_quote_version(quote_id, version, sent_at=at)
        event = validate_event(
            {
                "event_id": f"quote-sent:{quote_id}:v{version}",
                "type": "quote_sent",
                "customer_id": head.customer_id,
                "channel": channel,
                "ts": at.isoformat(),
                "quote_id": quote_id,
                "catalog": quote.catalog_id,
                "total": str(quote.total),
                "currency": quote.currency,
                "valid_until": quote.valid_until.isoformat(),
            },
            tenant=store.tenant,
            region=None,
            now=at,  # dated by the action itself: the ingestion window is relative to it
        )
        store.write_events([event])
        store.set_quote_status(quote_id, version=version, status="sent", only_from=("draft",))
        return dataclasses.replace(quote, status="sent")

    return store.in_transaction(work)


def _order_budget(quote: Quote) -> dict[str, str]:
    """The quote's budget for its order line, to 4 decimals (none when it has none or a line cannot hold it)."""
    if quote.budget is None or not 0 < quote.budget < _MAX_ORDER_BUDGET:
        return {}
    return {"budget": str(quote.budget.quantize(_CENT))}


def accept_quote(
    store: QuoteStore,
    quote_id: str,
    version: int,
    at: dt.datetime,
    *,
    margin: Decimal,
    order_id: str | None = None,
    channel: Channel = "sales_rep",
) -> str:
    """Accept a version: in one transaction, a ``purchased`` event (order and installed base) and status ``accepted``.

    Accepting the version already accepted returns its order id and writes nothing (idempotent); the event id
    is ``quote-accepted:{quote_id}:v{version}``. The order has one line (see the module docstring), with the
    quote's requirements as the line's ``required``, its budget as the line's ``budget``, and the quote's total.

    Args:
        store: the store.
        quote_id: the quote number.
        version: the version the customer accepted.
        at: when (aware); the version must be valid on ``at``'s date.
        margin: the order's gross margin (quotes carry prices, not costs).
        order_id: the order number (default: the quote number).
        channel: where the customer accepted.

    Returns:
        The order id.

    Raises:
        QuoteNotFoundError: when the quote or the version is unknown.
        QuoteStateError: when the version is superseded or expired, another version was accepted, or the
            price needs an approval it does not have.
        QuoteError: when the order id is taken by another order, or the customer was erased (the purchase
            would be suppressed).
    """
    _aware(at, "acceptance time")

    def work() -> str:
        head, row = _locate(store, quote_id, version)
        if head.status == "accepted":
            if head.version == version and head.order_id is not None:
                return head.order_id
            raise QuoteStateError(
                f"cannot accept quote {quote_id!r} version {version}: version {head.version} is accepted"
            )
        _refuse_superseded(head, version, "accept")
        quote = _rebuild(row, head)
        _refuse_expired(head, quote, at.date(), "accept")
        _refuse_unapproved(row, quote, "accept")
        order = order_id or quote_id
        event_id = f"quote-accepted:{quote_id}:v{version}"
        total = quote.total
        event = validate_event(
            {
                "event_id": event_id,
                "type": "purchased",
                "customer_id": head.customer_id,
                "channel": channel,
                "ts": at.isoformat(),
                "order_id": order,
                "lines": [
                    {
                        "item": quote.catalog_id,
                        "catalog": quote.catalog_id,
                        "quantity": quote.quantity,
                        "unit_price": str((total / quote.quantity).quantize(_CENT)),
                        "selections": {m: dict(o) for m, o in quote.configuration.selections.items()},
                        **({"required": list(quote.requirements)} if quote.requirements else {}),
                        **_order_budget(quote),
                    }
                ],
                "total": str(total),
                "margin": str(margin),
                "currency": quote.currency,
            },
            tenant=store.tenant,
            region=None,
            now=at,  # dated by the action itself: the ingestion window is relative to it
        )
        result = store.write_events([event])
        if result.suppressed:
            raise QuoteError(f"cannot accept quote {quote_id!r}: customer {head.customer_id!r} was erased")
        if result.accepted != 1 or store.order_event(order) != event_id:
            raise QuoteError(
                f"cannot accept quote {quote_id!r} version {version}: order {order!r} or event {event_id!r} "
                "already exists; give another order_id"
            )
        store.set_quote_status(
            quote_id,
            version=version,
            status="accepted",
            only_from=("draft", "sent"),
            accepted_at=at,
            order_id=order,
        )
        return order

    return store.in_transaction(work)


def expire_quotes(store: QuoteStore, today: dt.date) -> list[str]:
    """Mark ``expired`` every draft or sent quote whose latest version was valid until before ``today``.

    Returns:
        The quote ids expired now, sorted.

    Example:
        >>> import datetime as dt
        >>> from configurator.quoting.model import EXAMPLE, Quote
        >>> from configurator.storage import SqlStore, make_engine, upgrade
        >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
        >>> store = SqlStore(engine, "shop")
        >>> _ = save_quote(store, Quote.from_data(EXAMPLE))   # valid until 2026-12-23
        >>> expire_quotes(store, dt.date(2026, 12, 23)), expire_quotes(store, dt.date(2026, 12, 24))
        ([], ['Q-2026-0001'])
    """

    def work() -> list[str]:
        return store.expire_quote_heads(today)

    return store.in_transaction(work)
