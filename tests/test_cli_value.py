"""Tests of ``configurator customers fit-clv`` and ``configurator customers tiers``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from configurator.cli import main
from configurator.customers.tiers import EVENT_COLUMNS, OBJECTION_REASON, TIER_COLUMNS
from support import bench_file

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one command."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def parse(out: str) -> dict[str, float]:
    """``name value`` lines as a mapping."""
    return {name: float(value) for name, value in (line.split() for line in out.splitlines())}


@pytest.fixture
def log(tmp_path: Path) -> pl.DataFrame:
    """A seeded event log of 60 customers: purchases, a support-heavy customer, intents, an anonymous visitor."""
    rng = np.random.default_rng(11)
    rows: list[tuple[str, str | None, float, float, float]] = []
    for c in range(60):
        first = float(rng.uniform(0, 250))
        days = [first, *rng.uniform(first, 365, rng.poisson(rng.gamma(1.0, 2.5)))]
        rows += [("purchased", f"c{c:02d}", d, round(float(rng.lognormal(3.5, 0.5)), 2), 0.0) for d in days]
        if c % 6 == 0:
            rows.append(("quote_requested", f"c{c:02d}", 360.0, 0.0, 0.0))
    rows += [("support_ticket", "c07", 300.0 + k, 0.0, 300.0) for k in range(3)]
    rows.append(("viewed", None, 100.0, 0.0, 0.0))
    return pl.DataFrame(
        {
            "tenant": "shop",
            "event_id": [f"e{i}" for i in range(len(rows))],
            "customer_id": [r[1] for r in rows],
            "type": [r[0] for r in rows],
            "channel": "web",
            "ts": [START + dt.timedelta(days=r[2]) for r in rows],
            "amount": [r[3] * 3 for r in rows],
            "margin": [r[3] for r in rows],
            "cost": [r[4] for r in rows],
            "referred_customer_id": None,
            "converted": None,
            "rating": None,
        },
        schema=dict(EVENT_COLUMNS),
    )


# --- fit-clv -----------------------------------------------------------------------------------------------


def test_fit_clv_prints_the_published_cdnow_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    """fit-clv on the CDNOW summary prints r, alpha, a, b, one `name value` line each, near the published values."""
    summary = bench_file("cdnow", "cdnow_customers_summary.csv")
    code, out, _ = run(capsys, "customers", "fit-clv", str(summary))
    assert code == 0
    params = parse(out)
    assert list(params) == ["r", "alpha", "a", "b"]
    assert params == pytest.approx({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, abs=0.01)


def test_fit_clv_adds_gamma_gamma_with_a_spend_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a monetary_value column, p, q and gamma follow r, alpha, a, b."""
    rng = np.random.default_rng(3)
    n = 3000
    age = rng.uniform(20, 40, n)
    arrivals = rng.poisson(rng.gamma(0.5, 1 / 5, n) * age)
    x = np.minimum(arrivals, rng.geometric(rng.beta(1.0, 3.0, n)))  # BG/NBD: drop out after a purchase
    recency = np.where(x > 0, age * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    spend = np.where(
        x > 0, rng.gamma(4 * np.maximum(x, 1), 1 / rng.gamma(5.0, 1 / 60, n)) / np.maximum(x, 1), 0.0
    )
    path = tmp_path / "summary.csv"
    pl.DataFrame({"frequency": x, "recency": recency, "T": age, "monetary_value": spend}).write_csv(path)
    code, out, _ = run(capsys, "customers", "fit-clv", str(path))
    assert code == 0
    params = parse(out)
    assert list(params) == ["r", "alpha", "a", "b", "p", "q", "gamma"]
    assert all(value > 0 for value in params.values())


def test_fit_clv_names_missing_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A summary without frequency/recency/T exits 2 and names what is missing."""
    path = tmp_path / "bad.csv"
    path.write_text("ID,frequency\n1,2\n", encoding="utf-8")
    code, _, err = run(capsys, "customers", "fit-clv", str(path))
    assert code == 2
    assert "missing recency, T" in err


# --- tiers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_tiers_reads_every_file_format_alike(
    suffix: str, log: pl.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Parquet, CSV and JSON lines give the same tiers, one `customer tier reason` line per customer."""
    reference = tmp_path / "events.parquet"
    log.write_parquet(reference)
    path = tmp_path / f"events{suffix}"
    if suffix == ".csv":
        log.with_columns(pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ")).write_csv(path)
    elif suffix == ".jsonl":
        log.with_columns(pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.f+00:00")).write_ndjson(path)
    code, out, err = run(capsys, "customers", "tiers", "--events", str(path))
    assert code == 0, err
    assert out == run(capsys, "customers", "tiers", "--events", str(reference))[1]
    lines = out.splitlines()
    assert len(lines) == 60
    customer, tier, reason = lines[7].split("\t")
    assert (customer, tier) == ("c07", "below_zero") and reason.startswith("cost to serve 900.0")
    assert "60 customers: mvc" in err


def test_tiers_json_carries_every_number(
    log: pl.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json prints one object per customer with every explanation column."""
    path = tmp_path / "events.parquet"
    log.write_parquet(path)
    code, out, _ = run(capsys, "customers", "tiers", "--events", str(path), "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 60 and list(rows[0]) == list(TIER_COLUMNS)
    assert {row["tier"] for row in rows} >= {"mvc", "below_zero", "standard"}


def test_tiers_as_of_objections_and_config(
    log: pl.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--as-of drops later events, --objections lists objectors with catalog defaults, --config sets thresholds."""
    path = tmp_path / "events.parquet"
    log.write_parquet(path)
    objections = tmp_path / "objections.txt"
    objections.write_text("c07\n\n", encoding="utf-8")
    config = tmp_path / "tiers.yaml"
    config.write_text("mvc_top_fraction: 0.0\nmgc_top_fraction: 0.0\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "customers", "tiers", "--events", str(path), "--objections", str(objections),
        "--config", str(config), "--as-of", "2024-06-30", "--json",
    )  # fmt: skip
    assert code == 0
    rows = {row["customer_id"]: row for row in json.loads(out)}
    assert rows["c07"]["reason"] == OBJECTION_REASON and rows["c07"]["clv"] is None
    assert {row["tier"] for row in rows.values()} <= {"standard", "below_zero"}
    everyone = json.loads(run(capsys, "customers", "tiers", "--events", str(path), "--json")[1])
    assert len(rows) < len(everyone)  # customers whose first event is after June are not there yet


def test_tiers_usage_errors(log: pl.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed --as-of exits 2 with a one-line reason."""
    path = tmp_path / "events.parquet"
    log.write_parquet(path)
    code, _, err = run(capsys, "customers", "tiers", "--events", str(path), "--as-of", "30/06/2024")
    assert code == 2
    assert "expected a date YYYY-MM-DD" in " ".join(err.split())


def test_tiers_read_the_event_log_from_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --events, tiers come from the database's event log, with profiling objections respected."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    sample = Path(__file__).resolve().parent.parent / "examples" / "data" / "events.jsonl"
    code, _, _ = run(capsys, "customers", "ingest", str(sample), "--url", url, "--tenant", "demo")
    assert code == 0
    code, out, _ = run(capsys, "customers", "tiers", "--url", url, "--tenant", "demo", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 30
    assert any(row["reason"] == OBJECTION_REASON for row in rows)


def test_tiers_rejects_files_without_the_contract_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An events file without customer_id, type or ts exits 2 and names the missing columns."""
    path = tmp_path / "events.csv"
    path.write_text("customer_id,kind\na,viewed\n", encoding="utf-8")
    code, _, err = run(capsys, "customers", "tiers", "--events", str(path))
    assert code == 2
    assert "missing columns type, ts" in " ".join(err.split())


def test_repeated_event_ids_count_once(
    log: pl.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file with every event twice (same ids) gives the same tiers, as idempotent ingestion would."""
    once, twice = tmp_path / "once.parquet", tmp_path / "twice.parquet"
    log.write_parquet(once)
    pl.concat([log, log]).write_parquet(twice)
    assert (
        run(capsys, "customers", "tiers", "--events", str(twice))[1]
        == run(capsys, "customers", "tiers", "--events", str(once))[1]
    )


def test_fit_clv_reports_a_stopped_optimiser_as_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the optimiser stops early, the parameters are still printed and stderr says so."""
    from configurator.customers.value import models

    original = models._minimize
    monkeypatch.setattr(models, "_minimize", lambda *a: (original(*a)[0], False, "stopped early"))
    path = tmp_path / "summary.csv"
    path.write_text("frequency,recency,T\n0,0,10\n2,5,12\n1,3,30\n", encoding="utf-8")
    code, out, err = run(capsys, "customers", "fit-clv", str(path))
    assert code == 0 and list(parse(out)) == ["r", "alpha", "a", "b"]
    assert "warning: BGNBDModel did not converge: stopped early" in err
