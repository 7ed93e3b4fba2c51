"""Tests of configurator.rules.parser (and to_text of configurator.rules.ast): syntax, precedence, errors."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.errors import RuleSyntaxError
from configurator.rules.ast import (
    Arith,
    ArithOp,
    Binary,
    BoolOp,
    Call,
    Compare,
    CompareOp,
    Expr,
    InList,
    Literal,
    Name,
    Neg,
    Not,
    to_text,
)
from configurator.rules.parser import MAX_EXPRESSION_LENGTH, parse_expression
from strategies import Shape, expression_texts
from support import strip


def tree(text: str) -> Any:
    """The parsed tree without offsets."""
    return strip(parse_expression(text))


A, B, C, D = (Name((x,)) for x in "abcd")


# --- precedence and associativity ---------------------------------------------------------------------


def test_and_binds_tighter_than_or() -> None:
    """Conjunction binds tighter than disjunction: a | b & c is a | (b & c)."""
    assert tree("a | b & c") == Binary("|", A, Binary("&", B, C))
    assert tree("a & b | c") == Binary("|", Binary("&", A, B), C)


def test_not_binds_tighter_than_and() -> None:
    """!a & b is (!a) & b."""
    assert tree("!a & b") == Binary("&", Not(A), B)


def test_or_binds_tighter_than_implication() -> None:
    """Disjunction binds tighter than implication: a | b -> c is (a | b) -> c."""
    assert tree("a | b -> c") == Binary("->", Binary("|", A, B), C)


def test_implication_binds_tighter_than_equivalence() -> None:
    """Implication binds tighter than equivalence, on either side of it."""
    assert tree("a -> b <-> c") == Binary("<->", Binary("->", A, B), C)
    assert tree("a <-> b -> c") == Binary("<->", A, Binary("->", B, C))


def test_implication_is_right_associative() -> None:
    """Implication is right associative: a -> b -> c is a -> (b -> c)."""
    assert tree("a -> b -> c") == Binary("->", A, Binary("->", B, C))
    assert tree("a -> b -> c -> d") == Binary("->", A, Binary("->", B, Binary("->", C, D)))


def test_equivalence_and_connectives_are_left_associative() -> None:
    """Equivalence, conjunction and disjunction chains group to the left."""
    assert tree("a <-> b <-> c") == Binary("<->", Binary("<->", A, B), C)
    assert tree("a & b & c") == Binary("&", Binary("&", A, B), C)
    assert tree("a | b | c") == Binary("|", Binary("|", A, B), C)


def test_word_operators_mean_the_same_as_symbols() -> None:
    """and, or, not are spellings of &, |, !."""
    assert tree("a or b and not c") == tree("a | b & !c")
    assert tree("not not a") == Not(Not(A))


def test_parentheses_override_precedence() -> None:
    """(a | b) & c groups the disjunction first."""
    assert tree("(a | b) & c") == Binary("&", Binary("|", A, B), C)


def test_comparison_binds_tighter_than_not() -> None:
    """!a == b negates the comparison; (!a) == b compares the negation."""
    assert tree("!a == b") == Not(Compare("==", A, B))
    assert tree("(!a) == b") == Compare("==", Not(A), B)


def test_arithmetic_precedence_and_associativity() -> None:
    """* binds tighter than + and -, which group to the left; unary minus binds tightest."""
    one, two, three = Literal(1), Literal(2), Literal(3)
    assert tree("1 + 2 * 3") == Arith("+", one, Arith("*", two, three))
    assert tree("1 - 2 - 3") == Arith("-", Arith("-", one, two), three)
    assert tree("-1 * 2") == Arith("*", Neg(one), two)
    assert tree("--1") == Neg(Neg(one))


def test_arithmetic_binds_tighter_than_comparison_and_comparison_than_and() -> None:
    """sum(w) + 1 <= 3 & a compares the sum and then conjoins."""
    expected = Binary("&", Compare("<=", Arith("+", Call("sum", Name(("w",))), Literal(1)), Literal(3)), A)
    assert tree("sum(w) + 1 <= 3 & a") == expected


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_every_comparison_operator(op: str) -> None:
    """All six comparison operators parse."""
    assert tree(f"x.w {op} 2") == Compare(op, Name(("x", "w")), Literal(2))  # type: ignore[arg-type]


def test_comparisons_do_not_chain() -> None:
    """Comparisons are not associative: x < y < z is a syntax error."""
    with pytest.raises(
        RuleSyntaxError, match="expected an operator or the end of the expression but found '<'"
    ):
        parse_expression("x < y < z")


# --- in / not in, literals, references --------------------------------------------------------------------


def test_in_and_not_in_lists() -> None:
    """Lists after in / not in hold strings and numbers, and may be empty."""
    assert tree('f.colour in ["red", "sand"]') == InList(Name(("f", "colour")), ("red", "sand"))
    assert tree('tier not in ["mvc"]') == InList(Name(("tier",)), ("mvc",), negated=True)
    assert tree("x in [1, 2.5]") == InList(Name(("x",)), (1, Decimal("2.5")))
    assert tree("x in []") == InList(Name(("x",)), ())


def test_not_before_in_negates_the_whole_test() -> None:
    """A not before a membership test negates the whole test."""
    assert tree('not x in ["a"]') == Not(InList(Name(("x",)), ("a",)))


def test_integers_are_int_and_decimals_are_exact() -> None:
    """3 is an int; 3.50 is Decimal('3.50'), never a float."""
    three = parse_expression("3")
    assert isinstance(three, Literal) and type(three.value) is int and three.value == 3
    price = parse_expression("3.50")
    assert isinstance(price, Literal) and price.value == Decimal("3.50") and isinstance(price.value, Decimal)
    assert str(price.value) == "3.50"


def test_strings_and_booleans() -> None:
    """Double-quoted strings and true/false literals."""
    assert tree('"red"') == Literal("red")
    assert tree('""') == Literal("")
    assert tree("true & false") == Binary("&", Literal(True), Literal(False))


def test_references_and_calls() -> None:
    """module, module.option, module.* and the three functions."""
    assert tree("frame") == Name(("frame",))
    assert tree("frame.alu_m") == Name(("frame", "alu_m"))
    assert tree("frame.*") == Name(("frame", "*"))
    assert tree("sum(weight_g)") == Call("sum", Name(("weight_g",)))
    assert tree("count(storage)") == Call("count", Name(("storage",)))
    assert tree("count(storage.*)") == Call("count", Name(("storage", "*")))
    assert tree("qty(storage.ssd)") == Call("qty", Name(("storage", "ssd")))


def test_function_names_without_parentheses_are_references() -> None:
    """sum, count and qty are ordinary ids unless a '(' follows."""
    assert tree("sum") == Name(("sum",))
    assert tree("count.x") == Name(("count", "x"))


def test_offsets_point_at_tokens() -> None:
    """Every node records the 0-based offset of its token."""
    expr = parse_expression("frame.carbon_m -> !motor.hub_250")
    assert isinstance(expr, Binary) and expr.offset == 15
    assert isinstance(expr.right, Not) and expr.right.offset == 18
    assert isinstance(expr.right.operand, Name) and expr.right.operand.offset == 19


def test_whitespace_is_insignificant() -> None:
    """Spaces, tabs and newlines between tokens do not matter."""
    assert tree("a\t&\n b") == tree("a & b")


# --- errors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "offset", "reason"),
    [
        ("frame.alu_m &", 13, "expected a value, a reference or '(' but found the end of the expression"),
        ("a ->", 4, "expected a value, a reference or '(' but found the end of the expression"),
        ("(a", 2, "expected ')' but found the end of the expression"),
        ("sum(", 4, "expected a module, option or attribute id but found the end of the expression"),
        ("count()", 6, "expected a module, option or attribute id but found ')'"),
        ("a.b.c", 3, "expected at most one '.' in a reference but found '.'"),
        (
            "a.",
            2,
            "expected an option id, an attribute id or '*' after '.' but found the end of the expression",
        ),
        ("a.1", 2, "expected an option id, an attribute id or '*' after '.' but found '1'"),
        ("x in [a]", 6, "expected a string or number in the list but found 'a'"),
        ('x in "a"', 5, "expected '[' but found '\"a\"'"),
        ("in", 0, "expected a value, a reference or '(' but found 'in'"),
        ("a b", 2, "expected an operator or the end of the expression but found 'b'"),
        ("a @ b", 2, "unexpected character '@'"),
        ('"open', 0, "unexpected character '\"'"),
        ("1.", 1, "expected an operator or the end of the expression but found '.'"),
        ("", 0, "expected an expression but found nothing"),
        ("   ", 0, "expected an expression but found nothing"),
    ],
)
def test_syntax_errors_say_where_what_was_expected_and_what_was_found(
    text: str, offset: int, reason: str
) -> None:
    """Each syntax error names the offset, what was expected and what was found."""
    with pytest.raises(RuleSyntaxError) as caught:
        parse_expression(text)
    assert caught.value.offset == offset
    assert caught.value.reason == reason
    assert f"at column {offset + 1} of {text!r}" in str(caught.value)


def test_single_equals_suggests_double_equals() -> None:
    """A single = is refused at its column."""
    with pytest.raises(RuleSyntaxError, match="unexpected character '='") as caught:
        parse_expression("a = b")
    assert caught.value.offset == 2


def test_single_quotes_hint_at_double_quotes() -> None:
    """'x' is refused with the hint that strings use double quotes."""
    with pytest.raises(RuleSyntaxError) as caught:
        parse_expression("f.colour == 'red'")
    assert caught.value.hint == "strings use double quotes"
    assert caught.value.offset == 12


def test_non_text_is_refused() -> None:
    """parse_expression(5) is a RuleSyntaxError, not a TypeError."""
    with pytest.raises(RuleSyntaxError, match="expected an expression as text, got int"):
        parse_expression(5)  # type: ignore[arg-type]


def test_length_limit() -> None:
    """An expression of MAX_EXPRESSION_LENGTH characters parses; one more character is refused."""
    assert tree("a" * MAX_EXPRESSION_LENGTH) == Name(("a" * MAX_EXPRESSION_LENGTH,))
    with pytest.raises(RuleSyntaxError, match="expression longer than 10,000 characters"):
        parse_expression("a" * (MAX_EXPRESSION_LENGTH + 1))


@pytest.mark.parametrize(
    "build",
    [
        lambda n: "!" * n + "a",
        lambda n: "not " * n + "a",
        lambda n: "-" * n + "1",
        lambda n: "a -> " * n + "a",
        lambda n: " & ".join(["a"] * (n + 1)),
    ],
    ids=["not", "word-not", "minus", "implication", "and-chain"],
)
def test_nesting_limit(build: Any) -> None:
    """Nesting up to 99 levels parses; 100 and more is a clear error, never a RecursionError."""
    parse_expression(build(99))
    for depth in (100, 101, 1500):
        with pytest.raises(RuleSyntaxError, match="nested deeper than 100 levels"):
            parse_expression(build(depth))


@pytest.mark.parametrize("depth", [1, 20, 50])
def test_parentheses_well_within_the_limit_parse(depth: int) -> None:
    """Expressions in up to 50 pairs of parentheses parse to the bare expression."""
    assert tree("(" * depth + "a" + ")" * depth) == A


@pytest.mark.parametrize("depth", [101, 300, 3000])
def test_parentheses_beyond_the_limit_are_a_clear_error(depth: int) -> None:
    """More than 100 pairs of parentheses fail with a RuleSyntaxError about nesting, never a RecursionError."""
    with pytest.raises(RuleSyntaxError, match="nested"):
        parse_expression("(" * depth + "a" + ")" * depth)


@pytest.mark.parametrize("depth", [99, 100])
def test_parentheses_near_the_limit_parse_or_are_a_clear_error(depth: int) -> None:
    """Near the limit the stack may run out before the nesting check: then it is the same clear error."""
    try:
        assert tree("(" * depth + "a" + ")" * depth) == A
    except RuleSyntaxError as exc:
        assert "nested" in exc.reason


@pytest.mark.parametrize(
    "payload",
    [
        "__import__('os').system('x')",
        '__import__("os").system("x")',
        "().__class__.__bases__[0].__subclasses__()",
        'eval("1")',
        "exec('import os')",
        "a; import os",
        "lambda: 0",
        "[x for x in y]",
        "a if b else c",
    ],
)
def test_python_code_is_a_syntax_error_not_evaluated(payload: str) -> None:
    """Python payloads are plain syntax errors: nothing is ever evaluated."""
    with pytest.raises(RuleSyntaxError):
        parse_expression(payload)


def test_huge_inputs_are_refused_quickly() -> None:
    """Pathological inputs are refused in well under a second."""
    start = time.perf_counter()
    for text in ("(" * 9000, "!" * 9999, "a & " * 2499 + "a", '"' * 9999, "[" * 9999):
        with pytest.raises(RuleSyntaxError):
            parse_expression(text)
    assert time.perf_counter() - start < 2


# --- to_text round trip -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a.b & (c | !d.*) -> sum(w) <= 3 * x.y", "(a.b & (c | !d.*)) -> (sum(w) <= (3 * x.y))"),
        ("(!a) == b", "(!a) == b"),
        ("!a == b", "!(a == b)"),
        ("-(!a)", "-(!a)"),
        ('(!a) in ["x"]', '(!a) in ["x"]'),
        ("x.w > 0.0000001", "x.w > 0.0000001"),
        ("x in [0.00000001, 2]", "x in [0.00000001, 2]"),
        ("a -> b -> c", "a -> (b -> c)"),
        ("(a -> b) -> c", "(a -> b) -> c"),
        ("count(m.*) >= qty(m.o)", "count(m.*) >= qty(m.o)"),
        ('x.c not in ["a", "b"]', 'x.c not in ["a", "b"]'),
        ("true <-> false", "true <-> false"),
    ],
)
def test_to_text_writes_text_that_parses_back(text: str, written: str) -> None:
    """to_text writes the canonical, parenthesised form, which parses to the same tree."""
    assert to_text(parse_expression(text)) == written
    assert tree(written) == tree(text)


_idents = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True).filter(
    lambda s: s not in {"and", "or", "not", "in", "true", "false"}
)
_names = st.one_of(
    _idents.map(lambda s: Name((s,))),
    st.tuples(_idents, _idents | st.just("*")).map(lambda t: Name(t)),
)
_decimals = st.tuples(st.integers(0, 10**6), st.integers(1, 12)).map(lambda t: Decimal(t[0]).scaleb(-t[1]))
_literals = st.one_of(
    st.booleans().map(Literal),
    st.integers(0, 10**12).map(Literal),
    _decimals.map(Literal),
    st.text(st.characters(codec="utf-8", exclude_characters='"\n'), max_size=6).map(Literal),
)
_leaves: st.SearchStrategy[Expr] = st.one_of(
    _literals,
    _names,
    st.tuples(st.sampled_from(["sum", "count", "qty"]), _names).map(lambda t: Call(t[0], t[1])),
)


BOOL_OPS: tuple[BoolOp, ...] = ("&", "|", "->", "<->")
COMPARE_OPS: tuple[CompareOp, ...] = ("==", "!=", "<", "<=", ">", ">=")
ARITH_OPS: tuple[ArithOp, ...] = ("+", "-", "*")


def _extend(inner: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    items = st.lists(
        st.one_of(st.integers(0, 99), _decimals, st.text(st.sampled_from("abc"), max_size=3)), max_size=3
    )
    return st.one_of(
        inner.map(Not),
        inner.map(Neg),
        st.tuples(st.sampled_from(BOOL_OPS), inner, inner).map(lambda t: Binary(*t)),
        st.tuples(st.sampled_from(COMPARE_OPS), inner, inner).map(lambda t: Compare(*t)),
        st.tuples(st.sampled_from(ARITH_OPS), inner, inner).map(lambda t: Arith(*t)),
        st.tuples(inner, items.map(tuple), st.booleans()).map(lambda t: InList(*t)),
    )


syntax_trees: st.SearchStrategy[Expr] = st.recursive(_leaves, _extend, max_leaves=12)


@settings(max_examples=300)
@given(syntax_trees)
def test_to_text_round_trips_any_syntax_tree(expr: Expr) -> None:
    """parse(to_text(e)) is e, offsets aside, for any tree the parser could produce."""
    assert tree(to_text(expr)) == strip(expr)


_shape = Shape(
    modules={"frame": ("alu", "carbon"), "motor": ("hub", "mid"), "extras": ("bell", "rack", "lights")},
    attributes={
        "weight_g": ("int", ()),
        "capacity": ("decimal", ()),
        "waterproof": ("bool", ()),
        "colour": ("enum", ("black", "red", "sand")),
    },
)


@settings(max_examples=200)
@given(expression_texts(_shape))
def test_to_text_round_trips_catalog_expressions(text: str) -> None:
    """For expressions as catalogs write them, parse(to_text(parse(t))) equals parse(t) and to_text is stable."""
    expr = parse_expression(text)
    again = parse_expression(to_text(expr))
    assert to_text(again) == to_text(expr)
    assert strip(again) == strip(expr)
