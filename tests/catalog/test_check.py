"""Tests of configurator.catalog.check.find_violations: every rule kind, built-in checks, messages, sub-assemblies.

The property test re-evaluates random catalogs and configurations by brute force, independently of the
checker's own loop, and asks both to agree on which rules are violated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator import Catalog, Configuration, Violation, find_violations, load_catalog
from configurator.errors import ConfigurationError
from configurator.rules.evaluate import MappingEnvironment, evaluate
from configurator.rules.types import Symbols, ValueType, compile_expression
from strategies import catalogs, configurations
from support import Writer, make_catalog

ATTRS = {
    "weight_g": {"type": "int", "unit": "g"},
    "capacity_wh": {"type": "decimal"},
    "waterproof": {"type": "bool"},
    "colour": {"type": "enum", "values": ["black", "red", "sand"]},
}
LABEL = {"en": "Frame", "pt": "Quadro", "es": "Cuadro", "sv": "Ram"}
MODULES: dict[str, Any] = {
    "frame": {
        "label": LABEL,
        "options": {
            "alu": {
                "label": {"en": "Aluminium", "pt": "Alumínio"},
                "attrs": {"weight_g": 1600, "colour": "black"},
            },
            "carbon": {
                "attrs": {"weight_g": 950, "colour": "red"},
                "valid_from": dt.date(2026, 1, 1),
                "valid_to": dt.date(2026, 12, 31),
            },
            "steel": {"attrs": {"weight_g": 2400, "colour": "sand"}},
        },
    },
    "motor": {
        "choose": "optional",
        "options": {"hub": {"attrs": {"weight_g": 3000}}, "mid": {"attrs": {"weight_g": 2800}}},
    },
    "battery": {
        "choose": "optional",
        "options": {
            "b400": {"attrs": {"capacity_wh": Decimal("400.0"), "weight_g": 2000, "waterproof": True}},
            "b600": {"attrs": {"capacity_wh": Decimal("625.5"), "weight_g": 3100}},
        },
    },
    "brakes": {"choose": "optional", "options": {"rim": {}, "disc": {}}},
    "cage": {"choose": "any", "options": {"cage": {"qty": {"min": 1, "max": 3}, "attrs": {"weight_g": 50}}}},
    "extras": {"choose": {"min": 0, "max": 2}, "options": {"bell": {}, "lights": {}, "mudguards": {}}},
    "wheels": {"choose": "optional", "options": {"w26": {}, "w28": {}}},
    "legacy": {"choose": "optional", "valid_to": dt.date(2020, 12, 31), "options": {"kickstand": {}}},
}


def with_rule(**rule: Any) -> Catalog:
    """The test modules with one rule, id 'r'."""
    return make_catalog(MODULES, [{"id": "r", **rule}], ATTRS)


def violated(catalog: Catalog, selection: Mapping[str, Any], on: dt.date | None = None) -> list[str]:
    """Ids of the violated rules and checks."""
    return [v.rule_id for v in find_violations(catalog, selection, on=on)]


BASE = {"frame": "alu"}


# --- rule kinds -------------------------------------------------------------------------------------------


def test_valid_configuration_has_no_violations() -> None:
    """A configuration meeting every rule and cardinality is valid."""
    catalog = with_rule(requires="frame.*")
    assert find_violations(catalog, BASE) == []


def test_requires() -> None:
    """Requires is violated when its expression is false."""
    catalog = with_rule(requires="brakes.disc")
    assert violated(catalog, BASE) == ["r"]
    assert violated(catalog, {**BASE, "brakes": "disc"}) == []


def test_requires_with_guard() -> None:
    """With if:, requires only applies when the guard holds."""
    catalog = with_rule(**{"if": "motor", "requires": "battery.*"})
    assert violated(catalog, BASE) == []
    assert violated(catalog, {**BASE, "motor": "hub"}) == ["r"]
    assert violated(catalog, {**BASE, "motor": "hub", "battery": "b400"}) == []


def test_excludes_expression() -> None:
    """Excludes is violated when its expression is true."""
    catalog = with_rule(excludes="frame.carbon & motor.hub")
    assert violated(catalog, {"frame": "carbon", "motor": "hub"}) == ["r"]
    assert violated(catalog, {"frame": "carbon"}) == []
    assert violated(catalog, {"frame": "alu", "motor": "hub"}) == []


def test_excludes_with_guard() -> None:
    """With if:, excludes only applies when the guard holds."""
    catalog = with_rule(**{"if": "frame.carbon", "excludes": "motor.hub"})
    assert violated(catalog, {"frame": "carbon", "motor": "hub"}) == ["r"]
    assert violated(catalog, {"frame": "alu", "motor": "hub"}) == []


@pytest.mark.parametrize(
    ("selection", "bad"),
    [
        ({}, False),
        ({"extras": ["bell"]}, False),
        ({"cage": {"cage": 2}}, False),
        ({"extras": ["bell", "lights"]}, True),
        ({"extras": ["bell"], "cage": {"cage": 1}}, True),
        ({"extras": ["bell", "lights"], "cage": {"cage": 1}}, True),
    ],
)
def test_excludes_list_means_at_most_one(selection: dict[str, Any], bad: bool) -> None:
    """An excludes list is violated when two or more of its expressions hold."""
    catalog = with_rule(excludes=["extras.bell", "extras.lights", "cage.cage"])
    assert violated(catalog, {**BASE, **selection}) == (["r"] if bad else [])


def test_constraint_implication() -> None:
    """Constraint a -> b is violated only by a without b."""
    catalog = with_rule(constraint="frame.carbon -> brakes.disc")
    assert violated(catalog, {"frame": "carbon"}) == ["r"]
    assert violated(catalog, {"frame": "carbon", "brakes": "disc"}) == []
    assert violated(catalog, {"frame": "alu"}) == []


def test_constraint_equivalence() -> None:
    """Constraint a <-> b is violated when exactly one holds."""
    catalog = with_rule(constraint="motor.* <-> battery.*")
    assert violated(catalog, BASE) == []
    assert violated(catalog, {**BASE, "motor": "hub"}) == ["r"]
    assert violated(catalog, {**BASE, "battery": "b400"}) == ["r"]
    assert violated(catalog, {**BASE, "motor": "hub", "battery": "b400"}) == []


def test_constraint_on_sum_times_quantity() -> None:
    """sum(attr) counts every selected option's value times its quantity."""
    catalog = with_rule(constraint="sum(weight_g) <= 1700")
    assert violated(catalog, {**BASE, "cage": {"cage": 2}}) == []
    assert violated(catalog, {**BASE, "cage": {"cage": 3}}) == ["r"]


