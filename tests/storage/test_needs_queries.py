"""Needs queries on SQLite and PostgreSQL: a customer's events across merges, a catalog's sales."""

from __future__ import annotations

from configurator.customers.events import Configured, validate_event
from configurator.customers.identity import merge
from configurator.storage import SqlStore
from pg import Database
from pg import database as database
from storage.records import event_record as _event
from storage.records import write_records as _write


def test_customer_events_follow_merges_and_anonymous_ids(database: Database) -> None:
    """All events of the canonical customer: merged profiles and owned anonymous ids, by ts then event id."""
    store = SqlStore(database.engine, "shop")
    _write(
        store,
        _event("a1", "viewed", 0, anonymous_id="anon-1", catalog="bike", item="frame.alu"),
        _event("b2", "viewed", 2, customer_id="c-old"),
        _event("b1", "viewed", 2, customer_id="c-old"),
        _event("n1", "viewed", 3, customer_id="c-new"),
        _event("x1", "viewed", 4, customer_id="c-other"),
        _event("x2", "viewed", 5, anonymous_id="anon-2"),
        _event("k1", "consent", 6, customer_id="c-new", purpose="profiling", granted=False),
    )
    _write(store, _event("a2", "viewed", 7, anonymous_id="anon-1", customer_id="c-new"))
    merge(store, "c-new", "c-old", actor="test", reason="same person")
    expected = ["a1", "b1", "b2", "n1", "k1", "a2"]
    for who in ("c-new", "c-old"):
        events = SqlStore(database.engine, "shop").customer_events(who)
        assert [e.event_id for e in events] == expected
    assert SqlStore(database.engine, "shop").customer_events("c-other")[0].event_id == "x1"
    assert SqlStore(database.engine, "shop").customer_events("nobody") == []
    assert SqlStore(database.engine, "other-tenant").customer_events("c-new") == []


def test_customer_events_are_the_validated_events(database: Database) -> None:
    """The events come back as validated events equal to those written."""
    store = SqlStore(database.engine, "shop")
    written = validate_event(
        _event(
            "p1",
            "purchased",
            customer_id="c1",
            order_id="o1",
            margin="12.5",
            lines=[
                {"item": "bike", "catalog": "bike", "unit_price": "999.99", "selections": {"frame": "alu"}}
            ],
        ),
        tenant="shop",
    )
    store.write_events([written])
    assert SqlStore(database.engine, "shop").customer_events("c1") == [written]


def test_catalog_sales_are_purchases_and_configurations_of_the_catalog(database: Database) -> None:
    """catalog_sales: purchased events with a line of the catalog and its configurations, nothing else."""
    store = SqlStore(database.engine, "shop")
    line = {"item": "x", "unit_price": 1, "unit_margin": 0}
    _write(
        store,
        _event("c1", "configured", 3, customer_id="a", catalog="bike", selections={"frame": "alu"}),
        _event("c2", "configured", 1, customer_id="b", catalog="bike-xl", selections={"frame": "alu"}),
        _event("p1", "purchased", 2, customer_id="a", order_id="o1", lines=[{**line, "catalog": "bike"}]),
        _event(
            "p2",
            "purchased",
            0,
            customer_id="b",
            order_id="o2",
            lines=[{**line, "catalog": "car"}, {**line, "item": "bike", "catalog": "bike"}],
        ),
        _event("p3", "purchased", 0, customer_id="b", order_id="o3", lines=[{**line, "item": '"bike"'}]),
        _event("v1", "viewed", 0, customer_id="a", catalog="bike"),
        _event("q1", "quote_requested", 0, customer_id="a", catalog="bike", selections={"frame": "alu"}),
    )
    sales = SqlStore(database.engine, "shop").catalog_sales("bike")
    assert [e.event_id for e in sales] == ["p2", "p1", "c1"]
    assert isinstance(sales[-1], Configured)
    assert [e.event_id for e in SqlStore(database.engine, "shop").catalog_sales("bike-xl")] == ["c2"]
    assert SqlStore(database.engine, "shop").catalog_sales("b_ke") == []  # LIKE wildcards are escaped
    assert SqlStore(database.engine, "other").catalog_sales("bike") == []


def test_latest_sales_are_the_most_recent_ones_oldest_first(database: Database) -> None:
    """``latest=N``: the N most recent sales of the catalog, still oldest first; the population learns from them."""
    from configurator.assembly.needs import population_sales

    store = SqlStore(database.engine, "shop")
    _write(
        store,
        *(
            _event(
                f"c{i}", "configured", i, customer_id=f"u{i % 3}", catalog="bike", selections={"frame": "alu"}
            )
            for i in range(6)
        ),
        _event("k1", "consent", 9, customer_id="u1", purpose="profiling", granted=False),
    )
    assert [e.event_id for e in store.catalog_sales("bike", latest=3)] == ["c3", "c4", "c5"]
    assert [e.event_id for e in store.catalog_sales("bike", latest=10)] == [f"c{i}" for i in range(6)]
    assert [e.event_id for e in population_sales(store, "bike", latest=3)] == ["c3", "c5"]  # u1 objected
    assert [e.event_id for e in population_sales(store, "bike")] == ["c0", "c2", "c3", "c5"]
