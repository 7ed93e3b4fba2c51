"""SPLOT SXFM import: an XML wrapper around an indented feature tree and CNF constraints.

The ``<feature_tree>`` text has one node per line, nested by indentation:

- ``:r Name(id)`` the root; ``:m Name(id)`` a mandatory and ``:o Name(id)`` an optional child;
- ``:g (gid) [m,n]`` a group (``[1,1]`` alternative, ``[1,*]`` or, otherwise a ``[m..n]`` cardinality group);
- ``: Name(id)`` a member of the group above it.

``<constraints>`` holds clauses ``c1: ~id1 or id2 or ...``. Features are named by their ids (what the
clauses use); the display names become :attr:`Feature.label`. Group nodes are not features. A node
without ``(id)`` uses its name as id.

Example:
    >>> model = parse_sxfm(b'''<feature_model name="Laptop">
    ... <feature_tree>
    ... :r Laptop(laptop)
    ... \\t:m Screen(screen)
    ... \\t\\t:g (g1) [1,1]
    ... \\t\\t\\t: Small(small)
    ... \\t\\t\\t: Large(large)
    ... \\t:o Dock(dock)
    ... </feature_tree>
    ... <constraints>
    ... c1: ~dock or large
    ... </constraints>
    ... </feature_model>''')
    >>> problem = model.to_problem()
    >>> problem.names
    ('laptop', 'screen', 'small', 'large', 'dock')
    >>> sum(problem.check(a) for a in problem.assignments())
    3
    >>> model.feature("large").label
    'Large'
"""

from __future__ import annotations

import re
from pathlib import Path

from configurator.errors import ModelFormatError, suggest
from configurator.io._read import read_model_bytes
from configurator.io._xml import parse_xml
from configurator.io.featuremodel import (
    CrossTreeConstraint,
    Feature,
    FeatureModel,
    Group,
    GroupKind,
    selected,
)
from configurator.solver.problem import BoolExpr, Not, Or

__all__ = ["load_sxfm", "parse_sxfm"]

_NODE = re.compile(r":(?P<kind>[rmog]?)(?:\s+(?P<rest>.*?))?\s*")
_NAMED = re.compile(r"(?P<name>.*?)\s*\((?P<id>[^()]*)\)")
_GROUP = re.compile(r"(?:\((?P<id>[^()]*)\)\s*)?\[\s*(?P<lo>\d+)\s*,\s*(?P<hi>\d+|\*)\s*\]")
_CLAUSE = re.compile(r"(?P<id>[^:]+?)\s*:(?P<body>.*)")
_LITERAL = re.compile(r"(?P<neg>~\s*)?(?P<id>[^\s~]+)")


