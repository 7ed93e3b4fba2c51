"""Import XCSP3 constraint satisfaction instances (``<instance format="XCSP3" type="CSP">``), also ``*.xml.xz``.

Supported subset (what the RenaultMod instances of the XCSP3 competitions use, plus close relatives):

- ``<variables>``: integer ``<var id>`` and ``<array id size="[n]..[m]">`` (cells ``x[i][j]``, row-major)
  whose domain lists integers and ``a..b`` ranges, ``<var as="other">``, and arrays with ``<domain for="...">``
  children (``for="others"`` for the remaining cells);
- ``<constraints>``: ``<intension>``, ``<extension>`` (``<supports>``/``<conflicts>``, ``*`` matches any value,
  unary lists ``1 3..5``), ``<sum>`` (``<coeffs>``, ``<condition>`` against an integer or a variable),
  ``<allDifferent>``, ``<group>`` (a template with ``%i`` and ``%...`` and one ``<args>`` per constraint) and
  ``<block>``;
- variable lists with compact forms: ``x[2..5]``, ``x[]``, ``y[1][]``.

Intension expressions are functional (``eq(x,add(y,1))``) and parsed here, never evaluated as code. Linear
comparisons become :class:`~configurator.solver.problem.Linear` (one variable: a
:class:`~configurator.solver.problem.Lit` of the values that pass), connectives become ``And``/``Or``/``Not``/
``Implies``/``Iff``; other arithmetic (``mul`` of variables, ``abs``, ``dist``, ``min``, ``max``, ``div``,
``mod``, ``if``) becomes the table of its solutions when its scope has at most :data:`MAX_ENUMERATED` tuples.
Anything else (other constraints, symbolic or set variables, objectives, ``COP``) is refused with a
:class:`~configurator.errors.ModelFormatError` naming ``file:line``, the element and what is supported; a
DOCTYPE or entity declaration is refused as for XCSP 2.1 (:mod:`configurator.io._xml`).

Constraints keep the ``id`` of their element; others are numbered ``c1``, ``c2``... in file order, and the
constraints of a group are ``<group id or cN>[i]``. Their kind is the element's name (``table`` for
``<extension>``).

Example:
    >>> text = '''<instance format="XCSP3" type="CSP">
    ...   <variables><array id="x" size="[3]"> 0..2 </array></variables>
    ...   <constraints>
    ...     <intension> lt(x[0],x[1]) </intension>
    ...     <extension><list> x[1] x[2] </list><conflicts> (2,*) </conflicts></extension>
    ...   </constraints>
    ... </instance>'''
    >>> p = parse_xcsp3(text)
    >>> p.names, [c.id for c in p.constraints]
    (('x[0]', 'x[1]', 'x[2]'), ['c1', 'c2'])
    >>> sum(1 for a in p.assignments() if p.check(a))
    3
"""

from __future__ import annotations

import itertools
import math
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from configurator.errors import ModelFormatError, suggest
from configurator.io._xml import parse_xml, read_xml_bytes
from configurator.solver.problem import (
    And,
    BoolExpr,
    Const,
    Constraint,
    Iff,
    Implies,
    Linear,
    Lit,
    Not,
    Or,
    Problem,
    Table,
    Term,
    Variable,
    compare,
)

__all__ = ["CONSTRAINTS", "MAX_ENUMERATED", "OPERATORS", "load_xcsp3", "parse_xcsp3"]

CONSTRAINTS = ("intension", "extension", "sum", "allDifferent", "group", "block")
"""The constraint elements read; any other is refused."""

_KINDS = {"extension": "table"}
"""Constraint kinds that differ from the element name (tables are ``table`` as in XCSP 2.1 and CLib)."""

MAX_ENUMERATED = 100_000
"""Most tuples enumerated to turn a non-linear intension into a table."""

_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_CONNECTIVES = ("not", "and", "or", "xor", "iff", "imp", "in", "notin")
_ARITHMETIC = ("neg", "add", "sub", "mul", "abs", "dist", "min", "max", "div", "mod", "if")
OPERATORS = tuple(sorted((*_COMPARE, *_CONNECTIVES, *_ARITHMETIC)))
"""The operators of intension expressions (plus ``set(...)`` as the second argument of ``in``/``notin``)."""


