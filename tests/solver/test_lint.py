"""Tests of configurator.solver.lint: void catalogs, dead and false-optional options, redundant rules, services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from configurator.catalog.loader import validate_catalog
from configurator.solver.lint import Finding, lint_catalog
from support import Writer, make_catalog

MODULES = {
    "frame": {"options": {"alu": {}, "carbon": {}, "steel": {}}},
    "motor": {"choose": "optional", "options": {"hub": {}, "mid": {}}},
}


def codes(findings: list[Finding]) -> list[tuple[str, str]]:
    """``(code, subject)`` of each finding."""
    return [(f.code, f.subject) for f in findings]


def test_a_clean_catalog_has_no_findings() -> None:
    """A catalog whose rules all bite and whose options are all possible and optional has no findings."""
    cat = make_catalog(MODULES, [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}])
    assert lint_catalog(cat) == []


def test_dead_option() -> None:
    """An option no valid configuration contains is a dead option."""
    cat = make_catalog(
        MODULES, [{"id": "no-steel-motor", "if": "frame.steel", "requires": "motor.hub & motor.mid"}]
    )
    findings = lint_catalog(cat)
    assert codes(findings) == [("dead-option", "frame.steel")]
    assert "can never be selected" in findings[0].message and findings[0].severity == "warning"


def test_false_optional_option() -> None:
    """An option forced in every configuration although the module offers a choice is false-optional."""
    cat = make_catalog(MODULES, [{"id": "always-mid", "requires": "motor.mid"}])
    found = codes(lint_catalog(cat))
    assert ("false-optional", "motor.mid") in found
    assert ("dead-option", "motor.hub") in found
    assert ("false-optional", "frame.alu") not in found
    single = make_catalog({"frame": {"options": {"alu": {}}}})
    assert lint_catalog(single) == []  # a mandatory module with one option is forced on purpose


def test_redundant_rule() -> None:
    """A rule implied by the structure and the other rules is redundant; one that bites is not."""
    cat = make_catalog(
        MODULES,
        [
            {"id": "needs-frame", "requires": "frame"},
            {"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]},
            {"id": "one-motor", "constraint": "count(motor) <= 1"},
        ],
    )
    findings = lint_catalog(cat)
    assert codes(findings) == [("redundant-rule", "needs-frame"), ("redundant-rule", "one-motor")]
    assert "implied by the other rules" in findings[0].message


def test_unreachable_service() -> None:
    """A service whose requires no valid configuration meets is unreachable; a reachable one is not reported."""
    cat = make_catalog(
        MODULES,
        [{"id": "carbon-only", "requires": "frame.carbon"}, {"id": "no-hub", "excludes": "motor.hub"}],
        services={
            "hub_tuning": {"kind": "post_sale", "requires": "motor.hub"},
            "mid_tuning": {"kind": "post_sale", "requires": "motor.mid"},
            "fitting": {"kind": "advisory"},
        },
    )
    found = codes(lint_catalog(cat))
    assert ("unreachable-service", "hub_tuning") in found
    assert all(subject != "mid_tuning" and subject != "fitting" for _, subject in found)


def test_void_catalog() -> None:
    """A catalog without any valid configuration is one error naming a minimal conflict."""
    cat = make_catalog(
        MODULES,
        [
            {"id": "need-carbon", "requires": "frame.carbon"},
            {"id": "harmless", "excludes": "motor.hub"},
            {"id": "no-carbon", "excludes": "frame.carbon"},
        ],
    )
    (finding,) = lint_catalog(cat)
    assert finding.code == "void-catalog" and finding.severity == "error"
    assert "need-carbon" in finding.message and "no-carbon" in finding.message
    assert "harmless" not in finding.message


def test_dates_are_respected() -> None:
    """On a date, an option off sale is not reported as dead, and rules not in force are ignored."""
    cat = make_catalog(
        {
            "frame": {"options": {"alu": {}, "carbon": {"valid_from": "2027-01-01"}, "steel": {}}},
            "motor": {"choose": "optional", "options": {"hub": {}}},
        },
        [
            {"id": "later", "valid_from": "2027-01-01", "excludes": "frame.steel"},
            {"id": "no-hub", "excludes": ["frame.alu", "motor.hub"]},
        ],
    )
    assert lint_catalog(cat, on=dt.date(2026, 11, 23)) == []
    assert codes(lint_catalog(cat, on=dt.date(2027, 6, 1))) == [("dead-option", "frame.steel")]


CATALOG_FILE = """\
catalog: lint-me
version: "1"
currency: EUR
locales: [en, pt]
modules:
  frame:
    label: {en: Frame}
    options:
      alu: {label: {en: Alu, pt: Alu}}
      carbon: {label: {en: Carbon, pt: Carbono}}
  motor:
    label: {en: Motor, pt: Motor}
    choose: optional
    options:
      hub: {label: {en: Hub, pt: Cubo}}
rules:
  - id: no-carbon
    excludes: frame.carbon
  - id: again
    requires: "!frame.carbon"
services:
  carbon_care:
    kind: post_sale
    label: {en: Carbon care, pt: Cuidado do carbono}
    requires: frame.carbon
"""


def test_findings_carry_file_and_line(write: Writer, in_tmp: Path) -> None:
    """Loaded from a file, every finding names file:line of the element it is about."""
    write("lint-me.yaml", CATALOG_FILE)
    path = "lint-me.yaml"
    report = validate_catalog(path)
    assert report.catalog is not None
    findings = lint_catalog(report.catalog, warnings=report.warnings)
    by_code = {(f.code, f.subject): f for f in findings}
    lines = CATALOG_FILE.splitlines()
    for (code, subject), line_text in [
        (("dead-option", "frame.carbon"), "      carbon:"),
        (("false-optional", "frame.alu"), "      alu:"),
        (("redundant-rule", "no-carbon"), "  - id: no-carbon"),
        (("redundant-rule", "again"), "  - id: again"),
        (("unreachable-service", "carbon_care"), "    requires: frame.carbon"),
    ]:
        finding = by_code[(code, subject)]
        assert finding.location.file == path
        expected = next(i for i, text in enumerate(lines, 1) if text.startswith(line_text))
        assert finding.location.line == expected, (code, subject, finding.location)
        assert str(finding).startswith(f"{path}:{expected}:"), str(finding)
        assert f": warning: {code}: " in str(finding)
    translations = [f for f in findings if f.code == "translation"]
    assert translations and all(f.location.line > 0 for f in translations)
    assert any("pt" in f.message for f in translations)


def test_sub_assembly_rules_are_left_to_their_own_catalog(write: Writer, in_tmp: Path) -> None:
    """A parent's lint does not report (or trip on) a sub-assembly's redundant rule."""
    write("parts/s.yaml", SUB_FILE)
    write("top.yaml", TOP_FILE)
    report = validate_catalog("top.yaml")
    assert report.catalog is not None
    assert codes(lint_catalog(report.catalog)) == []
    sub = validate_catalog("parts/s.yaml").catalog
    assert sub is not None and codes(lint_catalog(sub)) == [("redundant-rule", "redundant")]


TOP_FILE = """\
catalog: top
version: "1"
currency: EUR
locales: [en]
modules:
  m:
    options:
      a: {product: parts/s.yaml}
      b: {}
"""
SUB_FILE = """\
catalog: s
version: "1"
currency: EUR
locales: [en]
modules:
  x:
    options:
      p: {}
      q: {}
rules:
  - id: redundant
    requires: "x.p | x.q"
"""
