"""Send a quote: mark the version sent and queue its message, with the PDF, in the outbox, in one transaction.

The shop's mailer delivers the outbox (:class:`~configurator.quoting.ports.OutboxStore`); this module writes
the message: the customer's email as recipient, a subject and a short text in the quote's language, the
rendered PDF as ``quote-<id>-v<n>.pdf``. A version waiting for an approval is refused
(:class:`~configurator.errors.QuoteStateError`, 409) and nothing is queued.

Example:
    >>> import datetime as dt
    >>> from configurator.quoting.model import EXAMPLE, Quote
    >>> from configurator.quoting.lifecycle import save_quote
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> quote = save_quote(store, Quote.from_data(EXAMPLE))
    >>> at = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
    >>> message_id = send_quote(store, quote, at, recipient="ana@example.pt", pdf=b"%PDF-1.7")
    >>> [(m.subject, m.filename) for m in store.outbox_messages(pending=True)]
    [('A sua proposta Q-2026-0001', 'quote-Q-2026-0001-v1.pdf')]
    >>> store.quote_head("Q-2026-0001").status
    'sent'
"""

from __future__ import annotations

import datetime as dt
import re

from configurator.quoting.i18n import Translator
from configurator.quoting.lifecycle import mark_sent
from configurator.quoting.model import Quote
from configurator.quoting.ports import OutboxStore

__all__ = ["attachment_name", "message_for", "send_quote"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def attachment_name(quote_id: str, version: int, format: str = "pdf") -> str:
    """``quote-<id>-v<n>.pdf``, with any character unsafe in a file name replaced by ``_``.

    Example:
        >>> attachment_name("Q-1", 2), attachment_name('Q "1"/2', 1)
        ('quote-Q-1-v2.pdf', 'quote-Q_1_2-v1.pdf')
    """
    return f"quote-{_UNSAFE.sub('_', quote_id)}-v{version}.{format}"


def message_for(quote: Quote, name: str | None = None) -> tuple[str, str]:
    """The subject and text of the message that sends ``quote``, in its language (English when not shipped).

    Example:
        >>> from configurator.quoting.model import EXAMPLE
        >>> subject, text = message_for(Quote.from_data(EXAMPLE), "Ana")
        >>> subject, text.splitlines()[2]
        ('A sua proposta Q-2026-0001', 'em anexo segue a nossa proposta Q-2026-0001 (versão 1) no valor de 485,60\\xa0€, válida até 23 de dezembro de 2026.')
    """
    words = Translator(quote.locale)
    values = {
        "id": quote.quote_id,
        "version": str(quote.version),
        "total": words.money(quote.total, quote.currency),
        "valid": words.date(quote.valid_until),
        "name": name or "",
    }
    subject = words.gettext("email.subject", **values)
    text = words.gettext("email.text", **values)
    return subject, text.replace(" ,", ",").replace(" :", ":")


def send_quote(
    store: OutboxStore,
    quote: Quote,
    at: dt.datetime,
    *,
    recipient: str,
    pdf: bytes,
    name: str | None = None,
) -> int:
    """Mark ``quote``'s version sent and queue its message in the outbox, in one transaction.

    Sending a version again queues nothing new (the id of the message queued the first time is returned).

    Args:
        store: the store (quotes and outbox).
        quote: the version to send (as loaded).
        at: when (aware).
        recipient: the customer's email.
        pdf: the rendered PDF.
        name: the customer's name for the greeting.

    Returns:
        The outbox message's id.

    Raises:
        QuoteStateError: the version is superseded, expired, accepted, or waits for an approval.
    """

    def work() -> int:
        sent = mark_sent(store, quote.quote_id, quote.version, at)
        subject, text = message_for(sent, name)
        return store.add_outbox_message(
            quote_id=sent.quote_id,
            version=sent.version,
            customer_id=sent.customer_id,
            recipient=recipient,
            subject=subject,
            text=text,
            locale=sent.locale,
            filename=attachment_name(sent.quote_id, sent.version),
            attachment=pdf,
            created_at=at,
        )

    return store.in_transaction(work)
