"""A customer's request reads by the customer's own keys: no query walks the whole tenant (SQLite query plans)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from configurator.api import make_app
from configurator.customers.events import validate_event
from configurator.storage import SqlStore, make_engine, upgrade
from support import api_key, api_settings, auth


def _plans(path: Path, statements: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """(statement, plan step) for every SELECT, as SQLite's EXPLAIN QUERY PLAN gives it."""
    db = sqlite3.connect(path)
    steps = []
    for statement, params in statements:
        if statement.lstrip().upper().startswith("SELECT"):
            for row in db.execute("EXPLAIN QUERY PLAN " + statement, tuple(params)).fetchall():
                steps.append((" ".join(statement.split())[:160], str(row[-1])))
    db.close()
    return steps


def test_customer_summary_reads_only_the_customers_rows(tmp_path: Path) -> None:
    """GET /customers/{id} searches every table by the customer's key, never by the tenant alone or by a scan."""
    path = tmp_path / "shop.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    store = SqlStore(engine, "shop")
    rows = [
        {"event_id": f"e{i}", "type": "viewed", "channel": "web", "ts": f"2026-01-01T00:{i % 60:02}:00Z"}
        | {"customer_id": f"c{i % 40}"}
        for i in range(400)
    ]
    store.write_events([validate_event(row, tenant="shop") for row in rows])
    store.refresh_tiers()
    app = make_app(api_settings(url), catalogs=[])
    client = TestClient(app, headers=auth(api_key(app, "shop")))
    assert client.get("/customers/c1").status_code == 200  # opens the app's engine
    statements: list[tuple[str, Any]] = []
    served = app.state.service.engine()

    @event.listens_for(served, "before_cursor_execute")
    def capture(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        statements.append((statement, params))

    response = client.get("/customers/c7")
    assert response.status_code == 200 and response.json()["events"] == 10
    steps = _plans(path, statements)
    assert len(steps) >= 8
    tenant_wide = [
        (sql, step) for sql, step in steps if step.startswith("SCAN") or step.endswith("(tenant=?)")
    ]
    assert tenant_wide == []
