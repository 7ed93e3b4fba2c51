"""The old free functions left in ``storage`` agree with the store's methods (kept until their last callers move)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from configurator.customers.events import validate_event
from configurator.storage import SqlStore, consents_frame, events_frame, profiling_allowed
from configurator.storage import repositories as old
from pg import Database
from pg import database as database

T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def test_free_functions_agree_with_the_store(database: Database) -> None:
    """Given an engine or a session, each shim answers what the method of the same name answers."""
    store = SqlStore(database.engine, "shop")
    purchase = {
        "event_id": "e1",
        "type": "purchased",
        "customer_id": "c1",
        "channel": "store",
        "ts": "2026-03-01T12:00:00Z",
        "order_id": "o1",
        "margin": 3,
        "lines": [{"item": "bell", "catalog": "bike", "unit_price": 10, "quantity": 1}],
    }
    store.write_events([validate_event(purchase, tenant="shop")])
    assert events_frame(database.engine, "shop").equals(store.events_frame())
    assert consents_frame(database.engine, "shop").equals(store.consents_frame())
    assert profiling_allowed(database.engine, "shop") == store.profiling_allowed() == {"c1"}
    assert old.customer_events(database.engine, "shop", "c1") == store.customer_events("c1")
    assert old.events_frame is events_frame and old.SqlStore is SqlStore
    events = store.customer_events("c1")
    with Session(database.engine) as session, session.begin():  # SQLite: one writer, so no store call in here
        assert old.customer_events(session, "shop", "c1") == events
        assert old.profiling_allowed(session, "shop") == {"c1"}


def test_joining_a_session_uses_its_transaction(database: Database) -> None:
    """A store joining a session writes in that session's transaction: a rollback undoes the write."""
    with Session(database.engine) as session, session.begin():
        joined = SqlStore.joining(session, "shop")
        assert joined.current_session is session
        assert joined.save_catalog("bike", "1", "x", loaded_at=T0)
        session.rollback()
    assert SqlStore(database.engine, "shop").catalog_versions("bike") == []
