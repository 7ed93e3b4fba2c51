"""Eight concurrent writers ingesting overlapping batches: nothing lost, nothing duplicated."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from configurator.customers.ingest import IngestReport, ingest
from configurator.storage import SqlStore, make_engine
from configurator.storage.models import Customer, Event, Identity, Order
from pg import Database
from pg import database as database

WRITERS = 8
PER_WRITER = 10_000
UNIQUE = WRITERS * PER_WRITER // 2
"""Each event is sent by two writers (at-least-once delivery), so half the writes are duplicates."""
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _event(i: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "event_id": f"e{i:06d}",
        "type": "viewed",
        "customer_id": f"c{i % 2_000}",
        "channel": "web",
        "ts": (START + dt.timedelta(minutes=(i * 7919) % UNIQUE)).isoformat(),  # out of order on purpose
        "catalog": "ebike-urban",
    }
    if i % 10 == 0:
        del record["catalog"]
        record.update(
            type="purchased",
            order_id=f"o{i}",
            lines=[{"item": "ebike-urban", "unit_price": "2490.00", "unit_margin": "610.50"}],
        )
    if i % 7 == 0:
        record["anonymous_id"] = f"anon{i % 2_000}"  # the customer's browser, seen while logged in
    return record


@pytest.mark.slow
def test_eight_writers_lose_nothing_and_duplicate_nothing(database: Database) -> None:
    """8 writers x 10,000 events (each event sent twice, by two writers at once): 0 lost, 0 duplicated."""
    pool = [_event(i) for i in range(UNIQUE)]

    def writer(w: int) -> IngestReport:
        # Writer w sends events [5000 w, 5000 w + 10000): its second half is the next writer's first half.
        records = [(j + 1, pool[(w * PER_WRITER // 2 + j) % UNIQUE]) for j in range(PER_WRITER)]
        engine = make_engine(database.url)
        try:
            return ingest(records, SqlStore(engine, "shop"), tenant="shop", batch_size=500)
        finally:
            engine.dispose()

    with ThreadPoolExecutor(WRITERS) as workers:
        reports = list(workers.map(writer, range(WRITERS)))

    assert sum(r.read for r in reports) == WRITERS * PER_WRITER
    assert not [r for report in reports for r in report.rejected]
    assert sum(r.accepted for r in reports) == UNIQUE
    assert sum(r.duplicates for r in reports) == WRITERS * PER_WRITER - UNIQUE
    with database.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(Event)).scalar_one() == UNIQUE
        assert c.execute(select(func.count(func.distinct(Event.event_id)))).scalar_one() == UNIQUE
        assert c.execute(select(func.count()).select_from(Order)).scalar_one() == UNIQUE // 10
        assert c.execute(select(func.count()).select_from(Customer)).scalar_one() == 2_000
        assert c.execute(select(func.count()).select_from(Identity)).scalar_one() == 2_000  # browsers linked
    frame = SqlStore(database.engine, "shop").events_frame()
    assert frame.height == UNIQUE
    assert sorted(frame["event_id"].to_list()) == sorted(e["event_id"] for e in pool)
    assert frame["customer_id"].null_count() == 0
