"""Import XCSP3 constraint satisfaction instances (``<instance format="XCSP3" type="CSP">``), also ``*.xml.xz``.

Supported subset (what the RenaultMod instances of the XCSP3 competitions use, plus close relatives):

- ``<variables>``: integer ``<var id>`` and ``<array id size="[n]..[m]">`` (cells ``x[i][j]``, row-major)
  whose domain lists integers and ``a..b`` ranges, ``<var as="other">``, and arrays with ``<domain for="...">``
  children (``for="others"`` for the remaining cells);
- ``<constraints>``: ``<intension>``, ``<extension>`` (``<supports>``/``<conflicts>``, ``*`` matches any value,
  unary lists ``1 3..5``), ``<sum>`` (``<coeffs>``, ``<condition>``), ``<allDifferent>`` (optional
  ``<except>`` values that several variables may share), ``<allEqual>``, ``<ordered>`` (``<operator>`` lt, le, ge
  or gt, or ``case="increasing"``, ``strictlyIncreasing``, ``decreasing``, ``strictlyDecreasing``; optional
  ``<lengths>``: ``x[i] + lengths[i] op x[i+1]``), ``<clause>`` (literals ``x`` and ``not(x)`` of 0/1
  variables), ``<instantiation>`` (``<list>`` and ``<values>``), ``<count>`` (``<values>`` integers or
  variables), ``<nValues>`` (optional ``<except>``), ``<cardinality>`` (``<values closed>``, ``<occurs>``
  integers, ranges ``a..b`` or variables), ``<minimum>``/``<maximum>`` (without ``<index>``), ``<element>``
  (``<list startIndex>`` of variables or integers, optional ``<index>`` variable, ``<value>`` or
  ``<condition>``), ``<group>`` (any of these as a template with ``%i`` and ``%...``, one ``<args>`` per
  constraint) and ``<block>``;
- a ``<condition>`` is ``(op,k)`` or ``(op,x)`` with op among lt, le, ge, gt, eq, ne, or ``(in,a..b)`` /
  ``(notin,a..b)``;
- variable lists with compact forms: ``x[2..5]``, ``x[]``, ``y[1][]``.

Intension expressions are functional (``eq(x,add(y,1))``) and parsed here, never evaluated as code. Linear
comparisons become :class:`~configurator.solver.problem.Linear` (one variable: a
:class:`~configurator.solver.problem.Lit` of the values that pass), connectives become ``And``/``Or``/``Not``/
``Implies``/``Iff``; other arithmetic (``mul`` of variables, ``abs``, ``dist``, ``min``, ``max``, ``div``,
``mod``, ``if``) becomes the table of its solutions when its scope has at most :data:`MAX_ENUMERATED` tuples.
Global constraints become the same formulas: counts (``count``, ``nValues``, ``cardinality``) are a ``Linear`` over
0/1 terms such as "``x`` takes one of the values", ``minimum``/``maximum`` a conjunction or disjunction of bounds on
each variable, ``element`` with an index one ``Implies`` per position (the index restricted to the positions of
the list), so that the CNF and diagram engines count them too.
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
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from configurator.io._xml import parse_xml, read_xml_bytes
from configurator.io.xcsp3_document import (
    _Doc,
    _expand,
    _int,
    _ints,
    _names,
    _operands,
    _read_variables,
    _values,
)
from configurator.io.xcsp3_globals import (
    _CASES,
    _CONDITIONS,
    _ORDERS,
    _Condition,
    _counted,
    _extremum,
    _member,
    _part_of,
    _satisfies,
)
from configurator.io.xcsp3_intension import MAX_ENUMERATED, OPERATORS, _intension, _plus
from configurator.solver.problem import (
    And,
    BoolExpr,
    Constraint,
    Implies,
    Linear,
    Lit,
    Or,
    Problem,
    Table,
    Term,
)

__all__ = ["CONSTRAINTS", "MAX_ENUMERATED", "OPERATORS", "load_xcsp3", "parse_xcsp3"]

CONSTRAINTS = (
    "intension",
    "extension",
    "sum",
    "allDifferent",
    "allEqual",
    "ordered",
    "clause",
    "instantiation",
    "count",
    "nValues",
    "cardinality",
    "minimum",
    "maximum",
    "element",
    "group",
    "block",
)
"""The constraint elements read; any other is refused."""

_KINDS = {"extension": "table"}
"""Constraint kinds that differ from the element name (tables are ``table`` as in XCSP 2.1 and CLib)."""


_Subst = Callable[[str, str], str]
"""Replaces the ``%i`` and ``%...`` of a group template by its arguments (joined by the given separator)."""

_Rows = tuple[tuple[int | None, ...], ...]

_TEMPLATES = tuple(tag for tag in CONSTRAINTS if tag not in ("group", "block"))
"""The constraint elements that a ``<group>`` may have as its template."""


class _Reader:
    """Reads constraint elements into solver constraints, numbering those without an id."""

    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.constraints: list[Constraint] = []
        self.ids: set[str] = set()
        self.named = {
            ident
            for section in doc.root.findall("constraints")
            for element in section.iter()
            if (ident := element.get("id")) is not None
        }
        self.count = 0
        self.rows: dict[int, tuple[bool, _Rows]] = {}
        self.readers: dict[str, Callable[[ET.Element, ET.Element, _Subst], BoolExpr]] = {
            "intension": self.intension,
            "extension": self.extension,
            "sum": self.sum,
            "allDifferent": self.all_different,
            "allEqual": self.all_equal,
            "ordered": self.ordered,
            "clause": self.clause,
            "instantiation": self.instantiation,
            "count": self.count_values,
            "nValues": self.n_values,
            "cardinality": self.cardinality,
            "minimum": self.extremum,
            "maximum": self.extremum,
            "element": self.element,
        }

    def ident(self, element: ET.Element) -> str:
        """The element's ``id``, else the next ``cN`` that no constraint of the file names."""
        self.count += 1
        ident = element.get("id")
        if ident is None:
            ident = f"c{self.count}"
            while ident in self.named or ident in self.ids:
                self.count += 1
                ident = f"c{self.count}"
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
        if not children or children[0].tag not in _TEMPLATES:
            found = f"<{children[0].tag}>" if children else "none"
            raise self.doc.error(
                element,
                f"expected a template <{'>, <'.join(_TEMPLATES)}> first, then <args>; found {found} "
                "(not supported)",
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
        return self.readers[element.tag](element, at, subst)

    def child(self, element: ET.Element, tag: str) -> ET.Element:
        found = element.findall(tag)
        if len(found) != 1:
            raise self.doc.error(element, f"expected one <{tag}>, found {len(found)}")
        return found[0]

    def optional(self, element: ET.Element, tag: str) -> ET.Element | None:
        found = element.findall(tag)
        if len(found) > 1:
            raise self.doc.error(element, f"expected at most one <{tag}>, found {len(found)}")
        return found[0] if found else None

    def only(self, element: ET.Element, allowed: tuple[str, ...]) -> None:
        for child in element:
            if child.tag not in allowed:
                raise self.doc.error(
                    child,
                    f"expected only <{'>, <'.join(allowed)}> in <{element.tag}>, found <{child.tag}> (not supported)",
                )

    def text(self, element: ET.Element, tag: str, subst: _Subst) -> str:
        """The text of the one ``tag`` child, its template parameters replaced."""
        return subst(self.child(element, tag).text or "", " ")

    def listed(self, element: ET.Element, subst: _Subst, what: str = "variables") -> str:
        """The text of the one ``<list>``, or the element's own text when it has no ``<list>``."""
        lists = element.findall("list")
        if len(lists) > 1:
            raise self.doc.error(element, f"expected one list of {what}, found several (not supported)")
        return subst((lists[0].text if lists else element.text) or "", " ")

    def names(self, element: ET.Element, at: ET.Element, subst: _Subst) -> list[str]:
        """The variables of the one ``<list>``, or of the element's own text when it has no ``<list>``."""
        return _names(self.doc, at, self.listed(element, subst))

    def condition(self, element: ET.Element, subst: _Subst) -> _Condition:
        """The one ``<condition>``: ``(op,k)`` or ``(op,x)`` for a comparison, ``(in,a..b)``/``(notin,a..b)``."""
        doc = self.doc
        node = self.child(element, "condition")
        text = subst(node.text or "", " ").strip()
        match = re.fullmatch(r"\(\s*(\w+)\s*,\s*([^\s,()]+)\s*\)", text)
        if match is None or match.group(1) not in _CONDITIONS:
            raise doc.error(
                node,
                f"expected (op,operand) with op among {', '.join(_CONDITIONS)}; found {text!r} (not supported)",
            )
        op, operand = match.groups()
        if op in ("in", "notin"):
            low, dots, high = operand.partition("..")
            if not dots:
                raise doc.error(node, f"expected ({op},low..high), found {text!r} (not supported)")
            a, b = _int(doc, node, low, "the range"), _int(doc, node, high, "the range")
            if a > b:
                raise doc.error(node, f"expected a range low..high with low <= high, found {text!r}")
            return _Condition(op, range(a, b + 1))
        values = _operands(doc, node, operand)
        if len(values) != 1:
            raise doc.error(node, f"expected one integer or variable as the operand, found {operand!r}")
        return _Condition(op, values[0])

    def intension(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        function = element.find("function")
        text = function.text if function is not None else element.text
        return _intension(self.doc, at, subst(text or "", ","))

    def extension(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        names = tuple(_names(self.doc, at, self.text(element, "list", subst)))
        allowed, rows = self.tuples(element, len(names))
        return Table(names, rows, allowed)

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
        names = _names(doc, at, self.text(element, "list", subst))
        coeffs_element = element.find("coeffs")
        coeffs = [1] * len(names)
        if coeffs_element is not None:
            coeffs = _values(doc, coeffs_element, subst(coeffs_element.text or "", " "), "the coefficients")
            if len(coeffs) != len(names):
                raise doc.error(at, f"expected {len(names)} coefficients, found {len(coeffs)}")
        condition = self.condition(element, subst)
        terms: dict[Term, int] = {}
        for coef, name in zip(coeffs, names, strict=True):
            terms[name] = terms.get(name, 0) + coef
        return _satisfies(doc, ({t: c for t, c in terms.items() if c}, 0), condition)

    def all_different(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        """Pairwise different, except that both may take a value of ``<except>``."""
        self.only(element, ("list", "except"))
        doc = self.doc
        names = self.names(element, at, subst)
        excepted = self.excepted(element, subst)
        pairs: list[BoolExpr] = []
        for a, b in itertools.combinations(names, 2):
            differ: BoolExpr = Linear(((1, a), (-1, b)), "!=", 0)
            shared = frozenset(excepted & doc.values(a) & doc.values(b))
            pairs.append(Or((differ, Lit(a, shared))) if shared else differ)
        return And(tuple(pairs))

    def all_equal(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        self.only(element, ("list",))
        names = self.names(element, at, subst)
        return And(
            tuple(
                _satisfies(self.doc, _part_of(a), _Condition("eq", b)) for a, b in itertools.pairwise(names)
            )
        )

    def ordered(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        """Each variable ``op`` the next (plus its length from ``<lengths>``); ``case=`` names the operator."""
        self.only(element, ("list", "lengths", "operator"))
        doc = self.doc
        case = element.get("case")
        if case is not None:
            if element.find("operator") is not None:
                raise doc.error(element, f"expected case= or <operator>, found both (case={case!r})")
            if case not in _CASES:
                raise doc.error(
                    element, f"expected case among {', '.join(_CASES)}; found {case!r} (not supported)"
                )
            op = _CASES[case]
        else:
            node = self.child(element, "operator")
            op = subst(node.text or "", " ").strip()
            if op not in _ORDERS:
                raise doc.error(
                    node, f"expected an operator among {', '.join(_ORDERS)}; found {op!r} (not supported)"
                )
        names = self.names(element, at, subst)
        lengths: list[int | str] = [0] * max(len(names) - 1, 0)
        given = self.optional(element, "lengths")
        if given is not None:
            lengths = _operands(doc, given, subst(given.text or "", " "))
            if len(lengths) not in (len(names) - 1, len(names)):
                raise doc.error(
                    at,
                    f"expected {len(names) - 1} or {len(names)} lengths in <lengths>, found {len(lengths)}",
                )
        return And(
            tuple(
                _satisfies(doc, _plus(_part_of(a), _part_of(length)), _Condition(op, b))
                for (a, b), length in zip(itertools.pairwise(names), lengths, strict=False)
            )
        )

    def clause(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        """A disjunction of 0/1 variables: ``x`` is ``x = 1``, ``not(x)`` is ``x = 0``."""
        self.only(element, ("list",))
        doc = self.doc
        text = self.listed(element, subst, "literals")
        literals: list[BoolExpr] = []
        for token in re.findall(r"not\s*\([^()]*\)|\S+", text):
            negated = re.fullmatch(r"not\s*\(\s*([^()\s]+)\s*\)", token)
            if negated is None and ("(" in token or ")" in token):
                raise doc.error(at, f"expected literals x or not(x), found {token!r}")
            for name in _expand(doc, at, negated.group(1) if negated else token):
                if not doc.values(name) <= {0, 1}:
                    raise doc.error(
                        at,
                        f"expected 0/1 variables in a clause, found {name!r} with domain {list(doc.domains[name])}",
                    )
                literals.append(Lit(name, frozenset({0 if negated else 1}) & doc.values(name)))
        return Or(tuple(literals))

    def instantiation(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        self.only(element, ("list", "values"))
        doc = self.doc
        names = _names(doc, at, self.text(element, "list", subst))
        node = self.child(element, "values")
        values = _ints(doc, node, subst(node.text or "", " "), "the values")
        if len(values) != len(names):
            raise doc.error(
                at,
                f"expected {len(names)} values in <values>, one per variable of <list>; found {len(values)}",
            )
        return And(
            tuple(
                Lit(name, frozenset({value}) & doc.values(name))
                for name, value in zip(names, values, strict=True)
            )
        )

    def count_values(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        """How many variables of ``<list>`` take a value of ``<values>`` (integers or variables), compared."""
        self.only(element, ("list", "values", "condition"))
        doc = self.doc
        names = _names(doc, at, self.text(element, "list", subst))
        values = _operands(doc, at, self.text(element, "values", subst))
        if not values:
            raise doc.error(at, "expected at least one value in <values>, found none")
        condition = self.condition(element, subst)
        return _satisfies(doc, _counted(doc, [_member(doc, name, values) for name in names]), condition)

    def n_values(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        """The number of distinct values taken (but those of ``<except>``): one 0/1 term per candidate value."""
        self.only(element, ("list", "except", "condition"))
        doc = self.doc
        names = list(dict.fromkeys(_names(doc, at, self.text(element, "list", subst))))
        excepted = self.excepted(element, subst)
        condition = self.condition(element, subst)
        candidates = sorted({v for name in names for v in doc.domains[name]} - excepted)
        taken: list[BoolExpr] = []
        for value in candidates:
            holders = [Lit(name, frozenset({value})) for name in names if value in doc.values(name)]
            taken.append(holders[0] if len(holders) == 1 else Or(tuple(holders)))
        return _satisfies(doc, _counted(doc, taken), condition)

    def cardinality(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        """Each value of ``<values>`` is taken as often as ``<occurs>`` says; ``closed`` allows no other value."""
        self.only(element, ("list", "values", "occurs"))
        doc = self.doc
        names = _names(doc, at, self.text(element, "list", subst))
        node = self.child(element, "values")
        closed = node.get("closed", "false").strip()
        if closed not in ("true", "false"):
            raise doc.error(node, f"expected closed='true' or 'false', found {closed!r}")
        values = _operands(doc, at, subst(node.text or "", " "))
        occurs: list[_Condition] = []
        occurs_node = self.child(element, "occurs")
        for token in subst(occurs_node.text or "", " ").split():
            low, dots, high = token.partition("..")
            if dots:
                a, b = _int(doc, occurs_node, low, "<occurs>"), _int(doc, occurs_node, high, "<occurs>")
                if a > b:
                    raise doc.error(
                        occurs_node, f"expected a range low..high with low <= high, found {token!r}"
                    )
                occurs.append(_Condition("in", range(a, b + 1)))
            else:
                occurs.extend(_Condition("eq", operand) for operand in _operands(doc, at, token))
        if len(occurs) != len(values):
            raise doc.error(
                at,
                f"expected {len(values)} entries in <occurs>, one per value of <values>; found {len(occurs)}",
            )
        parts: list[BoolExpr] = [
            _satisfies(doc, _counted(doc, [_member(doc, name, [value]) for name in names]), occur)
            for value, occur in zip(values, occurs, strict=True)
        ]
        if closed == "true":
            parts.extend(_member(doc, name, values) for name in names)
        return And(tuple(parts))

    def extremum(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        """``<minimum>``/``<maximum>`` of ``<list>`` compared by ``<condition>`` (no ``<index>``)."""
        doc = self.doc
        if element.find("index") is not None:
            raise doc.error(
                element,
                f"expected <list> and <condition>, found <index> (<{element.tag}> with an index is not supported)",
            )
        self.only(element, ("list", "condition"))
        names = _names(doc, at, self.text(element, "list", subst))
        if not names:
            raise doc.error(at, "expected at least one variable in <list>, found none")
        return _extremum(doc, names, element.tag == "minimum", self.condition(element, subst))

    def element(self, element: ET.Element, at: ET.Element, subst: _Subst) -> BoolExpr:
        """``list[index]`` equals ``<value>`` (or meets ``<condition>``); without an index, some entry does."""
        self.only(element, ("list", "index", "value", "condition"))
        doc = self.doc
        node = self.child(element, "list")
        items = _operands(doc, at, subst(node.text or "", " "))
        if not items:
            raise doc.error(at, "expected at least one entry in <list>, found none")
        start = _int(doc, node, node.get("startIndex", "0").strip(), "attribute startIndex")
        value, condition = self.optional(element, "value"), self.optional(element, "condition")
        if (value is None) == (condition is None):
            found = "both" if value is not None else "neither"
            raise doc.error(element, f"expected one <value> or <condition>, found {found}")
        if value is not None:
            test = _Condition("eq", self.single(value, subst))
        else:
            test = self.condition(element, subst)
        holds = [_satisfies(doc, _part_of(item), test) for item in items]
        index = self.optional(element, "index")
        if index is None:
            return Or(tuple(holds))
        rank = index.get("rank", "any").strip()
        if rank != "any":
            raise doc.error(index, f"expected rank='any', found {rank!r} (not supported)")
        position = self.single(index, subst)
        if isinstance(position, int):
            if not 0 <= position - start < len(items):
                raise doc.error(
                    index, f"expected an index within {start}..{start + len(items) - 1}, found {position}"
                )
            return holds[position - start]
        valid = [v for v in doc.domains[position] if 0 <= v - start < len(items)]
        at_position = (Implies(Lit(position, frozenset({v})), holds[v - start]) for v in valid)
        return And((Lit(position, frozenset(valid)), *at_position))

    def excepted(self, element: ET.Element, subst: _Subst) -> set[int]:
        """The integers of the optional ``<except>``."""
        node = self.optional(element, "except")
        if node is None:
            return set()
        return set(_ints(self.doc, node, subst(node.text or "", " "), "the excepted values"))

    def single(self, node: ET.Element, subst: _Subst) -> int | str:
        """The one integer or variable of an element such as ``<value>`` or ``<index>``."""
        found = _operands(self.doc, node, subst(node.text or "", " "))
        if len(found) != 1:
            raise self.doc.error(node, f"expected one integer or variable, found {len(found)}")
        return found[0]


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
