"""Campaign storage: the best offers of a segment, the run's summary and its offers in batches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from configurator.storage import SqlStore
from pg import Database
from pg import database as database

AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _offer(customer: str, catalog: str, tier: str, value: str, kind: str = "service") -> dict[str, Any]:
    return {
        "offer_id": f"{customer}-{catalog}",
        "customer_id": customer,
        "catalog_id": catalog,
        "tier": tier,
        "kind": kind,
        "item": "fit",
        "changes": [],
        "reason": "not bought yet",
        "probability": 0.5,
        "margin": Decimal(value) * 2,
        "expected_value": Decimal(value),
        "created_at": AT,
    }


def _run(store: SqlStore) -> None:
    first = [_offer("ann", "bike", "mgc", "10"), _offer("ann", "kitchen", "mgc", "30", "upgrade")]
    second = [
        _offer("bob", "bike", "mgc", "30"),
        _offer("cid", "bike", "mvc", "99"),
        _offer("dan", "bike", "mgc", "5", "upgrade"),
        _offer("eve", "bike", "mgc", "30"),
    ]
    store.finish_partition("r1", "offers", 0, {"offers": 2}, offers=first, finished_at=AT)
    store.finish_partition("r1", "offers", 1, {"offers": 4}, offers=second, finished_at=AT)


def test_top_of_a_segment_is_each_customers_best_offer_highest_first(database: Database) -> None:
    """One row per customer of the tier (their best offer), by expected value then customer id, cut at limit."""
    store = SqlStore(database.engine, "shop")
    _run(store)
    top = store.campaign_top("r1", "mgc", 3)
    assert [(r["customer_id"], r["catalog_id"]) for r in top] == [
        ("ann", "kitchen"),
        ("bob", "bike"),
        ("eve", "bike"),
    ]
    assert [r["customer_id"] for r in store.campaign_top("r1", "mgc", 10)] == ["ann", "bob", "eve", "dan"]
    assert store.campaign_top("r1", "below_zero", 5) == [] and store.campaign_top("r2", "mgc", 5) == []


def test_summary_counts_by_kind_and_sums_expected_value(database: Database) -> None:
    """The summary is counted in the database: offers by kind and the expected value of the whole run."""
    store = SqlStore(database.engine, "shop")
    _run(store)
    kinds, total = store.campaign_summary("r1")
    assert kinds == {"service": 4, "upgrade": 2} and total == Decimal(204)
    assert store.campaign_summary("nothing") == ({}, Decimal(0))


def test_offer_batches_hold_every_offer_once_in_order(database: Database) -> None:
    """Batches of at most ``size`` rows together are the run's offers, by customer and catalog."""
    store = SqlStore(database.engine, "shop")
    _run(store)
    batches = list(store.campaign_offer_batches("r1", size=4))
    assert [len(b) for b in batches] == [4, 2]
    assert [r for b in batches for r in b] == store.campaign_offers("r1")
