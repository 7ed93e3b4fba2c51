"""Import XCSP 2.1 extensional models (the Renault models of Gimenez's thesis) and their sales histories.

Supported subset of XCSP 2.1 (what the Renault ``contraintes.xml`` files use, checked strictly):

- ``<domains>``: ``<domain name nbValues>`` whose text lists integers and ``a..b`` intervals;
- ``<variables>``: ``<variable name domain>``;
- ``<relations>``: ``<relation name arity nbTuples semantics>`` with ``semantics`` ``supports`` or
  ``conflicts`` and tuples separated by ``|``;
- ``<constraints>``: ``<constraint name arity scope reference>`` whose ``reference`` names a relation.

Predicates, global constraints and soft relations are rejected with a :class:`ModelFormatError`, as is any
file with a DOCTYPE or entity declaration (:mod:`configurator.io._xml`: expat into ElementTree, never
expanding entities or fetching DTDs).

Mapping: each variable becomes ``Variable(name, domain)`` with the domain values in file order; each
constraint becomes ``Constraint(name, Table(scope, tuples, allowed=semantics == "supports"), kind="table")``.

Optional variables (the joker ``-1``): a domain marked ``optional="-1"`` lists ``-1`` as one of its values,
meaning "this option is absent". We keep ``-1`` as an **ordinary domain value**: every variable takes exactly
one value, so an absent option is the assignment ``v = -1`` and tuples mention ``-1`` like any other value.
We never rewrite tuples to the other convention ("absent = no value literal true"); mixing the two is what
makes counts wrong. ``problem.meta["optional_variables"]`` lists the variables whose domain is optional.

Example:
    >>> text = '''<instance><presentation format="XCSP 2.1" name="tiny"/>
    ... <domains nbDomains="2"><domain name="D" nbValues="3">0..1 -1</domain>
    ...   <domain name="B" nbValues="2">0 1</domain></domains>
    ... <variables nbVariables="2"><variable name="x" domain="D"/><variable name="y" domain="B"/></variables>
    ... <relations nbRelations="1">
    ...   <relation name="r" arity="2" nbTuples="2" semantics="supports">0 1|-1 0</relation></relations>
    ... <constraints nbConstraints="1"><constraint name="c" arity="2" scope="x y" reference="r"/></constraints>
    ... </instance>'''
    >>> p = parse_xcsp(text)
    >>> [(v.name, v.domain) for v in p.variables]
    [('x', (0, 1, -1)), ('y', (0, 1))]
    >>> [a for a in p.assignments() if p.check(a)]
    [{'x': 0, 'y': 1}, {'x': -1, 'y': 0}]
"""

from __future__ import annotations

import csv
import io
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from configurator.errors import ModelFormatError, suggest
from configurator.io._read import open_model, read_model_bytes
from configurator.io._xml import parse_xml
from configurator.solver.problem import BoolExpr, Constraint, Problem, Table, Variable, holds, scope

__all__ = ["SalesHistory", "load_xcsp", "parse_xcsp", "read_sales", "violation_checker"]

JOKER = -1
"""The value that optional variables take when the option is absent."""


class _Doc:
    """A parsed XML document: the element tree plus the line of each element, for messages."""

    def __init__(self, root: ET.Element, lines: dict[ET.Element, int], source: str) -> None:
        self.root = root
        self.lines = lines
        self.source = source

    def where(self, element: ET.Element) -> str:
        line = self.lines.get(element, 0)
        return f"{self.source}:{line}: <{element.tag}>" if line else f"{self.source}: <{element.tag}>"

    def error(self, element: ET.Element, message: str) -> ModelFormatError:
        name = element.get("name")
        label = f" {name!r}" if name else ""
        return ModelFormatError(f"{self.where(element)}{label}: {message}")


