"""The outbox repository: one message per quote version, pending ones listed, sent once, per tenant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from configurator.storage import SqlStore
from pg import Database
from pg import database as database

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)


def _message(version: int = 1, **changes: Any) -> dict[str, Any]:
    return {
        "quote_id": "Q-1",
        "version": version,
        "customer_id": "c-1",
        "recipient": "ana@example.pt",
        "subject": "A sua proposta Q-1",
        "text": "Olá",
        "locale": "pt_PT",
        "filename": f"quote-Q-1-v{version}.pdf",
        "attachment": b"%PDF-1.7 \x00\xff",
        "created_at": AT,
    } | changes


def test_a_version_is_queued_once_and_its_bytes_kept(database: Database) -> None:
    """Queuing the same version twice returns the same id; the PDF's bytes come back unchanged."""
    store = SqlStore(database.engine, "shop")
    first = store.add_outbox_message(**_message())
    assert store.add_outbox_message(**_message(subject="other")) == first
    (row,) = store.outbox_messages()
    assert (row.id, row.subject, row.attachment, row.sent_at) == (
        first,
        "A sua proposta Q-1",
        b"%PDF-1.7 \x00\xff",
        None,
    )


def test_pending_lists_only_unsent_and_sent_is_stamped_once(database: Database) -> None:
    """Marking a message sent removes it from the pending list; marking it again changes nothing."""
    store = SqlStore(database.engine, "shop")
    one, two = store.add_outbox_message(**_message(1)), store.add_outbox_message(**_message(2))
    assert store.mark_outbox_sent(one, AT) and not store.mark_outbox_sent(one, AT + dt.timedelta(hours=1))
    assert [m.id for m in store.outbox_messages(pending=True)] == [two]
    assert store.outbox_messages(message_id=one)[0].sent_at == AT


def test_another_tenant_never_sees_or_marks_the_outbox(database: Database) -> None:
    """Tenant other lists nothing and cannot mark shop's message sent."""
    shop, other = SqlStore(database.engine, "shop"), SqlStore(database.engine, "other")
    queued = shop.add_outbox_message(**_message())
    assert other.outbox_messages() == [] and not other.mark_outbox_sent(queued, AT)
    assert shop.outbox_messages(pending=True)[0].id == queued


def test_a_persons_messages_are_exported_and_erased(database: Database) -> None:
    """Their export lists the message (without the PDF); erasing them deletes it and counts it."""
    store = SqlStore(database.engine, "shop")
    store.add_outbox_message(**_message())
    store.add_outbox_message(**_message(customer_id="c-2", quote_id="Q-2"))
    exported = store.personal_data(["c-1"])["outbox"]
    assert [(m["quote_id"], m["recipient"]) for m in exported] == [("Q-1", "ana@example.pt")]
    assert "attachment" not in exported[0]
    assert store.erase(["c-1"], [], "erased-1")["outbox"] == 1
    assert [m.quote_id for m in store.outbox_messages()] == ["Q-2"]
