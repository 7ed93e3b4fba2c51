"""The demand report: a self-contained HTML page with one SVG per chart, and the `configurator analytics` command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from configurator.assembly.analytics import DemandReport, demand_report
from configurator.catalog.loader import load_catalog
from configurator.cli import main
from configurator.storage import SqlStore
from support import ROOT, demo_store

pytest.importorskip("matplotlib")

from configurator.quoting.demand_report import charts, render_html

KITCHEN = ROOT / "catalogs" / "kitchen.yaml"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file with the demo events and their tier snapshot."""
    url = f"sqlite:///{tmp_path_factory.mktemp('analytics') / 'demo.db'}"
    demo_store(url).refresh_tiers()
    return url


@pytest.fixture(scope="module")
def report(database: str) -> DemandReport:
    """The kitchen catalog's report on the demo events."""
    from configurator.storage import make_engine

    return demand_report(SqlStore(make_engine(database), "demo"), load_catalog(KITCHEN))


def test_html_is_self_contained_with_one_svg_per_chart(report: DemandReport) -> None:
    """The page names no external resource and inlines one <svg> per chart that has data."""
    page = render_html(report)
    drawn = charts(report)
    assert [c.title for c in drawn] == [
        "Demand per module",
        "Demand per option, by value tier",
        "Demand per option, by channel",
        "Options demanded but ruled out (rule)",
        "Conflicts customers hit most",
    ]
    assert page.count("<svg") == len(drawn) == page.count("</svg>")
    assert not re.search(r"https?://", page)
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert "worktop-length" in page and "Options never chosen" in page


def test_html_escapes_what_the_events_say(report: DemandReport) -> None:
    """Text from the events and the catalog is escaped in the page (autoescape)."""
    import dataclasses

    tricky = dataclasses.replace(report, tenant="<b>shop</b>")
    page = render_html(tricky)
    assert "&lt;b&gt;shop&lt;/b&gt;" in page and "<b>shop</b>" not in page


def test_cli_prints_tables_and_writes_the_html(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`configurator analytics` prints the tables and writes the report where --html says."""
    target = tmp_path / "report.html"
    args = ["analytics", str(KITCHEN), "--database", database, "--tenant", "demo", "--html", str(target)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Options demanded but ruled out" in out and "worktop-length" in out
    assert "Options never chosen" in out and f"wrote {target}" in out
    assert target.read_text(encoding="utf-8").count("<svg") == 5


def test_cli_json(database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one object with the tables as lists of rows and the report's path."""
    target = tmp_path / "report.html"
    args = [
        "analytics",
        str(KITCHEN),
        "--database",
        database,
        "--tenant",
        "demo",
        "--json",
        "--html",
        str(target),
    ]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["catalog"] == "kitchen-modular" and data["html"] == str(target)
    assert {"option", "rule_id", "kind", "message", "times", "customers"} == set(data["ruled_out"][0])
    assert {"module", "option", "tier", "demand"} == set(data["by_tier"][0])
    assert "worktop.steel" in data["never_chosen"]


def test_cli_default_report_path(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --html the report goes to out/analytics-<catalog>.html; --since must be a date."""
    monkeypatch.chdir(tmp_path)
    assert (
        main(["analytics", str(KITCHEN), "--database", database, "--tenant", "demo", "--since", "2030-01-01"])
        == 0
    )
    assert "0 events" in capsys.readouterr().out
    assert (tmp_path / "out" / "analytics-kitchen-modular.html").is_file()
    assert main(["analytics", str(KITCHEN), "--database", database, "--since", "soon"]) == 2
