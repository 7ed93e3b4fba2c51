"""Requests read the tier snapshot and never refit: the API's customer summary and bundles, and the CLI refresh."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from configurator.api import make_app
from configurator.assembly.context import NO_TIER_REASON
from configurator.cli import main
from configurator.customers.tiers import TIERS, TierAssigner
from configurator.storage import SqlStore, make_engine
from support import ROOT, api_key, api_settings, auth, demo_store

SAMPLE = ROOT / "examples" / "data" / "events.jsonl"


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    """A SQLite file holding the demo event log (tenant ``demo``), no tier snapshot yet."""
    found = f"sqlite:///{tmp_path / 'configurator.db'}"
    demo_store(found).engine.dispose()
    yield found


def _no_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    def fit(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a request fitted the tiers")

    monkeypatch.setattr(TierAssigner, "fit", fit)


def test_requests_read_the_snapshot_and_never_fit(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before a refresh every customer is standard with the reason; after it, the stored tier and its time."""
    app = make_app(api_settings(url), ROOT / "catalogs")
    with TestClient(app, headers=auth(api_key(app))) as client:
        _no_fit(monkeypatch)
        before = client.get("/customers/c-1001").json()
        assert (before["tier"], before["tier_reason"], before["tier_computed_at"]) == (
            "standard",
            NO_TIER_REASON,
            None,
        )
        monkeypatch.undo()
        engine = make_engine(url)
        summary = SqlStore(engine, "demo").refresh_tiers()
        stored = SqlStore(engine, "demo").stored_tier("c-1001")
        engine.dispose()
        assert stored is not None and stored.tier == "mvc"
        _no_fit(monkeypatch)
        after = client.get("/customers/c-1001").json()
        assert (after["tier"], after["tier_reason"]) == (stored.tier, stored.reason)
        assert after["tier_computed_at"].replace("Z", "+00:00") == summary.computed_at.isoformat()
        bundles = client.post("/customers/c-1001/bundles", json={"catalog": "kitchen-modular", "k": 1})
        assert bundles.status_code == 200, bundles.text
        assert bundles.json()["tier"] == "mvc"


def test_cli_refresh_stores_the_snapshot_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``customers tiers --refresh`` stores the snapshot; without it nothing is stored; --events is refused."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["customers", "ingest", str(SAMPLE), "--url", url, "--tenant", "demo"]) == 0
    assert main(["customers", "tiers", "--url", url, "--tenant", "demo"]) == 0
    engine = make_engine(url)
    assert SqlStore(engine, "demo").tiers_computed_at() is None  # the analysis stores nothing
    capsys.readouterr()
    assert main(["customers", "tiers", "--refresh", "--url", url, "--tenant", "demo"]) == 0
    out = capsys.readouterr().out
    counts = SqlStore(engine, "demo").tier_counts()
    assert out.startswith(f"tier snapshot of tenant demo refreshed: {sum(counts.values())} customers (")
    assert ", ".join(f"{t} {counts[t]}" for t in TIERS) in out and counts["mvc"] > 0
    assert main(["customers", "tiers", "--refresh", "--json", "--url", url, "--tenant", "demo"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["customers"] == counts and data["tenant"] == "demo"
    assert SqlStore(engine, "demo").tiers_computed_at() is not None
    engine.dispose()
    events = tmp_path / "events.jsonl"
    events.write_text("", encoding="utf-8")
    assert main(["customers", "tiers", "--refresh", "--events", str(events), "--url", url]) == 2
    assert "--events" in capsys.readouterr().err
