"""Tests of ``configurator campaign``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from configurator.cli import main
from support import ROOT, demo_store

pytest.importorskip("dask.distributed")


def test_campaign_runs_on_two_local_workers_and_a_rerun_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--json`` reports the offers, quotes and Parquet files; the same ``--run-id`` again runs nothing."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    demo_store(url)
    args = ["campaign", "--catalog", str(ROOT / "catalogs" / "ebike.yaml"), "--database", url]
    args += [
        "--tenant",
        "demo",
        "--workers",
        "2",
        "--partitions",
        "3",
        "--run-id",
        "cli1",
        "--quote-top",
        "2",
    ]
    assert main([*args, "--parquet", str(tmp_path / "out"), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["offers"]["total"] > 0 and first["quotes"] == 2 and first["failed"] == {}
    assert sorted(Path(p).name for p in first["parquet"]) == ["offers.parquet", "quotes.parquet"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "(0 partition tasks run, " in captured.out and "tiers kept" in captured.out
    assert "offers: " not in captured.err


def test_an_unknown_segment_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """``--segment`` takes a tier or ``none``."""
    catalog = str(ROOT / "catalogs" / "ebike.yaml")
    assert main(["campaign", "--catalog", catalog, "--segment", "gold"]) == 2
    assert "--segment" in capsys.readouterr().err
