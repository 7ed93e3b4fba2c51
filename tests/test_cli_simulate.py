"""Tests of ``configurator simulate``."""

from __future__ import annotations

import json

import pytest

from configurator.cli import main
from support import ROOT


def test_simulate_json_on_an_example_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` prints acceptance, edits, regret, baselines and oracle as lists by purchase."""
    catalog = ROOT / "catalogs" / "ebike.yaml"
    assert (
        main(["simulate", "--catalog", str(catalog), "--customers", "3", "--purchases", "2", "--json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert len(data["acceptance"]) == len(data["edits"]) == len(data["regret"]) == 2
    assert set(data["baselines"]) == {"defaults", "most_popular", "repeat_last", "majority"}
    assert data["oracle"]["regret"] == [0.0, 0.0]


def test_simulate_prints_tables(capsys: pytest.CaptureFixture[str]) -> None:
    """Without ``--json`` it prints the assumptions and the tables."""
    catalog = ROOT / "catalogs" / "laptop.yaml"
    assert main(["simulate", "--catalog", str(catalog), "--customers", "2", "--purchases", "1"]) == 0
    out = capsys.readouterr().out
    assert "Assumptions:" in out and "| learned |" in out and "| oracle |" in out


def test_simulate_takes_a_scenario_history_and_questions(capsys: pytest.CaptureFixture[str]) -> None:
    """``--scenario``, ``--history`` and ``--questions`` reach the simulation and its JSON."""
    catalog = ROOT / "catalogs" / "ebike.yaml"
    args = ["simulate", "--catalog", str(catalog), "--customers", "2", "--purchases", "1", "--json"]
    assert main([*args, "--scenario", "purchases-only", "--history", "5", "--questions", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario"] == "purchases-only" and data["history"] == 5 and data["questions"] == 1


def test_an_unknown_scenario_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown ``--scenario`` exits 2 and names the known scenarios."""
    catalog = ROOT / "catalogs" / "valve.yaml"
    assert main(["simulate", "--catalog", str(catalog), "--customers", "1", "--scenario", "weekly"]) == 2
    assert "purchases-only" in capsys.readouterr().err


def test_cross_catalog_takes_the_other_catalog_and_refuses_without_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--scenario cross-catalog --other-catalog`` reaches the JSON; without the other catalog it exits 2."""
    catalog, other = ROOT / "catalogs" / "ebike.yaml", ROOT / "catalogs" / "laptop.yaml"
    args = ["simulate", "--catalog", str(catalog), "--customers", "1", "--purchases", "2", "--history", "3"]
    assert main([*args, "--json", "--scenario", "cross-catalog", "--other-catalog", str(other)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["other_catalog"] == "laptop-pro14" and len(data["untransferred"]["edits"]) == 2
    assert main([*args, "--scenario", "cross-catalog"]) == 2
    assert "expected another catalog" in capsys.readouterr().err
