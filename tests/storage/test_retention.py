"""Purging old events: deleted, or anonymised when the value tiers count them; tiers come out the same."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from configurator.customers.retention import FREE_TEXT, MEASURED, REMOVED, tier_window
from configurator.customers.tiers import TierAssigner
from support import demo_store

LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def _tiers(frame: pl.DataFrame, as_of: dt.datetime) -> dict[str, str]:
    assigned = TierAssigner().fit(frame, as_of=as_of).assignments_
    return dict(zip(assigned["customer_id"].to_list(), assigned["tier"].to_list(), strict=True))


def test_a_purge_keeps_the_tiers_and_leaves_no_free_text() -> None:
    """Everything purged: what stays has no free text or traits, and every customer's tier is unchanged."""
    store = demo_store()
    frame = store.events_frame()
    as_of = frame["ts"].max()
    assert isinstance(as_of, dt.datetime)
    before = _tiers(frame, as_of)
    events = store.events_frame().height
    cutoffs = dict.fromkeys(("viewed", "configured", "stated_need", "feedback", *MEASURED), LATER)
    result = store.purge_events(cutoffs, at=LATER, keep_after=tier_window(as_of))
    assert result.anonymised
    assert store.events_frame().height == events - sum(result.deleted.values())
    assert _tiers(store.events_frame(), as_of) == before
    for customer in before:
        for event in store.customer_events(customer):
            payload = event.model_dump(exclude_none=True)
            assert "traits" not in payload and "anonymous_id" not in payload
            texts = {k: v for k, v in payload.items() if k in FREE_TEXT.get(event.type, ())}
            assert set(texts.values()) <= {REMOVED}, payload


def test_a_dry_run_counts_and_changes_nothing() -> None:
    """--dry-run answers the same counts and leaves every row as it was, with nothing audited."""
    store = demo_store()
    rows = json.dumps(store.events_frame().sort("event_id").to_dicts(), default=str)
    audited = len(store.audit_entries())
    cutoffs = {"viewed": LATER, "support_ticket": LATER}
    dry = store.purge_events(cutoffs, at=LATER, dry_run=True)
    assert json.dumps(store.events_frame().sort("event_id").to_dicts(), default=str) == rows
    assert len(store.audit_entries()) == audited
    assert store.purge_events(cutoffs, at=LATER) == dry
    [entry] = [e for e in store.audit_entries() if e.action == "events.purge"]
    assert entry.details["deleted"] == dry.deleted


def test_only_events_before_the_cutoff_go() -> None:
    """A cut-off between events keeps the later ones untouched."""
    store = demo_store()
    frame = store.events_frame().filter(pl.col("type") == "viewed").sort("ts")
    middle = frame["ts"][frame.height // 2]
    result = store.purge_events({"viewed": middle}, at=LATER)
    left = store.events_frame().filter(pl.col("type") == "viewed")
    assert left.height == frame.height - result.deleted["viewed"]
    assert left["ts"].min() >= middle


def test_events_older_than_the_tier_look_back_are_deleted() -> None:
    """A view before the tiers' look-back window goes; one inside it stays, anonymised."""
    store = demo_store()
    frame = store.events_frame().filter(pl.col("type") == "viewed").sort("ts")
    window = {"viewed": frame["ts"][frame.height // 2]}
    result = store.purge_events({"viewed": LATER}, at=LATER, keep_after=window)
    left = store.events_frame().filter(pl.col("type") == "viewed")
    assert result.deleted["viewed"] + left.height == frame.height
    assert left["ts"].min() >= window["viewed"]
