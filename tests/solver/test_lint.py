"""Tests of configurator.solver.lint: void catalogs, dead and false-optional options, redundant rules, services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from configurator.catalog.loader import validate_catalog
from configurator.catalog.models import Catalog
from configurator.solver.backend import get_backend
from configurator.solver.compile import compile_catalog_problem
from configurator.solver.lint import Finding, lint_catalog
from configurator.solver.operations import count
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


def configurations(modules: dict[str, Any], rules: list[dict[str, Any]]) -> int:
    """How many valid configurations the catalog has."""
    return count(compile_catalog_problem(make_catalog(modules, rules)).problem, backend="exhaustive")


def without(rules: list[dict[str, Any]], *ids: str) -> list[dict[str, Any]]:
    """``rules`` less those with the given ids."""
    return [r for r in rules if r["id"] not in ids]


def lint(modules: dict[str, Any], rules: list[dict[str, Any]]) -> list[Finding]:
    """The findings of a catalog built in code."""
    cat: Catalog = make_catalog(modules, rules)
    return lint_catalog(cat)


MUTUAL: list[dict[str, Any]] = [
    {"id": "no-carbon-hub", "excludes": ["frame.carbon", "motor.hub"]},
    {"id": "same-again", "if": "frame.carbon", "requires": "!motor.hub"},
    {"id": "needs-frame", "requires": "frame"},
    {"id": "no-steel-mid", "excludes": ["frame.steel", "motor.mid"]},
]


def test_mutually_redundant_rules_are_one_group() -> None:
    """Two rules each implied only by the other are one group naming what to delete, never two findings."""
    findings = lint(MODULES, MUTUAL)
    assert codes(findings) == [
        ("redundant-group", "no-carbon-hub, same-again"),
        ("redundant-rule", "needs-frame"),
    ]
    group, alone = findings
    assert group.rules == ("no-carbon-hub", "same-again") and group.removable == ("same-again",)
    assert (
        "any one of them is implied by the others" in group.message and "keep no-carbon-hub" in group.message
    )
    assert alone.removable == ("needs-frame",)
    before = configurations(MODULES, MUTUAL)
    removable = [r for f in findings for r in f.removable]
    assert configurations(MODULES, without(MUTUAL, *removable)) == before
    assert configurations(MODULES, without(MUTUAL, *group.rules)) > before
    assert codes(lint(MODULES, without(MUTUAL, *removable))) == []


def test_a_larger_group_keeps_one_rule() -> None:
    """Three equivalent rules are one group: two can go together, one stays, and the count is kept."""
    rules: list[dict[str, Any]] = [
        {"id": "a", "excludes": ["frame.carbon", "motor.hub"]},
        {"id": "b", "if": "frame.carbon", "requires": "!motor.hub"},
        {"id": "c", "if": "motor.hub", "requires": "!frame.carbon"},
        {"id": "d", "constraint": "count(motor) <= 1"},
    ]
    findings = lint(MODULES, rules)
    assert codes(findings) == [("redundant-group", "a, b, c"), ("redundant-rule", "d")]
    assert findings[0].removable == ("b", "c")
    removable = [r for f in findings for r in f.removable]
    assert configurations(MODULES, without(rules, *removable)) == configurations(MODULES, rules)


def test_dead_option_names_a_minimal_set_of_rules() -> None:
    """A dead option names the rules that kill it together, and the structure they rely on, in words."""
    rules: list[dict[str, Any]] = [
        {"id": "steel-hub", "if": "frame.steel", "requires": "motor.hub"},
        {"id": "harmless", "excludes": ["frame.carbon", "motor.hub"]},
        {"id": "steel-mid", "if": "frame.steel", "requires": "motor.mid"},
    ]
    (finding,) = lint(MODULES, rules)
    assert (finding.code, finding.subject) == ("dead-option", "frame.steel")
    assert finding.rules == ("steel-hub", "steel-mid") and finding.minimal
    assert finding.structure == ("module motor takes at most one option",)
    assert "rules steel-hub, steel-mid exclude it" in finding.message
    assert "module motor takes at most one option" in finding.message
    for rid in finding.rules:
        assert ("dead-option", "frame.steel") not in codes(lint(MODULES, without(rules, rid)))


def test_false_optional_option_names_a_minimal_set_of_rules() -> None:
    """A forced option names the rules that force it; deleting any one of them makes it optional again."""
    rules: list[dict[str, Any]] = [
        {"id": "no-alu", "excludes": "frame.alu"},
        {"id": "harmless", "excludes": ["frame.carbon", "motor.hub"]},
        {"id": "no-steel", "excludes": "frame.steel"},
    ]
    findings = {f.subject: f for f in lint(MODULES, rules)}
    forced = findings["frame.carbon"]
    assert forced.code == "false-optional" and forced.rules == ("no-alu", "no-steel")
    assert forced.structure == ("module frame takes exactly one option",)
    assert (
        "rules no-alu, no-steel force it (given that module frame takes exactly one option)" in forced.message
    )
    assert findings["frame.alu"].rules == ("no-alu",) and findings["frame.steel"].rules == ("no-steel",)
    for rid in forced.rules:
        assert ("false-optional", "frame.carbon") not in codes(lint(MODULES, without(rules, rid)))


def test_a_cardinality_in_the_cause_is_said_in_words() -> None:
    """A multiple-choice module's cardinality that kills an option is named as structure, not as a rule."""
    modules = {"extras": {"choose": {"min": 0, "max": 2}, "options": {"a": {}, "b": {}, "c": {}}}}
    rules: list[dict[str, Any]] = [{"id": "a-needs-all", "if": "extras.a", "requires": "extras.b & extras.c"}]
    (finding,) = lint(modules, rules)
    assert (finding.code, finding.rules) == ("dead-option", ("a-needs-all",))
    assert finding.structure == ("module extras takes at most 2 options",)


