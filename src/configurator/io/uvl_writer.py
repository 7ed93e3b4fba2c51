"""UVL export: a feature model written as UVL text that :func:`configurator.io.uvl.parse_uvl` reads back.

Example:
    >>> from configurator.io.uvl import parse_uvl
    >>> text = dump_uvl(parse_uvl("features\\n    Car\\n        optional\\n            Turbo\\n"))
    >>> parse_uvl(text).root.name
    'Car'
"""

from __future__ import annotations

import math
from decimal import Decimal

from configurator.errors import ModelFormatError
from configurator.io.featuremodel import (
    AttributeValue,
    Feature,
    FeatureModel,
    Group,
)
from configurator.io.uvl_lexer import _INDENT, _KEYWORDS, _STRICT_ID
from configurator.solver.problem import And, BoolExpr, Const, Iff, Implies, Lit, Not, Or

__all__ = ["dump_uvl"]


def dump_uvl(model: FeatureModel) -> str:
    """Write a model as UVL text (four-space indentation): ``parse_uvl(dump_uvl(m))`` has the same Problem.

    Raises:
        ModelFormatError: for content UVL cannot express (a string attribute holding a quote or a line
            break, a non-finite number, a formula that is not over selected/unselected features).
    """
    out: list[str] = []
    namespace = model.meta.get("namespace")
    if isinstance(namespace, str) and namespace:
        out.append(f"namespace {_quote(namespace)}\n\n")
    out.append("features\n")
    _dump_feature(model.root, 1, out)
    if model.constraints:
        out.append("\nconstraints\n")
        for ctc in model.constraints:
            out.append(f"{_INDENT}{_formula(ctc.formula, 0, model.root.name)}\n")
    return "".join(out)


def _dump_feature(root: Feature, level: int, out: list[str]) -> None:
    stack: list[tuple[Feature | Group, int]] = [(root, level)]
    while stack:
        node, depth = stack.pop()
        indent = _INDENT * depth
        if isinstance(node, Group):
            out.append(f"{indent}{node.describe()}\n")
            stack.extend((c, depth + 1) for c in reversed(node.children))
            continue
        attrs: list[str] = ["abstract"] if node.abstract else []
        attrs.extend(f"{_quote(k)}{_value(v)}" for k, v in node.attributes.items())
        out.append(f"{indent}{_quote(node.name)}" + (f" {{{', '.join(attrs)}}}" if attrs else "") + "\n")
        stack.extend((g, depth + 1) for g in reversed(node.groups))


def _quote(name: str) -> str:
    if _STRICT_ID.fullmatch(name) and name not in _KEYWORDS:
        return name
    if '"' in name or "\n" in name or "\r" in name or not name:
        raise ModelFormatError(f"cannot write the name {name!r} in UVL")
    return f'"{name}"'


def _value(value: AttributeValue) -> str:
    """`` value`` as UVL writes it after a key (empty for a key without value)."""
    return "" if value is None else " " + _literal(value)


def _literal(value: AttributeValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ModelFormatError(f"cannot write the number {value!r} in UVL")
        text = format(Decimal(repr(value)), "f")
        return text if "." in text else text + ".0"
    if isinstance(value, str):
        if "'" in value or "\n" in value or "\r" in value or not value:
            raise ModelFormatError(f"cannot write the string {value!r} in UVL")
        return f"'{value}'"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_quote(k)}{_value(v)}" for k, v in value.items()) + "}"
    raise ModelFormatError(f"cannot write the attribute value {value!r} in UVL")


def _formula(expr: BoolExpr, min_prec: int, root: str) -> str:
    """The formula in UVL syntax, parenthesised where precedence (all left associative) needs it."""
    text, prec = _formula_prec(expr, root)
    return f"({text})" if prec < min_prec else text


def _formula_prec(expr: BoolExpr, root: str) -> tuple[str, int]:
    match expr:
        case Const(value=value):
            # the root is always selected: it stands for "true"
            return (_quote(root), 6) if value else ("!" + _quote(root), 5)
        case Lit(var=var, values=values):
            if values == frozenset({1}):
                return _quote(var), 6
            if values == frozenset({0}):
                return "!" + _quote(var), 5
            if values >= frozenset({0, 1}):
                return _quote(root), 6
            if not values & frozenset({0, 1}):
                return "!" + _quote(root), 5
        case Not(arg=arg):
            return "!" + _formula(arg, 5, root), 5
        case And(args=args) | Or(args=args):
            if len(args) < 2:
                return _formula_prec(args[0] if args else Const(isinstance(expr, And)), root)
            op, prec = (" & ", 4) if isinstance(expr, And) else (" | ", 3)
            first = _formula(args[0], prec, root)
            return first + "".join(op + _formula(a, prec + 1, root) for a in args[1:]), prec
        case Implies(a=a, b=b):
            return f"{_formula(a, 2, root)} => {_formula(b, 3, root)}", 2
        case Iff(a=a, b=b):
            return f"{_formula(a, 1, root)} <=> {_formula(b, 2, root)}", 1
    raise ModelFormatError(f"cannot write {expr!r} as a UVL constraint")
