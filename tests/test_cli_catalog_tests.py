"""``configurator test CATALOG``: the product team's own catalog tests, with exit codes and reports for CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from configurator.cli import main
from support import ROOT

EBIKE = ROOT / "catalogs" / "ebike.yaml"
CITY = """
    frame: alu_diamond
    size: m
    motor: bosch_active_plus
    battery: compacttube_400
    drivetrain: cues_u6000_10
    brakes: tektro_md_c550
    wheels: energizer_plus_tour_28
    display: bosch_led_remote
    paint: sage_green"""


def _tests(tmp_path: Path, body: str) -> Path:
    """A test file for the ebike catalog holding ``body`` under ``tests:``."""
    path = tmp_path / "ebike.tests.yaml"
    path.write_text(f"on: 2026-11-23\ntests:\n{body}", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["ebike", "laptop", "kitchen", "valve"])
def test_shipped_catalog_tests_pass(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The side files of the shipped catalogs are found next to them and every test passes (exit 0)."""
    assert main(["test", str(ROOT / "catalogs" / f"{name}.yaml")]) == 0
    assert "0 failed" in capsys.readouterr().out


def test_json_report_lists_every_test(capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` prints each test with its kind, expected and got, and the totals."""
    assert main(["test", str(EBIKE), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["failed"] == 0
    assert {t["kind"] for t in report["tests"]} == {"valid", "invalid", "count", "price"}


def test_failed_valid_test_names_the_rule_that_fired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A configuration stated valid that breaks a rule fails (exit 1) and names the rule."""
    path = _tests(
        tmp_path, f"- name: shimano city\n  valid:{CITY.replace('bosch_active_plus', 'shimano_ep801')}\n"
    )
    assert main(["test", str(EBIKE), "--tests", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL shimano city" in out
    assert "expected valid, got invalid by rule bosch-battery" in out


def test_invalid_test_fails_when_another_rule_fires(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid configuration refused by a different rule than stated fails with both rules."""
    body = f"- name: speed\n  rule: carbon-no-hub\n  invalid:{CITY.replace('bosch_active_plus', 'bosch_speed')}\n"
    assert main(["test", str(EBIKE), "--tests", str(_tests(tmp_path, body))]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "expected invalid by rule carbon-no-hub, got invalid by rule" in out
    assert "speed-mirror" in out


def test_invalid_test_fails_on_a_valid_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A configuration stated invalid that the checker accepts fails: expected invalid, got valid."""
    path = _tests(tmp_path, f"- name: city\n  invalid:{CITY}\n")
    assert main(["test", str(EBIKE), "--tests", str(path)]) == 1
    assert "expected invalid, got valid" in capsys.readouterr().out


def test_wrong_count_and_price_fail_with_what_they_got(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong count and a wrong list price fail, each showing the product's number."""
    body = (
        "- name: carbon bikes\n  count: 5\n  given: [frame.carbon_diamond]\n"
        f"- name: city price\n  list: 1.00\n  price:{CITY}\n"
    )
    assert main(["test", str(EBIKE), "--tests", str(_tests(tmp_path, body))]) == 1
    out = capsys.readouterr().out
    assert "FAIL carbon bikes" in out
    assert "expected 5, got" in out
    assert "expected list 1.00, got list 3245.00" in out
    assert "0 passed, 2 failed" in out


def test_bad_test_file_names_file_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed test file is a usage error (exit 2) whose message names file:line:col and the fix."""
    path = _tests(tmp_path, "- name: odd\n  count: many\n")
    assert main(["test", str(EBIKE), "--tests", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4:" in err
    assert "expected a whole number of configurations, got 'many'" in err


def test_test_without_a_kind_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A test with none of valid, invalid, count, price is refused with the kinds to use."""
    assert main(["test", str(EBIKE), "--tests", str(_tests(tmp_path, "- name: nothing\n"))]) == 2
    assert "expected exactly one of valid, invalid, count, price" in capsys.readouterr().err


def test_junit_report_records_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--junit FILE`` writes JUnit XML with one testcase per test and the failure's expected and got."""
    path = _tests(tmp_path, f"- name: city\n  valid:{CITY}\n- name: wrong\n  invalid:{CITY}\n")
    report = tmp_path / "junit.xml"
    assert main(["test", str(EBIKE), "--tests", str(path), "--junit", str(report)]) == 1
    xml = report.read_text(encoding="utf-8")
    assert 'tests="2" failures="1"' in xml
    assert 'name="wrong"><failure message=' in xml
