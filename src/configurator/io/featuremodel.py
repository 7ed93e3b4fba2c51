"""A small typed feature model (features, groups, attributes, cross-tree formulas) and its Problem encoding.

Every importer of a feature-model format (UVL, SXFM, FeatureIDE XML) builds a :class:`FeatureModel`;
:meth:`FeatureModel.to_problem` turns it into a backend-neutral :class:`~configurator.solver.problem.Problem`
with one 0/1 variable per feature, named after the feature:

========================  ==========================================  ====================================
tree element              constraint                                   id
========================  ==========================================  ====================================
root                      ``root``                                     ``tree:Root:root``
optional child            ``child -> parent``                          ``tree:Child:parent``
mandatory child           ``child <-> parent``                         ``tree:Child:mandatory``
or group                  ``parent -> c1 | c2 | ...``                  ``tree:Parent:or``
alternative group         ``parent -> c1 + c2 + ... == 1``             ``tree:Parent:alternative``
group ``[m..n]``          ``parent -> m <= c1 + c2 + ... <= n``        ``tree:Parent:group[m..n]``
cross-tree constraint     the formula                                  ``ctc:3`` (or ``ctc:<its own id>``)
========================  ==========================================  ====================================

Children of or, alternative and ``[m..n]`` groups also get ``child -> parent``. A second group of the same
kind under one parent gets ``#2`` appended to its id. Attributes are kept as data (``Problem.meta``); they
constrain nothing.

Example:
    >>> engine = Feature("Engine", [Group("alternative", [Feature("Petrol"), Feature("Electric")])])
    >>> car = Feature("Car", [Group("mandatory", [engine]), Group("optional", [Feature("Turbo")])])
    >>> model = FeatureModel(car, [CrossTreeConstraint(Implies(selected("Turbo"), selected("Petrol")))])
    >>> problem = model.to_problem()
    >>> problem.names
    ('Car', 'Engine', 'Petrol', 'Electric', 'Turbo')
    >>> [c.id for c in problem.constraints]  # doctest: +NORMALIZE_WHITESPACE
    ['tree:Car:root', 'tree:Engine:mandatory', 'tree:Turbo:parent', 'tree:Petrol:parent',
     'tree:Electric:parent', 'tree:Engine:alternative', 'ctc:1']
    >>> sum(problem.check(a) for a in problem.assignments())
    3
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from configurator.errors import ModelFormatError
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
    Term,
    Variable,
)

__all__ = [
    "AttributeValue",
    "CrossTreeConstraint",
    "Feature",
    "FeatureModel",
    "Group",
    "GroupKind",
    "Unsupported",
    "formula_features",
    "rename_formula",
    "selected",
]

AttributeValue: TypeAlias = (
    bool | int | float | str | list["AttributeValue"] | dict[str, "AttributeValue"] | None
)
"""An attribute value as written in the model: a scalar, a list, a nested attribute map, or ``None``."""

GroupKind = Literal["mandatory", "optional", "or", "alternative", "cardinality"]

_ON = frozenset({1})
_OFF = frozenset({0})


def selected(name: str) -> Lit:
    """The formula "feature ``name`` is selected".

    Example:
        >>> selected("Turbo")
        Lit(var='Turbo', values=frozenset({1}))
    """
    return Lit(name, _ON)


@dataclass
class Group:
    """A group of child features under one parent.

    Attributes:
        kind: ``mandatory`` and ``optional`` give each child its own relation to the parent; ``or`` needs
            at least one child, ``alternative`` exactly one, ``cardinality`` between ``lower`` and ``upper``.
        children: the child features, in order.
        lower: least number of selected children (``cardinality`` groups only).
        upper: most selected children (``cardinality`` only); ``None`` means no bound (UVL ``*``).
    """

    kind: GroupKind
    children: list[Feature] = field(default_factory=list)
    lower: int = 0
    upper: int | None = None

    def bounds(self) -> tuple[int, int]:
        """The least and most number of children selected together with the parent.

        Example:
            >>> Group("or", [Feature("a"), Feature("b"), Feature("c")]).bounds()
            (1, 3)
            >>> Group("cardinality", [Feature("a"), Feature("b")], 1, None).bounds()
            (1, 2)
        """
        n = len(self.children)
        match self.kind:
            case "mandatory":
                return n, n
            case "optional":
                return 0, n
            case "or":
                return min(1, n), n
            case "alternative":
                return min(1, n), min(1, n)
        return self.lower, n if self.upper is None else min(self.upper, n)

    def describe(self) -> str:
        """The group as UVL writes its keyword: ``or``, ``alternative``, ``[1..3]``, ``[2..*]``...

        Example:
            >>> Group("cardinality", [], 2, None).describe()
            '[2..*]'
        """
        if self.kind != "cardinality":
            return self.kind
        return f"[{self.lower}..{'*' if self.upper is None else self.upper}]"


@dataclass
class Feature:
    """A feature and its child groups.

    Attributes:
        name: unique name; it becomes the variable name.
        groups: child groups, in order.
        abstract: an abstract feature structures the tree (it is still a variable).
        attributes: attribute values as written (``Price``, nested maps for extended models...).
        label: a display name when ``name`` is an identifier (SXFM feature ids).
        line: the line of the declaration in its source (0 when unknown).
    """

    name: str
    groups: list[Group] = field(default_factory=list)
    abstract: bool = False
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    label: str = ""
    line: int = 0

    def children(self) -> Iterator[Feature]:
        """The child features of every group, in order."""
        for group in self.groups:
            yield from group.children

    def walk(self) -> Iterator[Feature]:
        """This feature and all its descendants, depth first, in declaration order (no recursion)."""
        stack = [self]
        while stack:
            feature = stack.pop()
            yield feature
            stack.extend(reversed(list(feature.children())))


@dataclass
class CrossTreeConstraint:
    """A boolean formula over feature names (``Lit(name, {1})`` is "selected", ``{0}`` "not selected").

    Attributes:
        formula: a formula of Const, Lit, Not, And, Or, Implies and Iff.
        id: the constraint's own name in its source (SXFM ``c58``); empty for a running number.
        line: the line of the constraint in its source (0 when unknown).
    """

    formula: BoolExpr
    id: str = ""
    line: int = 0


@dataclass(frozen=True)
class Unsupported:
    """A construct outside the Boolean core that a lenient import skipped or relaxed.

    Attributes:
        location: ``file:line:column`` of the construct.
        construct: what it is (``typed feature 'Integer Inch'``, ``aggregate function sum(...)``...).
        action: what the importer did with it (``constraint skipped``, ``kept as a Boolean feature``...).
    """

    location: str
    construct: str
    action: str

    def __str__(self) -> str:
        return f"{self.location}: {self.construct} ({self.action})"


@dataclass
class FeatureModel:
    """A feature tree, its cross-tree constraints, and what an import left out.

    Attributes:
        root: the root feature.
        constraints: cross-tree constraints, in source order.
        name: a label (UVL namespace, SXFM model name, file name).
        source: the file it came from.
        format: ``uvl``, ``sxfm`` or ``featureide`` (empty when built in code).
        unsupported: constructs a lenient import skipped or relaxed (empty for a strict import).
        meta: free-form facts about the source (UVL ``include`` levels, imports...).
    """

    root: Feature
    constraints: list[CrossTreeConstraint] = field(default_factory=list)
    name: str = "feature-model"
    source: str = "<string>"
    format: str = ""
    unsupported: list[Unsupported] = field(default_factory=list)
    meta: dict[str, object] = field(default_factory=dict)

    def features(self) -> list[Feature]:
        """Every feature, depth first from the root, in declaration order."""
        return list(self.root.walk())

    def feature(self, name: str) -> Feature:
        """The feature called ``name`` (``KeyError`` when there is none)."""
        for feature in self.root.walk():
            if feature.name == name:
                return feature
        raise KeyError(name)

    def parents(self) -> dict[str, str]:
        """The parent name of every feature but the root."""
        return {child.name: f.name for f in self.root.walk() for child in f.children()}

    def attribute_values(self, attribute: str) -> dict[str, AttributeValue]:
        """The value of one attribute per feature that has it.

        A nested attribute map (FeatureIDE extended models, attributed UVL) gives its ``value`` entry.

        Example:
            >>> m = FeatureModel(Feature("a", [Group("optional", [Feature("b", attributes={"Price": {"value": 2.5}})])],
            ...                          attributes={"Price": 1}))
            >>> m.attribute_values("Price")
            {'a': 1, 'b': 2.5}
        """
        values: dict[str, AttributeValue] = {}
        for feature in self.root.walk():
            if attribute in feature.attributes:
                value = feature.attributes[attribute]
                if isinstance(value, dict):
                    if "value" not in value:
                        continue
                    value = value["value"]
                values[feature.name] = value
        return values

    def validate(self) -> None:
        """Check unique feature names, sane group bounds and known names in every formula.

        Raises:
            ModelFormatError: naming the source, the line and what is wrong.
        """
        seen: dict[str, Feature] = {}
        for feature in self.root.walk():
            if feature.name in seen:
                first = seen[feature.name]
                raise ModelFormatError(
                    f"{self._where(feature.line)}: duplicate feature name {feature.name!r}"
                    + (f" (first declared at line {first.line})" if first.line else "")
                )
            seen[feature.name] = feature
            for group in feature.groups:
                if group.kind == "cardinality" and (
                    group.lower < 0 or (group.upper is not None and group.upper < group.lower)
                ):
                    raise ModelFormatError(
                        f"{self._where(feature.line)}: group {group.describe()} under {feature.name!r} "
                        "has bounds out of order"
                    )
        for number, ctc in enumerate(self.constraints, 1):
            for name in sorted(formula_features(ctc.formula)):
                if name not in seen:
                    raise ModelFormatError(
                        f"{self._where(ctc.line)}: constraint {ctc.id or number} names unknown feature {name!r}"
                    )

    def to_problem(self) -> Problem:
        """The Problem: one 0/1 variable per feature, tree constraints, then cross-tree constraints.

        Raises:
            ModelFormatError: when :meth:`validate` finds the model inconsistent.
        """
        self.validate()
        features = self.features()
        constraints = [Constraint(f"tree:{self.root.name}:root", selected(self.root.name), "structure")]
        for parent in features:
            seen_kinds: dict[str, int] = {}
            group_constraints: list[Constraint] = []
            for group in parent.groups:
                for child in group.children:
                    if group.kind == "mandatory":
                        expr: BoolExpr = Iff(selected(child.name), selected(parent.name))
                        constraints.append(Constraint(f"tree:{child.name}:mandatory", expr, "structure"))
                    else:
                        expr = Implies(selected(child.name), selected(parent.name))
                        constraints.append(Constraint(f"tree:{child.name}:parent", expr, "structure"))
                rule = _group_rule(parent.name, group)
                if rule is not None:
                    label = "group" + group.describe() if group.kind == "cardinality" else group.kind
                    seen_kinds[label] = seen_kinds.get(label, 0) + 1
                    suffix = f"#{seen_kinds[label]}" if seen_kinds[label] > 1 else ""
                    group_constraints.append(
                        Constraint(f"tree:{parent.name}:{label}{suffix}", rule, "cardinality")
                    )
            constraints.extend(group_constraints)
        for number, ctc in enumerate(self.constraints, 1):
            constraints.append(Constraint(f"ctc:{ctc.id or number}", ctc.formula, "cross-tree"))
        meta: dict[str, object] = {
            "format": self.format,
            "source": self.source,
            "root": self.root.name,
            "features": len(features),
            "cross_tree_constraints": len(self.constraints),
            "abstract": tuple(f.name for f in features if f.abstract),
            "attributes": {f.name: f.attributes for f in features if f.attributes},
            "labels": {f.name: f.label for f in features if f.label},
            "unsupported": tuple(str(u) for u in self.unsupported),
            **self.meta,
        }
        return Problem(tuple(Variable(f.name, (0, 1)) for f in features), tuple(constraints), self.name, meta)

    def _where(self, line: int) -> str:
        return f"{self.source}:{line}" if line else self.source


def _group_rule(parent: str, group: Group) -> BoolExpr | None:
    """The constraint a group puts on its parent's selection (None when there is nothing to say)."""
    if group.kind in ("mandatory", "optional"):
        return None
    terms: tuple[tuple[int, Term], ...] = tuple((1, c.name) for c in group.children)
    if group.kind == "or":
        return Implies(selected(parent), Or(tuple(selected(c.name) for c in group.children)))
    if group.kind == "alternative":
        return Implies(selected(parent), Linear(terms, "==", 1))
    n = len(group.children)
    lower = group.lower
    upper = n if group.upper is None else min(group.upper, n)
    bounds: list[BoolExpr] = []
    if lower == upper:
        bounds.append(Linear(terms, "==", lower))
    else:
        if lower > 0:
            bounds.append(Linear(terms, ">=", lower))
        if upper < n:
            bounds.append(Linear(terms, "<=", upper))
    if lower > n:
        bounds = [Const(False)]
    if not bounds:
        return None
    return Implies(selected(parent), bounds[0] if len(bounds) == 1 else And(tuple(bounds)))


