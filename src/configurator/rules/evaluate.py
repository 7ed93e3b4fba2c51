"""Evaluate resolved rule expressions over a selection, in plain Python (the checker's engine).

Kept deliberately simple: it is the reference semantics that solver backends are tested against.

Example:
    >>> from configurator.rules.types import Symbols, ValueType, compile_expression
    >>> symbols = Symbols(modules={"ram": frozenset({"gb8", "gb16"})}, attributes={"gb": ValueType("int")})
    >>> env = MappingEnvironment({("ram", "gb16"): 2}, {("ram", "gb16"): {"gb": 16}})
    >>> evaluate(compile_expression("ram.gb16 & sum(gb) == 32 & count(ram) <= 2", symbols), env)
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from configurator.rules.ast import (
    Arith,
    Binary,
    Compare,
    ContextVar,
    Count,
    Expr,
    InList,
    Literal,
    ModuleAttr,
    ModuleRef,
    Neg,
    Not,
    OptionRef,
    SumAttr,
)

__all__ = ["Environment", "MappingEnvironment", "Value", "evaluate", "references", "walk"]

AttrValue = bool | int | Decimal | str
Value = bool | int | Decimal | str | frozenset[str] | None


class Environment(Protocol):
    """What evaluation needs to know about a selection."""

    def quantity(self, module: str, option: str) -> int:
        """Selected quantity of an option (0 when not selected)."""
        ...

    def selected(self, module: str | None = None) -> Iterable[tuple[str, str, int]]:
        """``(module, option, quantity)`` for every selected option, of one module or of all."""
        ...

    def attribute(self, module: str, option: str, attr: str) -> AttrValue | None:
        """An option's attribute value, or None when the option does not set it."""
        ...

    def context(self, name: str) -> str | None:
        """A context value such as ``tier`` or ``country``, or None when unknown."""
        ...


@dataclass(frozen=True)
class MappingEnvironment:
    """An :class:`Environment` over plain mappings (quantities, attributes, context)."""

    quantities: Mapping[tuple[str, str], int]
    attributes: Mapping[tuple[str, str], Mapping[str, AttrValue]] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)

    def quantity(self, module: str, option: str) -> int:
        """Selected quantity of an option."""
        return self.quantities.get((module, option), 0)

    def selected(self, module: str | None = None) -> Iterable[tuple[str, str, int]]:
        """Selected options with their quantities."""
        return [(m, o, q) for (m, o), q in self.quantities.items() if q > 0 and module in (None, m)]

    def attribute(self, module: str, option: str, attr: str) -> AttrValue | None:
        """An option's attribute value."""
        return self.attributes.get((module, option), {}).get(attr)

    def context(self, name: str) -> str | None:
        """A context value."""
        return self.values.get(name)


def _number(value: AttrValue | None) -> int | Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return 0
    return value


def _module_attr(expr: ModuleAttr, env: Environment) -> Value:
    values = [(env.attribute(m, o, expr.attr), q) for m, o, q in env.selected(expr.module)]
    sample = next((v for v, _ in values if v is not None), None)
    if isinstance(sample, bool):
        return any(v is True for v, _ in values)
    if isinstance(sample, str):
        return frozenset(v for v, _ in values if isinstance(v, str))
    if sample is None:
        return None
    return sum((_number(v) * q for v, q in values), start=0)


def _equal(left: Value, right: Value) -> bool:
    if isinstance(left, frozenset):
        return right in left
    if isinstance(right, frozenset):
        return left in right
    if left is None or right is None:
        # No selected option sets the attribute: a number counts as 0, a bool as false, an enum or a
        # context value as no value (equal to nothing).
        other = right if left is None else left
        if other is None:
            return True
        if isinstance(other, bool):
            return other is False
        return isinstance(other, int | Decimal) and other == 0
    return left == right


def _as_number(value: Value) -> int | Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return 0  # an unset numeric attribute counts as 0
    return value


def evaluate(expr: Expr, env: Environment) -> Value:
    """Evaluate a resolved expression.

    Enum references evaluate to the set of values held by the selected options, so ``frame.colour == "red"``
    means "some selected frame option is red" and ``!=`` means "none is".
    """
    match expr:
        case Literal(value=value):
            return value
        case OptionRef(module=m, option=o):
            return env.quantity(m, o) > 0
        case ModuleRef(module=m):
            return any(True for _ in env.selected(m))
        case ModuleAttr():
            return _module_attr(expr, env)
        case SumAttr(attr=attr):
            return sum((_number(env.attribute(m, o, attr)) * q for m, o, q in env.selected()), start=0)
        case Count(module=m, option=None):
            return sum(q for _, _, q in env.selected(m))
        case Count(module=m, option=o):
            return env.quantity(m, o) if o is not None else 0
        case ContextVar(name=name):
            return env.context(name)
        case Not(operand=operand):
            return not evaluate(operand, env)
        case Neg(operand=operand):
            return -_as_number(evaluate(operand, env))
        case Binary(op="&", left=left, right=right):
            return bool(evaluate(left, env)) and bool(evaluate(right, env))
        case Binary(op="|", left=left, right=right):
            return bool(evaluate(left, env)) or bool(evaluate(right, env))
        case Binary(op="->", left=left, right=right):
            return (not evaluate(left, env)) or bool(evaluate(right, env))
        case Binary(op="<->", left=left, right=right):
            return bool(evaluate(left, env)) == bool(evaluate(right, env))
        case Arith(op=op, left=left, right=right):
            a, b = _as_number(evaluate(left, env)), _as_number(evaluate(right, env))
            return a + b if op == "+" else a - b if op == "-" else a * b
        case Compare(op=op, left=left, right=right):
            lhs, rhs = evaluate(left, env), evaluate(right, env)
            if op == "==":
                return _equal(lhs, rhs)
            if op == "!=":
                return not _equal(lhs, rhs)
            a, b = _as_number(lhs), _as_number(rhs)
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        case InList(operand=operand, values=values, negated=negated):
            held = evaluate(operand, env)
            found = bool(held & set(map(str, values))) if isinstance(held, frozenset) else held in values
            return found != negated
    raise TypeError(f"cannot evaluate unresolved node {expr!r}")


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of an expression tree, parents before children, without recursion."""
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        match node:
            case (
                Binary(left=left, right=right)
                | Compare(left=left, right=right)
                | Arith(left=left, right=right)
            ):
                stack.extend((right, left))
            case Not(operand=operand) | Neg(operand=operand) | InList(operand=operand):
                stack.append(operand)


def references(expr: Expr) -> set[tuple[str, str | None]]:
    """The ``(module, option)`` pairs an expression mentions (option None for the whole module).

    Example:
        >>> from configurator.rules.ast import Binary, OptionRef, ModuleRef
        >>> sorted(references(Binary("&", OptionRef("a", "x"), ModuleRef("b"))), key=str)
        [('a', 'x'), ('b', None)]
    """
    found: set[tuple[str, str | None]] = set()
    for node in walk(expr):
        match node:
            case OptionRef(module=m, option=o) | Count(module=m, option=o):
                found.add((m, o))
            case ModuleRef(module=m) | ModuleAttr(module=m):
                found.add((m, None))
    return found
