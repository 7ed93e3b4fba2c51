"""Recursive-descent parser for rule expressions (grammar in docs/catalog-language.md); no eval, ever.

Example:
    >>> parse_expression("count(storage) <= 4 & tier in [\\"mvc\\", \\"mgc\\"]")  # doctest: +ELLIPSIS
    Binary(op='&', left=Compare(op='<=', ...), right=InList(...), offset=20)
    >>> parse_expression("frame.alu_m &")
    Traceback (most recent call last):
    ...
    configurator.errors.RuleSyntaxError: expected a value, a reference or '(' but found the end of the expression at column 14 of 'frame.alu_m &'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from configurator.errors import RuleSyntaxError
from configurator.rules.ast import (
    Arith,
    Binary,
    Call,
    Compare,
    Expr,
    InList,
    Literal,
    Name,
    Neg,
    Not,
    Scalar,
)

__all__ = ["MAX_EXPRESSION_LENGTH", "parse_expression"]

MAX_EXPRESSION_LENGTH = 10_000
"""Longest expression accepted, in characters."""
_MAX_NESTING = 100

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      |(?P<number>[0-9]+(?:\.[0-9]+)?)
      |(?P<string>"[^"\n]*")
      |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<op><->|->|==|!=|<=|>=|[<>!&|+\-*()\[\],.])
    """,
    re.VERBOSE,
)
_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
_FUNCTIONS = frozenset({"sum", "count", "qty"})
_COMPARE = frozenset({"==", "!=", "<", "<=", ">", ">="})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number | string | ident | op | end
    text: str
    offset: int


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "the end of the expression"
    return f"{token.text!r}"


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            hint = "strings use double quotes" if text[pos] == "'" else ""
            raise RuleSyntaxError(text, pos, f"unexpected character {text[pos]!r}", hint)
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.pos]

    def at(self, *texts: str) -> bool:
        tok = self.token
        return tok.kind in ("op", "ident") and tok.text in texts

    def advance(self) -> _Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, text: str) -> _Token:
        if not self.at(text):
            raise self.error(f"expected {text!r}")
        return self.advance()

    def error(self, expected: str, hint: str = "") -> RuleSyntaxError:
        return RuleSyntaxError(
            self.text, self.token.offset, f"{expected} but found {_describe(self.token)}", hint
        )

    def parse(self) -> Expr:
        expr = self.equivalence()
        if self.token.kind != "end":
            hint = "use '==' to compare" if self.at("=") else ""
            raise self.error("expected an operator or the end of the expression", hint)
        return expr

    def equivalence(self) -> Expr:
        left = self.implication()
        while self.at("<->"):
            tok = self.advance()
            left = Binary("<->", left, self.implication(), tok.offset)
        return left

    def implication(self) -> Expr:
        left = self.disjunction()
        if self.at("->"):
            tok = self.advance()
            self.enter()
            right = self.implication()
            self.depth -= 1
            return Binary("->", left, right, tok.offset)
        return left

    def disjunction(self) -> Expr:
        left = self.conjunction()
        while self.at("|", "or"):
            tok = self.advance()
            left = Binary("|", left, self.conjunction(), tok.offset)
        return left

    def conjunction(self) -> Expr:
        left = self.negation()
        while self.at("&", "and"):
            tok = self.advance()
            left = Binary("&", left, self.negation(), tok.offset)
        return left

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise RuleSyntaxError(
                self.text,
                self.token.offset,
                f"expression nested deeper than {_MAX_NESTING} levels",
                "split it into several rules",
            )

    def negation(self) -> Expr:
        if self.at("!", "not"):
            tok = self.advance()
            self.enter()
            operand = self.negation()
            self.depth -= 1
            return Not(operand, tok.offset)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.additive()
        tok = self.token
        if tok.kind == "op" and tok.text in _COMPARE:
            self.advance()
            return Compare(tok.text, left, self.additive(), tok.offset)  # type: ignore[arg-type]
        if self.at("in"):
            self.advance()
            return InList(left, self.list_literal(), False, tok.offset)
        if self.at("not") and self.tokens[self.pos + 1].text == "in":
            self.pos += 2
            return InList(left, self.list_literal(), True, tok.offset)
        return left

    def list_literal(self) -> tuple[Scalar, ...]:
        self.expect("[")
        values: list[Scalar] = []
        while not self.at("]"):
            tok = self.token
            if tok.kind == "string":
                values.append(tok.text[1:-1])
            elif tok.kind == "number":
                values.append(_number(tok.text))
            else:
                raise self.error("expected a string or number in the list")
            self.advance()
            if not self.at("]"):
                self.expect(",")
        self.advance()
        return tuple(values)

    def additive(self) -> Expr:
        left = self.term()
        while self.at("+", "-"):
            tok = self.advance()
            left = Arith(tok.text, left, self.term(), tok.offset)  # type: ignore[arg-type]
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.at("*"):
            tok = self.advance()
            left = Arith("*", left, self.unary(), tok.offset)
        return left

    def unary(self) -> Expr:
        if self.at("-"):
            tok = self.advance()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return Neg(operand, tok.offset)
        return self.primary()

    def primary(self) -> Expr:
        tok = self.token
        if tok.kind == "number":
            self.advance()
            return Literal(_number(tok.text), tok.offset)
        if tok.kind == "string":
            self.advance()
            return Literal(tok.text[1:-1], tok.offset)
        if self.at("("):
            self.advance()
            self.enter()
            inner = self.equivalence()
            self.depth -= 1
            self.expect(")")
            return inner
        if tok.kind == "ident" and tok.text in ("true", "false"):
            self.advance()
            return Literal(tok.text == "true", tok.offset)
        if tok.kind == "ident" and tok.text not in _KEYWORDS:
            if tok.text in _FUNCTIONS and self.tokens[self.pos + 1].text == "(":
                self.pos += 2
                arg = self.reference()
                self.expect(")")
                return Call(tok.text, arg, tok.offset)
            return self.reference()
        raise self.error("expected a value, a reference or '('")

    def reference(self) -> Name:
        tok = self.token
        if tok.kind != "ident" or tok.text in _KEYWORDS:
            raise self.error("expected a module, option or attribute id")
        self.advance()
        parts = [tok.text]
        if self.at("."):
            self.advance()
            member = self.token
            if member.kind == "ident" or (member.kind == "op" and member.text == "*"):
                parts.append(member.text)
                self.advance()
            else:
                raise self.error("expected an option id, an attribute id or '*' after '.'")
            if self.at("."):
                raise self.error("expected at most one '.' in a reference")
        return Name(tuple(parts), tok.offset)


