"""The tier snapshot on SQLite and PostgreSQL: refresh, replace, read, tenant scope, privacy, migration 0003."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError

from configurator.customers.consent import erase_person, export_person
from configurator.customers.events import validate_event
from configurator.customers.tiers import OBJECTION_REASON, TIERS
from configurator.storage import SqlStore, current_revision, head_revision, upgrade
from configurator.storage.migrate import _config
from configurator.storage.tiers import NUMBER_COLUMNS
from pg import Database, table_rows
from pg import database as database

FIRST = dt.datetime(2026, 6, 1, 3, tzinfo=dt.UTC)
SECOND = dt.datetime(2026, 6, 2, 3, tzinfo=dt.UTC)


def _event(event_id: str, customer: str, day: int, kind: str = "purchased", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event_id": event_id,
        "type": kind,
        "customer_id": customer,
        "channel": "web",
        "ts": f"2026-05-{day:02d}T12:00:00Z",
    }
    if kind == "purchased":
        data |= {
            "order_id": f"o-{event_id}",
            "margin": fields.pop("margin", 30),
            "lines": [{"item": "bell", "unit_price": fields.pop("price", 100), "quantity": 1}],
        }
    return data | fields


def _write(store: SqlStore, *events: dict[str, Any]) -> None:
    store.write_events([validate_event(e, tenant=store.tenant) for e in events])


def _shop(database: Database, tenant: str = "shop") -> SqlStore:
    store = SqlStore(database.engine, tenant)
    _write(
        store,
        _event("a1", "ann", 1, margin=300, price=900),
        _event("a2", "ann", 9, margin=280, price=850),
        _event("a3", "ann", 20, margin=310, price=950),
        _event("b1", "bob", 3),
        _event("b2", "bob", 4, kind="support_ticket", ticket_id="t1", cost=500),
        _event("c1", "cy", 5),
        _event("c2", "cy", 6, kind="consent", purpose="profiling", granted=False),
    )
    return store


def test_refresh_writes_a_snapshot_that_requests_read(database: Database) -> None:
    """A refresh stores every customer's tier, reason and numbers; objections are standard without numbers."""
    store = _shop(database)
    assert store.tier_of("ann") is None and store.tiers_computed_at() is None
    assert store.tier_counts() == dict.fromkeys(TIERS, 0)
    summary = store.refresh_tiers(computed_at=FIRST)
    assert summary.computed_at == FIRST == store.tiers_computed_at()
    assert summary.total == 3 and summary.customers == store.tier_counts() and summary.seconds > 0
    assert list(summary.customers) == list(TIERS)
    assert summary.as_of == dt.datetime(2026, 5, 20, 12, 0, 0, 1, tzinfo=dt.UTC)
    assert store.tier_of("bob") == ("below_zero", store.tier_of("bob")[1])  # type: ignore[index]
    assert store.tier_of("cy") == ("standard", OBJECTION_REASON)
    ann = store.stored_tier("ann")
    assert ann is not None and ann.computed_at == FIRST and ann.as_of == summary.as_of
    assert set(ann.numbers) == set(NUMBER_COLUMNS) and ann.numbers["margin"] == 890.0
    cy = store.stored_tier("cy")
    assert cy is not None and all(v is None for k, v in cy.numbers.items() if k != "threshold")
    assert store.tier_of("nobody") is None and store.stored_tier("nobody") is None
    frame = store.tiers_frame()
    assert frame["customer_id"].to_list() == ["ann", "bob", "cy"] and frame["margin"].to_list()[0] == 890.0
    assert SqlStore(database.engine, "other").tiers_frame().height == 0


def test_a_refresh_replaces_the_whole_snapshot_of_its_tenant_only(database: Database) -> None:
    """The second refresh's rows replace the first's (one refresh id); another tenant's snapshot stays."""
    store = _shop(database)
    other = _shop(database, "other")
    first = store.refresh_tiers(computed_at=FIRST)
    theirs = other.refresh_tiers(computed_at=FIRST)
    _write(store, _event("d1", "dee", 21))
    second = store.refresh_tiers(computed_at=SECOND)
    assert second.refresh_id != first.refresh_id and second.total == 4
    assert store.tiers_computed_at() == SECOND and other.tiers_computed_at() == FIRST
    rows = table_rows(database.engine)["tiers"]
    mine = [r for r in rows if r[0] == "shop"]
    assert {r[1] for r in mine} == {"ann", "bob", "cy", "dee"} and {r[-1] for r in mine} == {
        second.refresh_id
    }
    assert {r[-1] for r in rows if r[0] == "other"} == {theirs.refresh_id}
    empty = SqlStore(database.engine, "empty").refresh_tiers(computed_at=SECOND)
    assert empty.total == 0 and SqlStore(database.engine, "empty").tiers_computed_at() is None


def test_a_failed_write_keeps_the_previous_snapshot(database: Database) -> None:
    """Replacing is one transaction: a write that fails half-way leaves the previous snapshot whole."""
    store = _shop(database)
    store.refresh_tiers(computed_at=FIRST)
    before = table_rows(database.engine)["tiers"]
    frame = store.events_frame()
    from configurator.customers.tiers import TierAssigner

    assignments = TierAssigner().fit(frame).assignments_
    broken = assignments.with_columns(
        pl.when(pl.col("customer_id") == "cy").then(None).otherwise(pl.col("tier")).alias("tier")
    )
    with pytest.raises(IntegrityError):
        store.replace_tiers(broken, as_of=SECOND, computed_at=SECOND)
    assert table_rows(database.engine)["tiers"] == before


def test_erasure_deletes_the_snapshot_row_and_export_lists_it(database: Database) -> None:
    """The snapshot holds numbers about a person: an export shows them, erasure removes them."""
    store = _shop(database)
    store.refresh_tiers(computed_at=FIRST)
    (row,) = export_person(store, "ann")["tiers"]
    assert row["customer_id"] == "ann" and row["tier"] in TIERS and "tenant" not in row
    report = erase_person(store, "ann", actor="dpo")
    assert report.rows["tiers"] == 1
    assert store.tier_of("ann") is None and store.tier_of("bob") is not None


def test_migration_0003_adds_and_drops_the_table(database: Database) -> None:
    """Downgrading to 0002 drops ``tiers``; upgrading creates it empty again."""
    config = _config(database.engine)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert current_revision(database.engine) == "0002"
    assert "tiers" not in sa.inspect(database.engine).get_table_names()
    assert upgrade(database.engine) == head_revision()
    assert SqlStore(database.engine, "shop").tiers_computed_at() is None
