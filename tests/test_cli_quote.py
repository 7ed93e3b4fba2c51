"""``configurator quote``: a stored customer's quote written as HTML or PDF, and clear refusals."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from configurator.cli import main
from configurator.quoting.i18n import Translator
from configurator.quoting.lifecycle import load_quote
from configurator.storage import SqlStore, make_engine
from support import demo_store, transfer_shop, transfer_shop_files

ROOT = Path(__file__).resolve().parent.parent
EBIKE = str(ROOT / "catalogs" / "ebike.yaml")
KITCHEN = str(ROOT / "catalogs" / "kitchen.yaml")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file holding the demo event log (tenant ``demo``)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('quote') / 'demo.db'}"
    demo_store(url).engine.dispose()
    return url


def _quote(database: str, *args: str) -> int:
    return main(["quote", *args, "--database", database, "--tenant", "demo"])


def _total(database: str, quote_id: str) -> str:
    """The saved quote's total as the customer reads it (Babel, their locale), spaces normalised."""
    engine = make_engine(database)
    try:
        quote = load_quote(SqlStore(engine, "demo"), quote_id)
    finally:
        engine.dispose()
    return _spaces(Translator(quote.locale).money(quote.total, quote.currency))


def _spaces(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_quote_writes_html_in_the_customers_language(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The HTML quote is in the profile's language, with the total in their locale and a one-line summary."""
    out = tmp_path / "q.html"
    assert (
        _quote(database, KITCHEN, "--customer", "c-1022", "-o", str(out), "--quote-id", "Q-H1", "--save") == 0
    )
    summary = capsys.readouterr().out.strip()
    assert summary.startswith("Q-H1: c-1022 (") and "sv_SE" in summary and summary.endswith(f"-> {out}")
    html = out.read_text(encoding="utf-8")
    assert 'lang="sv-SE"' in html and "Gustav Lund" in html
    total = _total(database, "Q-H1")
    assert total in _spaces(html) and total in _spaces(summary)


def test_quote_writes_a_pdf_with_the_total_in_the_locale(database: str, tmp_path: Path) -> None:
    """The PDF (format from the suffix) holds the customer's total formatted for pt_PT, read back by pdftotext."""
    out = tmp_path / "q.pdf"
    assert _quote(database, EBIKE, "-c", "c-1004", "-o", str(out), "--quote-id", "Q-P1", "--save") == 0
    assert out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: cannot read the PDF back")
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    assert _total(database, "Q-P1") in _spaces(text) and "PROPOSTA" in text.upper()


def test_quote_refuses_an_unknown_customer(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown customer exits 2 with the nearest known id and writes nothing."""
    out = tmp_path / "q.html"
    assert _quote(database, EBIKE, "--customer", "c-10044", "-o", str(out)) == 2
    assert "unknown customer 'c-10044'" in capsys.readouterr().err and not out.exists()


def test_quote_prints_the_repair_when_no_bundle_fits(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A budget no bundle meets exits 1 with the proposed repair; --accept-repair quotes the repaired bundle."""
    out = tmp_path / "q.md"
    assert _quote(database, EBIKE, "-c", "c-1004", "-o", str(out), "--budget", "100") == 1
    err = capsys.readouterr().err
    assert "proposed repair: raise the budget to" in err and not out.exists()
    assert _quote(database, EBIKE, "-c", "c-1004", "-o", str(out), "--budget", "100", "--accept-repair") == 0
    assert out.read_text(encoding="utf-8").startswith("#")
    assert _quote(database, EBIKE, "-c", "c-1004", "-o", str(out), "--format", "docx") == 2


def test_quote_reads_what_the_customer_bought_from_the_shops_other_catalogs(tmp_path: Path) -> None:
    """Ann bought the lightest frame: with the bike beside it, her laptop quote has the lightest chassis."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    transfer_shop(url=url)[0].engine.dispose()
    shop = tmp_path / "shop"
    _, laptop = transfer_shop_files(shop)
    alone = tmp_path / "alone"
    alone.mkdir()
    chassis = {}
    for name, folder in (("shop", shop), ("alone", alone)):
        args = ["quote", str(laptop), "-c", "ann", "-o", str(tmp_path / f"{name}.txt"), "--country", "PT"]
        args += [
            "--catalogs-dir",
            str(folder),
            "--database",
            url,
            "--tenant",
            "shop",
            "--quote-id",
            name,
            "--save",
        ]
        assert main(args) == 0
        engine = make_engine(url)
        chassis[name] = load_quote(SqlStore(engine, "shop"), name).configuration.selections["chassis"]
        engine.dispose()
    assert chassis["shop"] == {"light": 1} and chassis["alone"] != {"light": 1}


def test_quote_refuses_a_catalogs_dir_that_is_not_a_folder(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --catalogs-dir that is not a folder is bad usage (exit 2), named in the message."""
    missing = tmp_path / "nowhere"
    code = _quote(
        database,
        EBIKE,
        "--customer",
        "c-1022",
        "-o",
        str(tmp_path / "q.html"),
        "--catalogs-dir",
        str(missing),
    )
    assert code == 2
    assert "--catalogs-dir" in capsys.readouterr().err
