"""XCSP3 intension expressions (``eq(x,add(y,1))``): parsed here, never evaluated as code.

Internal to :mod:`configurator.io.xcsp3`. Linear comparisons become
:class:`~configurator.solver.problem.Linear` (one variable: a :class:`~configurator.solver.problem.Lit` of the
values that pass), connectives become ``And``/``Or``/``Not``/``Implies``/``Iff``; other arithmetic becomes the
table of its solutions when its scope has at most :data:`MAX_ENUMERATED` tuples.
"""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from configurator.errors import suggest
from configurator.io.xcsp3_document import _Doc
from configurator.solver.problem import (
    And,
    BoolExpr,
    Const,
    Iff,
    Implies,
    Linear,
    Lit,
    Not,
    Or,
    Table,
    Term,
    compare,
)

MAX_ENUMERATED = 100_000
"""Most tuples enumerated to turn a non-linear intension into a table."""

_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_CONNECTIVES = ("not", "and", "or", "xor", "iff", "imp", "in", "notin")
_ARITHMETIC = ("neg", "add", "sub", "mul", "abs", "dist", "min", "max", "div", "mod", "if")
OPERATORS = tuple(sorted((*_COMPARE, *_CONNECTIVES, *_ARITHMETIC)))
"""The operators of intension expressions (plus ``set(...)`` as the second argument of ``in``/``notin``)."""


@dataclass(frozen=True, slots=True)
class _Node:
    """An operator applied to arguments; leaves are integers and variable names."""

    op: str
    args: tuple[_Node | int | str, ...]


_Expr = _Node | int | str
_Part = tuple[dict[Term, int], int]
"""A linear expression: coefficients by term, and a constant."""
_TOKEN = re.compile(r"\s*(?:([+-]?\d+)|([A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*)|([(),]))")


def _parse_expression(doc: _Doc, element: ET.Element, text: str) -> _Expr:
    """Parse a functional expression such as ``eq(x[0],add(y,1))``; variables must be declared."""
    tokens: list[tuple[str, str]] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise doc.error(
                element, f"expected an expression, found {text[pos : pos + 20]!r} at column {pos + 1}"
            )
        number, word, punct = match.groups()
        tokens.append(("int", number) if number else ("word", word) if word else ("punct", punct))
        pos = match.end()
    cursor = 0

    def expect(value: str) -> None:
        nonlocal cursor
        if cursor >= len(tokens) or tokens[cursor][1] != value:
            found = tokens[cursor][1] if cursor < len(tokens) else "the end"
            raise doc.error(element, f"expected {value!r} in {text!r}, found {found!r}")
        cursor += 1

    def parse() -> _Expr:
        nonlocal cursor
        if cursor >= len(tokens):
            raise doc.error(element, f"expected an expression in {text!r}, found the end")
        kind, value = tokens[cursor]
        cursor += 1
        if kind == "int":
            return int(value)
        if kind != "word":
            raise doc.error(element, f"expected an operand in {text!r}, found {value!r}")
        if cursor < len(tokens) and tokens[cursor][1] == "(":
            if value not in OPERATORS and value != "set":
                raise doc.error(
                    element,
                    f"expected an operator among {', '.join(OPERATORS)}; found {value!r} (not supported)",
                )
            cursor += 1
            args: list[_Expr] = []
            while not (cursor < len(tokens) and tokens[cursor][1] == ")"):
                if args:
                    expect(",")
                args.append(parse())
            cursor += 1
            return _Node(value, tuple(args))
        if value not in doc.domains:
            hint = suggest(value, doc.domains)
            raise doc.error(
                element, f"expected a declared variable, found {value!r}" + (f" ({hint})" if hint else "")
            )
        return value

    tree = parse()
    if cursor != len(tokens):
        raise doc.error(element, f"expected the end of {text!r}, found {tokens[cursor][1]!r}")
    return tree


class _NotLinear(Exception):
    """The expression has arithmetic beyond linear sums: it is enumerated into a table instead."""