def _int(doc: _Doc, element: ET.Element, text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise doc.error(element, f"expected an integer in {what}, found {text!r}") from None


def _attr(doc: _Doc, element: ET.Element, key: str) -> str:
    value = element.get(key)
    if value is None or not value.strip():
        raise doc.error(element, f"expected attribute {key!r}, found none")
    return value.strip()


def _count_attr(doc: _Doc, element: ET.Element, key: str, found: int) -> None:
    """Check an optional ``nbX``/``arity`` attribute against what the element holds."""
    declared = element.get(key)
    if declared is None:
        return
    if _int(doc, element, declared.strip(), f"attribute {key}") != found:
        raise doc.error(element, f"{key}={declared.strip()} declared but {found} found")


def _section(doc: _Doc, tag: str, child: str, count: str, required: bool = True) -> list[ET.Element]:
    """The ``<child>`` elements of the single ``<tag>`` section, checked against its ``count`` attribute."""
    sections = doc.root.findall(tag)
    if len(sections) > 1:
        raise doc.error(sections[1], f"expected one <{tag}> section, found {len(sections)}")
    if not sections:
        if required:
            raise doc.error(doc.root, f"expected a <{tag}> section, found none")
        return []
    items = list(sections[0])
    for element in items:
        if element.tag != child:
            raise doc.error(element, f"expected <{child}>, found <{element.tag}> (not supported)")
    _count_attr(doc, sections[0], count, len(items))
    return items


def _domain_values(doc: _Doc, element: ET.Element) -> tuple[int, ...]:
    values: list[int] = []
    for token in (element.text or "").split():
        if ".." in token:
            low_text, _, high_text = token.partition("..")
            low = _int(doc, element, low_text, f"interval {token!r}")
            high = _int(doc, element, high_text, f"interval {token!r}")
            if low > high:
                raise doc.error(element, f"expected an interval low..high with low <= high, found {token!r}")
            values.extend(range(low, high + 1))
        else:
            values.append(_int(doc, element, token, "the domain values"))
    if len(set(values)) != len(values):
        raise doc.error(element, "expected distinct domain values, found duplicates")
    if not values:
        raise doc.error(element, "expected at least one domain value, found none")
    _count_attr(doc, element, "nbValues", len(values))
    return tuple(values)


def _tuples(doc: _Doc, element: ET.Element, arity: int) -> tuple[tuple[int | None, ...], ...]:
    rows: list[tuple[int | None, ...]] = []
    for chunk in (element.text or "").split("|"):
        cells = chunk.split()
        if not cells:
            continue
        if len(cells) != arity:
            raise doc.error(element, f"expected tuples of arity {arity}, found {' '.join(cells)!r}")
        try:
            rows.append(tuple(map(int, cells)))
        except ValueError:  # name the bad cell
            rows.append(tuple(_int(doc, element, cell, "a tuple") for cell in cells))
    _count_attr(doc, element, "nbTuples", len(rows))
    return tuple(rows)


def _build(doc: _Doc) -> Problem:
    """The problem of a parsed document: presentation, domains, variables, relations, then constraints."""
    root = doc.root
    if root.tag != "instance":
        raise doc.error(root, "expected the root element <instance>, found another")
    name = _presentation_name(doc)
    domains, optional_domains = _read_domains(doc)
    variables, optional = _read_variables(doc, domains, optional_domains)
    relations = _read_relations(doc)
    constraints = _read_constraints(doc, variables, relations)
    meta: dict[str, object] = {
        "format": "XCSP 2.1",
        "source": doc.source,
        "optional_value": JOKER,
        "optional_variables": tuple(optional),
    }
    return Problem(tuple(variables.values()), tuple(constraints), name, meta)


_Relation = tuple[int, bool, tuple[tuple[int | None, ...], ...]]
"""A relation: its arity, whether its tuples are supports (else conflicts), and the tuples."""


def _presentation_name(doc: _Doc) -> str:
    """The instance's name from ``<presentation>``, after checking its format and type."""
    presentation = doc.root.find("presentation")
    if presentation is None:
        return "xcsp"
    fmt = presentation.get("format", "XCSP 2.1")
    if not fmt.startswith("XCSP 2"):
        raise doc.error(presentation, f"expected format 'XCSP 2.1', found {fmt!r}")
    if presentation.get("type", "CSP") != "CSP":
        raise doc.error(presentation, f"expected type 'CSP', found {presentation.get('type')!r}")
    return presentation.get("name", "xcsp")


def _read_domains(doc: _Doc) -> tuple[dict[str, tuple[int, ...]], set[str]]:
    """The domains by name, and the names of those marked optional."""
    domains: dict[str, tuple[int, ...]] = {}
    optional_domains: set[str] = set()
    for element in _section(doc, "domains", "domain", "nbDomains"):
        domain_name = _attr(doc, element, "name")
        if domain_name in domains:
            raise doc.error(element, "expected a unique domain name, found a duplicate")
        domains[domain_name] = _domain_values(doc, element)
        if element.get("optional") is not None:
            optional_domains.add(domain_name)
    return domains, optional_domains


def _read_variables(
    doc: _Doc, domains: dict[str, tuple[int, ...]], optional_domains: set[str]
) -> tuple[dict[str, Variable], list[str]]:
    """The variables by name, and the names of those over an optional domain."""
    variables: dict[str, Variable] = {}
    optional: list[str] = []
    for element in _section(doc, "variables", "variable", "nbVariables"):
        var_name = _attr(doc, element, "name")
        domain_name = _attr(doc, element, "domain")
        if var_name in variables:
            raise doc.error(element, "expected a unique variable name, found a duplicate")
        if domain_name not in domains:
            raise doc.error(
                element,
                f"expected a declared domain, found {domain_name!r} ({suggest(domain_name, domains) or 'unknown'})",
            )
        variables[var_name] = Variable(var_name, domains[domain_name])
        if domain_name in optional_domains:
            optional.append(var_name)
    return variables, optional


def _read_relations(doc: _Doc) -> dict[str, _Relation]:
    """The extensional relations by name (predicates and functions are refused)."""
    relations: dict[str, _Relation] = {}
    for element in _section(doc, "relations", "relation", "nbRelations", required=False):
        rel_name = _attr(doc, element, "name")
        if rel_name in relations:
            raise doc.error(element, "expected a unique relation name, found a duplicate")
        arity = _int(doc, element, _attr(doc, element, "arity"), "attribute arity")
        semantics = _attr(doc, element, "semantics")
        if semantics not in ("supports", "conflicts"):
            raise doc.error(element, f"expected semantics 'supports' or 'conflicts', found {semantics!r}")
        relations[rel_name] = (arity, semantics == "supports", _tuples(doc, element, arity))
    for other in ("predicates", "functions"):
        found = doc.root.find(other)
        if found is not None and len(found):
            raise doc.error(found, f"expected extensional relations only, found <{other}> (not supported)")
    return relations


def _read_constraints(
    doc: _Doc, variables: dict[str, Variable], relations: dict[str, _Relation]
) -> list[Constraint]:
    """The table constraints, each over declared variables and a declared relation of its arity."""
    constraints: list[Constraint] = []
    seen: set[str] = set()
    for element in _section(doc, "constraints", "constraint", "nbConstraints"):
        con_name = _attr(doc, element, "name")
        if con_name in seen:
            raise doc.error(element, "expected a unique constraint name, found a duplicate")
        seen.add(con_name)
        names = tuple(_attr(doc, element, "scope").split())
        for var_name in names:
            if var_name not in variables:
                hint = suggest(var_name, variables)
                raise doc.error(
                    element,
                    f"expected declared variables in scope, found {var_name!r}"
                    + (f" ({hint})" if hint else ""),
                )
        _count_attr(doc, element, "arity", len(names))
        reference = _attr(doc, element, "reference")
        if reference not in relations:
            hint = suggest(reference, relations)
            if reference.startswith("global:"):
                hint = "global constraints are not supported"
            raise doc.error(
                element,
                f"expected a reference to a declared relation, found {reference!r}"
                + (f" ({hint})" if hint else ""),
            )
        arity, allowed, rows = relations[reference]
        if arity != len(names):
            raise doc.error(
                element, f"expected a scope of {arity} variables for {reference!r}, found {len(names)}"
            )
        constraints.append(Constraint(con_name, Table(names, rows, allowed), kind="table"))
    return constraints


def parse_xcsp(text: str | bytes, *, source: str = "<string>") -> Problem:
    """Parse an XCSP 2.1 document given as text.

    Args:
        text: the XML document.
        source: the name used in error messages.

    Returns:
        The problem: variables in file order, one table constraint per ``<constraint>``.

    Raises:
        ModelFormatError: the document is not well-formed XML, declares a DTD or entities, or is not the
            supported XCSP 2.1 subset; the message names the source, line, element, expected and found.

    Example:
        >>> parse_xcsp("<instance><domains/><variables/></instance>")
        Traceback (most recent call last):
        ...
        configurator.errors.ModelFormatError: <string>:1: <instance>: expected a <constraints> section, found none
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    root, lines = parse_xml(data, source)
    return _build(_Doc(root, lines, source))


def load_xcsp(path: str | os.PathLike[str]) -> Problem:
    """Load an XCSP 2.1 file (see the module docstring for the supported subset).

    Args:
        path: the ``.xml`` file.

    Returns:
        The problem, named after the ``<presentation name>``; ``meta`` records the source and the optional
        (joker ``-1``) variables.

    Raises:
        ModelFormatError: the file is malformed or uses unsupported constructs.
        OSError: the file cannot be read.

    Example:
        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     f = pathlib.Path(tmp, "m.xml")
        ...     _ = f.write_text('<instance><domains><domain name="D">0..2</domain></domains>'
        ...         '<variables><variable name="x" domain="D"/></variables><constraints/></instance>')
        ...     load_xcsp(f).size()
        3
    """
    file = Path(path)
    return parse_xcsp(read_model_bytes(file), source=str(file))


@dataclass(frozen=True)
class SalesHistory:
    """Rows of a sales CSV as (partial) assignments, with the dirty rows flagged.

    Attributes:
        columns: the variable names of the CSV header, in file order.
        rows: every data row as ``{variable: value}`` (all columns), in file order.
        outside_domain: indices of rows with at least one value outside that variable's domain.
        violating: indices of rows violating a constraint whose whole scope lies among the columns.
    """

    columns: tuple[str, ...]
    rows: tuple[dict[str, int], ...]
    outside_domain: tuple[int, ...]
    violating: tuple[int, ...]

    @property
    def clean(self) -> tuple[int, ...]:
        """Indices of rows that are in the domains and violate no fully-covered constraint."""
        dirty = set(self.outside_domain) | set(self.violating)
        return tuple(i for i in range(len(self.rows)) if i not in dirty)

    def clean_rows(self) -> list[dict[str, int]]:
        """The clean rows (still partial assignments: only the CSV columns)."""
        return [self.rows[i] for i in self.clean]


def read_sales(csv_path: str | os.PathLike[str], problem: Problem) -> SalesHistory:
    """Read a sales history CSV (header = variable names, one sold configuration per row).

    Rows are raw sales: a row may hold values outside the declared domains, or contradict a constraint.
    Such rows are kept and flagged, so that callers can count or skip them. Only constraints whose scope
    lies entirely among the columns can be checked without a solver; a clean row may still fail to extend to
    a full solution (check with a solver, e.g. ``CompiledDiagram.is_satisfiable``).

    Args:
        csv_path: the CSV file.
        problem: the problem whose variables the header names.

    Returns:
        The parsed rows and the indices of the dirty ones.

    Raises:
        ModelFormatError: unknown or duplicate header names, wrong number of fields, or non-integer cells
            (the message names file, line and column).

    Example:
        >>> import tempfile, pathlib
        >>> p = parse_xcsp('<instance><domains><domain name="D">0..1</domain></domains><variables>'
        ...     '<variable name="x" domain="D"/><variable name="y" domain="D"/></variables><relations>'
        ...     '<relation name="r" arity="2" semantics="conflicts">1 1</relation></relations><constraints>'
        ...     '<constraint name="c" scope="x y" reference="r"/></constraints></instance>')
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     f = pathlib.Path(tmp, "s.csv")
        ...     _ = f.write_text("x,y\\n0,1\\n1,1\\n2,0\\n")
        ...     s = read_sales(f, p)
        >>> s.rows[0], s.outside_domain, s.violating, s.clean
        ({'x': 0, 'y': 1}, (2,), (1,), (0,))
    """
    file = Path(csv_path)
    source = str(file)
    known = set(problem.names)
    with io.TextIOWrapper(open_model(file), newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ModelFormatError(f"{source}:1: expected a header of variable names, found an empty file")
        columns = tuple(cell.strip() for cell in header)
        for name in columns:
            if name not in known:
                hint = suggest(name, known)
                raise ModelFormatError(
                    f"{source}:1: expected variable names in the header, found {name!r}"
                    + (f" ({hint})" if hint else "")
                )
        if len(set(columns)) != len(columns):
            raise ModelFormatError(f"{source}:1: expected distinct column names, found duplicates")
        rows: list[dict[str, int]] = []
        for line_no, record in enumerate(reader, start=2):
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(record) != len(columns):
                raise ModelFormatError(
                    f"{source}:{line_no}: expected {len(columns)} fields, found {len(record)}"
                )
            row: dict[str, int] = {}
            for col, (name, cell) in enumerate(zip(columns, record, strict=True), start=1):
                try:
                    row[name] = int(cell)
                except ValueError:
                    raise ModelFormatError(
                        f"{source}:{line_no}:{col}: expected an integer for {name!r}, found {cell!r}"
                    ) from None
            rows.append(row)
    return _classify(problem, columns, rows)


def _classify(problem: Problem, columns: Sequence[str], rows: list[dict[str, int]]) -> SalesHistory:
    domains = {name: frozenset(problem.var(name).domain) for name in columns}
    covered = set(columns)
    checkable = [c.expr for c in problem.constraints if scope(c.expr) <= covered]
    outside = tuple(
        i for i, row in enumerate(rows) if any(value not in domains[name] for name, value in row.items())
    )
    checks = [_checker(expr) for expr in checkable]
    violating = tuple(i for i, row in enumerate(rows) if not all(check(row) for check in checks))
    return SalesHistory(tuple(columns), tuple(rows), outside, violating)


def violation_checker(problem: Problem) -> Callable[[Mapping[str, int]], bool]:
    """A function telling whether a (partial) row violates a constraint whose whole scope the row assigns.

    Rows may assign different variables (a sales history with unrecorded cells): each row is checked
    against the constraints its own variables cover.

    Example:
        >>> p = parse_xcsp('<instance><domains><domain name="D">0..1</domain></domains><variables>'
        ...     '<variable name="x" domain="D"/><variable name="y" domain="D"/></variables><relations>'
        ...     '<relation name="r" arity="2" semantics="conflicts">1 1</relation></relations><constraints>'
        ...     '<constraint name="c" scope="x y" reference="r"/></constraints></instance>')
        >>> violates = violation_checker(p)
        >>> violates({"x": 1, "y": 1}), violates({"x": 1}), violates({"x": 1, "y": 0})
        (True, False, False)
    """
    checks = [(frozenset(scope(c.expr)), _checker(c.expr)) for c in problem.constraints]

    def violates(row: Mapping[str, int]) -> bool:
        keys = row.keys()
        return any(names <= keys and not check(row) for names, check in checks)

    return violates


def _checker(expr: BoolExpr) -> Callable[[Mapping[str, int]], bool]:
    """``holds(expr, .)``, with tables without wildcards checked by set membership (big tables are slow)."""
    if isinstance(expr, Table) and all(None not in row for row in expr.rows):
        names, allowed, tuples = expr.vars, expr.allowed, frozenset(expr.rows)
        return lambda row: (tuple(row[n] for n in names) in tuples) == allowed
    return lambda row: holds(expr, row)
