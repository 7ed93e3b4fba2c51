"""Tests of ``configurator needs evaluate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from configurator.cli import main
from support import bench_file

XCSP = """<instance><presentation format="XCSP 2.1" name="t"/>
<domains nbDomains="2"><domain name="D" nbValues="2">0 1</domain><domain name="E" nbValues="3">0..2</domain>
</domains><variables nbVariables="3"><variable name="a" domain="D"/><variable name="b" domain="D"/>
<variable name="c" domain="E"/></variables>
<relations nbRelations="1"><relation name="r" arity="2" nbTuples="2" semantics="supports">0 0|1 1</relation>
</relations><constraints nbConstraints="1"><constraint name="k" arity="2" scope="a b" reference="r"/>
</constraints></instance>"""


@pytest.fixture()
def model(tmp_path: Path) -> tuple[Path, Path]:
    """A three-variable model (a == b) and a sales file with defective rows."""
    xml = tmp_path / "m.xml"
    xml.write_text(XCSP)
    sales = tmp_path / "s.csv"
    rows = [f"{a},{a},{c}" for a in (0, 1) for c in (0, 1, 2)] * 4 + ["0,1,0", "7,0,0", "-1,1,2"]
    sales.write_text("a,b,c\n" + "\n".join(rows) + "\n")
    return xml, sales


def test_evaluate_prints_precision_last(model: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """The report counts dirty rows and ends with the average precision as a percentage."""
    xml, sales = model
    assert (
        main(["needs", "evaluate", "--constraints", str(xml), "--sales", str(sales), "--folds", "3", "-q"])
        == 0
    )
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].endswith("%") and 0 <= float(out[-1][:-1]) <= 100
    text = "\n".join(out)
    assert "outside the domains: 1" in text and "violating a constraint: 1" in text
    assert "joker -1 on a variable without it, read as not recorded: 1 cells in 1 rows" in text
    assert "| bayes_net |" in text and "| naive_bayes |" in text and "| most_frequent |" in text


def test_evaluate_json(model: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` prints the numbers; the last line is still the percentage."""
    xml, sales = model
    args = [
        "needs",
        "evaluate",
        "--constraints",
        str(xml),
        "--sales",
        str(sales),
        "--folds",
        "2",
        "--json",
        "-q",
    ]
    assert main([*args, "--no-baselines", "--model", "most_frequent"]) == 0
    out = capsys.readouterr().out.strip()
    body, last = out.rsplit("\n", 1)
    data = json.loads(body)
    assert (
        list(data["models"]) == ["most_frequent"]
        and f"{100 * data['models']['most_frequent']['precision']:.2f}%" == last
    )


def test_unknown_model_is_an_error(model: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt model is a message and exit code 2."""
    xml, sales = model
    assert (
        main(["needs", "evaluate", "--constraints", str(xml), "--sales", str(sales), "--model", "bayes"]) == 2
    )
    assert "unknown needs model 'bayes'" in capsys.readouterr().err


def test_evaluate_on_renault_small(capsys: pytest.CaptureFixture[str]) -> None:
    """The real small model and its sales run end to end on a sample."""
    base = bench_file("renault-gimenez-phd", "renault_small")
    args = [
        "needs",
        "evaluate",
        "--constraints",
        str(base / "contraintes.xml"),
        "--sales",
        str(base / "set0_exemples.csv"),
    ]
    assert main([*args, "--limit", "10", "-q"]) == 0
    out = capsys.readouterr().out
    assert "sales rows: 2709" in out and "10 test sales" in out
