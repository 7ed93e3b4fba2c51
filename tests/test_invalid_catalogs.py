"""The invalid catalogs of tests/data/invalid: each has one defect and a NAME.expected file with the exact error.

Expected files hold ``str(CatalogError)`` with file names relative to the repository root, written with a
``{dir}`` placeholder for ``tests/data/invalid``; the tests run from the repository root.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from configurator import load_catalog, validate_catalog
from configurator.cli import main
from configurator.errors import CatalogError
from support import DATA, ROOT

INVALID = DATA / "invalid"
CASES = sorted(p.with_suffix(".yaml") for p in INVALID.glob("*.expected"))
RELATIVE = INVALID.relative_to(ROOT).as_posix()


def expected_text(case: Path) -> str:
    """The expected error text of a case, with the placeholder filled in."""
    return case.with_suffix(".expected").read_text(encoding="utf-8").rstrip("\n").replace("{dir}", RELATIVE)


def test_there_are_enough_cases() -> None:
    """At least 15 invalid catalogs, each with its expected file and its YAML file."""
    assert len(CASES) >= 15
    for case in CASES:
        assert case.is_file(), case
    without_expected = [p.name for p in INVALID.glob("*.yaml") if not p.with_suffix(".expected").is_file()]
    assert without_expected == [], "an invalid catalog without its .expected file is never tested"


@pytest.mark.usefixtures("in_root")
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_catalog_reports_the_exact_error(case: Path) -> None:
    """Loading the catalog raises CatalogError with exactly the expected text."""
    with pytest.raises(CatalogError) as caught:
        load_catalog(case.relative_to(ROOT))
    assert str(caught.value) == expected_text(case)


@pytest.mark.usefixtures("in_root")
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_catalog_has_exactly_one_defect(case: Path) -> None:
    """Each invalid catalog has a single error and no warnings, so its expected file pins one behaviour."""
    report = validate_catalog(case.relative_to(ROOT))
    assert not report.ok and report.catalog is None
    assert len(report.errors) == 1
    assert report.warnings == []


@pytest.mark.usefixtures("in_root")
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_cli_validate_exits_1_with_located_lines(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`configurator validate` exits 1 and every output line starts with file:line:col:."""
    code = main(["validate", str(case.relative_to(ROOT))])
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()
    assert lines
    for line in lines:
        assert re.match(r"^[\w./-]+\.yaml:\d+:\d+: ", line), line
    assert out.rstrip("\n") == expected_text(case)
