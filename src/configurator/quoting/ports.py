"""What quoting needs from a store: Protocols that ``storage.SqlStore`` satisfies structurally.

Quoting never imports the storage layer. :mod:`~configurator.quoting.lifecycle` takes a :class:`QuoteStore`: a
quote number's head (:class:`QuoteHead`) and immutable versions (:class:`QuoteVersion`), the status changes, the
events and audit entries they write, all in one transaction (:meth:`QuoteStore.in_transaction`).
:mod:`~configurator.quoting.build` reads a stored customer through ``assembly``'s
:class:`~configurator.assembly.ports.CustomerStore`.

Example:
    >>> from configurator.storage import SqlStore, make_engine
    >>> store: QuoteStore = SqlStore(make_engine("sqlite://"), "shop")
    >>> isinstance(store, QuoteStore), isinstance(object(), QuoteStore)
    (True, False)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from configurator.customers.events import Event
    from configurator.customers.identity import AuditRecord
    from configurator.customers.ingest import WriteResult

__all__ = ["OutboxStore", "QuoteHead", "QuoteStore", "QuoteVersion"]

_T = TypeVar("_T")


class QuoteHead(Protocol):
    """The head of a quote number: its latest version and the quote's status."""

    @property
    def quote_id(self) -> str:
        """The quote number."""
        ...

    @property
    def customer_id(self) -> str:
        """The customer (follows merges)."""
        ...

    @property
    def version(self) -> int:
        """The latest version."""
        ...

    @property
    def status(self) -> str:
        """``draft``, ``pending_approval``, ``sent``, ``accepted`` or ``expired``."""
        ...

    @property
    def total(self) -> Decimal | None:
        """The latest version's total."""
        ...

    @property
    def currency(self) -> str:
        """ISO 4217 code."""
        ...

    @property
    def created_at(self) -> dt.datetime:
        """When the number was first stored."""
        ...

    @property
    def valid_until(self) -> dt.date | None:
        """Last day the latest version holds."""
        ...

    @property
    def accepted_at(self) -> dt.datetime | None:
        """When it was accepted, if it was."""
        ...

    @property
    def order_id(self) -> str | None:
        """The order its acceptance made, if any."""
        ...


class QuoteVersion(Protocol):
    """One stored version: its payload (``Quote.to_data()``) and its lifecycle stamps."""

    @property
    def quote_id(self) -> str:
        """The quote number."""
        ...

    @property
    def version(self) -> int:
        """The version number."""
        ...

    @property
    def customer_id(self) -> str:
        """The customer when it was stored."""
        ...

    @property
    def created_at(self) -> dt.datetime:
        """When this version was made."""
        ...

    @property
    def total(self) -> Decimal | None:
        """Its total."""
        ...

    @property
    def currency(self) -> str:
        """ISO 4217 code."""
        ...

    @property
    def locale(self) -> str | None:
        """The locale it is rendered in."""
        ...

    @property
    def valid_until(self) -> dt.date | None:
        """Last day it holds."""
        ...

    @property
    def payload(self) -> dict[str, Any]:
        """``Quote.to_data()`` (a summary marked ``legacy`` for quotes stored before versions)."""
        ...

    @property
    def approved_by(self) -> str | None:
        """Who approved it, if anyone."""
        ...

    @property
    def approved_at(self) -> dt.datetime | None:
        """When it was approved."""
        ...

    @property
    def sent_at(self) -> dt.datetime | None:
        """When it was sent."""
        ...


@runtime_checkable
class QuoteStore(Protocol):
    """What the quote lifecycle reads and writes, in one transaction per step."""

    @property
    def tenant(self) -> str:
        """The tenant every call is scoped to."""
        ...

    def in_transaction(self, work: Callable[[], _T]) -> _T:
        """``work()`` in one transaction (joining an open one), run once more after a race with another writer."""
        ...

    def write_events(self, events: Sequence[Event]) -> WriteResult:
        """Store new events and their effects (a purchase projects its order); skip known and suppressed ones."""
        ...

    def audit(self, record: AuditRecord) -> None:
        """Append to the audit log."""
        ...

    def quote_head(self, quote_id: str, *, lock: bool = False) -> QuoteHead | None:
        """The head of a quote number (locked for update when asked), or None."""
        ...

    def quote_version_rows(self, quote_id: str, version: int | None = None) -> Sequence[QuoteVersion]:
        """The stored versions of a quote (or the one asked for), oldest first."""
        ...

    def insert_quote_version(
        self,
        *,
        quote_id: str,
        version: int,
        customer_id: str,
        created_at: dt.datetime,
        total: Decimal | None,
        currency: str,
        locale: str | None,
        valid_until: dt.date | None,
        payload: Mapping[str, Any],
    ) -> bool:
        """Store a version unless that number is taken; True when inserted."""
        ...

    def insert_quote_head(
        self,
        *,
        quote_id: str,
        customer_id: str,
        catalog_id: str | None,
        catalog_version: str | None,
        configuration: Mapping[str, Any],
        total: Decimal | None,
        currency: str,
        created_at: dt.datetime,
        valid_until: dt.date | None,
        status: str = "draft",
    ) -> bool:
        """Store the head of a new quote number at version 1; True when inserted."""
        ...

    def advance_quote_head(
        self,
        quote_id: str,
        *,
        from_version: int,
        catalog_id: str | None,
        catalog_version: str | None,
        configuration: Mapping[str, Any],
        total: Decimal | None,
        currency: str,
        valid_until: dt.date | None,
        status: str = "draft",
    ) -> bool:
        """Move the head from ``from_version`` to the next version (a new draft); True when it moved."""
        ...

    def set_quote_status(
        self,
        quote_id: str,
        *,
        version: int,
        status: str,
        only_from: Collection[str],
        accepted_at: dt.datetime | None = None,
        order_id: str | None = None,
    ) -> bool:
        """Set the status of the head at ``version`` when it is one of ``only_from``; True when changed."""
        ...

    def stamp_quote_version(
        self,
        quote_id: str,
        version: int,
        *,
        approved: tuple[str, dt.datetime] | None = None,
        sent_at: dt.datetime | None = None,
    ) -> bool:
        """Set a version's approval or sent time once; True when a stamp was written."""
        ...

    def expire_quote_heads(self, today: dt.date) -> list[str]:
        """Mark ``expired`` the open (draft, pending approval, sent) quotes valid until before ``today``; ids, sorted."""
        ...

    def order_event(self, order_id: str) -> str | None:
        """The id of the event an order was projected from, or None."""
        ...


@runtime_checkable
class OutboxStore(QuoteStore, Protocol):
    """A quote store with an outbox, where a sent quote waits for the shop's mailer (``storage.SqlStore``)."""

    def add_outbox_message(
        self,
        *,
        quote_id: str,
        version: int,
        customer_id: str,
        recipient: str,
        subject: str,
        text: str,
        locale: str,
        filename: str,
        attachment: bytes,
        created_at: dt.datetime,
    ) -> int:
        """Queue a message (once per quote version: sending again returns the queued one's id)."""
        ...
