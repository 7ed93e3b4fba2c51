"""After an erasure, no column of any table and no byte of the SQLite files holds any of the person's identifiers.

The person is seeded everywhere the product keeps data: her own events (traits with a second email), an order,
a quote with a version, a configuration session, a queued message, a quote file, audit entries; and mentions in
another customer's records: a referral and its note, a support ticket, a review, a quote and an audit note.
The scan reflects the schema (new tables are included), casts every column to text, reads JSON both as stored
and unescaped, and compares case- and accent-insensitively; phone numbers are also compared by digits. On
SQLite the database file, its WAL and its shared-memory file are read byte by byte too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, LargeBinary, MetaData, Text, cast, select, text

from configurator.customers.consent import erase_person, export_person
from configurator.customers.events import validate_event
from configurator.customers.identity import AuditRecord
from configurator.storage import SqlStore
from configurator.storage.models import ConfigSessionRow, OutboxMessage
from pg import Database
from pg import database as database

AT = dt.datetime(2026, 4, 2, 10, tzinfo=dt.UTC)
ANA = "p-ana-7"
BOB = "o-bob-3"
NAME = "Ana Sofia Ribeiro"
EMAILS = ("ana.ribeiro@example.pt", "ana.s.r@example.com")
PHONE_TYPED, PHONE = "912 345 678", "+351912345678"
ADDRESS = "Rua das Flores 12, 1200-195 Lisboa"
IDENTIFIERS = (NAME, *EMAILS, PHONE, PHONE_TYPED, ADDRESS, ANA)
"""What is looked for: her name, each email, her phone in E.164 and as typed, her address, her customer id."""
NATIONAL = "912345678"


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _event(event_id: str, minutes: int, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "channel": "web",
        "ts": (AT + dt.timedelta(minutes=minutes)).isoformat(),
        **fields,
    }


def _seed(store: SqlStore, folder: Path) -> Path:
    """Ana everywhere, and mentioned in Bob's records; returns the quote file written for her."""
    traits = {"name": NAME, "email": EMAILS[0], "phone": PHONE_TYPED, "address": ADDRESS}
    records = [
        _event(
            "e-01", 0, type="viewed", customer_id=ANA, anonymous_id="anon-ana", traits=traits, item="oven"
        ),
        _event("e-02", 1, type="viewed", customer_id=ANA, traits={"email": EMAILS[1]}),
        _event(
            "e-03",
            2,
            type="purchased",
            customer_id=ANA,
            order_id="o-1",
            margin=100,
            lines=[{"item": "oven", "unit_price": 500, "quantity": 1}],
        ),
        _event("e-04", 3, type="feedback", customer_id=ANA, text=f"I am {NAME}, call me on {PHONE_TYPED}"),
        _event(
            "b-01", 4, type="viewed", customer_id=BOB, traits={"name": "Bob Lund", "email": "bob@lund.se"}
        ),
        _event(
            "b-02",
            5,
            type="referral",
            customer_id=BOB,
            referred_customer_id=ANA,
            traits={"company": f"Lund & Co, referred by my colleague {NAME.upper()}"},
        ),
        _event(
            "b-03",
            6,
            type="feedback",
            customer_id=BOB,
            text=f"Referral note: my colleague ána sofia ribeiro ({EMAILS[0].upper()}, +351 912-345-678)",
        ),
        _event(
            "b-04",
            7,
            type="support_ticket",
            customer_id=BOB,
            ticket_id="t-1",
            cost=12,
            topic=f"ÁNA SOFIA RIBEIRO (account {ANA.upper()}) at rua das flores 12, 1200-195 lisboa, 00351912345678",
        ),
        _event(
            "b-05", 8, type="review", customer_id=BOB, rating=5, text=f"Fitted by {NAME}'s team, {EMAILS[1]}"
        ),
    ]
    result = store.write_events([validate_event(r, tenant=store.tenant) for r in records])
    assert result.accepted == len(records)
    for quote_id, customer, note in [("Q-ANA", ANA, f"for {NAME}"), ("Q-BOB", BOB, f"deliver via {NAME}")]:
        store.add_quote(
            quote_id=quote_id,
            customer_id=customer,
            configuration={"oven": "steam", "notes": note},
            total=Decimal("500"),
            currency="EUR",
            created_at=AT,
        )
        store.insert_quote_version(
            quote_id=quote_id,
            version=2,
            customer_id=customer,
            created_at=AT,
            total=Decimal("500"),
            currency="EUR",
            locale="pt_PT",
            valid_until=None,
            payload={"customer": {"name": NAME if customer == ANA else "Bob Lund"}, "notes": note},
        )
    with store.atomic():
        store.session.add(
            ConfigSessionRow(
                session_id="s-1",
                tenant=store.tenant,
                owner="key-1",
                catalog_id="kitchen",
                catalog_version="1",
                on_date=None,
                customer_id=ANA,
                choices=[],
                revision=0,
                created_at=AT,
                used_at=AT,
                draft={},
            )
        )
        store.session.add(
            OutboxMessage(
                tenant=store.tenant,
                quote_id="Q-ANA",
                version=2,
                customer_id=ANA,
                recipient=EMAILS[0],
                subject=f"Your quote, {NAME}",
                text=f"Dear {NAME}",
                locale="pt_PT",
                filename="Q-ANA.pdf",
                attachment=f"%PDF {NAME} {ADDRESS}".encode(),
                created_at=AT,
            )
        )
    store.audit(
        AuditRecord("note", "rep-1", BOB, details={"text": f"Bob's colleague {NAME}, {NATIONAL}"}, at=AT)
    )
    quote_file = folder / f"{NAME}.html"
    quote_file.write_text(f"<p>{NAME}, {ADDRESS}</p>", encoding="utf-8")
    store.record_rendered_file(str(quote_file), "Q-ANA", ANA, AT)
    return quote_file


