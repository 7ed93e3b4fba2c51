"""The outbox: quotes sent to customers, waiting for the shop's mailer to deliver them.

``POST /quotes/{id}/send`` queues one message per quote version (recipient, subject and text in the customer's
language, the rendered PDF); the mailer reads the pending ones (``GET /outbox?pending=1``) and reports each one
delivered (``POST /outbox/{id}/sent``). Queuing the same version again returns the message already queued.
A person's messages (their email, the PDF with their details) are part of their export and of their erasure.

Example:
    >>> import datetime as dt
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> at = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    >>> message = dict(quote_id="Q-1", version=1, customer_id="c-1", recipient="ann@example.com",
    ...     subject="Your quote Q-1", text="Hello", locale="en", filename="quote-Q-1-v1.pdf",
    ...     attachment=b"%PDF-1.7", created_at=at)
    >>> first = store.add_outbox_message(**message)
    >>> store.add_outbox_message(**message) == first
    True
    >>> [m.recipient for m in store.outbox_messages(pending=True)]
    ['ann@example.com']
    >>> store.mark_outbox_sent(first, at), store.mark_outbox_sent(first, at), store.outbox_messages(pending=True)
    (True, False, [])
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import select, update

from configurator.storage.models import OutboxMessage
from configurator.storage.privacy import PrivacyRepository
from configurator.storage.sql import insert_one, rowcount

__all__ = ["OutboxRepository", "OutboxRow"]


@dataclasses.dataclass(frozen=True)
class OutboxRow:
    """One queued message (see :class:`~configurator.storage.models.OutboxMessage`)."""

    id: int
    quote_id: str
    version: int
    customer_id: str
    recipient: str
    subject: str
    text: str
    locale: str
    filename: str
    attachment: bytes
    created_at: dt.datetime
    sent_at: dt.datetime | None


_FIELDS = tuple(f.name for f in dataclasses.fields(OutboxRow))


class OutboxRepository(PrivacyRepository):
    """The tenant's outbox (part of :class:`~configurator.storage.store.SqlStore`)."""

    def erase(
        self, customer_ids: Collection[str], identifiers: Collection[tuple[str, str]], token: str
    ) -> dict[str, int]:
        """Erasure (:meth:`PrivacyRepository.erase`), the person's outbox messages included (count ``outbox``)."""
        with self.atomic():
            counts = super().erase(customer_ids, identifiers, token)
            counts["outbox"] = self.delete_customer_rows(OutboxMessage, customer_ids)
        return counts

    def personal_data(self, customer_ids: Collection[str]) -> dict[str, Any]:
        """Export (:meth:`PrivacyRepository.personal_data`) with the person's messages (key ``outbox``, no PDF)."""
        with self.atomic():
            data = super().personal_data(customer_ids)
            columns = [getattr(OutboxMessage, n) for n in _FIELDS if n != "attachment"]
            rows = self.session.execute(
                select(*columns)
                .where(
                    OutboxMessage.tenant == self.tenant,
                    OutboxMessage.customer_id.in_(sorted(customer_ids)),
                )
                .order_by(OutboxMessage.id)
            )
            data["outbox"] = [dict(r._mapping) for r in rows]
        return data

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
        """Queue a message for a quote version; the id of the one queued for that version when there is one."""
        values = {
            "tenant": self.tenant,
            "quote_id": quote_id,
            "version": version,
            "customer_id": customer_id,
            "recipient": recipient,
            "subject": subject,
            "text": text,
            "locale": locale,
            "filename": filename,
            "attachment": attachment,
            "created_at": created_at,
            "sent_at": None,
        }
        with self.atomic():
            insert_one(self.session, OutboxMessage, values)
            found: int = self.session.execute(
                select(OutboxMessage.id).where(
                    OutboxMessage.tenant == self.tenant,
                    OutboxMessage.quote_id == quote_id,
                    OutboxMessage.version == version,
                )
            ).scalar_one()
            return found

    def outbox_messages(
        self, *, pending: bool = False, limit: int = 100, message_id: int | None = None
    ) -> list[OutboxRow]:
        """Queued messages, oldest first: only those not sent yet when ``pending``, or the one with that id."""
        columns = [getattr(OutboxMessage, name) for name in _FIELDS]
        stmt = select(*columns).where(OutboxMessage.tenant == self.tenant)
        if pending:
            stmt = stmt.where(OutboxMessage.sent_at.is_(None))
        if message_id is not None:
            stmt = stmt.where(OutboxMessage.id == message_id)
        with self.atomic():
            rows = self.session.execute(stmt.order_by(OutboxMessage.id).limit(limit))
            return [OutboxRow(**r._mapping) for r in rows]

    def mark_outbox_sent(self, message_id: int, at: dt.datetime) -> bool:
        """Record that the mailer delivered a message; False when it was already marked (the first time stands)."""
        with self.atomic():
            result = self.session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.tenant == self.tenant,
                    OutboxMessage.id == message_id,
                    OutboxMessage.sent_at.is_(None),
                )
                .values(sent_at=at)
            )
            return bool(rowcount(result))
