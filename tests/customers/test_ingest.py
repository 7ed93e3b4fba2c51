"""Batch ingestion on SQLite and PostgreSQL: idempotent, order-independent, invalid events rejected one by one.

Under claimed trust (the default) traits never change existing contact data: they become claims.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from configurator.customers.identity import canonical_id, suggest_duplicates
from configurator.customers.ingest import ingest, ingest_file, read_records
from configurator.errors import ConfiguratorError
from configurator.quoting.build import customer_details
from configurator.storage import SqlStore
from pg import Database, table_rows
from pg import database as database
from support import ROOT

SAMPLE = ROOT / "examples" / "data" / "events.jsonl"


def _jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _event(event_id: str, minutes: int = 0, **fields: Any) -> dict[str, Any]:
    ts = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
    return {"event_id": event_id, "type": "viewed", "channel": "web", "ts": ts.isoformat(), **fields}


def _state(
    engine: Any, tenant: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Events by id with their (anonymised generated) customer, external profiles, and consents."""
    frame = (
        SqlStore(engine, tenant)
        .events_frame()
        .with_columns(
            pl.when(pl.col("customer_id").str.starts_with("gen-"))
            .then(pl.lit("gen"))
            .otherwise(pl.col("customer_id"))
            .alias("customer_id")
        )
    )
    store = SqlStore(engine, tenant)
    profiles = sorted(
        (p.customer_id, p.name, p.email, p.phone, p.address, tuple(sorted(p.extra.items())), p.traits_at)
        for p in store.canonical_profiles()
        if not p.customer_id.startswith("gen-")
    )
    return (
        sorted(frame.drop("tenant").rows()),
        profiles,
        sorted(SqlStore(engine, tenant).consents_frame().rows()),
    )


def test_invalid_events_are_rejected_one_by_one(database: Database, tmp_path: Path) -> None:
    """Each invalid line is rejected with line number, field and reason; the valid ones around it are kept."""
    path = tmp_path / "events.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(_event("e1", customer_id="c1")),
                json.dumps(_event("e2", customer_id="c1", channel="fax")),
                "{not json",
                "",
                json.dumps(_event("e3", 1, customer_id="c1", type="review", rating=9)),
                json.dumps(_event("e4", 2, anonymous_id="a1")),
                json.dumps([1, 2]),
                json.dumps(_event("e1", customer_id="c1")),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    report = ingest_file(path, SqlStore(database.engine, "shop"), tenant="shop")
    assert (report.read, report.accepted, report.duplicates, report.suppressed) == (7, 2, 1, 0)
    assert [(r.line, r.field, r.event_id) for r in report.rejected] == [
        (2, "channel", "e2"),
        (3, "", None),
        (5, "rating", "e3"),
        (7, "", None),
    ]
    assert str(report.rejected[1]).startswith("line 3: not valid JSON: ")
    assert sorted(SqlStore(database.engine, "shop").events_frame()["event_id"]) == ["e1", "e4"]


def test_replaying_a_batch_changes_nothing(database: Database) -> None:
    """Ingesting the same file again accepts nothing and leaves every row of every table as it was."""
    store = SqlStore(database.engine, "demo")
    first = ingest_file(SAMPLE, store, tenant="demo")
    before = table_rows(database.engine)
    again = ingest_file(SAMPLE, store, tenant="demo")
    assert (again.accepted, again.duplicates, len(again.rejected)) == (
        0,
        first.accepted + first.duplicates,
        6,
    )
    assert table_rows(database.engine) == before


def test_arrival_order_and_batch_size_do_not_change_the_result(database: Database) -> None:
    """Verified records shuffled in small batches give the same events, profiles and consents as in order."""
    with SAMPLE.open(encoding="utf-8") as stream:
        records = list(read_records(stream, "jsonl"))
    ingest(records, SqlStore(database.engine, "ordered"), tenant="ordered", trust="verified")
    shuffled = records[:]
    random.Random(7).shuffle(shuffled)
    ingest(
        shuffled, SqlStore(database.engine, "shuffled"), tenant="shuffled", batch_size=37, trust="verified"
    )
    assert _state(database.engine, "shuffled") == _state(database.engine, "ordered")


