"""Tests of configurator.catalog.semantics: cross-reference checks of a structurally valid catalog."""

from __future__ import annotations

from typing import Any

import pytest

from configurator.catalog.semantics import analyse
from configurator.catalog.yamlsource import format_path
from configurator.errors import Location, Problem
from support import make_catalog

ATTRS = {
    "weight_g": {"type": "int"},
    "capacity": {"type": "decimal"},
    "waterproof": {"type": "bool"},
    "colour": {"type": "enum", "values": ["black", "red"]},
}
MODULES: dict[str, Any] = {
    "frame": {"options": {"alu": {}, "carbon": {}}},
    "motor": {"choose": "optional", "options": {"hub": {}, "mid": {}}},
    "extras": {"choose": "any", "options": {"bell": {}, "rack": {}}},
}


def locate(path: tuple[str | int, ...]) -> Location:
    """A locator that only records the key path."""
    return Location("t.yaml", 0, 0, format_path(path))


def check(
    modules: dict[str, Any] | None = None, rules: list[dict[str, Any]] | None = None, **extra: Any
) -> tuple[list[Problem], list[Problem]]:
    """Errors and warnings of a catalog built from the standard parts plus the given ones."""
    catalog = make_catalog({**MODULES, **(modules or {})}, rules, ATTRS, locales=["en"], **extra)
    _, errors, warnings = analyse(catalog, locate)
    return errors, warnings


def lines(problems: list[Problem]) -> list[str]:
    """Problems as 'path: message (hint)'."""
    return [f"{p.location.path}: {p.message}" + (f" ({p.hint})" if p.hint else "") for p in problems]


def test_a_clean_catalog_has_no_problems() -> None:
    """The standard parts analyse without errors or warnings, and compile."""
    catalog = make_catalog(MODULES, [{"id": "r", "requires": "frame.*"}], ATTRS, locales=["en"])
    compiled, errors, warnings = analyse(catalog, locate)
    assert (errors, warnings) == ([], [])
    assert compiled is not None and [r.rule.id for r in compiled.rules] == ["r"]


def test_module_and_attribute_may_not_share_an_id() -> None:
    """A module named like an attribute is an error."""
    errors, _ = check({"colour": {"options": {"a": {}}}})
    assert lines(errors) == [
        "modules.colour: module 'colour' has the same id as an attribute "
        "(rename one of them: references like sum(x) and x.* would be ambiguous)"
    ]


@pytest.mark.parametrize("name", ["tier", "country"])
def test_context_names_are_reserved_for_modules(name: str) -> None:
    """Modules may not be called tier or country."""
    errors, _ = check({name: {"options": {"a": {}}}})
    assert lines(errors) == [
        f"modules.{name}: {name!r} is reserved for the quoting context; rename the module"
    ]


def test_choose_min_above_the_options() -> None:
    """A module that needs more options than it offers can never be configured."""
    errors, _ = check({"lights": {"choose": {"min": 3}, "options": {"a": {}, "b": {}}}})
    assert lines(errors) == [
        "modules.lights.choose: choose needs at least 3 options but the module offers 2 "
        "(the catalog could never be configured)"
    ]


def test_defaults_and_recommendations_must_be_options() -> None:
    """Unknown default and recommended options are errors with suggestions; each list entry is located."""
    errors, _ = check(
        {
            "lights": {
                "choose": "any",
                "default": ["dynamo", "batery"],
                "recommended": "dynamo_x",
                "options": {"dynamo": {}, "battery": {}},
            }
        }
    )
    assert lines(errors) == [
        "modules.lights.default[1]: unknown option 'batery' in module 'lights' (did you mean 'battery'?)",
        "modules.lights.recommended: unknown option 'dynamo_x' in module 'lights' (did you mean 'dynamo'?)",
    ]


def test_more_defaults_than_the_module_allows() -> None:
    """Two defaults for a single-choice module is an error."""
    errors, _ = check(
        {"lights": {"choose": "optional", "default": ["a", "b"], "options": {"a": {}, "b": {}}}}
    )
    assert lines(errors) == ["modules.lights.default: 2 defaults but the module allows at most 1 options"]


@pytest.mark.parametrize(
    ("attr", "value", "message"),
    [
        ("weight_g", "x", "expected an int value, got 'x'"),
        ("weight_g", True, "expected an int value, got true"),
        ("capacity", False, "expected a decimal value, got false"),
        ("capacity", "1.5", "expected a decimal value, got '1.5'"),
        ("waterproof", 1, "expected a bool value, got 1"),
        ("waterproof", "yes", "expected a bool value, got 'yes'"),
        ("colour", "blue", "expected one of black, red, got 'blue'"),
        ("colour", 3, "expected a enum value, got 3"),
    ],
)
def test_attribute_values_must_fit_their_type(attr: str, value: Any, message: str) -> None:
    """Option attribute values are checked against the attribute type."""
    errors, _ = check({"lights": {"options": {"a": {"attrs": {attr: value}}}}})
    assert lines(errors) == [f"modules.lights.options.a.attrs.{attr}: attribute {attr!r}: {message}"]


@pytest.mark.parametrize(
    ("attr", "value"), [("weight_g", 3), ("capacity", 3), ("waterproof", True), ("colour", "red")]
)
def test_well_typed_attribute_values(attr: str, value: Any) -> None:
    """Ints are decimals too; bools and enum values are accepted."""
    errors, _ = check({"lights": {"options": {"a": {"attrs": {attr: value}}}}})
    assert errors == []


