"""Consent per purpose, export of everything held, and erasure with suppression; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from configurator.customers.consent import (
    consent_status,
    erase_person,
    erased_token,
    export_person,
    record_consent,
)
from configurator.customers.events import validate_event
from configurator.customers.identity import identify, merge
from configurator.customers.ingest import ingest_file
from configurator.customers.keyring import PrivacyKeys
from configurator.errors import CustomerError
from configurator.storage import SqlStore
from pg import Database, table_rows
from pg import database as database
from support import ROOT, SECRET

SAMPLE = ROOT / "examples" / "data" / "events.jsonl"
T0 = dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)
KEYS = PrivacyKeys.from_secrets(SECRET.encode())


def _write(store: SqlStore, *records: dict[str, Any]) -> Any:
    return store.write_events([validate_event(r, tenant=store.tenant) for r in records])


def _event(event_id: str, minutes: int = 0, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "viewed",
        "channel": "web",
        "ts": (T0 + dt.timedelta(minutes=minutes)).isoformat(),
        **fields,
    }


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a column value (JSON documents included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _mentions(database: Database, needles: set[str], exact: set[str]) -> list[str]:
    """``table.column`` cells (any table, any column) containing a needle or equal to an exact id."""
    found = []
    metadata_rows = table_rows(database.engine)
    for table, rows in metadata_rows.items():
        for row in rows:
            for value in row:
                for text in _strings(value):
                    low = text.casefold()
                    if text in exact or any(n.casefold() in low for n in needles):
                        found.append(f"{table}: {text[:80]}")
    return found


@pytest.fixture
def demo(database: Database) -> SqlStore:
    """The example events ingested into tenant ``demo``."""
    store = SqlStore(database.engine, "demo")
    report = ingest_file(SAMPLE, store, tenant="demo")
    assert report.accepted == 897
    return store


def test_defaults_allow_profiling_and_deny_marketing(database: Database) -> None:
    """Without a recorded choice, profiling is allowed (until objected) and marketing is not (opt-in)."""
    store = SqlStore(database.engine, "shop")
    identify(store, customer_id="c1", at=T0)
    assert consent_status(store, "c1") == {"profiling": True, "marketing": False}


def test_an_objection_to_profiling_is_recorded_audited_and_exposed(database: Database) -> None:
    """Objecting to profiling removes the customer from profiling_allowed and is in the audit log."""
    store = SqlStore(database.engine, "shop")
    for cid in ("c1", "c2"):
        identify(store, customer_id=cid, at=T0)
    assert record_consent(store, "c2", "profiling", False, at=T0, source="phone", actor="rep-3")
    assert consent_status(store, "c2") == {"profiling": False, "marketing": False}
    assert SqlStore(database.engine, "shop").profiling_allowed() == {"c1"}
    assert SqlStore(database.engine, "shop").consents_frame().rows() == [
        ("c1", True, False),
        ("c2", False, False),
    ]
    (entry,) = SqlStore(database.engine, "shop").audit_entries(subject="c2")
    assert (entry.action, entry.actor, entry.details["purpose"], entry.details["granted"]) == (
        "consent",
        "rep-3",
        "profiling",
        False,
    )
    with pytest.raises(CustomerError, match="unknown customer"):
        record_consent(store, "nobody", "marketing", True)
    with pytest.raises(CustomerError, match="unknown purpose"):
        record_consent(store, "c1", "telepathy", True)  # type: ignore[arg-type]


def test_the_newest_consent_wins_whatever_the_arrival_order(database: Database) -> None:
    """A consent event older than the stored choice does not override it."""
    store = SqlStore(database.engine, "shop")
    _write(store, _event("k2", 60, type="consent", customer_id="c1", purpose="marketing", granted=False))
    _write(store, _event("k1", 0, type="consent", customer_id="c1", purpose="marketing", granted=True))
    assert consent_status(store, "c1")["marketing"] is False
    _write(store, _event("k3", 120, type="consent", customer_id="c1", purpose="marketing", granted=True))
    assert consent_status(store, "c1")["marketing"] is True


def test_a_merge_keeps_the_most_restrictive_consent(database: Database) -> None:
    """When two profiles merge, an objection on either one stays."""
    store = SqlStore(database.engine, "shop")
    identify(store, customer_id="a", at=T0)
    identify(store, customer_id="b", at=T0)
    record_consent(store, "a", "marketing", True, at=T0)
    record_consent(store, "b", "profiling", False, at=T0)
    record_consent(store, "b", "marketing", True, at=T0)
    merge(store, "a", "b", actor="rep", at=T0)
    assert consent_status(store, "b") == {"profiling": False, "marketing": True}
    assert SqlStore(database.engine, "shop").profiling_allowed() == set()


def test_export_holds_everything_on_the_person(demo: SqlStore) -> None:
    """Export: profiles (merged ones too), identifiers, consents, events before login, orders, audit; JSON."""
    data = export_person(demo, "c-1030")
    assert json.loads(json.dumps(data, default=str))["customer_id"] == "c-1030"
    assert {p["customer_id"] for p in data["profiles"]} >= {"c-1030"} and len(data["profiles"]) == 2
    assert {(i["kind"], i["value"]) for i in data["identifiers"]} == {
        ("anonymous_id", "store-kiosk-0412"),
        ("email", "paulo.henriques@example.pt"),
        ("phone", "+351965432100"),
    }
    kiosk = [e for e in data["events"] if e["anonymous_id"] == "store-kiosk-0412"]
    assert len(kiosk) == 2 and kiosk[0]["customer_ref"] is None
    assert len(data["orders"]) == 2 and data["installed_base"]
    assert [a["action"] for a in data["audit"]] == ["merge"]
    visitor = export_person(demo, "c-1021")
    assert sum(1 for e in visitor["events"] if e["customer_ref"] is None) == 9  # browsing before logging in
    objector = export_person(demo, "c-1017")
    assert objector["consent_now"]["profiling"] is False
    with pytest.raises(CustomerError, match="unknown customer"):
        export_person(demo, "c-9999")


def test_erasure_leaves_no_trace_of_the_person(database: Database, demo: SqlStore) -> None:
    """After erasure no cell of any table holds the person's name, email, phone, customer or anonymous id."""
    person = export_person(demo, "c-1030")
    names = {p["name"] for p in person["profiles"] if p["name"]}
    identifiers = {i["value"] for i in person["identifiers"]}
    ids = {p["customer_id"] for p in person["profiles"]}
    needles = names | {v for v in identifiers if "@" in v or v.startswith("+")} | {"965 432 100", "965432100"}
    assert _mentions(database, needles, ids | identifiers)  # the scan finds them before erasure
    report = erase_person(demo, "c-1030", actor="dpo")
    assert (report.profiles, report.token) == (2, erased_token("demo", "c-1030"))
    assert report.rows["events"] == len(person["events"]) and report.suppressed == 5
    assert _mentions(database, needles, ids | identifiers) == []
    suppressions = table_rows(database.engine)["suppressions"]
    assert {
        KEYS.suppression_hash("demo", "phone", "+351965432100"),
        KEYS.suppression_hash("demo", "customer_id", "c-1030"),
    } <= {row[1] for row in suppressions}
    (entry,) = [e for e in SqlStore(database.engine, "demo").audit_entries() if e.action == "erase"]
    assert (entry.actor, entry.subject) == ("dpo", report.token)
    merge_entry = next(e for e in SqlStore(database.engine, "demo").audit_entries() if e.action == "merge")
    assert merge_entry.subject == report.token and merge_entry.details.get("erased") is True
    assert "c-1030" not in set(SqlStore(database.engine, "demo").events_frame()["customer_id"].drop_nulls())
    with pytest.raises(CustomerError, match="unknown customer"):
        export_person(demo, "c-1030")


