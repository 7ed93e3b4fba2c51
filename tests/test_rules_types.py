"""Tests of configurator.rules.types: name resolution, suggestions and type checking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from configurator.catalog.compiled import CONTEXT
from configurator.errors import RuleSyntaxError
from configurator.rules.ast import (
    Arith,
    Binary,
    Compare,
    ContextVar,
    Count,
    InList,
    Literal,
    ModuleAttr,
    ModuleRef,
    Not,
    OptionRef,
    SumAttr,
    to_text,
)
from configurator.rules.parser import parse_expression
from configurator.rules.types import TIERS, Symbols, ValueType, compile_expression, resolve
from strategies import Shape, context_expressions, expression_texts
from support import strip

SYMBOLS = Symbols(
    modules={
        "frame": frozenset({"alu_m", "carbon_m"}),
        "storage": frozenset({"ssd_1t", "ssd_2t"}),
        "battery": frozenset({"b400"}),
    },
    attributes={
        "weight_g": ValueType("int"),
        "capacity_wh": ValueType("decimal"),
        "waterproof": ValueType("bool"),
        "colour": ValueType("enum", frozenset({"black", "red", "sand"})),
    },
)
WITH_CONTEXT = Symbols(SYMBOLS.modules, SYMBOLS.attributes, CONTEXT)


def fails(text: str, symbols: Symbols = SYMBOLS) -> RuleSyntaxError:
    """The error compiling ``text`` raises."""
    with pytest.raises(RuleSyntaxError) as caught:
        compile_expression(text, symbols)
    return caught.value


# --- resolution -------------------------------------------------------------------------------------------


def test_references_resolve_to_their_meaning() -> None:
    """Options, modules, module attributes, sums and counts resolve to dedicated nodes."""
    assert compile_expression("frame.alu_m", SYMBOLS) == OptionRef("frame", "alu_m", 0)
    assert compile_expression("frame.*", SYMBOLS) == ModuleRef("frame", 0)
    assert compile_expression("frame", SYMBOLS) == ModuleRef("frame", 0)
    assert compile_expression("frame.waterproof", SYMBOLS) == ModuleAttr("frame", "waterproof", 0)
    expr = compile_expression(
        "sum(weight_g) > count(storage) + qty(storage.ssd_1t) + count(frame.*)", SYMBOLS
    )
    assert isinstance(expr, Compare) and expr.left == SumAttr("weight_g", 0)
    assert isinstance(expr.right, Arith) and isinstance(expr.right.left, Arith)
    assert expr.right.left.left == Count("storage", None, 16)
    assert expr.right.left.right == Count("storage", "ssd_1t", 33)
    assert expr.right.right == Count("frame", None, 55)


def test_context_variables_resolve_only_with_a_context() -> None:
    """Tier and country are context variables where a context is given, unknown elsewhere."""
    expr = compile_expression('tier in ["mvc", "mgc"] & country == "PT"', WITH_CONTEXT)
    assert isinstance(expr, Binary)
    assert expr.left == InList(ContextVar("tier", 0), ("mvc", "mgc"), False, 5)
    assert isinstance(expr.right, Compare) and expr.right.left == ContextVar("country", 25)
    assert fails('tier == "mvc"').reason == "unknown reference 'tier'"
    assert fails('country == "PT"').reason == "unknown reference 'country'"


def test_tier_values_are_checked() -> None:
    """Tier is an enum of the four value tiers."""
    assert set(TIERS) == {"mvc", "mgc", "standard", "below_zero"}
    error = fails('tier == "gold"', WITH_CONTEXT)
    assert (
        error.reason == "'gold' is not a value of this enum (expected one of below_zero, mgc, mvc, standard)"
    )


def test_enum_literal_on_the_left_is_moved_to_the_right() -> None:
    """'"red" == frame.colour' resolves like 'frame.colour == "red"'."""
    flipped = compile_expression('"red" == frame.colour', SYMBOLS)
    assert isinstance(flipped, Compare)
    assert isinstance(flipped.left, ModuleAttr) and flipped.right == Literal("red", 0)


def test_resolve_returns_the_type() -> None:
    """resolve() computes the expression type: int with int is int, int with decimal is decimal."""
    assert resolve(parse_expression("sum(weight_g) * 2"), "", SYMBOLS)[1] == ValueType("int")
    assert resolve(parse_expression("sum(weight_g) * 1.5"), "", SYMBOLS)[1] == ValueType("decimal")
    assert resolve(parse_expression("battery.capacity_wh - 1"), "", SYMBOLS)[1] == ValueType("decimal")
    assert resolve(parse_expression("-count(frame)"), "", SYMBOLS)[1] == ValueType("int")
    assert resolve(parse_expression("frame.colour"), "", SYMBOLS)[1].kind == "enum"
    assert compile_expression("sum(weight_g) + 1", SYMBOLS, expect="int") == Arith(
        "+", SumAttr("weight_g", 0), Literal(1, 16), 14
    )


@pytest.mark.parametrize(
    "text",
    [
        "frame.alu_m == true",
        "frame.waterproof == frame.alu_m",
        "sum(weight_g) * 1.5 > battery.capacity_wh",
        'frame.colour != "red" | storage.colour in ["sand"]',
        'frame.colour not in ["black"]',
        "count(storage) <= 2 -> !storage.ssd_2t",
        "frame.alu_m <-> !frame.carbon_m",
        "-sum(capacity_wh) < -1.5",
        "true",
    ],
)
def test_well_typed_expressions_compile(text: str) -> None:
    """Type-correct expressions of every construct compile to a boolean."""
    compile_expression(text, SYMBOLS)


def test_bool_not_and_or_keep_their_structure() -> None:
    """Resolution keeps the boolean structure and only replaces names."""
    expr = compile_expression("!frame.alu_m & frame.carbon_m", SYMBOLS)
    assert expr == Binary("&", Not(OptionRef("frame", "alu_m", 1), 0), OptionRef("frame", "carbon_m", 15), 13)


# --- unknown references -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason", "hint", "offset"),
    [
        ("frame.alu", "unknown option or attribute 'frame.alu'", "did you mean 'frame.alu_m'?", 0),
        ("fram.alu_m", "unknown module 'fram'", "did you mean 'frame.alu_m'?", 0),
        ("fram", "unknown reference 'fram'", "did you mean 'frame'?", 0),
        ("frame.nope", "unknown option or attribute 'frame.nope'", "did you mean 'frame.colour'?", 0),
        (
            "frame.alu_m & storage.ssd_1",
            "unknown option or attribute 'storage.ssd_1'",
            "did you mean 'storage.ssd_1t'?",
            14,
        ),
        ("count(nope) > 1", "unknown reference 'nope'", "", 6),
        ("qty(frame.alu) > 1", "unknown option or attribute 'frame.alu'", "did you mean 'frame.alu_m'?", 4),
        (
            "weight_g > 1",
            "attribute 'weight_g' needs a module or sum()",
            "write 'MODULE.weight_g' or 'sum(weight_g)'",
            0,
        ),
    ],
)
def test_unknown_references_suggest_the_nearest_id(text: str, reason: str, hint: str, offset: int) -> None:
    """Unknown names are errors at their column, with a "did you mean" hint when one is close."""
    error = fails(text)
    assert (error.reason, error.hint, error.offset) == (reason, hint, offset)


# --- type errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("sum(capacity_wh) == frame.colour", "type error: '==' cannot compare decimal with enum"),
        ('frame.capacity_wh == "red"', "type error: '==' cannot compare decimal with string"),
        ("frame.colour == battery.colour", "type error: '==' cannot compare enum with enum"),
        ('"red" == "red"', "type error: '==' cannot compare string with string"),
        ('frame.colour < "red"', "type error: '<' compares numbers, got enum and string"),
        ("frame.alu_m < 2", "type error: '<' compares numbers, got bool and int"),
        ("frame.alu_m == 1", "type error: '==' cannot compare bool with int"),
        ("sum(colour) > 1", "type error: sum() needs a numeric attribute, 'colour' is enum"),
        ("sum(waterproof) > 1", "type error: sum() needs a numeric attribute, 'waterproof' is bool"),
        ("sum(frame) > 1", "sum() takes a numeric attribute id, got 'frame'"),
        ("sum(frame.weight_g) > 1", "sum() takes a numeric attribute id, got 'frame.weight_g'"),
        ("qty(frame) > 0", "qty() takes an option (module.option), got 'frame'"),
        ("qty(frame.*) > 0", "qty() takes an option (module.option), got 'frame.*'"),
        ("count(frame.weight_g) > 0", "count() takes a module or an option, got 'frame.weight_g'"),
        ("!sum(weight_g)", "type error: '!' needs a boolean, got int"),
        ("frame & 1", "type error: '&' needs a boolean, got int"),
        ("frame.colour | frame", "type error: '|' needs a boolean, got enum"),
        ("-frame > 1", "type error: unary '-' needs numbers, got bool"),
        ("sum(weight_g) + true > 1", "type error: '+' needs numbers, got bool"),
        ("frame.weight_g in [1]", "type error: 'in' needs an enum, tier or country, got int"),
        ("frame.colour in [1]", "type error: expected one of the enum values as a string, got 1"),
        ('frame.colour == "blue"', "'blue' is not a value of this enum (expected one of black, red, sand)"),
        (
            'frame.colour in ["red", "blu"]',
            "'blu' is not a value of this enum (expected one of black, red, sand)",
        ),
        ("sum(weight_g)", "type error: the expression must be bool, got int"),
        ("frame.colour", "type error: the expression must be bool, got enum"),
    ],
)
def test_type_errors(text: str, reason: str) -> None:
    """Ill-typed expressions are refused with what was expected and what was found."""
    assert fails(text).reason == reason


def test_enum_value_typo_suggests_the_value() -> None:
    """A misspelt enum value suggests the nearest value."""
    error = fails('frame.colour == "rad"')
    assert error.hint == "did you mean 'red'?"
    assert error.offset == len('frame.colour == "') - 1


def test_comparing_decimal_with_enum_points_at_the_operator() -> None:
    """The type error is reported at the comparison operator, with a hint about enums."""
    error = fails("sum(capacity_wh) == frame.colour")
    assert error.offset == 17
    assert error.hint == "compare an enum with one of its values as a string"


def test_numeric_result_hints_at_a_comparison() -> None:
    """A numeric expression where a boolean is needed hints at comparing it."""
    assert fails("sum(weight_g)").hint == "compare it with something, e.g. '... > 0'"


def test_known_references_lists_every_spelling() -> None:
    """Symbols.known_references lists modules, context, options and module attributes."""
    known = WITH_CONTEXT.known_references()
    assert {"frame", "tier", "country", "frame.alu_m", "frame.weight_g", "storage.colour"} <= set(known)


def test_value_type_numeric_and_text() -> None:
    """ValueType knows whether it is numeric and prints its kind."""
    assert ValueType("int").numeric and ValueType("decimal").numeric
    assert not ValueType("bool").numeric and not ValueType("enum").numeric
    assert str(ValueType("enum", frozenset({"a"}))) == "enum"


SHAPE = Shape(
    modules={m: tuple(sorted(o)) for m, o in SYMBOLS.modules.items()},
    attributes={a: (t.kind, tuple(sorted(t.values))) for a, t in SYMBOLS.attributes.items()},
)


@settings(max_examples=150)
@given(expression_texts(SHAPE) | context_expressions(SHAPE))
def test_generated_expressions_type_check_and_resolved_text_is_stable(text: str) -> None:
    """Well-typed random expressions compile, and the text of the resolved tree compiles to the same tree."""
    resolved = compile_expression(text, WITH_CONTEXT)
    again = compile_expression(to_text(resolved), WITH_CONTEXT)
    assert strip(again) == strip(resolved)
