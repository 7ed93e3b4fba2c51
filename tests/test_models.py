"""Tests of configurator.catalog.models: structure, defaults and per-model checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from configurator.catalog.models import (
    Attribute,
    BundleDiscount,
    Cardinality,
    Catalog,
    Library,
    Module,
    Option,
    Pricing,
    Quantity,
    Rule,
    Service,
    Table,
)
from support import make_catalog


def invalid(cls: type[Any], data: Any) -> str:
    """The validation message for ``data``."""
    with pytest.raises(ValidationError) as caught:
        cls.model_validate(data)
    return str(caught.value)


@pytest.mark.parametrize(
    ("choose", "low", "high"),
    [
        ("exactly_one", 1, 1),
        ("optional", 0, 1),
        ("any", 0, None),
        ({"min": 1, "max": 3}, 1, 3),
        ({}, 0, None),
    ],
)
def test_choose_spellings(choose: Any, low: int, high: int | None) -> None:
    """The three named cardinalities and the {min, max} mapping."""
    module = Module.model_validate({"choose": choose, "options": {"a": {}}})
    assert (module.choose.min, module.choose.max) == (low, high)


def test_choose_defaults_to_exactly_one() -> None:
    """A module without choose takes exactly one option."""
    assert Module.model_validate({"options": {"a": {}}}).choose == Cardinality(min=1, max=1)


def test_unknown_choose_word() -> None:
    """An unknown word lists what is accepted."""
    assert "expected exactly_one, optional, any or a mapping {min: M, max: N}, got 'one'" in invalid(
        Module, {"choose": "one", "options": {"a": {}}}
    )


def test_cardinality_order() -> None:
    """A choose min above its max is refused."""
    assert "choose min 3 is greater than max 2" in invalid(Cardinality, {"min": 3, "max": 2})


def test_max_choices_is_capped_by_the_options() -> None:
    """max_choices is the smaller of choose max and the number of options."""
    assert Module.model_validate({"choose": "any", "options": {"a": {}, "b": {}}}).max_choices == 2
    assert Module.model_validate({"choose": {"max": 5}, "options": {"a": {}}}).max_choices == 1
    assert Module.model_validate({"choose": {"max": 1}, "options": {"a": {}, "b": {}}}).max_choices == 1


def test_quantity_defaults_and_order() -> None:
    """Quantities default to 1..1, must be >= 1 and ordered."""
    assert Option.model_validate({}).qty == Quantity(min=1, max=1)
    assert "qty min 3 is greater than max 2" in invalid(Quantity, {"min": 3, "max": 2})
    assert "greater than or equal to 1" in invalid(Quantity, {"min": 0, "max": 2})


def test_option_price_is_exact_and_not_negative() -> None:
    """Prices are Decimals >= 0; strings of digits are accepted, floats are exact too."""
    assert Option.model_validate({"price": Decimal("12.50")}).price == Decimal("12.50")
    assert Option.model_validate({}).price == 0
    assert "greater than or equal to 0" in invalid(Option, {"price": Decimal("-1")})


def test_default_and_recommended_accept_one_id_or_a_list() -> None:
    """default: x is the same as default: [x]."""
    module = Module.model_validate({"default": "a", "recommended": ["a", "b"], "options": {"a": {}, "b": {}}})
    assert module.default == ("a",)
    assert module.recommended == ("a", "b")


def test_module_needs_options() -> None:
    """A module without options is refused."""
    assert "at least 1 item" in invalid(Module, {"options": {}})


@pytest.mark.parametrize("bad", ["Frame", "1x", "a-b", "a b", "", "é"])
def test_ids_are_lowercase_identifiers(bad: str) -> None:
    """Module and option ids match [a-z][a-z0-9_]*."""
    with pytest.raises(ValidationError):
        Module.model_validate({"options": {bad: {}}})


def test_unknown_keys_are_refused() -> None:
    """Every model forbids unknown keys."""
    assert "Extra inputs are not permitted" in invalid(Option, {"prize": 1})


def test_models_are_frozen() -> None:
    """Models cannot be changed after validation."""
    option = Option.model_validate({})
    with pytest.raises(ValidationError):
        option.price = Decimal(1)  # type: ignore[misc]


def test_effective_dates_inclusive_and_ordered() -> None:
    """effective() includes both ends; None means always; from after to is refused."""
    option = Option.model_validate({"valid_from": dt.date(2026, 1, 1), "valid_to": dt.date(2026, 6, 30)})
    assert option.effective(None)
    assert not option.effective(dt.date(2025, 12, 31))
    assert option.effective(dt.date(2026, 1, 1))
    assert option.effective(dt.date(2026, 6, 30))
    assert not option.effective(dt.date(2026, 7, 1))
    assert Option.model_validate({"valid_to": dt.date(2020, 1, 1)}).effective(dt.date(2019, 1, 1))
    assert "valid_from 2026-02-01 is after valid_to 2026-01-01" in invalid(
        Option, {"valid_from": dt.date(2026, 2, 1), "valid_to": dt.date(2026, 1, 1)}
    )


def test_attribute_enum_values() -> None:
    """Enums need distinct values; other types take none."""
    assert Attribute.model_validate({"type": "enum", "values": ["a", "b"]}).values == ("a", "b")
    assert "an enum attribute needs 'values: [...]'" in invalid(Attribute, {"type": "enum"})
    assert "enum values must be distinct" in invalid(Attribute, {"type": "enum", "values": ["a", "a"]})
    assert "only enum attributes take 'values', this one is int" in invalid(
        Attribute, {"type": "int", "values": ["a"]}
    )
    assert "Input should be 'int', 'decimal', 'bool' or 'enum'" in invalid(Attribute, {"type": "float"})


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"id": "r", "requires": "a"}, "requires"),
        ({"id": "r", "excludes": "a"}, "excludes"),
        ({"id": "r", "excludes": ["a", "b"]}, "excludes"),
        ({"id": "r", "constraint": "a -> b"}, "constraint"),
        ({"id": "r", "table": {"columns": ["m"], "rows": [["x"]]}}, "table"),
    ],
)
def test_rule_kinds(data: dict[str, Any], kind: str) -> None:
    """A rule's kind is its one body."""
    assert Rule.model_validate(data).kind == kind