def parse_sxfm(data: bytes | str, source: str = "<string>") -> FeatureModel:
    """Parse an SXFM document into a :class:`FeatureModel`.

    Raises:
        ModelFormatError: for malformed XML or tree lines, or an unknown id in a clause (with ``file:line``).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    root, lines = parse_xml(raw, source)
    if root.tag != "feature_model":
        raise ModelFormatError(
            f"{source}:{lines[root]}: expected a <feature_model> root element, found <{root.tag}>"
        )
    tree = root.find("feature_tree")
    if tree is None:
        raise ModelFormatError(f"{source}:{lines[root]}: <feature_model> has no <feature_tree>")
    top = _tree(tree.text or "", source, lines[tree])
    model = FeatureModel(top, name=root.get("name") or Path(source).stem, source=source, format="sxfm")
    model.validate()
    ids = {f.name for f in top.walk()}
    block = root.find("constraints")
    if block is not None:
        model.constraints = _clauses(block.text or "", source, lines[block], ids)
    meta = root.find("meta")
    if meta is not None:
        model.meta["sxfm_meta"] = {d.get("name", ""): (d.text or "").strip() for d in meta.iter("data")}
    return model


def load_sxfm(path: str | Path) -> FeatureModel:
    """Read and parse an SXFM file (``.splx``/``.sxfm``/``.xml``); see :func:`parse_sxfm`."""
    path = Path(path)
    return parse_sxfm(read_model_bytes(path), str(path))


def _width(lead: str) -> int:
    width = 0
    for ch in lead:
        width = width + 8 - width % 8 if ch == "\t" else width + 1
    return width


def _tree(text: str, source: str, first_line: int) -> Feature:
    """Build the feature tree from the indented node lines."""
    root: Feature | None = None
    # stack entries: indentation, node (a Feature or a Group), and the node's kind letter
    stack: list[tuple[int, Feature | Group, str]] = []
    for offset, line in enumerate(text.split("\n")):
        body = line.strip()
        if not body:
            continue
        where = f"{source}:{first_line + offset}"
        m = _NODE.fullmatch(body)
        if m is None:
            raise ModelFormatError(f"{where}: expected a node ':r', ':m', ':o', ':g' or ':', found {body!r}")
        indent = _width(line[: len(line) - len(line.lstrip())])
        kind, rest = m.group("kind"), m.group("rest") or ""
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else None
        if kind == "g":
            g = _GROUP.fullmatch(rest)
            if g is None:
                raise ModelFormatError(f"{where}: expected ':g (id) [m,n]', found {body!r}")
            if not isinstance(parent, Feature):
                raise ModelFormatError(f"{where}: a group must be indented under a feature")
            lower, upper = int(g.group("lo")), None if g.group("hi") == "*" else int(g.group("hi"))
            if upper is not None and upper < lower:
                raise ModelFormatError(
                    f"{where}: group cardinality [{lower},{upper}] has its bounds out of order"
                )
            if (lower, upper) == (1, 1):
                group = Group("alternative")
            elif (lower, upper) == (1, None):
                group = Group("or")
            else:
                group = Group("cardinality", lower=lower, upper=upper)
            parent.groups.append(group)
            stack.append((indent, group, kind))
            continue
        if not rest:
            raise ModelFormatError(f"{where}: a node needs a name")
        named = _NAMED.fullmatch(rest)
        label, fid = (named.group("name"), named.group("id").strip()) if named else (rest, rest)
        if not fid:
            raise ModelFormatError(f"{where}: empty feature id in {body!r}")
        feature = Feature(fid, label=label if label != fid else "", line=first_line + offset)
        if kind == "r":
            if root is not None or stack:
                raise ModelFormatError(f"{where}: ':r' must be the first node, and only one")
            root = feature
        elif kind == "":
            if not isinstance(parent, Group):
                raise ModelFormatError(f"{where}: a group member ':' must be indented under ':g'")
            parent.children.append(feature)
        else:
            if not isinstance(parent, Feature):
                under = ", not a group" if parent is not None else " (the tree starts with ':r')"
                raise ModelFormatError(f"{where}: ':{kind}' must be indented under a feature{under}")
            wanted: GroupKind = "mandatory" if kind == "m" else "optional"
            if not parent.groups or parent.groups[-1].kind != wanted:
                parent.groups.append(Group(wanted))
            parent.groups[-1].children.append(feature)
        stack.append((indent, feature, kind))
    if root is None:
        raise ModelFormatError(f"{source}:{first_line}: the feature tree has no ':r' root")
    return root


def _clauses(text: str, source: str, first_line: int, ids: set[str]) -> list[CrossTreeConstraint]:
    out: list[CrossTreeConstraint] = []
    for offset, line in enumerate(text.split("\n")):
        body = line.strip()
        if not body:
            continue
        where = f"{source}:{first_line + offset}"
        m = _CLAUSE.fullmatch(body)
        if m is None:
            raise ModelFormatError(f"{where}: expected 'id: literal or literal ...', found {body!r}")
        literals: list[BoolExpr] = []
        for part in re.split(r"\s+or\s+", m.group("body").strip()):
            lit = _LITERAL.fullmatch(part.strip())
            if lit is None:
                raise ModelFormatError(f"{where}: expected a literal 'id' or '~id', found {part!r}")
            fid = lit.group("id")
            if fid not in ids:
                hint = suggest(fid, ids)
                raise ModelFormatError(
                    f"{where}: unknown feature id {fid!r}" + (f" ({hint})" if hint else "")
                )
            literals.append(Not(selected(fid)) if lit.group("neg") else selected(fid))
        formula = literals[0] if len(literals) == 1 else Or(tuple(literals))
        out.append(CrossTreeConstraint(formula, m.group("id").strip(), first_line + offset))
    return out