def test_unknown_attribute_without_close_name_suggests_declaring_it() -> None:
    """An undeclared attribute with no near miss says where to declare it."""
    errors, _ = check({"lights": {"options": {"a": {"attrs": {"lumens": 3}}}}})
    assert lines(errors) == [
        "modules.lights.options.a.attrs.lumens: unknown attribute 'lumens' (declare it under 'attributes:')"
    ]


def test_duplicate_rule_and_bundle_ids() -> None:
    """Rule ids and bundle ids must be unique."""
    errors, _ = check(
        rules=[{"id": "r", "requires": "frame"}, {"id": "r", "requires": "frame"}],
        pricing={
            "bundles": [
                {"id": "b", "when": "frame", "discount_pct": 1},
                {"id": "b", "when": "frame", "discount_pct": 2},
            ]
        },
    )
    assert lines(errors) == [
        "rules[1].id: rule id 'r' is used twice (first at line 0)",
        "pricing.bundles[1].id: bundle id 'b' is used twice",
    ]


def test_table_columns_and_cells() -> None:
    """Table columns must be single-choice modules; cells options of the column, '*' or '-'."""
    errors, _ = check(
        rules=[
            {
                "id": "ok",
                "table": {
                    "columns": ["frame", "motor"],
                    "rows": [["alu", "*"], ["carbon", "-"]],
                    "mode": "forbidden",
                },
            },
            {"id": "bad", "table": {"columns": ["frme", "extras", "motor"], "rows": [["x", "bell", "hubb"]]}},
        ]
    )
    assert lines(errors) == [
        "rules[1].table.columns[0]: unknown module 'frme' (did you mean 'frame'?)",
        "rules[1].table.columns[1]: table column 'extras' allows 2 options; tables need modules with choose exactly_one or optional",
        "rules[1].table.rows[0][2]: unknown option 'hubb' of module 'motor' in table cell (did you mean 'hub'?)",
    ]


def test_unknown_table_cell_without_near_miss() -> None:
    """A cell with no near miss explains what cells may be."""
    errors, _ = check(rules=[{"id": "t", "table": {"columns": ["frame"], "rows": [["zzz"]]}}])
    assert lines(errors) == [
        "rules[0].table.rows[0][0]: unknown option 'zzz' of module 'frame' in table cell "
        "(cells are option ids, '*' (any) or '-' (none))"
    ]


def test_expressions_in_rules_services_and_bundles_are_checked() -> None:
    """Every expression is compiled and located: guards, bodies, excludes items, services, bundles."""
    errors, _ = check(
        rules=[
            {"id": "a", "if": "frame.alu_x", "requires": "motor"},
            {"id": "b", "excludes": ["frame.alu", "motor.hubb"]},
            {"id": "c", "constraint": 'tier == "mvc"'},
        ],
        services={
            "fit": {
                "kind": "advisory",
                "eligible": 'tier in ["mvc"] & country == "PT"',
                "requires": "frame.*",
            },
            "care": {"kind": "post_sale", "eligible": "frame.steel", "requires": 'country == "PT"'},
        },
        pricing={"bundles": [{"id": "vip", "when": 'tier == "gold"', "discount_pct": 5}]},
    )
    assert lines(errors) == [
        "rules[0].if: unknown option or attribute 'frame.alu_x' at column 1 of 'frame.alu_x' (did you mean 'frame.alu'?)",
        "rules[1].excludes[1]: unknown option or attribute 'motor.hubb' at column 1 of 'motor.hubb' (did you mean 'motor.hub'?)",
        "rules[2].constraint: unknown reference 'tier' at column 1 of 'tier == \"mvc\"'",
        "services.care.eligible: unknown option or attribute 'frame.steel' at column 1 of 'frame.steel' (did you mean 'frame.alu'?)",
        "services.care.requires: unknown reference 'country' at column 1 of 'country == \"PT\"'",
        "pricing.bundles[0].when: 'gold' is not a value of this enum (expected one of below_zero, mgc, mvc, standard) "
        "at column 9 of 'tier == \"gold\"'",
    ]


def test_context_is_allowed_in_eligibility_and_bundles() -> None:
    """Tier and country may be used in service eligibility and bundle conditions."""
    catalog = make_catalog(
        MODULES,
        attributes=ATTRS,
        locales=["en"],
        services={"fit": {"kind": "advisory", "eligible": 'tier in ["mvc", "mgc"] | country == "SE"'}},
        pricing={"bundles": [{"id": "vip", "when": 'tier == "mvc" & frame.carbon', "discount_amount": 25}]},
    )
    compiled, errors, _ = analyse(catalog, locate)
    assert errors == []
    assert compiled is not None
    assert set(compiled.service_eligible) == {"fit"} and set(compiled.bundles) == {"vip"}


def test_missing_translations_are_warnings() -> None:
    """Texts missing a declared locale are warnings, naming the locales and the fallback."""
    catalog = make_catalog(
        {"frame": {"label": {"en": "Frame", "pt": "Quadro"}, "options": {"alu": {"label": {"en": "Alu"}}}}},
        attributes={"w": {"type": "int", "label": {"sv": "Vikt"}}},
        locales=["en", "pt", "sv"],
        name={"en": "Bike", "pt": "Bicicleta", "sv": "Cykel"},
    )
    _, errors, warnings = analyse(catalog, locate)
    assert errors == []
    assert lines(warnings) == [
        "attributes.w.label: missing translation for en, pt (falls back to en)",
        "modules.frame.label: missing translation for sv (falls back to en)",
        "modules.frame.options.alu.label: missing translation for pt, sv (falls back to en)",
    ]
    assert {w.severity for w in warnings} == {"warning"}