def test_csv_gives_the_same_events_as_jsonl(database: Database, tmp_path: Path) -> None:
    """CSV rows (dotted columns for objects, JSON cells for lists) ingest like the same JSON Lines."""
    records = [
        _event("e1", customer_id="c1", traits={"email": "Ana@Example.com", "name": "Ana"}),
        _event(
            "e2",
            1,
            customer_id="c1",
            type="purchased",
            order_id="o1",
            lines=[{"item": "bike", "unit_price": "990.00", "unit_margin": "200"}],
        ),
        _event("e3", 2, anonymous_id="a9", type="review", rating=4),
    ]
    columns = [
        "event_id",
        "type",
        "channel",
        "ts",
        "customer_id",
        "anonymous_id",
        "traits.email",
        "traits.name",
        "order_id",
        "lines",
        "rating",
    ]
    path = tmp_path / "events.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        for r in records:
            row = {k: v for k, v in r.items() if k in columns and k not in ("traits", "lines")}
            row.update({f"traits.{k}": v for k, v in r.get("traits", {}).items()})
            if "lines" in r:
                row["lines"] = json.dumps(r["lines"])
            writer.writerow(row)
        out.write("e4,viewed,web,2026-05-01T10:00:00Z,c1,,,,,,,extra-cell\n")
    from_csv = ingest_file(path, SqlStore(database.engine, "csv"), tenant="csv")
    from_jsonl = ingest_file(
        _jsonl(tmp_path / "events.jsonl", records), SqlStore(database.engine, "jl"), tenant="jl"
    )
    assert (from_csv.accepted, from_jsonl.accepted) == (3, 3)
    assert [(r.line, r.reason) for r in from_csv.rejected] == [(5, "more cells than header columns")]
    csv_frame, jsonl_frame = (
        SqlStore(database.engine, "csv").events_frame(),
        SqlStore(database.engine, "jl").events_frame(),
    )
    assert csv_frame.drop("tenant").equals(jsonl_frame.drop("tenant"))


def test_other_files_are_refused(tmp_path: Path, database: Database) -> None:
    """Only .jsonl/.ndjson and .csv files are read; a missing file is a clear error."""
    with pytest.raises(ConfiguratorError, match=r"expected a \.jsonl or \.csv file"):
        ingest_file(tmp_path / "events.xml", SqlStore(database.engine, "t"), tenant="t")
    with pytest.raises(ConfiguratorError, match="cannot read"):
        ingest_file(tmp_path / "missing.jsonl", SqlStore(database.engine, "t"), tenant="t")


def test_the_sample_ingests_with_its_stories(database: Database) -> None:
    """The example file: counts, the visitor who logs in, the walk-in, the objection, a suggested duplicate."""
    store = SqlStore(database.engine, "demo")
    report = ingest_file(SAMPLE, store, tenant="demo")
    assert (report.accepted, report.duplicates, report.suppressed) == (897, 6, 0)
    assert sorted(r.field for r in report.rejected) == ["", "channel", "rating", "traits.email", "ts", "type"]
    frame = SqlStore(database.engine, "demo").events_frame()
    assert set(frame["type"]) == {
        "viewed",
        "configured",
        "quote_requested",
        "quote_sent",
        "purchased",
        "returned",
        "support_ticket",
        "referral",
        "review",
        "stated_need",
        "feedback",
    }
    assert set(frame["channel"]) == {"web", "sales_rep", "email", "phone", "store"}
    assert frame["customer_id"].drop_nulls().n_unique() == 36
    stamps: list[dt.datetime] = frame["ts"].to_list()
    assert (max(stamps) - min(stamps)).days > 700
    anonymous = frame.filter(pl.col("customer_id").is_null())
    assert anonymous.height == 5  # the visitor who never logged in
    assert store.owner("anonymous_id", "anon-7f3a9c") == "c-1021"
    # the visitor's 9 anonymous web events before logging in now belong to c-1021
    assert frame.filter(pl.col("customer_id") == "c-1021", pl.col("channel") == "web").height >= 10
    assert store.owner("anonymous_id", "store-kiosk-0412") == "c-1030"
    assert len(store.merged_ids("c-1030")) == 1
    assert "c-1017" not in SqlStore(database.engine, "demo").profiling_allowed()
    assert len(SqlStore(database.engine, "demo").profiling_allowed()) == 35
    pairs = [(c.a, c.b) for c in suggest_duplicates(store.canonical_profiles())]
    assert pairs == [("c-1012", "c-1033")]