def test_constraint_on_count_and_qty() -> None:
    """count(module) and qty(module.option) compare quantities."""
    assert violated(with_rule(constraint="count(cage) <= 2"), {**BASE, "cage": {"cage": 3}}) == ["r"]
    assert violated(with_rule(constraint="qty(cage.cage) != 2"), {**BASE, "cage": {"cage": 2}}) == ["r"]
    assert (
        violated(
            with_rule(constraint="count(extras) + count(cage) < 3"),
            {**BASE, "extras": ["bell"], "cage": {"cage": 1}},
        )
        == []
    )


def test_constraint_on_module_attribute() -> None:
    """module.attr sums over that module only; decimals compare exactly."""
    catalog = with_rule(constraint="battery.capacity_wh <= 625.4")
    assert violated(catalog, {**BASE, "battery": "b600"}) == ["r"]
    assert violated(catalog, {**BASE, "battery": "b400"}) == []
    assert violated(
        with_rule(constraint="battery.capacity_wh * 2 >= frame.weight_g"), {**BASE, "battery": "b400"}
    ) == ["r"]


def test_constraint_on_enum_and_bool_attributes() -> None:
    """Enum and bool attributes of the selected options."""
    enum_rule = with_rule(constraint='frame.colour == "red" -> brakes.disc')
    assert violated(enum_rule, {"frame": "carbon"}) == ["r"]
    assert violated(enum_rule, {"frame": "steel"}) == []
    flag = with_rule(constraint="battery.waterproof | !battery")
    assert violated(flag, {**BASE, "battery": "b600"}) == ["r"]
    assert violated(flag, {**BASE, "battery": "b400"}) == []
    assert violated(flag, BASE) == []


