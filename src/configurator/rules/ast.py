"""Typed syntax tree of rule expressions.

The parser produces :class:`Name` and :class:`Call` nodes for references as written; the resolver
(:mod:`configurator.rules.types`) replaces them by the resolved reference nodes (:class:`OptionRef`,
:class:`ModuleRef`, :class:`ModuleAttr`, :class:`SumAttr`, :class:`Count`, :class:`ContextVar`), so that
evaluation never looks anything up by spelling.

Example:
    >>> from configurator.rules.parser import parse_expression
    >>> parse_expression("frame.carbon_m -> !motor.hub_250")
    Binary(op='->', left=Name(parts=('frame', 'carbon_m'), offset=0), right=Not(operand=Name(parts=('motor', 'hub_250'), offset=19), offset=18), offset=15)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal as TypingLiteral

__all__ = [
    "Arith",
    "Binary",
    "Call",
    "Compare",
    "ContextVar",
    "Count",
    "Expr",
    "InList",
    "Literal",
    "ModuleAttr",
    "ModuleRef",
    "Name",
    "Neg",
    "Not",
    "OptionRef",
    "SumAttr",
    "to_text",
]

Scalar = bool | int | Decimal | str
BoolOp = TypingLiteral["&", "|", "->", "<->"]
CompareOp = TypingLiteral["==", "!=", "<", "<=", ">", ">="]
ArithOp = TypingLiteral["+", "-", "*"]


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, string or boolean written in the expression."""

    value: Scalar
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Name:
    """A reference as written: ``frame``, ``frame.alu_m``, ``frame.*``, ``frame.weight_g``, ``tier``."""

    parts: tuple[str, ...]
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Call:
    """``sum(attr)``, ``count(module)``, ``count(module.option)`` or ``qty(module.option)`` as written."""

    func: str
    arg: Name
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Not:
    """Boolean negation."""

    operand: Expr
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Neg:
    """Arithmetic negation."""

    operand: Expr
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Binary:
    """A boolean connective: and, or, implication, equivalence."""

    op: BoolOp
    left: Expr
    right: Expr
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison of two numbers, two booleans, or an enum with one of its values."""

    op: CompareOp
    left: Expr
    right: Expr
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Arith:
    """Addition, subtraction or multiplication of numbers."""

    op: ArithOp
    left: Expr
    right: Expr
    offset: int = 0


@dataclass(frozen=True, slots=True)
class InList:
    """``value in [a, b]`` (or ``not in``) for enums, ``tier`` and ``country``."""

    operand: Expr
    values: tuple[Scalar, ...]
    negated: bool = False
    offset: int = 0


@dataclass(frozen=True, slots=True)
class OptionRef:
    """Resolved: the option is selected (bool)."""

    module: str
    option: str
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ModuleRef:
    """Resolved: some option of the module is selected (bool)."""

    module: str
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ModuleAttr:
    """Resolved: an attribute over the selected options of one module."""

    module: str
    attr: str
    offset: int = 0


@dataclass(frozen=True, slots=True)
class SumAttr:
    """Resolved: the sum of a numeric attribute times quantity over every selected option."""

    attr: str
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Count:
    """Resolved: total quantity selected in a module, or of one option when ``option`` is set."""

    module: str
    option: str | None = None
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ContextVar:
    """Resolved: a value from the quoting context (``tier``, ``country``)."""

    name: str
    offset: int = 0


Expr = (
    Literal
    | Name
    | Call
    | Not
    | Neg
    | Binary
    | Compare
    | Arith
    | InList
    | OptionRef
    | ModuleRef
    | ModuleAttr
    | SumAttr
    | Count
    | ContextVar
)

_PRECEDENCE = {"<->": 1, "->": 2, "|": 3, "&": 4, "cmp": 5, "+": 6, "-": 6, "*": 7}


def _literal_text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, Decimal):
        return format(value, "f")  # str() would write 1E-7, which does not parse
    return str(value)


def to_text(expr: Expr) -> str:
    """Write an expression back as text that parses to the same tree (fully parenthesised where needed).

    Example:
        >>> from configurator.rules.parser import parse_expression
        >>> to_text(parse_expression("a.b & (c | !d.*) -> sum(w) <= 3 * x.y"))
        '(a.b & (c | !d.*)) -> (sum(w) <= (3 * x.y))'
    """
    match expr:
        case Literal(value=value):
            return _literal_text(value)
        case Name(parts=parts):
            return ".".join(parts)
        case Call(func=func, arg=arg):
            return f"{func}({to_text(arg)})"
        case Not(operand=operand):
            return "!" + _wrap(operand)
        case Neg(operand=operand):
            return "-" + _wrap(operand, tight=True)
        case Binary(op=op, left=left, right=right):
            return f"{_wrap(left)} {op} {_wrap(right)}"
        case Compare(op=op, left=left, right=right):
            return f"{_wrap(left, tight=True)} {op} {_wrap(right, tight=True)}"
        case Arith(op=op, left=left, right=right):
            return f"{_wrap(left, tight=True)} {op} {_wrap(right, tight=True)}"
        case InList(operand=operand, values=values, negated=negated):
            items = ", ".join(_literal_text(v) for v in values)
            return f"{_wrap(operand, tight=True)} {'not in' if negated else 'in'} [{items}]"
        case OptionRef(module=m, option=o):
            return f"{m}.{o}"
        case ModuleRef(module=m):
            return f"{m}.*"
        case ModuleAttr(module=m, attr=a):
            return f"{m}.{a}"
        case SumAttr(attr=a):
            return f"sum({a})"
        case Count(module=m, option=o):
            return f"count({m}.{o})" if o else f"count({m})"
        case ContextVar(name=n):
            return n
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover


def _wrap(expr: Expr, tight: bool = False) -> str:
    """``expr`` as an operand, in parentheses unless atomic.

    ``!`` binds looser than comparisons, arithmetic and ``in``, so a negation used as their operand (``tight``)
    needs parentheses too: ``(!a) == b`` is not ``!a == b``.
    """
    text = to_text(expr)
    atomic = isinstance(
        expr, Literal | Name | Call | OptionRef | ModuleRef | ModuleAttr | SumAttr | Count | ContextVar
    ) or (isinstance(expr, Not) and not tight)
    return text if atomic else f"({text})"