def test_other_causes_are_said() -> None:
    """When other rules also kill the option, the finding says so (deleting the named ones is not enough)."""
    rules: list[dict[str, Any]] = [
        {"id": "no-steel", "excludes": "frame.steel"},
        {"id": "still-no", "requires": "!frame.steel"},
    ]
    findings = lint(MODULES, rules)
    dead = next(f for f in findings if f.code == "dead-option")
    assert dead.rules == ("no-steel",) and "other rules exclude it as well" in dead.message
    group = next(f for f in findings if f.code == "redundant-group")
    assert group.removable == ("still-no",)  # the cause never names a rule the lint says to delete


def test_explanations_are_bounded() -> None:
    """Past the bound of solver checks the cause is reported unminimised, and the finding says so."""
    rules: list[dict[str, Any]] = [
        {"id": "harmless", "excludes": ["frame.carbon", "motor.hub"]},
        {"id": "no-steel", "excludes": "frame.steel"},
    ]
    dead = next(
        f for f in lint_catalog(make_catalog(MODULES, rules), max_checks=1) if f.code == "dead-option"
    )
    assert not dead.minimal and "not minimised" in dead.message
    assert "no-steel" in dead.rules


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
        (("redundant-group", "no-carbon, again"), "  - id: no-carbon"),
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


def test_the_sat_kernel_and_cp_sat_find_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checks on lint's incremental SAT solver give the findings a CP-SAT model per check gives."""
    from configurator.solver import lint as lint_module

    rules: list[dict[str, Any]] = [
        *MUTUAL,
        {"id": "steel-kills", "if": "frame.steel", "requires": "motor.hub & motor.mid"},
        {
            "id": "pairs",
            "table": {"columns": ["frame", "motor"], "rows": [["alu", "hub"], ["carbon", "mid"]]},
        },
    ]
    cat = make_catalog(MODULES, rules)
    problem = compile_catalog_problem(cat).problem
    assert lint_module._kernel(problem, get_backend(None)) is not None
    on_kernel = lint_catalog(cat)
    monkeypatch.setattr(lint_module, "LINT_TABLE_ROWS", -1)  # no catalog suits: CP-SAT answers every check
    assert lint_module._kernel(problem, get_backend(None)) is None
    assert lint_catalog(cat) == on_kernel
    assert {f.code for f in on_kernel} >= {"dead-option", "redundant-rule"}
