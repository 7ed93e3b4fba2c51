"""Repositories on SQLite and PostgreSQL: frames, catalogs, quotes, orders, installed base, types."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from configurator.customers.events import validate_event
from configurator.customers.identity import identify
from configurator.storage import SqlStore
from configurator.storage.frames import EVENTS_SCHEMA
from configurator.storage.models import Event as EventRow
from pg import Database
from pg import database as database
from storage.records import T0
from storage.records import event_record as _event
from storage.records import write_records as _write


def test_events_frame_has_the_contract_columns_and_dtypes(database: Database) -> None:
    """events_frame: exactly the documented columns and dtypes, also when empty."""
    empty = SqlStore(database.engine, "shop").events_frame()
    assert empty.schema == pl.Schema(EVENTS_SCHEMA)
    assert empty.height == 0
    store = SqlStore(database.engine, "shop")
    _write(
        store,
        _event(
            "p1",
            "purchased",
            customer_id="c1",
            order_id="o1",
            margin="120.25",
            lines=[
                {"item": "bike", "unit_price": "999.99"},
                {"item": "bell", "unit_price": 10, "quantity": 2},
            ],
        ),
        _event("r1", "returned", 5, customer_id="c1", order_id="o1", amount="10", margin="4.5"),
        _event("t1", "support_ticket", 6, customer_id="c1", ticket_id="t1", cost="35.10"),
        _event("f1", "referral", 7, customer_id="c1", referred_customer_id="c2", converted=True),
        _event("v1", "review", 8, customer_id="c1", rating=4),
        _event("k1", "consent", 9, customer_id="c1", purpose="marketing", granted=True),
    )
    frame = SqlStore(database.engine, "shop").events_frame()
    assert frame.schema == pl.Schema(EVENTS_SCHEMA)
    rows = {r["event_id"]: r for r in frame.to_dicts()}
    assert set(rows) == {"p1", "r1", "t1", "f1", "v1"}  # consent records are not interactions
    assert (rows["p1"]["amount"], rows["p1"]["margin"], rows["p1"]["cost"]) == (1019.99, 120.25, 0.0)
    assert (rows["r1"]["amount"], rows["r1"]["margin"]) == (10.0, 4.5)
    assert rows["t1"]["cost"] == 35.10
    assert (rows["f1"]["referred_customer_id"], rows["f1"]["converted"]) == ("c2", True)
    assert rows["v1"]["rating"] == 4 and rows["p1"]["rating"] is None and rows["p1"]["converted"] is None
    assert rows["p1"]["ts"] == T0 and frame["ts"].dtype == pl.Datetime("us", "UTC")
    assert frame["ts"].is_sorted()


def test_events_frame_resolves_anonymous_events_and_merges(database: Database) -> None:
    """Anonymous events belong to the customer once aliased; merged ids resolve to the canonical one."""
    store = SqlStore(database.engine, "shop")
    _write(
        store,
        _event("a1", "viewed", 0, anonymous_id="anon-1"),
        _event("a2", "viewed", 1, anonymous_id="anon-2"),
        _event("b1", "viewed", 2, customer_id="c-old"),
        _event("f1", "referral", 3, customer_id="c-new", referred_customer_id="c-old"),
    )
    before = dict(
        SqlStore(database.engine, "shop").events_frame().select("event_id", "customer_id").iter_rows()
    )
    assert before == {"a1": None, "a2": None, "b1": "c-old", "f1": "c-new"}
    _write(store, _event("a3", "viewed", 4, anonymous_id="anon-1", customer_id="c-new"))
    from configurator.customers.identity import merge

    merge(store, "c-new", "c-old", actor="test", reason="same person")
    frame = SqlStore(database.engine, "shop").events_frame()
    after = dict(frame.select("event_id", "customer_id").iter_rows())
    assert after == {"a1": "c-new", "a2": None, "b1": "c-new", "f1": "c-new", "a3": "c-new"}
    assert frame.filter(pl.col("event_id") == "f1")["referred_customer_id"].item() == "c-new"


def test_tenants_are_isolated(database: Database) -> None:
    """The same event id in two tenants is two events; each frame sees only its tenant."""
    a, b = SqlStore(database.engine, "shop-a"), SqlStore(database.engine, "shop-b")
    _write(a, _event("e1", "viewed", customer_id="c1"))
    _write(b, _event("e1", "viewed", customer_id="c1"), _event("e2", "viewed", customer_id="c2"))
    assert SqlStore(database.engine, "shop-a").events_frame()["event_id"].to_list() == ["e1"]
    assert SqlStore(database.engine, "shop-b").events_frame().height == 2
    assert sorted(SqlStore(database.engine, "shop-b").consents_frame()["customer_id"]) == ["c1", "c2"]
    with pytest.raises(ValueError, match="another tenant"):
        a.write_events([validate_event(_event("e3", "viewed", customer_id="c1"), tenant="shop-b")])


def test_purchases_project_orders_and_installed_base(database: Database) -> None:
    """A purchase becomes an order with its lines and one installed-base row per line, once."""
    store = SqlStore(database.engine, "shop")
    purchase = _event(
        "p1",
        "purchased",
        customer_id="c1",
        order_id="o1",
        lines=[
            {
                "item": "ebike-urban",
                "catalog": "ebike-urban",
                "unit_price": "3990",
                "unit_margin": "1100",
                "selections": {"frame": "alu_lowstep", "accessories": ["bell", "mudguards"]},
            },
            {"item": "bike_fit", "unit_price": "80", "unit_margin": "55"},
        ],
    )
    _write(store, purchase)
    _write(store, {**purchase, "event_id": "p1-again"})  # the same order id in another event: ignored
    orders = SqlStore(database.engine, "shop").orders_for("c1")
    assert [(o["order_id"], o["total"], o["margin"], o["event_id"]) for o in orders] == [
        ("o1", Decimal("4070"), Decimal("1155"), "p1")
    ]
    installed = SqlStore(database.engine, "shop").installed_base_for("c1")
    assert [(i["line_no"], i["item"], i["quantity"]) for i in installed] == [
        (1, "ebike-urban", 1),
        (2, "bike_fit", 1),
    ]
    assert installed[0]["configuration"] == {
        "frame": {"alu_lowstep": 1},
        "accessories": {"bell": 1, "mudguards": 1},
    }


def test_catalog_versions_are_immutable(database: Database) -> None:
    """Catalog versions are stored once; the latest loaded is returned by default."""
    assert SqlStore(database.engine, "shop").save_catalog("bike", "1", "catalog: bike\n", loaded_at=T0)
    assert not SqlStore(database.engine, "shop").save_catalog("bike", "1", "changed", loaded_at=T0)
    assert SqlStore(database.engine, "shop").save_catalog(
        "bike", "2", "catalog: bike # v2\n", loaded_at=T0.replace(hour=13)
    )
    assert [v for v, _ in SqlStore(database.engine, "shop").catalog_versions("bike")] == ["1", "2"]
    assert SqlStore(database.engine, "shop").load_catalog_text("bike") == "catalog: bike # v2\n"
    assert SqlStore(database.engine, "shop").load_catalog_text("bike", "1") == "catalog: bike\n"
    assert SqlStore(database.engine, "other").load_catalog_text("bike") is None


def test_quotes_keep_money_exact(database: Database) -> None:
    """Quote totals come back as the same Decimal on every dialect; timestamps come back in UTC."""
    created = dt.datetime(2026, 3, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert SqlStore(database.engine, "shop").add_quote(
        quote_id="q1",
        customer_id="c1",
        configuration={"frame": {"alu": 1}},
        total=Decimal("12345.67"),
        currency="EUR",
        catalog_id="bike",
        created_at=created,
    )
    assert not SqlStore(database.engine, "shop").add_quote(
        quote_id="q1", customer_id="c1", configuration={}, total=None, currency="EUR"
    )
    (quote,) = SqlStore(database.engine, "shop").quotes_for("c1")
    assert quote["total"] == Decimal("12345.67")
    assert quote["created_at"] == created and quote["created_at"].tzinfo == dt.UTC
    assert quote["configuration"] == {"frame": {"alu": 1}}


def test_naive_timestamps_are_refused(database: Database) -> None:
    """The storage layer refuses naive datetimes rather than guessing a time zone."""
    with pytest.raises(Exception, match="naive datetime"):
        SqlStore(database.engine, "shop").save_catalog("bike", "1", "x", loaded_at=dt.datetime(2026, 1, 1))


def test_consents_frame_applies_defaults(database: Database) -> None:
    """Every canonical customer has a row; profiling defaults to allowed, marketing to denied."""
    store = SqlStore(database.engine, "shop")
    identify(store, customer_id="c1")
    identify(store, customer_id="c2")
    _write(store, _event("k1", "consent", customer_id="c2", purpose="profiling", granted=False))
    frame = SqlStore(database.engine, "shop").consents_frame()
    assert frame.rows() == [("c1", True, False), ("c2", False, False)]
    assert SqlStore(database.engine, "shop").profiling_allowed() == {"c1"}


def test_stored_payload_is_the_validated_event(database: Database) -> None:
    """The payload column holds the validated event (normalised traits, UTC timestamp)."""
    store = SqlStore(database.engine, "shop")
    _write(
        store,
        _event("e1", "viewed", customer_id="c1", traits={"email": "Ana@Example.COM", "phone": "912 345 678"}),
    )
    with database.engine.connect() as c:
        payload = c.execute(select(EventRow.payload)).scalar_one()
    assert payload["traits"] == {"email": "ana@example.com", "phone": "+351912345678"}
    assert payload["ts"] == "2026-03-01T12:00:00Z"
    assert SqlStore(database.engine, "shop").audit_entries() == []


def test_write_events_retries_a_lock_timeout_once(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch that hits a lock timeout is retried as a whole (once); other errors are raised at once."""
    store = SqlStore(database.engine, "shop")
    original = SqlStore._write
    failures = [OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))]

    def flaky(self: SqlStore, events: Any, *rest: Any) -> Any:
        if failures:
            raise failures.pop()
        return original(self, events, *rest)

    monkeypatch.setattr(SqlStore, "_write", flaky)
    _write(store, _event("e1", "viewed", customer_id="c1"))
    assert SqlStore(database.engine, "shop").events_frame()["event_id"].to_list() == ["e1"] and not failures
    failures.append(OperationalError("INSERT", {}, sqlite3.OperationalError("no such table: events")))
    with pytest.raises(OperationalError, match="no such table"):
        _write(store, _event("e2", "viewed", customer_id="c1"))
