"""Name resolution and type checking of rule expressions against a catalog's symbols.

Example:
    >>> symbols = Symbols(modules={"frame": frozenset({"alu_m", "carbon_m"})},
    ...                   attributes={"weight_g": ValueType("int"), "colour": ValueType("enum", frozenset({"red"}))})
    >>> compile_expression("frame.alu_m & sum(weight_g) < 2000", symbols)  # doctest: +ELLIPSIS
    Binary(op='&', left=OptionRef(module='frame', option='alu_m', offset=0), ...)
    >>> compile_expression("frame.alu", symbols)
    Traceback (most recent call last):
    ...
    configurator.errors.RuleSyntaxError: unknown option or attribute 'frame.alu' at column 1 of 'frame.alu' (did you mean 'frame.alu_m'?)
    >>> compile_expression("sum(weight_g) == frame.colour", symbols)
    Traceback (most recent call last):
    ...
    configurator.errors.RuleSyntaxError: type error: '==' cannot compare int with enum at column 15 of 'sum(weight_g) == frame.colour' (compare an enum with one of its values as a string)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal as TypingLiteral

from configurator.errors import RuleSyntaxError, suggest
from configurator.rules.ast import (
    Arith,
    Binary,
    Call,
    Compare,
    ContextVar,
    Count,
    Expr,
    InList,
    Literal,
    ModuleAttr,
    ModuleRef,
    Name,
    Neg,
    Not,
    OptionRef,
    SumAttr,
)
from configurator.rules.parser import parse_expression

__all__ = ["TIERS", "Symbols", "ValueType", "compile_expression", "resolve"]

TIERS = ("mvc", "mgc", "standard", "below_zero")
"""Customer value tiers: most valuable, most growable, standard, below zero."""

Kind = TypingLiteral["bool", "int", "decimal", "enum", "string"]


@dataclass(frozen=True, slots=True)
class ValueType:
    """The type of an expression or attribute; enums carry their allowed values."""

    kind: Kind
    values: frozenset[str] = frozenset()

    @property
    def numeric(self) -> bool:
        """Whether values of this type are numbers."""
        return self.kind in ("int", "decimal")

    def __str__(self) -> str:
        return self.kind


BOOL = ValueType("bool")
INT = ValueType("int")
DECIMAL = ValueType("decimal")
STRING = ValueType("string")


@dataclass(frozen=True, slots=True)
class Symbols:
    """What expressions may refer to: modules with their option ids, attributes, context variables."""

    modules: Mapping[str, frozenset[str]]
    attributes: Mapping[str, ValueType]
    context: Mapping[str, ValueType] = field(default_factory=dict)

    def known_references(self) -> list[str]:
        """Every reference spelling, for suggestions."""
        names = list(self.modules) + list(self.context)
        for module, options in self.modules.items():
            names.extend(f"{module}.{o}" for o in options)
            names.extend(f"{module}.{a}" for a in self.attributes)
        return names


def _fail(text: str, offset: int, reason: str, hint: str = "") -> RuleSyntaxError:
    return RuleSyntaxError(text, offset, reason, hint)


class _Resolver:
    def __init__(self, text: str, symbols: Symbols) -> None:
        self.text = text
        self.symbols = symbols

    def name(self, node: Name) -> tuple[Expr, ValueType]:
        sym = self.symbols
        spelled = ".".join(node.parts)
        if len(node.parts) == 1:
            (ident,) = node.parts
            if ident in sym.modules:
                return ModuleRef(ident, node.offset), BOOL
            if ident in sym.context:
                return ContextVar(ident, node.offset), sym.context[ident]
            if ident in sym.attributes:
                raise _fail(
                    self.text,
                    node.offset,
                    f"attribute {ident!r} needs a module or sum()",
                    f"write 'MODULE.{ident}' or 'sum({ident})'",
                )
            raise _fail(
                self.text, node.offset, f"unknown reference {ident!r}", suggest(ident, sym.known_references())
            )
        module, member = node.parts
        if module not in sym.modules:
            raise _fail(
                self.text,
                node.offset,
                f"unknown module {module!r}",
                suggest(spelled, sym.known_references()) or suggest(module, sym.modules),
            )
        if member == "*":
            return ModuleRef(module, node.offset), BOOL
        if member in sym.modules[module]:
            return OptionRef(module, member, node.offset), BOOL
        if member in sym.attributes:
            attr_type = sym.attributes[member]
            return ModuleAttr(module, member, node.offset), attr_type
        known = [f"{module}.{o}" for o in sym.modules[module]] + [f"{module}.{a}" for a in sym.attributes]
        raise _fail(
            self.text, node.offset, f"unknown option or attribute {spelled!r}", suggest(spelled, known)
        )

    def call(self, node: Call) -> tuple[Expr, ValueType]:
        parts = node.arg.parts
        sym = self.symbols
        if node.func == "sum":
            if len(parts) != 1 or parts[0] not in sym.attributes:
                raise _fail(
                    self.text,
                    node.arg.offset,
                    f"sum() takes a numeric attribute id, got {'.'.join(parts)!r}",
                    suggest(parts[-1], [a for a, t in sym.attributes.items() if t.numeric]),
                )
            attr_type = sym.attributes[parts[0]]
            if not attr_type.numeric:
                raise _fail(
                    self.text,
                    node.arg.offset,
                    f"type error: sum() needs a numeric attribute, {parts[0]!r} is {attr_type}",
                )
            return SumAttr(parts[0], node.offset), attr_type
        resolved, _ = self.name(node.arg)
        if isinstance(resolved, OptionRef):
            return Count(resolved.module, resolved.option, node.offset), INT
        if isinstance(resolved, ModuleRef) and node.func == "count":
            return Count(resolved.module, None, node.offset), INT
        expected = "an option (module.option)" if node.func == "qty" else "a module or an option"
        raise _fail(self.text, node.arg.offset, f"{node.func}() takes {expected}, got {'.'.join(parts)!r}")

    def check_bool(self, node: Expr, vtype: ValueType, context: str, offset: int) -> None:
        if vtype.kind != "bool":
            raise _fail(self.text, offset, f"type error: {context} needs a boolean, got {vtype}")

    def check_numeric(self, vtype: ValueType, context: str, offset: int) -> None:
        if not vtype.numeric:
            raise _fail(self.text, offset, f"type error: {context} needs numbers, got {vtype}")

    def literal_in_enum(self, literal: Literal, vtype: ValueType) -> None:
        if not isinstance(literal.value, str):
            raise _fail(
                self.text,
                literal.offset,
                f"type error: expected one of the enum values as a string, got {literal.value!r}",
            )
        if vtype.kind == "enum" and literal.value not in vtype.values:
            raise _fail(
                self.text,
                literal.offset,
                f"{literal.value!r} is not a value of this enum (expected one of "
                f"{', '.join(sorted(vtype.values))})",
                suggest(literal.value, vtype.values),
            )

    def resolve(self, node: Expr) -> tuple[Expr, ValueType]:
        match node:
            case Literal(value=value):
                if isinstance(value, bool):
                    return node, BOOL
                if isinstance(value, int):
                    return node, INT
                if isinstance(value, Decimal):
                    return node, DECIMAL
                return node, STRING
            case Name():
                return self.name(node)
            case Call():
                return self.call(node)
            case Not(operand=operand, offset=offset):
                inner, vtype = self.resolve(operand)
                self.check_bool(inner, vtype, "'!'", offset)
                return Not(inner, offset), BOOL
            case Neg(operand=operand, offset=offset):
                inner, vtype = self.resolve(operand)
                self.check_numeric(vtype, "unary '-'", offset)
                return Neg(inner, offset), vtype
            case Binary(op=op, left=left, right=right, offset=offset):
                lhs, ltype = self.resolve(left)
                rhs, rtype = self.resolve(right)
                self.check_bool(lhs, ltype, f"'{op}'", offset)
                self.check_bool(rhs, rtype, f"'{op}'", offset)
                return Binary(op, lhs, rhs, offset), BOOL
            case Arith(op=op, left=left, right=right, offset=offset):
                lhs, ltype = self.resolve(left)
                rhs, rtype = self.resolve(right)
                self.check_numeric(ltype, f"'{op}'", offset)
                self.check_numeric(rtype, f"'{op}'", offset)
                kind = INT if ltype.kind == rtype.kind == "int" else DECIMAL
                return Arith(op, lhs, rhs, offset), kind
            case Compare(op=op, left=left, right=right, offset=offset):
                return self.compare(op, left, right, offset)
            case InList(operand=operand, values=values, negated=negated, offset=offset):
                inner, vtype = self.resolve(operand)
                if vtype.kind not in ("enum", "string"):
                    raise _fail(
                        self.text, offset, f"type error: 'in' needs an enum, tier or country, got {vtype}"
                    )
                for value in values:
                    self.literal_in_enum(Literal(value, offset), vtype)
                return InList(inner, values, negated, offset), BOOL
        raise _fail(self.text, 0, f"cannot resolve {node!r}")  # pragma: no cover

    def compare(self, op: str, left: Expr, right: Expr, offset: int) -> tuple[Expr, ValueType]:
        lhs, ltype = self.resolve(left)
        rhs, rtype = self.resolve(right)
        if ltype.numeric and rtype.numeric:
            return Compare(op, lhs, rhs, offset), BOOL  # type: ignore[arg-type]
        if op not in ("==", "!="):
            raise _fail(self.text, offset, f"type error: '{op}' compares numbers, got {ltype} and {rtype}")
        if ltype.kind == rtype.kind == "bool":
            return Compare(op, lhs, rhs, offset), BOOL  # type: ignore[arg-type]
        for value_side, vtype, literal in ((lhs, ltype, rhs), (rhs, rtype, lhs)):
            if (
                vtype.kind in ("enum", "string")
                and isinstance(literal, Literal)
                and not isinstance(value_side, Literal)
            ):
                self.literal_in_enum(literal, vtype)
                if literal is lhs:  # keep the reference on the left
                    return Compare(op, rhs, lhs, offset), BOOL  # type: ignore[arg-type]
                return Compare(op, lhs, rhs, offset), BOOL  # type: ignore[arg-type]
        raise _fail(
            self.text,
            offset,
            f"type error: '{op}' cannot compare {ltype} with {rtype}",
            "compare an enum with one of its values as a string",
        )


def resolve(expr: Expr, text: str, symbols: Symbols) -> tuple[Expr, ValueType]:
    """Resolve the names of a parsed expression and compute its type.

    Raises:
        RuleSyntaxError: for unknown references (with a suggestion) and type errors.
    """
    return _Resolver(text, symbols).resolve(expr)


def compile_expression(text: str, symbols: Symbols, *, expect: Kind = "bool") -> Expr:
    """Parse, resolve and type-check an expression that must have type ``expect`` (boolean by default).

    Raises:
        RuleSyntaxError: for syntax errors, unknown references and type errors.
    """
    resolved, vtype = resolve(parse_expression(text), text, symbols)
    if vtype.kind != expect:
        raise RuleSyntaxError(
            text,
            0,
            f"type error: the expression must be {expect}, got {vtype}",
            "compare it with something, e.g. '... > 0'" if vtype.numeric else "",
        )
    return resolved
