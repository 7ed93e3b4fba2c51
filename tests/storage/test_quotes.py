"""Quote versions in storage on SQLite and PostgreSQL: migration 0002, summaries, privacy, merges."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic import command

from configurator.customers.consent import erase_person, export_person
from configurator.customers.identity import merge
from configurator.errors import QuoteError
from configurator.quoting.lifecycle import accept_quote, load_quote, quote_versions, revise, save_quote
from configurator.quoting.model import EXAMPLE, Quote
from configurator.storage import SqlStore, current_revision, head_revision, upgrade
from configurator.storage.migrate import _config
from pg import Database, table_rows
from pg import database as database

AT = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
CREATED = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def _quote(quote_id: str = "Q1", customer_id: str = "c-1") -> Quote:
    return dataclasses.replace(Quote.from_data(EXAMPLE), quote_id=quote_id, customer_id=customer_id)


def _downgrade(database: Database, revision: str) -> None:
    config = _config(database.engine)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_migration_keeps_existing_quotes_as_version_one(database: Database) -> None:
    """A quote stored at revision 0001 becomes version 1 (legacy payload) and can be continued as version 2."""
    _downgrade(database, "0001")
    assert current_revision(database.engine) == "0001"
    quotes = sa.table(
        "quotes",
        *(sa.column(c) for c in ("tenant", "quote_id", "customer_id", "catalog_id", "currency", "status")),
        sa.column("configuration", sa.JSON()),
        sa.column("total", sa.Numeric(16, 4, asdecimal=False)),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    with database.engine.begin() as c:
        c.execute(
            sa.insert(quotes),
            {
                "tenant": "shop",
                "quote_id": "Q1",
                "customer_id": "c-1",
                "catalog_id": "bike-city",
                "currency": "EUR",
                "status": "sent",
                "configuration": {"frame": {"alu_m": 1}},
                "total": 485.6,
                "created_at": CREATED if database.dialect == "postgresql" else CREATED.replace(tzinfo=None),
            },
        )
    assert upgrade(database.engine) == head_revision()
    head = SqlStore(database.engine, "shop").quote_head("Q1")
    assert head is not None and (head.version, head.status, head.total) == (1, "sent", Decimal("485.6"))
    (row,) = SqlStore(database.engine, "shop").quote_version_rows("Q1")
    assert (row.version, row.customer_id, row.created_at, row.total) == (1, "c-1", CREATED, Decimal("485.6"))
    assert row.payload["legacy"] is True
    assert row.payload["configuration"] == {"frame": {"alu_m": 1}}
    assert (row.payload["total"], row.payload["status"]) == ("485.6", "sent")
    store = SqlStore(database.engine, "shop")
    (info,) = quote_versions(store, "Q1")
    assert (info.legacy, info.status) == (True, "sent")
    with pytest.raises(QuoteError, match=r"stored before quote versions.*save the full quote as version 2"):
        load_quote(store, "Q1")
    v2 = save_quote(store, dataclasses.replace(_quote(), version=2))
    assert load_quote(store, "Q1") == v2
    assert [v.status for v in quote_versions(store, "Q1")] == ["superseded", "draft"]


def test_downgrade_to_0001_keeps_the_heads(database: Database) -> None:
    """Downgrading drops the versions table and keeps each quote's head row."""
    store = SqlStore(database.engine, "shop")
    revise(store, save_quote(store, _quote()), quantity=2)
    _downgrade(database, "0001")
    rows = table_rows(database.engine)
    assert "quote_versions" not in rows and len(rows["quotes"]) == 1
    assert upgrade(database.engine) == head_revision()


