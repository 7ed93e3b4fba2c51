"""Event records for storage tests: one web event of a kind, some minutes after a fixed instant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from configurator.customers.events import validate_event
from configurator.storage import SqlStore

__all__ = ["T0", "event_record", "write_records"]

T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
"""The instant the records count their minutes from."""


def event_record(event_id: str, kind: str, minutes: int = 0, **fields: Any) -> dict[str, Any]:
    """A raw event of ``kind`` on the web channel, ``minutes`` after :data:`T0`, with extra ``fields``."""
    return {
        "event_id": event_id,
        "type": kind,
        "channel": "web",
        "ts": (T0 + dt.timedelta(minutes=minutes)).isoformat(),
        **fields,
    }


def write_records(store: SqlStore, *records: dict[str, Any]) -> None:
    """Validate the records for the store's tenant and write them."""
    store.write_events([validate_event(r, tenant=store.tenant) for r in records])
