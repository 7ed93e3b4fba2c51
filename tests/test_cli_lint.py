"""Tests of ``configurator lint`` on the command line: causes of findings, redundant groups and --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from configurator.cli import main
from support import Writer

CATALOG = """\
catalog: bike
version: "1"
currency: EUR
locales: [en]
modules:
  frame:
    label: {en: Frame}
    options:
      alu: {label: {en: Alu}}
      carbon: {label: {en: Carbon}}
  motor:
    label: {en: Motor}
    choose: optional
    options:
      hub: {label: {en: Hub}}
      mid: {label: {en: Mid}}
rules:
  - id: carbon-no-hub
    excludes: [frame.carbon, motor.hub]
  - id: same-again
    if: frame.carbon
    requires: "!motor.hub"
  - id: alu-mid
    if: frame.alu
    requires: motor.mid
  - id: alu-hub
    if: frame.alu
    requires: motor.hub
"""


def test_lint_prints_causes_and_groups(
    write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The text output names the rules behind a dead option and reports mutually redundant rules once."""
    write("bike.yaml", CATALOG)
    assert main(["lint", "bike.yaml"]) == 0
    out = capsys.readouterr().out
    assert "dead-option: frame.alu can never be selected: rules alu-mid, alu-hub exclude it" in out
    assert "module motor takes at most one option" in out
    assert out.count("redundant-group") == 1 and "delete same-again and keep carbon-no-hub" in out
    assert "redundant-rule" not in out


def test_lint_json(write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` prints each catalog's findings with their rules, removable rules and structure."""
    write("bike.yaml", CATALOG)
    write("bad.yaml", CATALOG.replace("frame.carbon, motor.hub", "frame.carbn, motor.hub"))
    assert main(["lint", "--json", "bike.yaml", "bad.yaml"]) == 1
    (good, bad) = json.loads(capsys.readouterr().out)
    assert good["path"] == "bike.yaml" and bad["path"] == "bad.yaml" and bad["errors"]
    by_subject = {f["subject"]: f for f in good["findings"]}
    dead = by_subject["frame.alu"]
    assert dead["code"] == "dead-option" and dead["rules"] == ["alu-mid", "alu-hub"] and dead["minimal"]
    assert dead["structure"] == ["module motor takes at most one option"]
    assert dead["location"]["file"] == "bike.yaml" and dead["location"]["line"] > 0
    group = by_subject["carbon-no-hub, same-again"]
    assert group["rules"] == ["carbon-no-hub", "same-again"] and group["removable"] == ["same-again"]