def formula_features(formula: BoolExpr) -> set[str]:
    """The feature names a cross-tree formula mentions.

    Raises:
        ModelFormatError: when the formula holds something other than Const/Lit/Not/And/Or/Implies/Iff.

    Example:
        >>> sorted(formula_features(Or((selected("b"), Not(selected("a"))))))
        ['a', 'b']
    """
    found: set[str] = set()
    stack: list[BoolExpr] = [formula]
    while stack:
        node = stack.pop()
        match node:
            case Const():
                pass
            case Lit(var=var):
                found.add(var)
            case Not(arg=arg):
                stack.append(arg)
            case And(args=args) | Or(args=args):
                stack.extend(args)
            case Implies(a=a, b=b) | Iff(a=a, b=b):
                stack.extend((a, b))
            case _:
                raise ModelFormatError(f"not a cross-tree formula: {type(node).__name__} {node!r}")
    return found


def rename_formula(formula: BoolExpr, rename: Callable[[str], str]) -> BoolExpr:
    """The formula with every feature name replaced by ``rename(name)``.

    Example:
        >>> rename_formula(Not(selected("a")), lambda n: "sub." + n)
        Not(arg=Lit(var='sub.a', values=frozenset({1})))
    """
    match formula:
        case Lit(var=var, values=values):
            return Lit(rename(var), values)
        case Not(arg=arg):
            return Not(rename_formula(arg, rename))
        case And(args=args):
            return And(tuple(rename_formula(a, rename) for a in args))
        case Or(args=args):
            return Or(tuple(rename_formula(a, rename) for a in args))
        case Implies(a=a, b=b):
            return Implies(rename_formula(a, rename), rename_formula(b, rename))
        case Iff(a=a, b=b):
            return Iff(rename_formula(a, rename), rename_formula(b, rename))
    return formula
