"""PreloadedStore: a group's reads from one bulk read answer as the store does, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event

from configurator.customers.events import validate_event
from configurator.customers.identity import merge
from configurator.storage import PreloadedStore, SqlStore
from pg import Database
from pg import database as database
from storage.records import T0
from storage.records import event_record as _event

LINE = {
    "item": "bike",
    "catalog": "bike",
    "unit_price": "999.99",
    "unit_margin": "200",
    "selections": {"frame": "alu"},
}


def _shop(store: SqlStore) -> None:
    records = [
        _event("a1", "viewed", 0, anonymous_id="anon-1", catalog="bike", item="frame.alu"),
        _event("b1", "purchased", 2, customer_id="c-old", order_id="o-old", lines=[LINE]),
        _event("n1", "viewed", 3, customer_id="c-new", traits={"country": "PT"}),
        _event("k1", "consent", 6, customer_id="c-new", purpose="profiling", granted=False),
        _event("x1", "purchased", 4, customer_id="c-other", order_id="o-x", lines=[LINE, LINE]),
        _event("x2", "viewed", 5, anonymous_id="anon-2"),
        _event("y1", "viewed", 5, customer_id="c-outside"),
    ]
    store.write_events([validate_event(r, tenant=store.tenant) for r in records])
    linked = _event("a2", "viewed", 7, anonymous_id="anon-1", customer_id="c-new")
    store.write_events([validate_event(linked, tenant=store.tenant)])
    merge(store, "c-new", "c-old", actor="test", reason="same person")
    store.refresh_tiers(computed_at=T0 + dt.timedelta(days=1))


def test_every_read_of_the_group_equals_the_store(database: Database) -> None:
    """Profiles, events, consents, installed base, orders and tiers: the same answers, merged ids included."""
    store = SqlStore(database.engine, "shop")
    _shop(store)
    group = PreloadedStore(database.engine, "shop", ["c-new", "c-other", "nobody"])
    for who in ("c-new", "c-old", "c-other", "nobody", "c-outside"):
        assert group.get_profile(who) == store.get_profile(who), who
        assert group.customer_events(who) == store.customer_events(who), who
        assert group.consents(who) == store.consents(who), who
        assert group.installed_base_for(who) == store.installed_base_for(who), who
        assert group.orders_for(who) == store.orders_for(who), who
        assert group.tier_of(who) == store.tier_of(who), who
    assert [e.event_id for e in group.customer_events("c-old")] == ["a1", "b1", "n1", "k1", "a2"]
    assert len(group.installed_base_for("c-other")) == 2


def test_the_group_is_read_in_a_few_queries_whatever_its_size(database: Database) -> None:
    """Reading the group costs the same handful of statements for 3 customers as for 300; answers cost none."""
    store = SqlStore(database.engine, "shop")
    _shop(store)
    many = [
        validate_event(_event(f"m{i}", "viewed", i, customer_id=f"m{i}"), tenant="shop") for i in range(300)
    ]
    store.write_events(many)
    counts = []
    for ids in (["c-new", "c-other", "m1"], ["c-new", "c-other", *(f"m{i}" for i in range(300))]):
        statements: list[str] = []

        def count(*args: Any, seen: list[str] = statements) -> None:
            seen.append(str(args[2]))

        event.listen(database.engine, "before_cursor_execute", count)
        try:
            group = PreloadedStore(database.engine, "shop", ids)
            loaded = len(statements)
            for who in ids:
                group.customer_events(who)
                group.installed_base_for(who)
                group.tier_of(who)
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        assert len(statements) == loaded
        counts.append(loaded)
    assert counts[0] == counts[1] <= 12


def test_a_snapshot_does_not_see_later_writes_of_the_group(database: Database) -> None:
    """The group is read once: events written later are not in it (a new PreloadedStore sees them)."""
    store = SqlStore(database.engine, "shop")
    _shop(store)
    group = PreloadedStore(database.engine, "shop", ["c-other"])
    store.write_events([validate_event(_event("x9", "viewed", 9, customer_id="c-other"), tenant="shop")])
    assert [e.event_id for e in group.customer_events("c-other")] == ["x1"]
    fresh = PreloadedStore(database.engine, "shop", ["c-other"])
    assert [e.event_id for e in fresh.customer_events("c-other")] == ["x1", "x9"]