class _Doc:
    """The parsed document: elements, their lines, the source name and the variables declared so far."""

    def __init__(self, root: ET.Element, lines: dict[ET.Element, int], source: str) -> None:
        self.root = root
        self.lines = lines
        self.source = source
        self.domains: dict[str, tuple[int, ...]] = {}
        self.arrays: dict[str, tuple[int, ...]] = {}

    def error(self, element: ET.Element, message: str) -> ModelFormatError:
        line = self.lines.get(element, 0)
        where = f"{self.source}:{line}" if line else self.source
        label = element.get("id")
        return ModelFormatError(f"{where}: <{element.tag}>{f' {label!r}' if label else ''}: {message}")


def _int(doc: _Doc, element: ET.Element, text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise doc.error(element, f"expected an integer in {what}, found {text!r}") from None


def _values(doc: _Doc, element: ET.Element, text: str, what: str) -> list[int]:
    """Integers and ``a..b`` ranges separated by spaces."""
    values: list[int] = []
    for token in text.split():
        if ".." in token:
            low, _, high = token.partition("..")
            a, b = _int(doc, element, low, what), _int(doc, element, high, what)
            if a > b:
                raise doc.error(
                    element, f"expected a range low..high with low <= high in {what}, found {token!r}"
                )
            values.extend(range(a, b + 1))
        else:
            values.append(_int(doc, element, token, what))
    return values


_REF = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]*\])*)\Z")
_INDEX = re.compile(r"\[([^\]]*)\]")


def _expand(doc: _Doc, element: ET.Element, token: str) -> list[str]:
    """The variable names a reference stands for: ``x``, ``x[3]``, ``x[2..5]``, ``x[]``, ``y[1][]``."""
    if token in doc.domains:
        return [token]
    match = _REF.match(token)
    if match is None or match.group(1) not in doc.arrays:
        known = [*doc.domains, *doc.arrays]
        hint = suggest(token, known)
        raise doc.error(
            element, f"expected a declared variable, found {token!r}" + (f" ({hint})" if hint else "")
        )
    name, size = match.group(1), doc.arrays[match.group(1)]
    indices = _INDEX.findall(match.group(2))
    if len(indices) != len(size):
        raise doc.error(element, f"expected {len(size)} index(es) for array {name!r}, found {token!r}")
    ranges: list[range] = []
    for text, n in zip(indices, size, strict=True):
        low, dots, high = text.partition("..")
        if not text:
            ranges.append(range(n))
        else:
            a = _int(doc, element, low, token)
            b = _int(doc, element, high, token) if dots else a
            if not 0 <= a <= b < n:
                raise doc.error(
                    element, f"expected indices within 0..{n - 1} of array {name!r}, found {token!r}"
                )
            ranges.append(range(a, b + 1))
    cells = [name + "".join(f"[{i}]" for i in index) for index in itertools.product(*ranges)]
    present = [cell for cell in cells if cell in doc.domains]
    if not present:
        raise doc.error(element, f"expected a declared variable, found {token!r} (an undefined array cell)")
    return present


def _names(doc: _Doc, element: ET.Element, text: str) -> list[str]:
    """The variables of a whitespace-separated list of references."""
    return [name for token in text.split() for name in _expand(doc, element, token)]


def _operands(doc: _Doc, element: ET.Element, text: str) -> list[str | int]:
    """Variables and integers of a list (``<args>``, the operand of a ``<condition>``)."""
    found: list[str | int] = []
    for token in text.split():
        if re.fullmatch(r"[+-]?\d+", token):
            found.append(int(token))
        else:
            found.extend(_expand(doc, element, token))
    return found


def _read_variables(doc: _Doc) -> list[Variable]:
    """The integer variables, in file order (array cells row-major)."""
    sections = doc.root.findall("variables")
    if len(sections) != 1:
        where = sections[1] if sections else doc.root
        raise doc.error(where, f"expected one <variables> section, found {len(sections)}")
    order: list[str] = []
    for element in sections[0]:
        ident = element.get("id", "").strip()
        if element.tag not in ("var", "array"):
            raise doc.error(element, f"expected <var> or <array>, found <{element.tag}> (not supported)")
        if not ident or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", ident):
            raise doc.error(element, f"expected an identifier in attribute 'id', found {ident!r}")
        if ident in doc.domains or ident in doc.arrays:
            raise doc.error(element, f"expected a unique id, found {ident!r} twice")
        kind = element.get("type", "integer")
        if kind != "integer":
            raise doc.error(element, f"expected integer variables, found type={kind!r} (not supported)")
        if element.tag == "var":
            doc.domains[ident] = _var_domain(doc, element)
            order.append(ident)
        else:
            order.extend(_read_array(doc, element, ident))
    return [Variable(name, doc.domains[name]) for name in order]