def test_rule_needs_exactly_one_body() -> None:
    """No body or two bodies are refused."""
    assert "needs exactly one of requires, excludes, constraint, table; got none" in invalid(
        Rule, {"id": "r"}
    )
    assert "got requires, constraint" in invalid(Rule, {"id": "r", "requires": "a", "constraint": "b"})


def test_excludes_list_rules() -> None:
    """An excludes list needs two expressions and no guard."""
    assert "an excludes list needs at least two expressions, got 1" in invalid(
        Rule, {"id": "r", "excludes": ["a"]}
    )
    assert "cannot have an 'if' guard" in invalid(Rule, {"id": "r", "if": "c", "excludes": ["a", "b"]})
    assert Rule.model_validate({"id": "r", "if": "c", "excludes": "a"}).if_ == "c"


def test_tables_have_no_guard_and_full_rows() -> None:
    """Tables cannot be guarded and every row has one cell per column; mode defaults to allowed."""
    table = {"columns": ["m", "n"], "rows": [["a", "*"]]}
    assert Table.model_validate(table).mode == "allowed"
    assert "a table cannot have an 'if' guard" in invalid(Rule, {"id": "r", "if": "c", "table": table})
    assert "row 0 has 1 cells, expected 2 (one per column)" in invalid(
        Table, {"columns": ["m", "n"], "rows": [["a"]]}
    )
    assert "Input should be 'allowed' or 'forbidden'" in invalid(Table, {**table, "mode": "maybe"})


def test_expressions_must_be_text() -> None:
    """A YAML boolean or number where an expression belongs is refused."""
    assert "expected an expression as a quoted string, got bool" in invalid(
        Rule, {"id": "r", "requires": True}
    )
    assert "expected an expression as a quoted string, got int" in invalid(
        Rule, {"id": "r", "excludes": ["a", 1]}
    )


def test_rule_and_bundle_ids_may_contain_dashes() -> None:
    """Rule ids use the dashed id pattern."""
    assert Rule.model_validate({"id": "carbon-no-hub", "requires": "a"}).id == "carbon-no-hub"
    assert "String should match pattern" in invalid(Rule, {"id": "Carbon", "requires": "a"})