def _purchase(event_id: str, order_id: str, price: str, minutes: int = 0, **who: Any) -> dict[str, Any]:
    lines = [{"item": "bike", "unit_price": price}]
    return _event(event_id, minutes, type="purchased", order_id=order_id, lines=lines, margin="1", **who)


def test_one_order_id_is_one_purchase(database: Database, tmp_path: Path) -> None:
    """A second purchase with an order id already used by another event is rejected, in a run and across runs.

    A replay of the same event stays a duplicate; the order's first purchase is the only one that counts.
    """
    store = SqlStore(database.engine, "shop")
    first = ingest(
        [
            (1, _purchase("p1", "o1", "10", customer_id="c1")),
            (2, _purchase("p2", "o1", "999999", 1, customer_id="c2")),
            (3, _purchase("p1", "o1", "10", customer_id="c1")),
        ],
        store,
        tenant="shop",
    )
    assert (first.accepted, first.duplicates) == (1, 1)
    assert [(r.line, r.field, r.event_id) for r in first.rejected] == [(2, "order_id", "p2")]
    assert "order 'o1' is event 'p1'" in first.rejected[0].reason
    path = _jsonl(
        tmp_path / "later.jsonl",
        [_purchase("p1", "o1", "10", customer_id="c1"), _purchase("p3", "o1", "5", 2, customer_id="c3")],
    )
    later = ingest_file(path, store, tenant="shop")
    assert (later.accepted, later.duplicates) == (0, 1)
    assert [(r.line, r.field, r.event_id) for r in later.rejected] == [(2, "order_id", "p3")]
    assert sorted(store.events_frame()["event_id"]) == ["p1"]
    assert store.order_event("o1") == "p1"


def test_events_out_of_bounds_are_rejected_at_ingestion(database: Database) -> None:
    """Far-future dates, huge amounts, stated budgets of 1e20 and hidden characters are rejected by line."""
    report = ingest(
        [
            (1, _purchase("p1", "o1", "10", customer_id="c1", ts="9999-01-01T00:00:00Z")),
            (2, _purchase("p2", "o2", "1e30", customer_id="c1")),
            (3, _event("s1", type="stated_need", need="budget", value=1e20, customer_id="c1")),
            (4, _event("v1", customer_id="c\u200b1")),
            (5, _event("v2", customer_id="c1")),
        ],
        SqlStore(database.engine, "shop"),
        tenant="shop",
    )
    assert report.accepted == 1
    assert [(r.line, r.field) for r in report.rejected] == [
        (1, "ts"),
        (2, "lines.0.unit_price"),
        (3, "value"),
        (4, "customer_id"),
    ]


def _ana(store: SqlStore) -> None:
    """Customer c1, Ana, imported by an operator (verified)."""
    traits = {"name": "Ana Silva", "email": "ana@example.com", "company": "Bikes Lda"}
    ingest([(1, _event("v0", customer_id="c1", traits=traits))], store, tenant="shop", trust="verified")


def test_a_claimed_email_changes_neither_the_profile_nor_the_quote(database: Database) -> None:
    """The probe: an open-API `viewed` with a stranger's email leaves c1's profile and quote details; a claim lists it."""
    store = SqlStore(database.engine, "shop")
    _ana(store)
    before = customer_details(store, "c1")
    probe = _event(
        "v1", 5, customer_id="c1", channel="api", traits={"email": "Eve@Example.com", "name": "Eve"}
    )
    report = ingest([(1, probe)], store, tenant="shop")  # the default trust: claimed
    assert (report.accepted, report.rejected) == (1, [])
    assert customer_details(store, "c1") == before
    assert before == {"name": "Ana Silva", "company": "Bikes Lda", "email": "ana@example.com"}
    assert store.owner("email", "eve@example.com") is None
    assert [
        (c.customer_id, c.field, c.value, c.event_id, c.channel, c.trust) for c in store.claims("c1")
    ] == [
        ("c1", "name", "Eve", "v1", "api", "claimed"),
        ("c1", "email", "eve@example.com", "v1", "api", "claimed"),
    ]
    assert {c.at for c in store.claims("c1")} == {dt.datetime(2026, 5, 1, 10, 5, tzinfo=dt.UTC)}
    (stored,) = [e for e in store.customer_events("c1") if e.event_id == "v1"]
    assert stored.traits is not None and stored.traits.email == "eve@example.com"  # stored as sent


