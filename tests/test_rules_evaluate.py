"""Tests of configurator.rules.evaluate: the reference semantics of every construct."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from configurator.catalog.compiled import CONTEXT
from configurator.rules.ast import Binary, ModuleRef, Name, OptionRef
from configurator.rules.evaluate import MappingEnvironment, Value, evaluate, references, walk
from configurator.rules.parser import parse_expression
from configurator.rules.types import Kind, Symbols, ValueType, compile_expression, resolve

SYMBOLS = Symbols(
    modules={
        "frame": frozenset({"alu", "carbon", "steel"}),
        "ram": frozenset({"gb8", "gb16"}),
        "battery": frozenset({"b400", "b600"}),
        "extras": frozenset({"bell", "rack"}),
    },
    attributes={
        "weight_g": ValueType("int"),
        "gb": ValueType("int"),
        "capacity_wh": ValueType("decimal"),
        "waterproof": ValueType("bool"),
        "colour": ValueType("enum", frozenset({"black", "red", "sand"})),
    },
    context=CONTEXT,
)
ATTRS: dict[tuple[str, str], dict[str, bool | int | Decimal | str]] = {
    ("frame", "alu"): {"weight_g": 1600, "colour": "black"},
    ("frame", "carbon"): {"weight_g": 950, "colour": "red", "waterproof": True},
    ("frame", "steel"): {"weight_g": 2400, "colour": "sand", "waterproof": False},
    ("ram", "gb8"): {"gb": 8, "weight_g": 10},
    ("ram", "gb16"): {"gb": 16, "weight_g": 12},
    ("battery", "b400"): {"capacity_wh": Decimal("400.5"), "weight_g": 2000, "waterproof": True},
    ("battery", "b600"): {"capacity_wh": Decimal("625.25"), "weight_g": 3100},
    ("extras", "bell"): {},
    ("extras", "rack"): {"weight_g": 700},
}


def ev(
    text: str, selection: Mapping[tuple[str, str], int], context: Mapping[str, str] | None = None
) -> Value:
    """Evaluate ``text`` over a selection ``{(module, option): quantity}``."""
    expr = compile_expression(text, SYMBOLS, expect=_kind(text))
    return evaluate(expr, MappingEnvironment(dict(selection), ATTRS, dict(context or {})))


def _kind(text: str) -> Kind:
    """The type of ``text``, so that ev() can evaluate numeric expressions too."""
    return resolve(parse_expression(text), text, SYMBOLS)[1].kind


def test_option_and_module_references() -> None:
    """m.o is true when selected (quantity > 0); m and m.* when any option of m is."""
    sel = {("frame", "alu"): 1, ("ram", "gb8"): 0}
    assert ev("frame.alu", sel) is True
    assert ev("frame.carbon", sel) is False
    assert ev("ram.gb8", sel) is False
    assert ev("frame", sel) is True and ev("frame.*", sel) is True
    assert ev("ram", sel) is False and ev("extras.*", sel) is False


def test_module_numeric_attribute_is_the_sum_times_quantity() -> None:
    """ram.gb sums gb x quantity over the selected options of ram only."""
    sel = {("ram", "gb16"): 2, ("ram", "gb8"): 1, ("frame", "alu"): 1}
    assert ev("ram.gb", sel) == 40
    assert ev("ram.gb == 40", sel) is True
    assert ev("ram.weight_g", sel) == 34
    assert ev("battery.capacity_wh", {("battery", "b600"): 2}) == Decimal("1250.50")


def test_numeric_attribute_of_an_empty_or_unset_module_counts_as_zero() -> None:
    """With nothing selected (or no option setting it) a module's numeric attribute compares equal to 0."""
    assert ev("ram.gb == 0", {}) is True
    assert ev("ram.gb != 0", {}) is False
    assert ev("ram.gb < 1", {}) is True
    assert ev("extras.gb == 0", {("extras", "bell"): 1}) is True
    assert ev("ram.gb + 1 == 1", {}) is True


