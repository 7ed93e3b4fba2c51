"""Retention: how long each kind of event is kept, and what an old event is reduced to (GDPR art. 5(1)(e)).

A :class:`RetentionPolicy` gives each event type a period in days (``viewed=365,configured=730``; the setting
``CONFIGURATOR_RETENTION``); types it does not name are kept. Purging (``configurator customers purge``) treats
an event older than its type's cut-off in one of two ways:

- an event the value tiers count (:data:`MEASURED`: orders, returns, support costs, referrals, reviews) is
  **anonymised**: it stays, with its date, customer and measures (amount, margin, cost, rating, referral), so
  lifetime value and tiers come out the same, but every free text (notes, messages, reasons, topics, review
  text, URLs, viewed items, stated values) and the traits (name, email, phone...) go, and so does the browser id;
- an event the tiers count as engagement or open intent (views, configurations, quote requests, stated needs,
  feedback) is anonymised as long as it is inside the tiers' look-back window (:func:`tier_window`), and
  deleted once it is older: the tiers would not count it any more;
- any other event (consent changes...) is **deleted**.

So a purge never changes a customer's tier, whatever the periods.

Example:
    >>> policy = RetentionPolicy.parse("viewed=365, support_ticket=730")
    >>> policy.days
    {'viewed': 365, 'support_ticket': 730}
    >>> import datetime as dt
    >>> policy.cutoffs(dt.datetime(2026, 12, 6, tzinfo=dt.UTC))["viewed"].date()
    datetime.date(2025, 12, 6)
    >>> anonymised({"type": "support_ticket", "event_id": "e1", "ticket_id": "t1", "cost": "12.50",
    ...     "topic": "Ana's broken rack", "traits": {"email": "ana@example.com"}, "anonymous_id": "b1"})
    {'type': 'support_ticket', 'event_id': 'e1', 'ticket_id': 't1', 'cost': '12.50'}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from configurator.customers.events import EVENT_TYPES
from configurator.customers.tiers import TierConfig
from configurator.errors import ConfiguratorError

__all__ = ["FREE_TEXT", "MEASURED", "REMOVED", "RetentionPolicy", "anonymised", "tier_window"]

MEASURED = ("purchased", "returned", "support_ticket", "referral", "review", "quote_sent")
"""Event types the value tiers and lifetime value count: anonymised when old, never deleted."""

FREE_TEXT: Mapping[str, tuple[str, ...]] = {
    "viewed": ("item", "url"),
    "quote_requested": ("message",),
    "returned": ("reason",),
    "support_ticket": ("topic",),
    "review": ("text", "item"),
    "stated_need": ("value",),
    "feedback": ("text", "topic"),
}
"""Free-text fields per event type (besides ``traits``, which every event may carry)."""

_MAX_DAYS = 36_500

REMOVED = "(removed after the retention period)"
"""What stands for a required free text of an anonymised event."""

_REQUIRED_TEXT: Mapping[str, tuple[str, ...]] = {"feedback": ("text",)}


@dataclasses.dataclass(frozen=True)
class RetentionPolicy:
    """How many days each event type is kept (types not named: kept for good)."""

    days: dict[str, int]

    @classmethod
    def parse(cls, text: str) -> RetentionPolicy:
        """``type=days`` pairs separated by commas (empty: keep everything).

        Raises:
            ConfiguratorError: an unknown event type, a period that is not a whole number of days from 1 to
                36,500, or a type named twice; the message names the pair.
        """
        found: dict[str, int] = {}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            kind, sep, value = (x.strip() for x in part.partition("="))
            if not sep or kind not in EVENT_TYPES:
                raise ConfiguratorError(
                    f"retention: expected type=days with a type among {', '.join(EVENT_TYPES)}, got {part!r}"
                )
            if not value.isdigit() or not 1 <= int(value) <= _MAX_DAYS:
                raise ConfiguratorError(
                    f"retention: {kind}: expected days from 1 to {_MAX_DAYS}, got {value!r}"
                )
            if kind in found:
                raise ConfiguratorError(f"retention: {kind} is named twice")
            found[kind] = int(value)
        return cls(found)

    def cutoffs(self, now: dt.datetime) -> dict[str, dt.datetime]:
        """For each type with a period, the instant before which its events are purged."""
        return {kind: now - dt.timedelta(days=days) for kind, days in self.days.items()}


def anonymised(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A stored event without its free text, traits and browser id: what stays of it after its retention period.

    The measures, the date, the customer and the ids that tie it to an order or ticket stay, so the value
    tiers count it as before.
    """
    kind = str(payload.get("type"))
    drop = {"traits", "anonymous_id", *FREE_TEXT.get(kind, ())}
    kept = {key: value for key, value in payload.items() if key not in drop}
    for field in _REQUIRED_TEXT.get(kind, ()):  # a required text is replaced, so the event stays valid
        if field in payload:
            kept[field] = REMOVED
    return kept


def tier_window(now: dt.datetime, config: TierConfig | None = None) -> dict[str, dt.datetime]:
    """Per event type the tiers count as engagement or intent (not :data:`MEASURED`), where their look-back starts.

    A purge anonymises such events after that instant instead of deleting them, so the tiers do not change.

    Example:
        >>> window = tier_window(dt.datetime(2026, 12, 6, tzinfo=dt.UTC))
        >>> sorted(window)[:2], window["viewed"].date()
        (['configured', 'feedback'], datetime.date(2025, 12, 6))
    """
    cfg = config or TierConfig()
    counted = set(cfg.engagement_types) | {kind for kind, weight in cfg.intent_weights.items() if weight}
    start = now - dt.timedelta(days=cfg.lookback_days)
    return {kind: start for kind in sorted(counted - set(MEASURED))}
