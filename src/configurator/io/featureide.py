"""FeatureIDE XML import (``<featureModel>`` and extended ``<extendedFeatureModel>``).

``<struct>`` holds one root element; ``<and>`` children are mandatory (``mandatory="true"``) or optional,
``<or>`` and ``<alt>`` children form an or / alternative group, ``<feature>`` is a leaf; ``abstract="true"``
marks abstract features. ``<attribute name=... type=... value=... unit=...>`` elements of extended models
are kept as data: ``{"Price": {"type": "double", "unit": "€", "value": 1089.0, ...}}`` (``value`` converted
by ``type``). ``<constraints><rule>`` formulas use ``var``, ``not``, ``conj``, ``disj``, ``imp``, ``eq`` and
``atmost1``. Descriptions and hidden flags go to ``meta``; graphics, ``calculations``, ``comments``,
``featureOrder`` and ``properties`` are ignored.

Example:
    >>> model = parse_featureide(b'''<featureModel><struct>
    ...   <and abstract="true" mandatory="true" name="Car">
    ...     <alt mandatory="true" name="Engine"><feature name="Petrol"/><feature name="Electric"/></alt>
    ...     <feature name="Turbo"><attribute name="Price" type="long" value="500"/></feature>
    ...   </and></struct>
    ...   <constraints><rule><imp><var>Turbo</var><var>Petrol</var></imp></rule></constraints>
    ... </featureModel>''')
    >>> problem = model.to_problem()
    >>> sum(problem.check(a) for a in problem.assignments())
    3
    >>> model.attribute_values("Price")
    {'Turbo': 500}
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

from configurator.errors import ModelFormatError, suggest
from configurator.io._read import read_model_bytes
from configurator.io._xml import parse_xml
from configurator.io.featuremodel import (
    AttributeValue,
    CrossTreeConstraint,
    Feature,
    FeatureModel,
    Group,
    GroupKind,
    selected,
)
from configurator.solver.problem import And, BoolExpr, Iff, Implies, Not, Or

__all__ = ["ROOT_TAGS", "load_featureide", "parse_featureide"]

ROOT_TAGS = frozenset({"featureModel", "extendedFeatureModel"})
"""Root elements of FeatureIDE feature-model documents."""

_FEATURE_TAGS = frozenset({"and", "or", "alt", "feature"})
_TRUE = "true"
_MAX_NESTING = 300


def parse_featureide(data: bytes | str, source: str = "<string>") -> FeatureModel:
    """Parse a FeatureIDE XML document into a :class:`FeatureModel`.

    Raises:
        ModelFormatError: for malformed XML or structure, or an unknown feature in a rule (with ``file:line``).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    root, lines = parse_xml(raw, source)
    reader = _Reader(source, lines)
    if root.tag not in ROOT_TAGS:
        raise reader.error(
            root, f"expected a <featureModel> or <extendedFeatureModel> root, found <{root.tag}>"
        )
    struct = root.find("struct")
    if struct is None:
        raise reader.error(root, f"<{root.tag}> has no <struct>")
    tops = [e for e in struct if e.tag in _FEATURE_TAGS]
    if len(tops) != 1:
        raise reader.error(struct, f"<struct> must hold exactly one root feature, found {len(tops)}")
    model = FeatureModel(reader.tree(tops[0]), name=Path(source).stem, source=source, format="featureide")
    model.validate()
    names = {f.name for f in model.root.walk()}
    block = root.find("constraints")
    for number, rule in enumerate(block.findall("rule") if block is not None else [], 1):
        formulas = [e for e in rule if e.tag not in ("description", "tags", "graphics")]
        if len(formulas) != 1:
            raise reader.error(rule, f"<rule> must hold exactly one formula, found {len(formulas)}")
        model.constraints.append(
            CrossTreeConstraint(reader.formula(formulas[0], names), str(number), lines[rule])
        )
    if reader.descriptions:
        model.meta["descriptions"] = reader.descriptions
    if reader.hidden:
        model.meta["hidden"] = tuple(reader.hidden)
    return model


def load_featureide(path: str | Path) -> FeatureModel:
    """Read and parse a FeatureIDE XML file; see :func:`parse_featureide`."""
    path = Path(path)
    return parse_featureide(read_model_bytes(path), str(path))


