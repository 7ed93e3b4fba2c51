"""The outbox: quotes sent to customers, for the shop's mailer (scope ``admin``).

``GET /outbox?pending=1`` lists the messages to deliver (recipient, subject, text, the PDF in base64);
``POST /outbox/{message_id}/sent`` records one delivered.

Example:
    >>> [route.path for route in router.routes]
    ['/outbox', '/outbox/{message_id}/sent']
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Query

from configurator.api import quote_schemas as qs
from configurator.api.auth import Admin
from configurator.api.service import ServiceDep

if TYPE_CHECKING:
    from configurator.storage.outbox import OutboxRow

__all__ = ["list_outbox", "mark_sent", "router"]

router = APIRouter(tags=["outbox"])

MessageId = Annotated[int, Path(ge=1, le=2**62)]


def _out(row: OutboxRow) -> qs.OutboxMessageOut:
    return qs.OutboxMessageOut(
        id=row.id,
        quote_id=row.quote_id,
        version=row.version,
        recipient=row.recipient,
        subject=row.subject,
        text=row.text,
        locale=row.locale,
        filename=row.filename,
        attachment_base64=base64.b64encode(row.attachment).decode("ascii"),
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


@router.get("/outbox")
def list_outbox(
    svc: ServiceDep,
    who: Admin,
    pending: Annotated[bool, Query(description="Only the messages not sent yet.")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[qs.OutboxMessageOut]:
    """The tenant's outbox, oldest first (only the messages to deliver with ``pending=1``)."""
    return [_out(row) for row in svc.store(who).outbox_messages(pending=pending, limit=limit)]


@router.post("/outbox/{message_id}/sent")
def mark_sent(svc: ServiceDep, who: Admin, message_id: MessageId) -> qs.OutboxMessageOut:
    """Record that the mailer delivered a message (the first report stands)."""
    from configurator.errors import NotFoundError

    store = svc.store(who)
    if store.mark_outbox_sent(message_id, svc.now()):
        svc.audit(store, who, "outbox.sent", str(message_id))
    found = store.outbox_messages(message_id=message_id, limit=1)
    if not found:
        raise NotFoundError(f"unknown outbox message {message_id}")
    return _out(found[0])
