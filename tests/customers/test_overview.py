"""The customer overview's facts: every event once and newest first, contact, tier counts, quotes, orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine

from configurator.customers.events import Event, validate_event
from configurator.customers.overview import OverviewStore, customer_overview
from configurator.storage import SqlStore, make_engine, upgrade

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def _store() -> SqlStore:
    engine = make_engine("sqlite://")
    upgrade(engine)
    return SqlStore(engine, "shop")


def _event(event_id: str, ts: str, **fields: object) -> Event:
    return validate_event(
        {"event_id": event_id, "customer_id": "c1", "channel": "web", "ts": ts, **fields}, tenant="shop"
    )


def test_the_sql_store_is_an_overview_store(demo: Engine) -> None:
    """``SqlStore`` satisfies the ``OverviewStore`` protocol the overview reads through."""
    assert isinstance(SqlStore(demo, "demo"), OverviewStore)


def test_every_stored_event_is_in_the_facts_once_newest_first(demo: Engine) -> None:
    """Inês Carvalho's facts hold each of her stored events exactly once, newest first."""
    store = SqlStore(demo, "demo")
    facts = customer_overview(store, "c-1004", now=NOW)
    assert facts is not None
    stored = [e.event_id for e in store.customer_events("c-1004")]
    ids = [e.event_id for e in facts.events]
    assert sorted(ids) == sorted(stored) and len(set(ids)) == len(ids) == 46
    moments = [e.ts for e in facts.events]
    assert moments == sorted(moments, reverse=True)


def test_contact_language_and_orders_come_from_the_profile_and_orders(demo: Engine) -> None:
    """Contact details and language come from the profile; orders newest first, installed base oldest first."""
    facts = customer_overview(SqlStore(demo, "demo"), "c-1004", now=NOW)
    assert facts is not None
    assert facts.name == "Inês Carvalho" and facts.language == "pt" and facts.country == "PT"
    assert facts.contact.emails == ("ines.carvalho@example.pt",)
    assert facts.contact.phones == ("+351913456789",)
    assert facts.contact.address and "Porto" in facts.contact.address
    assert [o.at for o in facts.orders] == sorted((o.at for o in facts.orders), reverse=True)
    assert [i.since for i in facts.installed] == sorted(i.since for i in facts.installed)


def test_quotes_known_only_from_the_event_log_are_listed_as_sent_or_requested() -> None:
    """A quote requested and sent through a channel (not stored as a quote) is listed, sent, with its total."""
    store = _store()
    store.write_events(
        [
            _event("e1", "2026-05-01T10:00:00Z", type="quote_requested", quote_id="q-9", catalog="bike"),
            _event("e2", "2026-05-02T10:00:00Z", type="quote_sent", quote_id="q-9", total="99.50"),
            _event("e3", "2026-05-03T10:00:00Z", type="quote_requested", quote_id="q-10"),
        ]
    )
    facts = customer_overview(store, "c1", now=NOW)
    assert facts is not None
    quotes = {q.quote_id: q for q in facts.quotes}
    assert (quotes["q-9"].status, quotes["q-9"].total, quotes["q-9"].catalog) == (
        "sent",
        Decimal("99.50"),
        "bike",
    )
    assert quotes["q-10"].status == "requested" and quotes["q-10"].total is None
    assert [q.quote_id for q in facts.quotes] == ["q-10", "q-9"]


def test_a_stored_quote_counts_its_versions_and_last_change() -> None:
    """A stored quote number shows its version count and status, and when it last changed."""
    store = _store()
    store.write_events([_event("e1", "2026-05-01T10:00:00Z", type="viewed")])
    at = dt.datetime(2026, 5, 3, 9, tzinfo=dt.UTC)
    store.add_quote(
        quote_id="Q-1", customer_id="c1", configuration={}, total=Decimal(10), currency="EUR", created_at=at
    )
    facts = customer_overview(store, "c1", now=NOW)
    assert facts is not None
    (quote,) = facts.quotes
    assert (quote.versions, quote.status, quote.updated_at) == (1, "draft", at)
    assert (
        store.quote_activity("c1") == {"Q-1": at}
        and SqlStore(store.engine, "other").quote_activity("c1") == {}
    )


def test_tier_facts_count_the_purchases_of_the_last_12_months() -> None:
    """Without a snapshot the tier is standard and unranked; purchases and spend count the last 12 months."""
    store = _store()
    lines = [{"item": "bell", "unit_price": 100, "quantity": 1}]
    store.write_events(
        [
            _event("old", "2025-01-01T10:00:00Z", type="purchased", order_id="o0", margin=1, lines=lines),
            _event("p1", "2026-03-01T10:00:00Z", type="purchased", order_id="o1", margin=1, lines=lines),
            _event("p2", "2026-06-01T10:00:00Z", type="purchased", order_id="o2", margin=1, lines=lines),
            _event("q1", "2026-07-01T10:00:00Z", type="quote_requested"),
        ]
    )
    facts = customer_overview(store, "c1", now=NOW)
    assert facts is not None
    tier = facts.tier
    assert (tier.code, tier.ranked, tier.objection) == ("standard", False, False)
    assert (tier.purchases, tier.spent, tier.open_intent, tier.currency) == (2, Decimal(200), 1, "EUR")


def test_an_unknown_customer_or_another_tenants_has_no_overview(demo: Engine) -> None:
    """A customer the store does not know, or one of another tenant, answers None."""
    assert customer_overview(SqlStore(demo, "demo"), "c-nobody", now=NOW) is None
    assert customer_overview(SqlStore(demo, "other"), "c-1004", now=NOW) is None