# --- tables -----------------------------------------------------------------------------------------------


ALLOWED = {"columns": ["frame", "wheels"], "rows": [["alu", "w28"], ["carbon", "*"], ["steel", "-"]]}


@pytest.mark.parametrize(
    ("selection", "bad"),
    [
        ({"frame": "alu", "wheels": "w28"}, False),
        ({"frame": "alu", "wheels": "w26"}, True),
        ({"frame": "alu"}, True),
        ({"frame": "carbon", "wheels": "w26"}, False),
        ({"frame": "carbon"}, False),
        ({"frame": "steel"}, False),
        ({"frame": "steel", "wheels": "w28"}, True),
    ],
)
def test_allowed_table(selection: dict[str, Any], bad: bool) -> None:
    """An allowed table needs the selection to match a row; '*' matches anything, '-' only nothing."""
    assert violated(with_rule(table=ALLOWED), selection) == (["r"] if bad else [])
    assert violated(with_rule(table={**ALLOWED, "mode": "allowed"}), selection) == (["r"] if bad else [])


@pytest.mark.parametrize(
    ("selection", "bad"),
    [
        ({"frame": "alu", "motor": "hub", "wheels": "w26"}, True),
        ({"frame": "alu", "motor": "hub", "wheels": "w28"}, False),
        ({"frame": "alu", "motor": "hub"}, False),
        ({"frame": "alu"}, True),
        ({"frame": "alu", "wheels": "w28"}, True),
    ],
)
def test_forbidden_table(selection: dict[str, Any], bad: bool) -> None:
    """A forbidden table is violated when the selection matches any row."""
    table = {"columns": ["motor", "wheels"], "rows": [["hub", "w26"], ["-", "*"]], "mode": "forbidden"}
    assert violated(with_rule(table=table), selection) == (["r"] if bad else [])


def test_table_choices_are_the_selected_options_of_its_columns() -> None:
    """A table violation lists the selected options of its columns."""
    [violation] = find_violations(with_rule(table=ALLOWED), {"frame": "alu", "wheels": "w26", "motor": "hub"})
    assert violation.kind == "table"
    assert violation.choices == ("frame.alu", "wheels.w26")


# --- built-in checks --------------------------------------------------------------------------------------


def test_cardinality_violations() -> None:
    """Too few or too many distinct options in a module is a cardinality violation naming them."""
    catalog = make_catalog(MODULES, attributes=ATTRS)
    [missing] = find_violations(catalog, {})
    assert missing == Violation(
        "module:frame:choose", "cardinality", "Frame: choose between 1 and 1 options, 0 chosen"
    )
    [many] = find_violations(catalog, {**BASE, "extras": ["bell", "lights", "mudguards"]})
    assert many.rule_id == "module:extras:choose"
    assert many.message == "extras: choose between 0 and 2 options, 3 chosen"
    assert many.choices == ("extras.bell", "extras.lights", "extras.mudguards")
    assert violated(catalog, {"frame": ["alu", "steel"]}) == ["module:frame:choose"]


def test_cardinality_counts_distinct_options_not_quantity() -> None:
    """Two units of one option are one choice."""
    catalog = make_catalog(MODULES, attributes=ATTRS)
    assert (
        violated(catalog, {"frame": {"alu": 1}, "extras": {"bell": 1, "lights": 0}, "cage": {"cage": 3}})
        == []
    )