def test_service_kinds_and_tiers() -> None:
    """A service has one of three kinds and is free for known tiers only."""
    service = Service.model_validate({"kind": "training", "included_for": ["mvc"]})
    assert service.included_for == ("mvc",)
    assert "Input should be 'post_sale', 'training' or 'advisory'" in invalid(Service, {"kind": "repair"})
    assert "Input should be 'mvc', 'mgc', 'standard' or 'below_zero'" in invalid(
        Service, {"kind": "training", "included_for": ["gold"]}
    )


def test_bundle_needs_exactly_one_discount() -> None:
    """A bundle has a percentage or an amount, not both, not neither."""
    base = {"id": "b", "when": "a"}
    assert BundleDiscount.model_validate({**base, "discount_pct": 5}).discount_pct == 5
    message = "a bundle discount needs exactly one of discount_pct, discount_amount"
    assert message in invalid(BundleDiscount, base)
    assert message in invalid(BundleDiscount, {**base, "discount_pct": 5, "discount_amount": 1})


def test_pricing_volume_breaks_increase_and_percentages_are_bounded() -> None:
    """Volume breaks need strictly increasing min_qty; percentages lie in [0, 100]."""
    ok = Pricing.model_validate(
        {"volume": [{"min_qty": 5, "discount_pct": 4}, {"min_qty": 20, "discount_pct": 9}]}
    )
    assert [v.min_qty for v in ok.volume] == [5, 20]
    assert "strictly increasing min_qty, got [5, 5]" in invalid(
        Pricing, {"volume": [{"min_qty": 5, "discount_pct": 4}, {"min_qty": 5, "discount_pct": 9}]}
    )
    assert "less than or equal to 100" in invalid(Pricing, {"tiers": {"mvc": {"discount_pct": 101}}})


def test_library_model() -> None:
    """A library holds attributes, modules, rules and services."""
    library = Library.model_validate({"library": "care", "modules": {"plan": {"options": {"a": {}}}}})
    assert library.library == "care" and "plan" in library.modules


def test_catalog_required_keys_and_currency() -> None:
    """A catalog needs catalog, version, currency, locales and modules; currency is ISO 4217-shaped."""
    message = invalid(Catalog, {})
    for key in ("catalog", "version", "currency", "locales", "modules"):
        assert key in message
    with pytest.raises(ValidationError, match="String should match pattern"):
        make_catalog({"m": {"options": {"a": {}}}}, currency="eur")


def test_catalog_version_numbers_become_text() -> None:
    """An unquoted version number is kept as text."""
    assert make_catalog({"m": {"options": {"a": {}}}}, version=Decimal("2026.11")).version == "2026.11"
    assert make_catalog({"m": {"options": {"a": {}}}}, version=3).version == "3"


def test_plain_string_text_is_the_default_locale() -> None:
    """A plain string label becomes {default_locale: text}; without context the default is en."""
    catalog = Catalog.model_validate(
        {
            "catalog": "c",
            "version": "1",
            "currency": "EUR",
            "locales": ["pt", "en"],
            "name": "Olá",
            "modules": {"m": {"options": {"a": {}}}},
        },
        context={"default_locale": "pt"},
    )
    assert catalog.name == {"pt": "Olá"}
    assert Option.model_validate({"label": "Frame"}).label == {"en": "Frame"}


def test_text_lookup_falls_back() -> None:
    """text() uses the locale, then its language, then the default locale, then any, then the fallback."""
    catalog = make_catalog({"m": {"options": {"a": {}}}})
    assert catalog.default_locale == "en"
    label = {"en": "Frame", "pt": "Quadro"}
    assert catalog.text(label, "pt") == "Quadro"
    assert catalog.text(label, "pt_BR") == "Quadro"
    assert catalog.text(label, "sv") == "Frame"
    assert catalog.text(label) == "Frame"
    assert catalog.text({"es": "Cuadro"}, "sv") == "Cuadro"
    assert catalog.text(None, "pt", "m") == "m"
    assert catalog.text({}, "pt", "m") == "m"


def test_catalog_option_lookup() -> None:
    """option(module, option) finds an option or raises KeyError."""
    catalog = make_catalog({"m": {"options": {"a": {"price": Decimal("1.5")}}}})
    assert catalog.option("m", "a").price == Decimal("1.5")
    with pytest.raises(KeyError):
        catalog.option("m", "b")


def test_code_built_catalog_has_no_products() -> None:
    """A catalog built in code has no sub-assemblies."""
    assert make_catalog({"m": {"options": {"a": {}}}}).products == {}