def test_events_arriving_after_erasure_are_suppressed(database: Database, demo: SqlStore) -> None:
    """Later events carrying any identifier of an erased person are dropped and counted as suppressed."""
    erase_person(demo, "c-1001", actor="dpo")
    result = _write(
        demo,
        _event("late-1", customer_id="c-1001"),
        _event("late-2", anonymous_id="anon-new", traits={"email": "ANA.RIBEIRO@example.pt"}),
        _event("late-3", customer_id="c-2000", traits={"phone": "+351912345678"}),
        _event("late-4", customer_id="c-2000", type="referral", referred_customer_id="c-1001"),
        _event("late-5", customer_id="c-1002"),
    )
    assert (result.accepted, result.duplicates, result.suppressed) == (2, 0, 3)
    frame = SqlStore(database.engine, "demo").events_frame()
    assert set(frame.filter(frame["event_id"].str.starts_with("late"))["event_id"]) == {"late-4", "late-5"}
    referral = frame.filter(frame["event_id"] == "late-4")
    assert referral["referred_customer_id"].item() is None
    assert (
        _mentions(database, {"Ana Sofia Ribeiro", "ana.ribeiro@example.pt", "+351912345678"}, {"c-1001"})
        == []
    )
    with pytest.raises(CustomerError, match="erased"):
        identify(demo, traits={"email": "ana.ribeiro@example.pt"})


def test_erasing_one_person_keeps_the_others(database: Database, demo: SqlStore) -> None:
    """Other customers' events, profiles and referrals stay; a referral to the erased person is anonymised."""
    before = SqlStore(database.engine, "demo").events_frame()
    referrals_to = before.filter(before["referred_customer_id"] == "c-1007").height
    report = erase_person(demo, "c-1007", actor="dpo")
    after = SqlStore(database.engine, "demo").events_frame()
    removed = before.filter(before["customer_id"] == "c-1007").height
    assert after.height == before.height - removed and report.rows["events_anonymised"] == referrals_to == 1
    assert (
        after.filter(after["customer_id"] == "c-1001").height
        == before.filter(before["customer_id"] == "c-1001").height
    )
    with pytest.raises(CustomerError, match="unknown customer"):
        erase_person(demo, "c-1007", actor="dpo")


def test_erasure_removes_the_person_from_other_customers_events(database: Database) -> None:
    """A shared household email or computer stays with the other customer's events, without the erased person."""
    store = SqlStore(database.engine, "shop")
    _write(
        store,
        _event(
            "a1",
            0,
            customer_id="c1",
            anonymous_id="anon-home",
            traits={"name": "Eva Lund", "email": "home@x.se"},
        ),
        _event("a2", 1, anonymous_id="anon-home"),
        _event(
            "b1",
            2,
            customer_id="c2",
            anonymous_id="anon-home",
            traits={"email": "HOME@x.se", "name": "Bo Lund"},
        ),
        _event("b2", 3, customer_id="c2", type="review", rating=5),
    )
    assert store.owner("email", "home@x.se") == "c1" and store.owner("anonymous_id", "anon-home") == "c1"
    report = erase_person(store, "c1", actor="dpo")
    assert report.rows["events"] == 2 and report.rows["events_anonymised"] == 1
    assert sorted(SqlStore(database.engine, "shop").events_frame()["event_id"]) == ["b1", "b2"]
    assert _mentions(database, {"Eva Lund", "home@x.se"}, {"c1", "anon-home"}) == []
    assert export_person(store, "c2")["profiles"][0]["name"] == "Bo Lund"