def test_quantity_violations() -> None:
    """A quantity outside the option's qty range is a violation; quantity 0 is simply not selected."""
    catalog = make_catalog(MODULES, attributes=ATTRS)
    [too_many] = find_violations(catalog, {**BASE, "cage": {"cage": 4}})
    assert too_many == Violation(
        "option:cage.cage:qty",
        "quantity",
        "cage.cage: quantity must be between 1 and 3, got 4",
        ("cage.cage",),
    )
    assert violated(catalog, {"frame": {"alu": 2}}) == ["option:frame.alu:qty"]
    assert violated(catalog, {**BASE, "cage": {"cage": 0}}) == []


def test_effective_dates_of_options_and_modules() -> None:
    """Options (or modules) not in force on the date are violations; without a date they are not checked."""
    catalog = make_catalog(MODULES, attributes=ATTRS)
    carbon = {"frame": "carbon"}
    assert violated(catalog, carbon, on=dt.date(2025, 12, 31)) == ["option:frame.carbon:effective"]
    assert violated(catalog, carbon, on=dt.date(2026, 1, 1)) == []
    assert violated(catalog, carbon, on=dt.date(2026, 12, 31)) == []
    assert violated(catalog, carbon, on=dt.date(2027, 1, 1)) == ["option:frame.carbon:effective"]
    assert violated(catalog, carbon, on=None) == []
    [legacy] = find_violations(catalog, {**BASE, "legacy": "kickstand"}, on=dt.date(2026, 11, 23))
    assert legacy.rule_id == "option:legacy.kickstand:effective"
    assert legacy.message == "legacy.kickstand is not available on 2026-11-23"


def test_rules_outside_their_validity_window_are_skipped() -> None:
    """A rule is only checked on dates within its valid_from..valid_to (and always when no date is given)."""
    catalog = make_catalog(
        MODULES,
        [
            {"id": "old", "constraint": "false", "valid_to": dt.date(2020, 12, 31)},
            {"id": "future", "constraint": "false", "valid_from": dt.date(2030, 1, 1)},
        ],
        ATTRS,
    )
    assert violated(catalog, BASE, on=dt.date(2026, 11, 23)) == []
    assert violated(catalog, BASE, on=dt.date(2020, 12, 31)) == ["old"]
    assert violated(catalog, BASE, on=dt.date(2030, 1, 1)) == ["future"]
    assert violated(catalog, BASE) == ["old", "future"]


def test_violations_come_in_catalog_order() -> None:
    """Module checks come first (in module order), then rules in catalog order."""
    catalog = make_catalog(
        MODULES,
        [{"id": "z", "requires": "brakes"}, {"id": "a", "requires": "wheels"}],
        ATTRS,
    )
    assert violated(catalog, {"extras": ["bell", "lights", "mudguards"], "cage": {"cage": 9}}) == [
        "module:frame:choose",
        "option:cage.cage:qty",
        "module:extras:choose",
        "z",
        "a",
    ]


# --- messages ---------------------------------------------------------------------------------------------


MESSAGE = {"en": "Carbon needs disc brakes", "pt": "Carbono precisa de travões de disco"}


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        (None, "Carbon needs disc brakes"),
        ("en", "Carbon needs disc brakes"),
        ("pt", "Carbono precisa de travões de disco"),
        ("pt_BR", "Carbono precisa de travões de disco"),
        ("sv", "Carbon needs disc brakes"),
        ("de", "Carbon needs disc brakes"),
    ],
)
def test_rule_message_in_each_locale_with_fallback(locale: str | None, text: str) -> None:
    """A rule's message is shown in the locale, else its language, else the default locale."""
    catalog = with_rule(requires="brakes.disc", message=MESSAGE)
    [violation] = find_violations(catalog, {"frame": "carbon"}, locale=locale)
    assert violation.message == text