def _linear(doc: _Doc, element: ET.Element, node: _Expr) -> _Part:
    """``node`` as ``sum(coef * term) + constant``; booleans count as their 0/1 indicator."""
    if isinstance(node, int):
        return {}, node
    if isinstance(node, str):
        return {node: 1}, 0
    if node.op in _COMPARE or node.op in _CONNECTIVES:
        return {_bool(doc, element, node): 1}, 0
    parts = [_linear(doc, element, a) for a in node.args]
    if node.op == "neg" and len(parts) == 1:
        return _scale(parts[0], -1)
    if node.op == "sub" and len(parts) == 2:
        return _plus(parts[0], _scale(parts[1], -1))
    if node.op == "add" and parts:
        total: _Part = ({}, 0)
        for part in parts:
            total = _plus(total, part)
        return total
    if node.op == "mul" and parts:
        product: _Part = ({}, 1)
        for terms, constant in parts:
            if terms and product[0]:
                raise _NotLinear
            product = _scale(product, constant) if not terms else _scale((terms, constant), product[1])
        return product
    raise _NotLinear


def _scale(part: _Part, factor: int) -> _Part:
    return {t: c * factor for t, c in part[0].items()}, part[1] * factor


def _plus(a: _Part, b: _Part) -> _Part:
    terms = dict(a[0])
    for term, coef in b[0].items():
        terms[term] = terms.get(term, 0) + coef
    return {t: c for t, c in terms.items() if c}, a[1] + b[1]


def _comparison(doc: _Doc, op: str, part: _Part) -> BoolExpr:
    """``sum + constant op 0`` as a Lit (one variable), a constant (none) or a Linear."""
    terms, constant = part
    if not terms:
        return Const(compare(constant, op, 0))
    if len(terms) == 1:
        ((term, coef),) = terms.items()
        if isinstance(term, str):
            values = frozenset(v for v in doc.domains[term] if compare(coef * v + constant, op, 0))
            return Lit(term, values)
    return Linear(tuple((c, t) for t, c in terms.items()), op, -constant)  # type: ignore[arg-type]


def _bool(doc: _Doc, element: ET.Element, node: _Expr) -> BoolExpr:
    """A boolean expression as a solver formula (``_NotLinear`` for arithmetic beyond linear sums)."""
    if isinstance(node, int):
        return Const(node != 0)
    if isinstance(node, str):
        return Lit(node, frozenset(v for v in doc.domains[node] if v != 0))
    op, args = node.op, node.args
    if op in _COMPARE:
        if len(args) < 2 or (op == "ne" and len(args) != 2):
            raise doc.error(element, f"expected {op}() of {'two' if op == 'ne' else 'two or more'} operands")
        pairs = [
            _comparison(
                doc, _COMPARE[op], _plus(_linear(doc, element, a), _scale(_linear(doc, element, b), -1))
            )
            for a, b in itertools.pairwise(args)
        ]
        return pairs[0] if len(pairs) == 1 else And(tuple(pairs))
    if op in ("in", "notin"):
        if len(args) != 2 or not isinstance(args[1], _Node) or args[1].op != "set":
            raise doc.error(element, f"expected {op}(expression, set(values...))")
        values = [v for v in args[1].args if isinstance(v, int)]
        if len(values) != len(args[1].args):
            raise doc.error(element, f"expected integers in the set of {op}()")
        inside = _linear(doc, element, args[0])
        member = _merge_lits([_comparison(doc, "==", _plus(inside, ({}, -v))) for v in values])
        return member if op == "in" else Not(member)
    parts = [_bool(doc, element, a) for a in args]
    if op == "not" and len(parts) == 1:
        return Not(parts[0])
    if op == "and":
        return And(tuple(parts))
    if op == "or":
        return Or(tuple(parts))
    if op == "imp" and len(parts) == 2:
        return Implies(parts[0], parts[1])
    if op == "iff" and len(parts) >= 2:
        chain = [Iff(a, b) for a, b in itertools.pairwise(parts)]
        return chain[0] if len(chain) == 1 else And(tuple(chain))
    if op == "xor" and parts:
        return _xor(parts)
    if op in _ARITHMETIC or op == "set":
        raise _NotLinear
    raise doc.error(element, f"expected operands fitting {op}(), found {len(args)}")


