from __future__ import annotations

from pathlib import Path

import pytest

from configurator.cli import main

UVL = """features
    Car
        mandatory
            Engine
                alternative
                    Petrol
                    Electric
        optional
            Turbo
constraints
    Turbo => Petrol
"""


def test_convert_writes_a_catalog_that_counts_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A UVL model converted to a catalog loads and has the same number of configurations."""
    model = tmp_path / "car.uvl"
    model.write_text(UVL, encoding="utf-8")
    out = tmp_path / "car.yaml"
    assert main(["convert", str(model), "-o", str(out)]) == 0
    assert main(["validate", "-q", str(out)]) == 0
    capsys.readouterr()
    assert main(["count", str(model)]) == 0
    original = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["count", str(out)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == original == "3"


def test_convert_back_to_uvl(tmp_path: Path) -> None:
    """--uvl writes the feature model back as UVL that parses to the same count."""
    model = tmp_path / "car.uvl"
    model.write_text(UVL, encoding="utf-8")
    out = tmp_path / "again.uvl"
    assert main(["convert", str(model), "--uvl", "-o", str(out)]) == 0
    assert "Turbo" in out.read_text(encoding="utf-8")


def test_convert_uvl_flag_needs_a_uvl_file(tmp_path: Path) -> None:
    """--uvl on a non-UVL model is a usage error (exit 2)."""
    model = tmp_path / "m.xml"
    model.write_text("<instance/>", encoding="utf-8")
    assert main(["convert", str(model), "--uvl", "-o", str(tmp_path / "x.uvl")]) == 2


TYPED = """features
    Bike
        optional
            Integer Inch
            Bell
constraints
    Inch > 22 => Bell
"""


def test_typed_uvl_is_refused_naming_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A construct outside UVL's Boolean core exits 2 with its line and the --lenient way on."""
    model = tmp_path / "bike.uvl"
    model.write_text(TYPED, encoding="utf-8")
    assert main(["count", str(model)]) == 2
    assert main(["convert", str(model), "-o", str(tmp_path / "bike.yaml")]) == 2
    err = capsys.readouterr().err
    assert "bike.uvl:4:13: unsupported construct: typed feature 'Integer Inch'" in err
    assert "--lenient" in err


def test_lenient_counts_and_converts_warning_of_what_it_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--lenient keeps the typed feature as Boolean, drops the arithmetic rule, and warns of both."""
    model = tmp_path / "bike.uvl"
    model.write_text(TYPED, encoding="utf-8")
    assert main(["count", "--lenient", str(model)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines()[-1] == "4"
    assert "warning: " in captured.err and "typed feature 'Integer Inch'" in captured.err
    assert "arithmetic comparison '>'" in captured.err
    out = tmp_path / "bike.yaml"
    assert main(["convert", "--lenient", str(model), "-o", str(out)]) == 0
    assert "typed feature 'Integer Inch'" in capsys.readouterr().err
    assert main(["count", str(out)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "4"
    again = tmp_path / "again.uvl"
    assert main(["convert", "--lenient", "--uvl", str(model), "-o", str(again)]) == 0
    assert "Inch" in again.read_text(encoding="utf-8")