@pytest.mark.parametrize(
    ("locale", "rule", "cardinality", "quantity", "effective"),
    [
        (
            "en",
            "rule r is violated",
            "Frame: choose between 1 and 1 options, 2 chosen",
            "cage.cage: quantity must be between 1 and 3, got 5",
            "Aluminium is not available on 2031-01-01",
        ),
        (
            "pt",
            "a regra r não é cumprida",
            "Quadro: escolha entre 1 e 1 opções, 2 escolhidas",
            "cage.cage: a quantidade deve estar entre 1 e 3, recebido 5",
            "Alumínio não está disponível em 2031-01-01",
        ),
        (
            "es",
            "la regla r no se cumple",
            "Cuadro: elija entre 1 y 1 opciones, 2 elegidas",
            "cage.cage: la cantidad debe estar entre 1 y 3, recibido 5",
            "Aluminium no está disponible el 2031-01-01",
        ),
        (
            "sv",
            "regeln r är inte uppfylld",
            "Ram: välj mellan 1 och 1 alternativ, 2 valda",
            "cage.cage: antalet måste vara mellan 1 och 3, fick 5",
            "Aluminium är inte tillgänglig den 2031-01-01",
        ),
        (
            "de",
            "rule r is violated",
            "Frame: choose between 1 and 1 options, 2 chosen",
            "cage.cage: quantity must be between 1 and 3, got 5",
            "Aluminium is not available on 2031-01-01",
        ),
    ],
)
def test_builtin_messages_in_each_locale(
    locale: str, rule: str, cardinality: str, quantity: str, effective: str
) -> None:
    """Built-in messages exist in en, pt, es and sv (others fall back to en) and use translated labels."""
    modules = {
        **MODULES,
        "frame": {
            **MODULES["frame"],
            "options": {
                **MODULES["frame"]["options"],
                "alu": {**MODULES["frame"]["options"]["alu"], "valid_to": dt.date(2030, 1, 1)},
            },
        },
    }
    catalog = make_catalog(modules, [{"id": "r", "constraint": "false"}], ATTRS)
    found = find_violations(
        catalog, {"frame": ["alu", "steel"], "cage": {"cage": 5}}, on=dt.date(2031, 1, 1), locale=locale
    )
    messages = {v.kind: v.message for v in found}
    assert messages == {
        "cardinality": cardinality,
        "effective": effective,
        "quantity": quantity,
        "constraint": rule,
    }


# --- choices ----------------------------------------------------------------------------------------------


def test_choices_list_the_selected_options_a_rule_mentions() -> None:
    """Choices are the selected options referenced by guard and body, sorted."""
    catalog = with_rule(**{"if": "motor", "requires": "battery.b400 & brakes.disc"})
    [violation] = find_violations(
        catalog, {**BASE, "motor": "hub", "battery": "b600", "brakes": "rim", "wheels": "w26"}
    )
    assert violation.choices == ("motor.hub",)
    [excl] = find_violations(
        with_rule(excludes=["extras.bell", "extras.lights", "cage.cage"]),
        {**BASE, "extras": ["bell", "lights"]},
    )
    assert excl.choices == ("extras.bell", "extras.lights")
    assert excl.kind == "excludes"


def test_choices_of_sum_rules_are_the_options_carrying_the_attribute() -> None:
    """A sum() rule names every selected option that sets the attribute."""
    [violation] = find_violations(
        with_rule(constraint="sum(weight_g) < 5000"), {"frame": "steel", "motor": "hub", "brakes": "disc"}
    )
    assert violation.choices == ("frame.steel", "motor.hub")


# --- configuration errors ---------------------------------------------------------------------------------