def _domain(doc: _Doc, element: ET.Element, text: str) -> tuple[int, ...]:
    values = _values(doc, element, text, "the domain")
    if not values:
        raise doc.error(element, "expected at least one domain value, found none")
    if len(set(values)) != len(values):
        raise doc.error(element, "expected distinct domain values, found duplicates")
    return tuple(values)


def _var_domain(doc: _Doc, element: ET.Element) -> tuple[int, ...]:
    other = element.get("as")
    if other is None:
        return _domain(doc, element, element.text or "")
    if other not in doc.domains:
        raise doc.error(element, f"expected as= to name a declared variable, found {other!r}")
    return doc.domains[other]


def _read_array(doc: _Doc, element: ET.Element, ident: str) -> list[str]:
    """Declare the cells of an array (one domain for all, or ``<domain for>`` children); return their names."""
    sizes = _INDEX.findall(element.get("size", ""))
    if not sizes or "".join(f"[{s}]" for s in sizes) != element.get("size", "").strip():
        raise doc.error(element, f"expected size='[n]' or '[n][m]...', found {element.get('size')!r}")
    size = tuple(_int(doc, element, s, "attribute size") for s in sizes)
    if min(size) < 1:
        raise doc.error(element, f"expected positive array sizes, found {element.get('size')!r}")
    cells = [ident + "".join(f"[{i}]" for i in index) for index in itertools.product(*map(range, size))]
    if not len(element):
        domain = _domain(doc, element, element.text or "")
        doc.domains.update((cell, domain) for cell in cells)
        doc.arrays[ident] = size
        return cells
    doc.arrays[ident] = size
    covered: dict[str, tuple[int, ...]] = {}
    for child in element:
        if child.tag != "domain":
            raise doc.error(child, f"expected <domain for=...>, found <{child.tag}> (not supported)")
        domain = _domain(doc, child, child.text or "")
        targets = child.get("for", "").split()
        if targets == ["others"]:
            covered.update((cell, domain) for cell in cells if cell not in covered)
            continue
        doc.domains.update((cell, ()) for cell in cells)  # so that references resolve while reading
        for target in targets:
            for cell in _expand(doc, child, target):
                covered[cell] = domain
        for cell in cells:
            doc.domains.pop(cell, None)
    doc.domains.update((cell, covered[cell]) for cell in cells if cell in covered)
    return [cell for cell in cells if cell in covered]


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


_Subst = Callable[[str, str], str]
"""Replaces the ``%i`` and ``%...`` of a group template by its arguments (joined by the given separator)."""

_Rows = tuple[tuple[int | None, ...], ...]