def _xor(parts: Sequence[BoolExpr]) -> BoolExpr:
    result = parts[0]
    for part in parts[1:]:
        result = Not(Iff(result, part))
    return result


def _merge_lits(lits: Sequence[BoolExpr]) -> BoolExpr:
    """One Lit for a disjunction of Lits of the same variable."""
    names = {lit.var for lit in lits if isinstance(lit, Lit)}
    if len(names) != 1 or not all(isinstance(lit, Lit) for lit in lits):
        return Or(tuple(lits))
    return Lit(names.pop(), frozenset().union(*(lit.values for lit in lits if isinstance(lit, Lit))))


def _scope(node: _Expr, found: dict[str, None]) -> dict[str, None]:
    if isinstance(node, str):
        found.setdefault(node)
    elif isinstance(node, _Node):
        for arg in node.args:
            _scope(arg, found)
    return found


def _truncated(a: int, b: int) -> int:
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


def _evaluate(node: _Expr, env: dict[str, int]) -> int:
    """The value of an expression under an assignment (booleans are 0/1; ``div``/``mod`` truncate)."""
    if isinstance(node, int):
        return node
    if isinstance(node, str):
        return env[node]
    op = node.op
    if op == "if":
        return _evaluate(node.args[1] if _evaluate(node.args[0], env) else node.args[2], env)
    if op in ("in", "notin"):
        value = _evaluate(node.args[0], env)
        members = {_evaluate(a, env) for a in node.args[1].args} if isinstance(node.args[1], _Node) else set()
        return int((value in members) == (op == "in"))
    v = [_evaluate(a, env) for a in node.args]
    if op in _COMPARE:
        return int(all(compare(a, _COMPARE[op], b) for a, b in itertools.pairwise(v)))
    simple: dict[str, Callable[[], int]] = {
        "neg": lambda: -v[0],
        "abs": lambda: abs(v[0]),
        "add": lambda: sum(v),
        "sub": lambda: v[0] - v[1],
        "mul": lambda: math.prod(v),
        "dist": lambda: abs(v[0] - v[1]),
        "min": lambda: min(v),
        "max": lambda: max(v),
        "div": lambda: _truncated(v[0], v[1]),
        "mod": lambda: v[0] - v[1] * _truncated(v[0], v[1]),
        "not": lambda: int(not v[0]),
        "and": lambda: int(all(v)),
        "or": lambda: int(any(v)),
        "xor": lambda: sum(1 for x in v if x) % 2,
        "iff": lambda: int(len({bool(x) for x in v}) == 1),
        "imp": lambda: int(not v[0] or bool(v[1])),
    }
    return simple[op]()


def _enumerate(doc: _Doc, element: ET.Element, tree: _Expr) -> Table:
    """The table of the solutions of a non-linear expression over its (small) scope."""
    names = tuple(_scope(tree, {}))
    size = math.prod(len(doc.domains[n]) for n in names)
    if size > MAX_ENUMERATED:
        raise doc.error(
            element,
            f"expected linear arithmetic, or a scope of at most {MAX_ENUMERATED} tuples to enumerate; "
            f"found non-linear arithmetic over {size} tuples (not supported)",
        )
    rows: list[tuple[int | None, ...]] = []
    for values in itertools.product(*(doc.domains[n] for n in names)):
        try:
            if _evaluate(tree, dict(zip(names, values, strict=True))):
                rows.append(values)
        except (ZeroDivisionError, IndexError):
            continue
    return Table(names, tuple(rows))


def _intension(doc: _Doc, at: ET.Element, text: str) -> BoolExpr:
    tree = _parse_expression(doc, at, text)
    try:
        return _bool(doc, at, tree)
    except _NotLinear:
        return _enumerate(doc, at, tree)