def _number(text: str) -> int | Decimal:
    return Decimal(text) if "." in text else int(text)


def parse_expression(text: str) -> Expr:
    """Parse an expression into an unresolved tree (names as written).

    Args:
        text: the expression.

    Returns:
        The syntax tree.

    Raises:
        RuleSyntaxError: with the offset of the offending token, what was expected and what was found.
    """
    if not isinstance(text, str):
        raise RuleSyntaxError(repr(text), 0, f"expected an expression as text, got {type(text).__name__}")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise RuleSyntaxError(
            text[:40] + "...", 0, f"expression longer than {MAX_EXPRESSION_LENGTH:,} characters"
        )
    if not text.strip():
        raise RuleSyntaxError(text, 0, "expected an expression but found nothing")
    try:
        expr = _Parser(text).parse()
    except RecursionError:  # each '(' costs several frames: deep parentheses can exhaust the stack first
        raise RuleSyntaxError(
            text[:40] + "...", 0, "expression nested too deeply", "split it into several rules"
        ) from None
    if _depth(expr) > _MAX_NESTING:
        raise RuleSyntaxError(
            text[:40] + "...",
            0,
            f"expression nested deeper than {_MAX_NESTING} levels",
            "split it into several rules",
        )
    return expr


def _children(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, Binary | Compare | Arith):
        return (expr.left, expr.right)
    if isinstance(expr, Not | Neg | InList):
        return (expr.operand,)
    return ()


def _depth(expr: Expr) -> int:
    """Depth of the tree, computed without recursion (chains like a & b & c & ... nest on the left)."""
    deepest = 0
    stack = [(expr, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in _children(node))
    return deepest