class _Reader:
    """Reads constraint elements into solver constraints, numbering those without an id."""

    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.constraints: list[Constraint] = []
        self.ids: set[str] = set()
        self.count = 0
        self.rows: dict[int, tuple[bool, _Rows]] = {}

    def ident(self, element: ET.Element) -> str:
        self.count += 1
        ident = element.get("id") or f"c{self.count}"
        if ident in self.ids:
            raise self.doc.error(element, f"expected a unique constraint id, found {ident!r} twice")
        self.ids.add(ident)
        return ident

    def read(self, element: ET.Element) -> None:
        """Read one element of ``<constraints>`` or ``<block>``."""
        tag = element.tag
        if tag == "block":
            for child in element:
                self.read(child)
        elif tag == "group":
            self.group(element)
        elif tag in CONSTRAINTS:
            ident = self.ident(element)
            expr = self.expr(element, element, lambda text, sep: text)
            self.constraints.append(Constraint(ident, expr, kind=_KINDS.get(tag, tag)))
        else:
            raise self.doc.error(
                element, f"expected one of <{'>, <'.join(CONSTRAINTS)}>; found <{tag}> (not supported)"
            )

    def group(self, element: ET.Element) -> None:
        children = list(element)
        if not children or children[0].tag not in CONSTRAINTS[:4]:
            raise self.doc.error(
                element,
                f"expected a template <{'>, <'.join(CONSTRAINTS[:4])}> first, then <args> (not supported)",
            )
        template, base = children[0], self.ident(element)
        last = max((int(i) for i in re.findall(r"%(\d+)", "".join(template.itertext()))), default=-1)
        for i, args in enumerate(children[1:]):
            if args.tag != "args":
                raise self.doc.error(args, f"expected <args>, found <{args.tag}> (not supported)")
            operands = [str(x) for x in _operands(self.doc, args, args.text or "")]
            subst = self.substitution(args, operands, last)
            expr = self.expr(template, args, subst)
            self.constraints.append(
                Constraint(f"{base}[{i}]", expr, kind=_KINDS.get(template.tag, template.tag))
            )

    def substitution(self, at: ET.Element, operands: list[str], last: int) -> _Subst:
        """``%i`` is the i-th argument, ``%...`` those after the last ``%i`` of the whole template."""
        doc = self.doc
        if last >= len(operands):
            raise doc.error(at, f"expected at least {last + 1} arguments, found {len(operands)}")

        def subst(text: str, sep: str) -> str:
            rest = sep.join(operands[last + 1 :])
            text = text.replace("%...", rest)
            return re.sub(r"%(\d+)", lambda m: operands[int(m.group(1))], text)

        return subst

    def expr(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        """The formula of a constraint element; ``at`` is the element errors point at."""
        doc = self.doc
        if element.tag == "intension":
            function = element.find("function")
            text = function.text if function is not None else element.text
            return _intension(doc, at, subst(text or "", ","))
        if element.tag == "extension":
            names = tuple(_names(doc, at, subst(self.child(element, "list").text or "", " ")))
            allowed, rows = self.tuples(element, len(names))
            return Table(names, rows, allowed)
        if element.tag == "sum":
            return self.sum(element, at, subst)
        return self.all_different(element, at, subst)

    def child(self, element: ET.Element, tag: str) -> ET.Element:
        found = element.findall(tag)
        if len(found) != 1:
            raise self.doc.error(element, f"expected one <{tag}>, found {len(found)}")
        return found[0]

    def only(self, element: ET.Element, allowed: tuple[str, ...]) -> None:
        for child in element:
            if child.tag not in allowed:
                raise self.doc.error(
                    child,
                    f"expected only <{'>, <'.join(allowed)}> in <{element.tag}>, found <{child.tag}> (not supported)",
                )

    def tuples(self, element: ET.Element, arity: int) -> tuple[bool, _Rows]:
        """Whether the tuples are supports, and the tuples (read once per template)."""
        self.only(element, ("list", "supports", "conflicts"))
        cached = self.rows.get(id(element))
        if cached is not None and all(len(r) == arity for r in cached[1][:1]):
            return cached
        found = [c for c in element if c.tag in ("supports", "conflicts")]
        if len(found) != 1:
            raise self.doc.error(element, f"expected one <supports> or <conflicts>, found {len(found)}")
        body = found[0]
        text = "".join((body.text or "").split())
        rows: list[tuple[int | None, ...]] = []
        if arity == 1 and not text.startswith("("):
            rows = [(v,) for v in _values(self.doc, body, body.text or "", "the values")]
        elif text:
            if not (text.startswith("(") and text.endswith(")")):
                raise self.doc.error(body, f"expected tuples (a,b,...), found {text[:20]!r}")
            for chunk in text[1:-1].split(")("):
                cells = chunk.split(",")
                if len(cells) != arity:
                    raise self.doc.error(body, f"expected tuples of arity {arity}, found ({chunk})")
                rows.append(tuple(None if c == "*" else _int(self.doc, body, c, "a tuple") for c in cells))
        result = (body.tag == "supports", tuple(rows))
        self.rows[id(element)] = result
        return result

    def sum(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        self.only(element, ("list", "coeffs", "condition"))
        doc = self.doc
        names = _names(doc, at, subst(self.child(element, "list").text or "", " "))
        coeffs_element = element.find("coeffs")
        coeffs = [1] * len(names)
        if coeffs_element is not None:
            coeffs = _values(doc, coeffs_element, subst(coeffs_element.text or "", " "), "the coefficients")
            if len(coeffs) != len(names):
                raise doc.error(at, f"expected {len(names)} coefficients, found {len(coeffs)}")
        condition = self.child(element, "condition")
        text = subst(condition.text or "", " ").strip()
        match = re.fullmatch(r"\(\s*(\w+)\s*,\s*([^\s,()]+)\s*\)", text)
        if match is None or match.group(1) not in (*_COMPARE, "in"):
            raise doc.error(
                condition,
                f"expected (op,operand) with op among {', '.join(_COMPARE)}, in; found {text!r} (not supported)",
            )
        op, operand = match.groups()
        terms: dict[Term, int] = {}
        for coef, name in zip(coeffs, names, strict=True):
            terms[name] = terms.get(name, 0) + coef
        part = ({t: c for t, c in terms.items() if c}, 0)
        if op == "in":
            low, dots, high = operand.partition("..")
            if not dots:
                raise doc.error(condition, f"expected (in,low..high), found {text!r} (not supported)")
            a, b = _int(doc, condition, low, "the range"), _int(doc, condition, high, "the range")
            return And(
                (_comparison(doc, ">=", _plus(part, ({}, -a))), _comparison(doc, "<=", _plus(part, ({}, -b))))
            )
        (value,) = _operands(doc, condition, operand)
        other: _Part = ({}, -value) if isinstance(value, int) else ({value: -1}, 0)
        return _comparison(doc, _COMPARE[op], _plus(part, other))

    def all_different(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        self.only(element, ("list",))
        lists = element.findall("list")
        if len(lists) > 1:
            raise self.doc.error(element, "expected one list of variables, found several (not supported)")
        text = lists[0].text if lists else element.text
        names = _names(self.doc, at, subst(text or "", " "))
        pairs = [Linear(((1, a), (-1, b)), "!=", 0) for a, b in itertools.combinations(names, 2)]
        return And(tuple(pairs))


def _build(doc: _Doc, name: str) -> Problem:
    root = doc.root
    if root.tag != "instance":
        raise doc.error(root, "expected the root element <instance>, found another")
    if root.get("format") != "XCSP3":
        raise doc.error(root, f"expected format='XCSP3', found {root.get('format')!r}")
    if root.get("type", "CSP") != "CSP":
        raise doc.error(root, f"expected type='CSP', found {root.get('type')!r} (only satisfaction is read)")
    for child in root:
        if child.tag not in ("variables", "constraints", "annotations"):
            raise doc.error(
                child, f"expected <variables>, <constraints>, found <{child.tag}> (not supported)"
            )
    variables = _read_variables(doc)
    reader = _Reader(doc)
    sections = root.findall("constraints")
    if len(sections) > 1:
        raise doc.error(sections[1], f"expected one <constraints> section, found {len(sections)}")
    for section in sections:
        for element in section:
            reader.read(element)
    meta: dict[str, object] = {"format": "XCSP3", "source": doc.source}
    return Problem(tuple(variables), tuple(reader.constraints), name, meta)


def parse_xcsp3(text: str | bytes, *, source: str = "<string>", name: str = "xcsp3") -> Problem:
    """Parse an XCSP3 document given as text.

    Args:
        text: the XML document.
        source: the name used in error messages.
        name: the problem's name.

    Returns:
        The problem: variables in file order, one constraint per constraint element or group argument.

    Raises:
        ModelFormatError: the document is not well-formed XML, declares a DTD or entities, or is outside the
            supported XCSP3 subset; the message names the source, line, element, expected and found.

    Example:
        >>> parse_xcsp3('<instance format="XCSP3" type="CSP"><variables><var id="v"> 1 2 </var></variables>'
        ...     '<constraints><circuit> v </circuit></constraints></instance>')  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        configurator.errors.ModelFormatError: <string>:1: <circuit>: expected one of <intension>, ... (not supported)
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    root, lines = parse_xml(data, source)
    return _build(_Doc(root, lines, source), name)


def load_xcsp3(path: str | os.PathLike[str]) -> Problem:
    """Load an XCSP3 file, ``*.xml`` or xz-compressed ``*.xml.xz`` (see the module docstring for the subset).

    Args:
        path: the file.

    Returns:
        The problem, named after the file (without ``.xml``/``.xz``); ``meta`` records the format and source.

    Raises:
        ModelFormatError: the file is malformed, not valid xz data, or uses unsupported constructs.
        OSError: the file cannot be read.

    Example:
        >>> import lzma, tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     f = pathlib.Path(tmp, "m.xml.xz")
        ...     _ = f.write_bytes(lzma.compress(b'<instance format="XCSP3" type="CSP"><variables>'
        ...         b'<var id="v"> 0..4 </var></variables><constraints><sum><list> v </list>'
        ...         b'<coeffs> 2 </coeffs><condition> (le,5) </condition></sum></constraints></instance>'))
        ...     p = load_xcsp3(f)
        >>> p.name, [a["v"] for a in p.assignments() if p.check(a)]
        ('m', [0, 1, 2])
    """
    file = Path(path)
    name = file.name
    for suffix in (".xz", ".xml"):
        name = name.removesuffix(suffix) if name.lower().endswith(suffix) else name
    return parse_xcsp3(read_xml_bytes(file), source=str(file), name=name or "xcsp3")
