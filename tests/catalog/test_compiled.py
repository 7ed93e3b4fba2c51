"""Tests of configurator.catalog.compiled: expressions compiled once per catalog."""

from __future__ import annotations

import pytest

from configurator.catalog.compiled import CONTEXT, compile_catalog, compiled, symbols_of
from configurator.errors import CatalogError
from configurator.rules.ast import Binary, ContextVar, InList, ModuleRef, OptionRef
from configurator.rules.types import ValueType
from support import make_catalog

MODULES = {
    "frame": {"options": {"alu": {}, "carbon": {}}},
    "motor": {"choose": "optional", "options": {"hub": {}}},
}


def test_symbols_of_a_catalog() -> None:
    """symbols_of lists modules with their options and typed attributes."""
    catalog = make_catalog(
        MODULES, attributes={"colour": {"type": "enum", "values": ["red"]}, "w": {"type": "int"}}
    )
    symbols = symbols_of(catalog)
    assert symbols.modules == {"frame": frozenset({"alu", "carbon"}), "motor": frozenset({"hub"})}
    assert symbols.attributes == {"colour": ValueType("enum", frozenset({"red"})), "w": ValueType("int")}
    assert symbols.context == {}
    assert set(CONTEXT) == {"tier", "country"}


def test_compiled_rules_hold_guard_and_bodies() -> None:
    """Each rule compiles to its guard and one body, or several for an excludes list, or its table."""
    catalog = make_catalog(
        MODULES,
        [
            {"id": "req", "if": "frame.carbon", "requires": "motor"},
            {"id": "exc", "excludes": ["frame.carbon", "motor.hub"]},
            {"id": "con", "constraint": "frame.alu -> !motor"},
            {"id": "tab", "table": {"columns": ["frame"], "rows": [["alu"]]}},
        ],
    )
    rules = compile_catalog(catalog).rules
    assert [(r.rule.id, r.index) for r in rules] == [("req", 0), ("exc", 1), ("con", 2), ("tab", 3)]
    assert rules[0].guard == OptionRef("frame", "carbon", 0) and rules[0].body == (ModuleRef("motor", 0),)
    assert rules[1].guard is None and rules[1].body == (
        OptionRef("frame", "carbon", 0),
        OptionRef("motor", "hub", 0),
    )
    assert isinstance(rules[2].body[0], Binary)
    assert rules[3].body == () and rules[3].table is not None and rules[3].table.rows == (("alu",),)


def test_services_and_bundles_compile_with_context() -> None:
    """Service eligibility and bundle conditions may use tier and country; service requires may not."""
    catalog = make_catalog(
        MODULES,
        services={"fit": {"kind": "advisory", "eligible": 'tier in ["mvc"]', "requires": "frame.carbon"}},
        pricing={"bundles": [{"id": "b", "when": 'country == "PT"', "discount_pct": 3}]},
    )
    result = compile_catalog(catalog)
    assert result.service_eligible["fit"] == InList(ContextVar("tier", 0), ("mvc",), False, 5)
    assert result.service_requires["fit"] == OptionRef("frame", "carbon", 0)
    assert "b" in result.bundles


def test_every_expression_problem_is_collected() -> None:
    """compile_catalog reports all broken expressions at once, located by key path."""
    catalog = make_catalog(
        MODULES,
        [
            {"id": "a", "if": "frame.alu &", "requires": "motor"},
            {"id": "b", "excludes": ["frame.alu", "motr.hub"]},
            {"id": "c", "requires": "frame.alu"},
        ],
        services={"fit": {"kind": "advisory", "requires": 'tier == "mvc"'}},
    )
    with pytest.raises(CatalogError) as caught:
        compile_catalog(catalog)
    assert [str(p.location) for p in caught.value.problems] == [
        "<catalog>: rules[0].if",
        "<catalog>: rules[1].excludes[1]",
        "<catalog>: services.fit.requires",
    ]


def test_compiled_is_cached_on_the_catalog() -> None:
    """compiled() compiles a code-built catalog once and returns the same object afterwards."""
    catalog = make_catalog(MODULES, [{"id": "r", "requires": "frame"}])
    first = compiled(catalog)
    assert compiled(catalog) is first


def test_compiled_raises_for_broken_code_built_catalogs() -> None:
    """A catalog built in code with a bad expression fails when first compiled."""
    catalog = make_catalog(MODULES, [{"id": "r", "requires": "frame.steel"}])
    with pytest.raises(CatalogError, match=r"unknown option or attribute 'frame\.steel'"):
        compiled(catalog)