class _Reader:
    def __init__(self, source: str, lines: dict[ET.Element, int]) -> None:
        self.source = source
        self.lines = lines
        self.descriptions: dict[str, str] = {}
        self.hidden: list[str] = []

    def error(self, element: ET.Element, message: str) -> ModelFormatError:
        return ModelFormatError(f"{self.source}:{self.lines.get(element, 0)}: {message}")

    def feature(self, element: ET.Element) -> Feature:
        name = element.get("name")
        if not name:
            raise self.error(element, f"<{element.tag}> has no name")
        feature = Feature(name, abstract=element.get("abstract") == _TRUE, line=self.lines.get(element, 0))
        if element.get("hidden") == _TRUE:
            self.hidden.append(name)
        for child in element:
            if child.tag == "attribute":
                key, value = self.attribute(child)
                feature.attributes[key] = value
            elif child.tag == "description":
                self.descriptions[name] = (child.text or "").strip()
        return feature

    def attribute(self, element: ET.Element) -> tuple[str, AttributeValue]:
        key = element.get("name")
        if not key:
            raise self.error(element, "<attribute> has no name")
        kind = element.get("type", "")
        data: dict[str, AttributeValue] = {}
        for k, v in element.attrib.items():
            if k == "name":
                continue
            if k in ("recursive", "configurable"):
                data[k] = v == _TRUE
            elif k == "value":
                data[k] = self.convert(element, kind, v)
            else:
                data[k] = v
        return key, data

    def convert(self, element: ET.Element, kind: str, text: str) -> AttributeValue:
        try:
            if kind in ("double", "float", "real"):
                return float(text)
            if kind in ("long", "int", "integer"):
                return int(text)
        except ValueError:
            raise self.error(element, f"attribute value {text!r} is not a {kind}") from None
        if kind == "boolean":
            if text not in ("true", "false"):
                raise self.error(element, f"attribute value {text!r} is not a boolean")
            return text == "true"
        return text

    def tree(self, top: ET.Element) -> Feature:
        root = self.feature(top)
        stack = [(top, root)]
        while stack:
            element, feature = stack.pop()
            children = [c for c in element if c.tag in _FEATURE_TAGS]
            if element.tag == "feature" and children:
                raise self.error(element, f"<feature name={feature.name!r}> cannot have child features")
            for child in children:
                node = self.feature(child)
                if element.tag == "and":
                    kind: GroupKind = "mandatory" if child.get("mandatory") == _TRUE else "optional"
                    if not feature.groups or feature.groups[-1].kind != kind:
                        feature.groups.append(Group(kind))
                elif not feature.groups:
                    feature.groups.append(Group("or" if element.tag == "or" else "alternative"))
                feature.groups[-1].children.append(node)
                stack.append((child, node))
        return root

    def formula(self, element: ET.Element, names: set[str], depth: int = 0) -> BoolExpr:
        if depth > _MAX_NESTING:
            raise self.error(element, "formula nested too deeply")
        tag = element.tag
        if tag == "var":
            name = (element.text or "").strip()
            if name not in names:
                hint = suggest(name, names)
                raise self.error(element, f"unknown feature {name!r}" + (f" ({hint})" if hint else ""))
            return selected(name)
        args = [self.formula(e, names, depth + 1) for e in element if e.tag != "description"]
        arity = {"not": 1, "imp": 2, "eq": 2}
        if tag in arity and len(args) != arity[tag]:
            raise self.error(element, f"<{tag}> takes {arity[tag]} operand(s), found {len(args)}")
        if tag == "not":
            return Not(args[0])
        if tag == "imp":
            return Implies(args[0], args[1])
        if tag == "eq":
            return Iff(args[0], args[1])
        if tag == "conj":  # FeatureIDE nests long chains pairwise: flatten them
            return And(tuple(x for a in args for x in (a.args if isinstance(a, And) else (a,))))
        if tag == "disj":
            return Or(tuple(x for a in args for x in (a.args if isinstance(a, Or) else (a,))))
        if tag == "atmost1":
            return And(tuple(Not(And((a, b))) for a, b in combinations(args, 2)))
        raise self.error(
            element, f"unknown formula element <{tag}> (expected var, not, conj, disj, imp, eq or atmost1)"
        )