def test_module_bool_attribute_is_true_when_any_selected_option_has_it() -> None:
    """frame.waterproof is true when some selected frame option is waterproof."""
    assert ev("frame.waterproof", {("frame", "carbon"): 1}) is True
    assert ev("frame.waterproof", {("frame", "steel"): 1}) is False
    assert not ev("frame.waterproof", {("frame", "alu"): 1})
    assert ev("frame.waterproof", {("frame", "steel"): 1, ("frame", "carbon"): 1}) is True
    assert ev("!frame.waterproof", {}) is True
    assert ev("!frame.waterproof", {("frame", "alu"): 1}) is True


def test_bool_attribute_of_an_empty_module_compares_as_false() -> None:
    """An unset bool attribute is false, also under == and !=."""
    assert ev("frame.waterproof == false", {}) is True
    assert ev("frame.waterproof == false", {("frame", "alu"): 1}) is True
    assert ev("frame.waterproof != false", {("frame", "alu"): 1}) is False
    assert ev("frame.waterproof == extras.waterproof", {}) is True
    assert ev("frame.waterproof == battery.waterproof", {("battery", "b400"): 1}) is False


def test_enum_equality_has_set_semantics() -> None:
    """== is true when some selected option has the value; != when none has it."""
    both = {("frame", "alu"): 1, ("frame", "carbon"): 1}
    assert ev('frame.colour == "red"', both) is True
    assert ev('frame.colour == "black"', both) is True
    assert ev('frame.colour == "sand"', both) is False
    assert ev('frame.colour != "red"', both) is False
    assert ev('frame.colour != "sand"', both) is True
    assert ev('"red" == frame.colour', both) is True


def test_enum_of_an_empty_module_has_no_value() -> None:
    """With nothing selected an enum equals no value, so != is true."""
    assert ev('frame.colour == "red"', {}) is False
    assert ev('frame.colour != "red"', {}) is True
    assert ev('frame.colour in ["red", "black"]', {}) is False
    assert ev('frame.colour not in ["red"]', {}) is True
    assert ev('frame.colour == "red"', {("extras", "bell"): 1}) is False


def test_enum_in_and_not_in() -> None:
    """In is true when some selected value is listed; not in when none is."""
    both = {("frame", "alu"): 1, ("frame", "carbon"): 1}
    assert ev('frame.colour in ["sand", "red"]', both) is True
    assert ev('frame.colour in ["sand"]', both) is False
    assert ev('frame.colour not in ["sand"]', both) is True
    assert ev('frame.colour not in ["black"]', both) is False
    assert ev("frame.colour in []", both) is False


def test_sum_across_all_modules_times_quantity() -> None:
    """sum(a) adds a x quantity over every selected option; options without a count as 0."""
    sel = {("frame", "alu"): 1, ("ram", "gb16"): 2, ("extras", "bell"): 1, ("battery", "b400"): 1}
    assert ev("sum(weight_g)", sel) == 1600 + 24 + 2000
    assert ev("sum(gb)", sel) == 32
    assert ev("sum(capacity_wh)", sel) == Decimal("400.5")
    assert ev("sum(weight_g) == 0", {}) is True


def test_count_and_qty() -> None:
    """count(m) is the total quantity in m; count(m.o) and qty(m.o) the quantity of o (0 if unselected)."""
    sel = {("ram", "gb16"): 2, ("ram", "gb8"): 1}
    assert ev("count(ram)", sel) == 3
    assert ev("count(ram.*)", sel) == 3
    assert ev("count(ram.gb16)", sel) == 2
    assert ev("qty(ram.gb16)", sel) == 2
    assert ev("qty(frame.alu)", sel) == 0
    assert ev("count(frame)", sel) == 0


def test_arithmetic_mixes_int_and_decimal_exactly() -> None:
    """+, -, * and unary minus compute exactly, mixing int and Decimal."""
    sel = {("battery", "b400"): 1, ("ram", "gb8"): 3}
    assert ev("battery.capacity_wh * 2 - 1", sel) == Decimal("800.0")
    assert ev("count(ram) * 1.5", sel) == Decimal("4.5")
    assert ev("-count(ram) + 10", sel) == 7
    assert ev("0.1 + 0.2 == 0.3", {}) is True
    assert ev("2 + 3 * 4", {}) == 14
    assert ev("(2 + 3) * 4", {}) == 20
    assert ev("1 - 2 - 3", {}) == -4