def test_replaying_a_claimed_event_adds_no_claim(database: Database) -> None:
    """A claimed event sent again is a duplicate: its claims are recorded once."""
    store = SqlStore(database.engine, "shop")
    _ana(store)
    probe = _event("v1", 5, customer_id="c1", channel="api", traits={"email": "eve@example.com"})
    ingest([(1, probe)], store, tenant="shop", trust="claimed")
    again = ingest([(1, probe), (2, probe)], store, tenant="shop", trust="claimed")
    assert (again.accepted, again.duplicates) == (0, 2)
    assert [(c.field, c.event_id) for c in store.claims("c1")] == [("email", "v1")]


def test_verified_ingestion_updates_contact_data_as_before(database: Database, tmp_path: Path) -> None:
    """An operator's file import (verified, ingest_file's default) updates the profile, latest wins, no claims."""
    store = SqlStore(database.engine, "shop")
    _ana(store)
    path = _jsonl(
        tmp_path / "import.jsonl", [_event("v1", 5, customer_id="c1", traits={"email": "ana@bikes.pt"})]
    )
    assert ingest_file(path, store, tenant="shop").accepted == 1
    assert customer_details(store, "c1")["email"] == "ana@bikes.pt"
    assert store.owner("email", "ana@bikes.pt") == "c1" and store.claims("c1") == []


def test_a_claimed_sign_up_fills_the_profile_it_creates(database: Database) -> None:
    """A claimed event for a new customer id fills its new profile; a later differing value is only claimed."""
    store = SqlStore(database.engine, "shop")
    sign_up = _event(
        "s1", customer_id="c9", channel="api", traits={"name": "Rui", "email": "rui@example.com"}
    )
    later = _event("s2", 5, customer_id="c9", channel="api", traits={"email": "other@example.com"})
    ingest([(1, sign_up)], store, tenant="shop")
    ingest([(1, later)], store, tenant="shop")
    assert customer_details(store, "c9") == {"name": "Rui", "email": "rui@example.com"}
    assert store.owner("email", "rui@example.com") == "c9"
    assert [(c.field, c.value) for c in store.claims("c9")] == [("email", "other@example.com")]


def test_a_claimed_event_never_merges_two_customers(database: Database) -> None:
    """A claimed event whose phone belongs to another profile merges nothing; an audited claim names both ids."""
    store = SqlStore(database.engine, "shop")
    _ana(store)
    ingest(
        [(1, _event("g1", anonymous_id="a1", traits={"phone": "912 345 678"}))],
        store,
        tenant="shop",
        trust="verified",
    )
    other = store.owner("phone", "+351912345678")
    assert other is not None and other.startswith("gen-")
    ingest(
        [(1, _event("v2", 5, customer_id="c1", channel="api", traits={"phone": "912345678"}))],
        store,
        tenant="shop",
    )
    assert canonical_id(store, other) == other and store.owner("phone", "+351912345678") == other
    assert [e for e in store.audit_entries() if e.action == "merge"] == []
    (entry,) = [e for e in store.audit_entries(subject="c1") if e.action == "claim" and e.related == other]
    assert (entry.subject, entry.actor) == ("c1", "api:v2")
    assert (entry.details["event_id"], entry.details["trust"], entry.details["via"]) == (
        "v2",
        "claimed",
        "phone",
    )
    assert [c.field for c in store.claims(other)] == ["merge"]
    assert "phone" not in customer_details(store, "c1")
    # The same event from an operator's import merges the generated profile, as before.
    record = _event("v3", 6, customer_id="c1", traits={"phone": "912345678"})
    ingest([(1, record)], store, tenant="shop", trust="verified")
    assert canonical_id(store, other) == "c1"