def _cells(engine: Engine) -> list[tuple[str, str]]:
    """``(table.column, text)`` of every non-null cell of every table (reflected), cast to text."""
    metadata = MetaData()
    metadata.reflect(engine)
    found: list[tuple[str, str]] = []
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            columns = list(table.c)
            exprs = [c if isinstance(c.type, LargeBinary) else cast(c, Text) for c in columns]
            for row in conn.execute(select(*exprs)):
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = (
                        bytes(value).decode("latin-1")
                        if isinstance(value, bytes | memoryview)
                        else str(value)
                    )
                    found.append((f"{name}.{column.name}", text))
    return found


def _variants(text: str) -> list[str]:
    """The text as stored and, when it is JSON, with its escapes undone."""
    try:
        return [text, json.dumps(json.loads(text), ensure_ascii=False)]
    except ValueError:
        return [text]


def _column_hits(engine: Engine) -> list[str]:
    """``table.column: identifier`` for every cell holding one of Ana's identifiers."""
    needles = {_fold(n) for n in IDENTIFIERS}
    hits: set[str] = set()
    for where, value in _cells(engine):
        for variant in _variants(value):
            folded = _fold(variant)
            hits.update(f"{where}: {n}" for n in needles if n in folded)
            if NATIONAL in re.sub(r"\D", "", variant):
                hits.add(f"{where}: {PHONE} (digits)")
    return sorted(hits)


def _file_hits(path: Path) -> list[str]:
    """``file: identifier`` for every identifier found in the bytes of the SQLite file, its WAL and -shm."""
    needles = {n.lower().encode() for n in IDENTIFIERS}
    needles |= {json.dumps(n, ensure_ascii=True)[1:-1].lower().encode() for n in IDENTIFIERS}
    needles |= {
        "ána sofia ribeiro".encode(),
        b"\\u00e1na sofia ribeiro",
        b"+351 912-345-678",
        NATIONAL.encode(),
    }
    hits: list[str] = []
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        data = file.read_bytes().lower() if file.exists() else b""
        hits += [f"{file.name}: {n.decode()}" for n in sorted(needles) if n in data]
    return hits


def test_nothing_of_an_erased_person_is_left_in_any_column_or_file(
    database: Database, tmp_path: Path
) -> None:
    """Erasing Ana leaves 0 hits for each identifier in every column of every table (and the SQLite bytes)."""
    store = SqlStore(database.engine, "shop")
    quote_file = _seed(store, tmp_path)
    sqlite_file = Path(database.url.removeprefix("sqlite:///")) if database.dialect == "sqlite" else None
    before = _column_hits(database.engine)
    assert {h.rsplit(": ", 1)[1] for h in before} >= {_fold(n) for n in IDENTIFIERS}  # the scan sees her
    assert any(h.startswith("events.payload") for h in before)
    if sqlite_file is not None:
        assert _file_hits(sqlite_file)
    exported = export_person(store, ANA)
    mentioned = {(m["table"], m["key"]) for m in exported["mentions"]}
    assert {("events", "b-03"), ("events", "b-04"), ("events", "b-05"), ("quotes", "Q-BOB")} <= mentioned
    assert {
        ("quote_versions", "Q-BOB/2"),
        ("audit_log", next(iter(k for t, k in mentioned if t == "audit_log"))),
    } <= mentioned
    assert [f["path"] for f in exported["quote_files"]] == [str(quote_file)]

    report = erase_person(store, ANA, actor="dpo", at=AT)

    assert report.files_removed == (str(quote_file),) and not quote_file.exists()
    assert report.rows["events_mentions"] >= 3 and report.rows["quotes_mentions"] == 1
    assert _column_hits(database.engine) == []
    if sqlite_file is not None:
        assert _file_hits(sqlite_file) == []
        assert sqlite_file.with_name(sqlite_file.name + "-wal").stat().st_size == 0  # checkpointed, truncated
    else:
        with database.engine.connect() as conn:
            vacuumed = conn.execute(
                text("SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL")
            ).scalars()
            assert {"events", "customers", "audit_log", "quotes"} <= set(vacuumed)
    bob = export_person(store, BOB)
    ticket = next(e for e in bob["events"] if e["event_id"] == "b-04")
    assert ticket["payload"]["topic"] == "[erased] (account [erased]) at [erased], [erased]"
    assert len(bob["events"]) == 5 and bob["mentions"] == []