def test_unknown_module_or_option_raises_with_suggestion() -> None:
    """A configuration naming unknown modules or options is a ConfigurationError with a suggestion."""
    catalog = make_catalog(MODULES, attributes=ATTRS)
    with pytest.raises(ConfigurationError, match=r"unknown module 'motr' \(did you mean 'motor'\?\)"):
        find_violations(catalog, {**BASE, "motr": "hub"})
    with pytest.raises(ConfigurationError, match=r"unknown option frame\.carbn \(did you mean 'carbon'\?\)"):
        find_violations(catalog, {"frame": "carbn"})


def test_configuration_object_and_mapping_are_equivalent() -> None:
    """find_violations accepts a Configuration or a plain mapping of selections."""
    catalog = with_rule(requires="brakes.disc")
    config = Configuration.from_data({"selections": {"frame": "alu"}})
    assert find_violations(catalog, config) == find_violations(catalog, {"frame": "alu"})


# --- sub-assemblies ---------------------------------------------------------------------------------------


@pytest.fixture
def assembly(write: Writer) -> Path:
    """bike.yaml with a dock whose rack is a sub-assembly, itself with a bolted sub-sub-assembly."""
    write(
        "parts/bolts.yaml",
        'catalog: bolts\nversion: "1"\ncurrency: EUR\nlocales: [en, pt]\nmodules:\n  size:\n    options: {m5: {}, m6: {}}\n',
    )
    write(
        "parts/rack.yaml",
        """\
        catalog: rack
        version: "1"
        currency: EUR
        locales: [en, pt]
        modules:
          size:
            options: {s: {}, l: {}}
          fixing:
            choose: optional
            options: {bolted: {product: bolts.yaml}}
        rules:
          - id: large-is-bolted
            requires: "size.l -> fixing.bolted"
            message: {en: Large racks must be bolted, pt: Suportes grandes têm de ser aparafusados}
        """,
    )
    return write(
        "bike.yaml",
        """\
        catalog: bike
        version: "1"
        currency: EUR
        locales: [en, pt]
        modules:
          frame:
            options: {alu: {}}
          dock:
            choose: optional
            options:
              city_rack: {product: parts/rack.yaml}
        """,
    )


def test_sub_assemblies_are_checked_recursively_with_their_path(assembly: Path) -> None:
    """Violations inside sub-assemblies carry the path of the option they configure, nested with '/'."""
    catalog = load_catalog(assembly)
    config = Configuration.from_data(
        {
            "selections": {
                "frame": "alu",
                "dock": {
                    "city_rack": {
                        "config": {"selections": {"size": "l", "fixing": {"bolted": {"config": {}}}}}
                    }
                },
            }
        }
    )
    found = find_violations(catalog, config, locale="pt")
    assert found == [
        Violation(
            "module:size:choose",
            "cardinality",
            "size: escolha entre 1 e 1 opções, 0 escolhidas",
            (),
            "dock.city_rack/fixing.bolted",
        )
    ]
    unbolted = Configuration.from_data(
        {"selections": {"frame": "alu", "dock": {"city_rack": {"config": {"selections": {"size": "l"}}}}}}
    )
    [violation] = find_violations(catalog, unbolted)
    assert (violation.rule_id, violation.path, violation.message) == (
        "large-is-bolted",
        "dock.city_rack",
        "Large racks must be bolted",
    )
    assert violation.choices == ("size.l",)


def test_unselected_sub_assembly_is_not_checked(assembly: Path) -> None:
    """A sub-assembly that is not selected is not checked; a selected one without config is empty."""
    catalog = load_catalog(assembly)
    assert find_violations(catalog, {"frame": "alu"}) == []
    [violation] = find_violations(catalog, {"frame": "alu", "dock": "city_rack"})
    assert (violation.rule_id, violation.path) == ("module:size:choose", "dock.city_rack")


def test_unknown_option_inside_a_sub_configuration(assembly: Path) -> None:
    """Unknown options in a sub-assembly's configuration name the sub-assembly."""
    catalog = load_catalog(assembly)
    config = Configuration.from_data(
        {"selections": {"frame": "alu", "dock": {"city_rack": {"config": {"selections": {"size": "xl"}}}}}}
    )
    with pytest.raises(
        ConfigurationError, match=r"dock\.city_rack: unknown option size\.xl \(did you mean 'l'\?\)"
    ):
        find_violations(catalog, config)


