"""The ``configurator customers`` and ``configurator db`` commands (on a SQLite file)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import polars as pl
import pytest

from configurator.cli import main
from configurator.storage import head_revision
from configurator.storage.frames import EVENTS_SCHEMA
from support import ROOT, SECRET

SAMPLE = ROOT / "examples" / "data" / "events.jsonl"


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A SQLite file URL in the test's folder (created by the first command)."""
    return f"sqlite:///{tmp_path / 'shop.db'}"


@pytest.fixture
def ingested(url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The URL of a database holding the example events (tenant demo)."""
    assert main(["customers", "ingest", str(SAMPLE), "--url", url, "--tenant", "demo"]) == 0
    capsys.readouterr()
    return url


def test_db_upgrade_and_current(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`db upgrade` migrates to head; `db current` prints the revision."""
    assert main(["db", "current", "--url", url]) == 0
    assert "at revision none" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", url]) == 0
    assert f"at revision {head_revision()}" in capsys.readouterr().out
    assert main(["db", "current", "--url", url]) == 0
    assert f"at revision {head_revision()} (head {head_revision()})" in capsys.readouterr().out


def test_db_upgrade_uses_the_environment_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --url the database comes from CONFIGURATOR_DATABASE_URL."""
    monkeypatch.setenv("CONFIGURATOR_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert main(["db", "upgrade"]) == 0
    assert "env.db" in capsys.readouterr().out and (tmp_path / "env.db").exists()


def test_ingest_prints_a_summary_with_reasons(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Ingest prints each rejection (line, field, reason) and a summary; a replay only finds duplicates."""
    assert main(["customers", "ingest", str(SAMPLE), "--url", url, "--tenant", "demo"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum("rejected line" in line for line in out) == 6
    assert any("(event ev-bad-2): rating: Input should be less than or equal to 5" in line for line in out)
    assert "read 909, accepted 897, duplicates 6, rejected 6, suppressed 0" in out[-1]
    assert main(["customers", "ingest", str(SAMPLE), "--url", url, "--tenant", "demo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["accepted"], report["duplicates"], len(report["rejected"])) == (0, 903, 6)
    assert report["rejected"][0].keys() == {"line", "event_id", "field", "reason"}


def test_ingest_strict_fails_on_rejections(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--strict exits 1 when any event was rejected (the valid ones are still stored)."""
    assert main(["customers", "ingest", str(SAMPLE), "--url", url, "--strict"]) == 1
    assert "accepted 897" in capsys.readouterr().out


def test_ingest_refuses_other_files(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that is neither .jsonl nor .csv is an error (exit 2, one line)."""
    path = tmp_path / "events.txt"
    path.write_text("{}\n", encoding="utf-8")
    assert main(["customers", "ingest", str(path), "--url", url]) == 2
    assert "expected a .jsonl or .csv file" in capsys.readouterr().err


def test_ingest_is_an_operators_verified_import(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file ingested by the CLI updates contact data (latest wins) and merges as before: no claims."""
    events = [
        {
            "event_id": "g1",
            "type": "viewed",
            "anonymous_id": "a1",
            "channel": "web",
            "ts": "2026-05-01T10:00:00Z",
            "traits": {"phone": "912 345 678"},
        },
        {
            "event_id": "v1",
            "type": "viewed",
            "customer_id": "c1",
            "channel": "api",
            "ts": "2026-05-01T10:01:00Z",
            "traits": {"email": "ana@example.com", "phone": "+351912345678"},
        },
        {
            "event_id": "v2",
            "type": "viewed",
            "customer_id": "c1",
            "channel": "api",
            "ts": "2026-05-01T10:02:00Z",
            "traits": {"email": "ana@bikes.pt"},
        },
    ]
    path = tmp_path / "import.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    assert main(["customers", "ingest", str(path), "--url", url, "--tenant", "shop"]) == 0
    capsys.readouterr()
    assert main(["customers", "export", "c1", "--url", url, "--tenant", "shop"]) == 0
    exported = json.loads(capsys.readouterr().out)
    (profile, merged) = sorted(exported["profiles"], key=lambda p: p["customer_id"])
    assert (profile["email"], profile["phone"]) == ("ana@bikes.pt", "+351912345678")
    assert merged["merged_into"] == "c1" and exported["claims"] == []


def test_export_prints_json(ingested: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The export command prints everything held on the person as JSON, or writes it to a file."""
    assert main(["customers", "export", "c-1017", "--url", ingested, "--tenant", "demo"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["customer_id"] == "c-1017" and data["consent_now"]["profiling"] is False
    assert data["profiles"][0]["email"] == "raquel.torres@example.es"
    out = tmp_path / "export.json"
    assert main(["customers", "export", "c-1017", "--url", ingested, "--tenant", "demo", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["customer_id"] == "c-1017"


def test_unknown_customers_are_one_line_errors(ingested: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown id is an error message and exit code 2, not a traceback."""
    assert main(["customers", "export", "c-0", "--url", ingested, "--tenant", "demo"]) == 2
    assert capsys.readouterr().err.strip() == "error: unknown customer 'c-0' in tenant 'demo'"


def test_erase_then_events_are_suppressed(
    ingested: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Erase with --yes removes the person; re-ingesting their events counts them as suppressed."""
    monkeypatch.setenv("CONFIGURATOR_SECRET_KEY", SECRET)
    assert main(["customers", "erase", "c-1027", "--url", ingested, "--tenant", "demo", "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("erased c-1027 as erased:") and "identifiers suppressed" in out
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if '"c-1027"' in line]
    again = tmp_path / "again.jsonl"
    again.write_text("\n".join(line.replace('"ev-', '"ev2-') for line in lines) + "\n", encoding="utf-8")
    assert main(["customers", "ingest", str(again), "--url", ingested, "--tenant", "demo"]) == 0
    assert f"accepted 0, duplicates 0, rejected 0, suppressed {len(lines)}" in capsys.readouterr().out


def test_erase_asks_for_confirmation(
    ingested: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --yes, erase asks; answering no erases nothing."""
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert main(["customers", "erase", "c-1027", "--url", ingested, "--tenant", "demo"]) == 1
    assert main(["customers", "export", "c-1027", "--url", ingested, "--tenant", "demo"]) == 0


def test_duplicates_then_merge(ingested: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The duplicates command suggests the fuzzy pair; merge (a person's decision) joins them, and they are gone."""
    assert main(["customers", "duplicates", "--url", ingested, "--tenant", "demo"]) == 0
    out = capsys.readouterr().out
    assert "c-1012" in out and "c-1033" in out
    args = [
        "customers",
        "merge",
        "c-1012",
        "c-1033",
        "--reason",
        "same person",
        "--url",
        ingested,
        "--tenant",
        "demo",
    ]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("merged c-1033 into c-1012")
    assert main(["customers", "duplicates", "--url", ingested, "--tenant", "demo"]) == 0
    assert "no candidate duplicates" in capsys.readouterr().out
    assert main(args) == 2
    assert "already the same customer" in capsys.readouterr().err


def test_consent_and_identify(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The identify command creates and finds customers; consent --deny profiling records an objection."""
    assert (
        main(["customers", "identify", "--customer-id", "c1", "--email", "Ana@Example.com", "--url", url])
        == 0
    )
    assert capsys.readouterr().out.strip() == "customer c1 (new)"
    assert main(["customers", "identify", "--email", "ana@example.com", "--url", url]) == 0
    assert capsys.readouterr().out.strip() == "customer c1"
    assert main(["customers", "identify", "--phone", "12", "--url", url]) == 2
    assert "phone: not a valid phone number" in capsys.readouterr().err
    assert main(["customers", "consent", "c1", "profiling", "--deny", "--url", url]) == 0
    assert capsys.readouterr().out.strip() == "c1: profiling denied"
    assert main(["customers", "export", "c1", "--url", url]) == 0
    assert json.loads(capsys.readouterr().out)["consent_now"] == {"profiling": False, "marketing": False}
    assert main(["customers", "consent", "c1", "gossip", "--grant", "--url", url]) == 2


def test_frame_writes_the_events_and_consents_frames(
    ingested: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The frame command writes the events frame (and the consents frame) for the value and tier commands."""
    events, consents = tmp_path / "events.parquet", tmp_path / "consents.csv"
    args = [
        "customers",
        "frame",
        str(events),
        "--consents",
        str(consents),
        "--url",
        ingested,
        "--tenant",
        "demo",
    ]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith(f"wrote {events} (")
    frame = pl.read_parquet(events)
    assert frame.schema == pl.Schema(EVENTS_SCHEMA) and frame.height == 881
    assert pl.read_csv(consents).filter(pl.col("customer_id") == "c-1017")["profiling"].to_list() == [False]
    assert main(["customers", "frame", str(tmp_path / "events.xlsx"), "--url", ingested]) == 2


def test_search_prints_ids_best_first_with_the_matched_identity(
    ingested: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`customers search` finds Inês Carvalho from a misspelt name, her email and her phone in another format."""
    base = ["--url", ingested, "--tenant", "demo"]
    assert main(["customers", "search", "Ines Carvalo", *base]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("c-1004  name: Inês Carvalho  (")
    assert main(["customers", "search", "INES.CARVALHO@example.pt", *base]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "c-1004  email: ines.carvalho@example.pt  (100.0)  Inês Carvalho"
    )
    assert main(["customers", "search", "00351 913 456 789", *base]) == 0
    assert capsys.readouterr().out.startswith("c-1004  phone: +351913456789  (100.0)")
    assert main(["customers", "search", "zzzz qqqq", *base]) == 0
    assert "no customer matches" in capsys.readouterr().out


def test_search_json_and_limit(ingested: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`--json` prints the hits as data; `--limit` caps them; a blank query or a bad limit is refused."""
    base = ["--url", ingested, "--tenant", "demo"]
    assert main(["customers", "search", "c-10", "--limit", "2", "--json", *base]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 2 and hits[0]["matched"]["kind"] == "customer_id"
    assert set(hits[0]) == {"customer_id", "display_name", "matched", "score"}
    assert main(["customers", "search", "  ", *base]) == 2
    assert "empty" in capsys.readouterr().err
    assert main(["customers", "search", "ines", "--limit", "51", *base]) != 0


def test_purge_counts_with_dry_run_then_purges(ingested: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Purge with --before and --dry-run counts; the real run deletes or anonymises the same events; JSON on --json."""
    args = ["customers", "purge", "--before", "2031-01-01", "--url", ingested, "--tenant", "demo", "--json"]
    assert main([*args, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] is True and (dry["deleted"] or dry["anonymised"])
    assert main(args) == 0
    done = json.loads(capsys.readouterr().out)
    assert (done["deleted"], done["anonymised"]) == (dry["deleted"], dry["anonymised"])
    assert main([*args, "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["deleted"] == {}


def test_purge_needs_a_date_or_a_retention_setting(
    ingested: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --before and without CONFIGURATOR_RETENTION it says what to give; a bad setting names the pair."""
    monkeypatch.delenv("CONFIGURATOR_RETENTION", raising=False)
    assert main(["customers", "purge", "--url", ingested, "--tenant", "demo"]) == 2
    assert "CONFIGURATOR_RETENTION" in capsys.readouterr().err
    monkeypatch.setenv("CONFIGURATOR_RETENTION", "viewed=0")
    assert main(["customers", "purge", "--url", ingested, "--tenant", "demo"]) == 2
    assert "viewed: expected days from 1 to 36500, got '0'" in capsys.readouterr().err
    monkeypatch.setenv("CONFIGURATOR_RETENTION", "viewed=30")
    assert main(["customers", "purge", "--url", ingested, "--tenant", "demo"]) == 0
    assert capsys.readouterr().out.startswith("deleted: ")


def test_quote_files_are_tracked_exported_and_removed_by_erase(
    ingested: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`quote -o` records the file; export lists it; erase removes it, and lists one it cannot remove (exit 1)."""
    from configurator.storage import SqlStore, make_engine

    monkeypatch.setenv("CONFIGURATOR_SECRET_KEY", SECRET)
    out = tmp_path / "quotes" / "c-1004.html"
    kitchen = str(ROOT / "catalogs" / "kitchen.yaml")
    args = ["--database", ingested, "--tenant", "demo"]
    assert main(["quote", kitchen, "--customer", "c-1004", "-o", str(out), "--quote-id", "Q-E1", *args]) == 0
    assert out.exists()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    engine = make_engine(ingested)
    try:
        stuck = str(blocker / "q.html")  # a path that cannot be removed (its folder is a file)
        SqlStore(engine, "demo").record_rendered_file(stuck, "Q-E2", "c-1004", dt.datetime.now(dt.UTC))
    finally:
        engine.dispose()
    capsys.readouterr()
    assert main(["customers", "export", "c-1004", "--url", ingested, "--tenant", "demo"]) == 0
    files = json.loads(capsys.readouterr().out)["quote_files"]
    assert [(f["path"], f["quote_id"]) for f in files] == sorted(
        [(str(out.resolve()), "Q-E1"), (stuck, "Q-E2")]
    )
    assert main(["customers", "erase", "c-1004", "--url", ingested, "--tenant", "demo", "--yes"]) == 1
    printed = capsys.readouterr()
    assert f"removed quote file {out.resolve()}" in printed.out and not out.exists()
    assert f"could not remove quote file {stuck}: remove it by hand" in printed.err