def test_add_quote_stores_a_summary_as_version_one(database: Database) -> None:
    """add_quote writes the head and a legacy version 1; a second call with the same number changes nothing."""
    assert SqlStore(database.engine, "shop").add_quote(
        quote_id="q1",
        customer_id="c1",
        configuration={"frame": {"alu": 1}},
        total=Decimal("12.50"),
        currency="EUR",
        created_at=CREATED,
    )
    assert not SqlStore(database.engine, "shop").add_quote(
        quote_id="q1", customer_id="c2", configuration={}, total=None, currency="EUR"
    )
    (row,) = SqlStore(database.engine, "shop").quote_version_rows("q1")
    assert row.payload["legacy"] and row.payload["total"] == "12.50" and row.customer_id == "c1"
    (head,) = SqlStore(database.engine, "shop").quotes_for("c1")
    assert head["version"] == 1


def test_a_version_row_is_never_replaced(database: Database) -> None:
    """insert_quote_version does nothing when (quote, version) is stored: the first payload stays."""
    values = {
        "quote_id": "Q1",
        "version": 1,
        "customer_id": "c-1",
        "created_at": CREATED,
        "total": Decimal("1.00"),
        "currency": "EUR",
        "locale": "en",
        "valid_until": dt.date(2026, 12, 1),
    }
    assert SqlStore(database.engine, "shop").insert_quote_version(payload={"a": 1}, **values)  # type: ignore[arg-type]
    assert not SqlStore(database.engine, "shop").insert_quote_version(payload={"a": 2}, **values)  # type: ignore[arg-type]
    (row,) = SqlStore(database.engine, "shop").quote_version_rows("Q1")
    assert (row.payload, row.valid_until, row.locale) == ({"a": 1}, dt.date(2026, 12, 1), "en")


def test_erasure_removes_every_quote_version_and_export_includes_them(database: Database) -> None:
    """GDPR: export lists the person's quote versions; erasure deletes them with the heads and orders."""
    store = SqlStore(database.engine, "shop")
    revise(store, save_quote(store, _quote()), quantity=2)
    save_quote(store, _quote("Q-other", customer_id="c-2"))
    accept_quote(store, "Q1", 2, AT, margin=Decimal("100"))  # the purchase makes c-1 a known customer
    accept_quote(store, "Q-other", 1, AT, margin=Decimal("100"))
    exported = export_person(store, "c-1")
    assert [(v["quote_id"], v["version"]) for v in exported["quote_versions"]] == [("Q1", 1), ("Q1", 2)]
    assert exported["quote_versions"][0]["payload"]["customer_id"] == "c-1"
    report = erase_person(store, "c-1", actor="dpo", at=AT)
    assert report.rows["quote_versions"] == 2 and report.rows["quotes"] == 1
    assert SqlStore(database.engine, "shop").quote_version_rows("Q1") == []
    assert SqlStore(database.engine, "shop").quote_head("Q1") is None
    rows = table_rows(database.engine)
    assert all("c-1" not in repr(row) for name in ("quote_versions", "quotes") for row in rows[name])
    assert len(SqlStore(database.engine, "shop").quote_version_rows("Q-other")) == 1


def test_merge_moves_quote_versions_to_the_surviving_profile(database: Database) -> None:
    """After a merge the head and every version belong to the winner; new versions too."""
    store = SqlStore(database.engine, "shop")
    save_quote(store, _quote("Q1", customer_id="c-2"))
    save_quote(store, _quote("Q0", customer_id="c-1"))
    accept_quote(store, "Q0", 1, AT, margin=Decimal(1))  # both customers get a profile
    accept_quote(store, "Q1", 1, AT, margin=Decimal(1), order_id="O-2")
    save_quote(store, _quote("Q2", customer_id="c-2"))
    merge(store, "c-1", "c-2", actor="rep", reason="same person")
    revise(store, load_quote(store, "Q2"), quantity=4)
    assert {
        r.customer_id for q in ("Q1", "Q2") for r in SqlStore(database.engine, "shop").quote_version_rows(q)
    } == {"c-1"}
    assert {h["quote_id"] for h in SqlStore(database.engine, "shop").quotes_for("c-1")} == {"Q0", "Q1", "Q2"}