def test_config_for_an_option_that_is_not_a_sub_assembly(assembly: Path) -> None:
    """Giving a config to an ordinary option is an error."""
    catalog = load_catalog(assembly)
    config = Configuration.from_data({"selections": {"frame": {"alu": {"config": {}}}}})
    with pytest.raises(ConfigurationError, match=r"frame\.alu is not a sub-assembly but has a 'config'"):
        find_violations(catalog, config)


# --- property: agreement with a brute-force re-evaluation -------------------------------------------------


def brute_force(catalog: Catalog, selection: Mapping[str, Mapping[str, int]], on: dt.date | None) -> set[str]:
    """Ids of everything violated, computed directly from the definitions in docs/catalog-language.md."""
    symbols = Symbols(
        modules={m: frozenset(module.options) for m, module in catalog.modules.items()},
        attributes={
            a: ValueType(attr.type, frozenset(attr.values or ())) for a, attr in catalog.attributes.items()
        },
    )
    chosen = {(m, o): q for m, options in selection.items() for o, q in options.items() if q > 0}
    env = MappingEnvironment(chosen, {(m, o): catalog.option(m, o).attrs for m, o in chosen})
    out: set[str] = set()
    for mid, module in catalog.modules.items():
        picked = [o for (m, o) in chosen if m == mid]
        high = (
            len(module.options) if module.choose.max is None else min(module.choose.max, len(module.options))
        )
        if not module.choose.min <= len(picked) <= high:
            out.add(f"module:{mid}:choose")
        for oid in picked:
            option = module.options[oid]
            if not option.qty.min <= chosen[(mid, oid)] <= option.qty.max:
                out.add(f"option:{mid}.{oid}:qty")
            if on is not None and not (option.effective(on) and module.effective(on)):
                out.add(f"option:{mid}.{oid}:effective")

    def holds(text: str) -> bool:
        return bool(evaluate(compile_expression(text, symbols), env))

    for rule in catalog.rules:
        if on is not None and not rule.effective(on):
            continue
        if rule.table is not None:
            # The value of a column is the first selected option of its module, in selection order, or '-'.
            row_now = [next((o for (m, o) in chosen if m == column), "-") for column in rule.table.columns]
            match = any(
                all(c in ("*", v) for c, v in zip(row, row_now, strict=True)) for row in rule.table.rows
            )
            ok = match if rule.table.mode == "allowed" else not match
        elif isinstance(rule.excludes, tuple):
            ok = sum(holds(t) for t in rule.excludes) <= 1
        elif rule.if_ is not None and not holds(rule.if_):
            ok = True
        elif rule.requires is not None:
            ok = holds(rule.requires)
        elif rule.excludes is not None:
            ok = not holds(rule.excludes)
        else:
            assert rule.constraint is not None
            ok = holds(rule.constraint)
        if not ok:
            out.add(rule.id)
    return out


@settings(max_examples=80)
@given(
    st.data(),
    catalogs(),
    st.none() | st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2031, 12, 31)),
)
def test_checker_agrees_with_brute_force(data: st.DataObject, catalog: Catalog, on: dt.date | None) -> None:
    """For random catalogs and configurations, find_violations never raises and agrees with brute force."""
    selection = data.draw(configurations(catalog))
    found = find_violations(catalog, selection, on=on)
    ids = [v.rule_id for v in found]
    assert len(ids) == len(set(ids))
    assert set(ids) == brute_force(catalog, selection, on)
    assert (found == []) == (brute_force(catalog, selection, on) == set())
    for violation in found:
        assert violation.message
        assert all("." in choice for choice in violation.choices)
        for locale in catalog.locales:
            assert find_violations(catalog, selection, on=on, locale=locale)
