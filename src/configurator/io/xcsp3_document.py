"""The XCSP3 document as the importer reads it: elements with their lines, variables and references.

Internal to :mod:`configurator.io.xcsp3` (its reader and the expression and global-constraint modules share
these helpers): integers and ``a..b`` ranges, the compact forms of variable lists (``x[2..5]``, ``x[]``,
``y[1][]``) and of repeated values (``0x3``), and the ``<variables>`` section.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

from configurator.errors import ModelFormatError, suggest
from configurator.solver.problem import Variable


class _Doc:
    """The parsed document: elements, their lines, the source name and the variables declared so far."""

    def __init__(self, root: ET.Element, lines: dict[ET.Element, int], source: str) -> None:
        self.root = root
        self.lines = lines
        self.source = source
        self.domains: dict[str, tuple[int, ...]] = {}
        self.arrays: dict[str, tuple[int, ...]] = {}
        self._sets: dict[str, frozenset[int]] = {}

    def values(self, name: str) -> frozenset[int]:
        """The domain of a declared variable as a set (computed once)."""
        found = self._sets.get(name)
        if found is None:
            found = self._sets[name] = frozenset(self.domains[name])
        return found

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


_REPEAT = re.compile(r"([+-]?\d+)x(\d+)")
"""The compact form ``vxk`` of ``k`` times the value ``v`` in a sequence (``0x3`` is ``0 0 0``)."""


def _operands(doc: _Doc, element: ET.Element, text: str) -> list[str | int]:
    """Variables and integers of a list (``<args>``, ``<values>``, the operand of a ``<condition>``)."""
    found: list[str | int] = []
    for token in text.split():
        repeat = _REPEAT.fullmatch(token)
        if re.fullmatch(r"[+-]?\d+", token):
            found.append(int(token))
        elif repeat is not None:
            found.extend([int(repeat.group(1))] * int(repeat.group(2)))
        else:
            found.extend(_expand(doc, element, token))
    return found


def _ints(doc: _Doc, element: ET.Element, text: str, what: str) -> list[int]:
    """Integers separated by spaces, ``vxk`` standing for ``k`` times ``v``."""
    values: list[int] = []
    for token in text.split():
        repeat = _REPEAT.fullmatch(token)
        if repeat is not None:
            values.extend([int(repeat.group(1))] * int(repeat.group(2)))
        else:
            values.append(_int(doc, element, token, what))
    return values


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