@pytest.mark.parametrize(
    ("op", "results"),
    [
        ("<", (True, False, False)),
        ("<=", (True, True, False)),
        (">", (False, False, True)),
        (">=", (False, True, True)),
        ("==", (False, True, False)),
        ("!=", (True, False, True)),
    ],
)
def test_numeric_comparisons(op: str, results: tuple[bool, bool, bool]) -> None:
    """Each comparison operator on numbers below, equal to and above."""
    assert tuple(ev(f"count(ram) {op} 2", {("ram", "gb8"): n}) for n in (1, 2, 3)) == results


@pytest.mark.parametrize(
    ("op", "table"),
    [
        ("&", (False, False, False, True)),
        ("|", (False, True, True, True)),
        ("->", (True, True, False, True)),
        ("<->", (True, False, False, True)),
        ("==", (True, False, False, True)),
        ("!=", (False, True, True, False)),
    ],
)
def test_connective_truth_tables(op: str, table: tuple[bool, bool, bool, bool]) -> None:
    """The truth table of each connective over (a, b) in FF, FT, TF, TT."""
    cases = [(a, b) for a in (False, True) for b in (False, True)]
    got = tuple(
        ev(f"frame.alu {op} extras.bell", {("frame", "alu"): int(a), ("extras", "bell"): int(b)})
        for a, b in cases
    )
    assert got == table


def test_negation() -> None:
    """! and not invert booleans."""
    assert ev("!frame.alu", {}) is True
    assert ev("not frame.alu", {("frame", "alu"): 1}) is False


def test_context_variables() -> None:
    """Tier and country come from the environment's context; an unknown one matches nothing."""
    gold = {"tier": "mvc", "country": "PT"}
    assert ev('tier in ["mvc", "mgc"]', {}, gold) is True
    assert ev('tier not in ["mvc"]', {}, gold) is False
    assert ev('tier == "mvc" & country == "PT"', {}, gold) is True
    assert ev('country in ["SE", "ES"]', {}, gold) is False
    assert ev('country == "PT"', {}, {}) is False
    assert ev('country != "PT"', {}, {}) is True
    assert ev('tier in ["mvc"]', {}, {}) is False


def test_unresolved_names_cannot_be_evaluated() -> None:
    """Evaluating a parsed but unresolved tree is a TypeError (names are resolved at load time)."""
    with pytest.raises(TypeError, match="cannot evaluate unresolved node"):
        evaluate(Name(("frame",)), MappingEnvironment({}))


def test_mapping_environment() -> None:
    """MappingEnvironment answers quantities, selections, attributes and context."""
    env = MappingEnvironment(
        {("a", "x"): 2, ("a", "y"): 0, ("b", "z"): 1}, {("a", "x"): {"w": 3}}, {"tier": "mvc"}
    )
    assert env.quantity("a", "x") == 2 and env.quantity("a", "q") == 0
    assert list(env.selected("a")) == [("a", "x", 2)]
    assert sorted(env.selected()) == [("a", "x", 2), ("b", "z", 1)]
    assert env.attribute("a", "x", "w") == 3 and env.attribute("b", "z", "w") is None
    assert env.context("tier") == "mvc" and env.context("country") is None


def test_walk_and_references() -> None:
    """walk() visits every node parents first; references() lists the (module, option) pairs mentioned."""
    expr = compile_expression(
        'frame.alu -> (extras | frame.colour == "red") & count(ram.gb8) > sum(gb)', SYMBOLS
    )
    nodes = list(walk(expr))
    assert nodes[0] is expr
    assert len(nodes) == 11
    assert references(expr) == {("frame", "alu"), ("extras", None), ("frame", None), ("ram", "gb8")}
    assert references(Binary("&", OptionRef("a", "x"), ModuleRef("b"))) == {("a", "x"), ("b", None)}
