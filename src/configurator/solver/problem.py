"""Backend-neutral finite-domain problems: integer variables, boolean formulas, linear and table constraints.

Catalogs (:mod:`configurator.solver.compile`) and imported models (:mod:`configurator.io`) become a
:class:`Problem`; every backend solves the same Problem. Evaluation here is plain Python and is what the
exhaustive and python-constraint backends use.

Example:
    >>> p = Problem(
    ...     variables=(Variable("frame", (1, 2), ("alu", "carbon")), Variable("motor", (0, 1), ("-", "hub"))),
    ...     constraints=(Constraint("no-hub", Not(And((Lit("frame", frozenset({2})), Lit("motor", frozenset({1})))))),),
    ... )
    >>> p.violated({"frame": 2, "motor": 1})
    ['no-hub']
    >>> p.size()
    4
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Union

__all__ = [
    "And",
    "BoolExpr",
    "Const",
    "Constraint",
    "Iff",
    "Implies",
    "Linear",
    "Lit",
    "Not",
    "Objective",
    "Or",
    "Problem",
    "Table",
    "Term",
    "Variable",
    "compare",
    "holds",
    "linear_value",
    "may_match",
    "nodes",
    "scope",
]

Op = Literal["<=", ">=", "==", "!=", "<", ">"]


@dataclass(frozen=True, slots=True)
class Variable:
    """An integer variable with a finite domain; ``labels`` name the values (option ids, ``-`` for none)."""

    name: str
    domain: tuple[int, ...]
    labels: tuple[str, ...] = ()

    def label(self, value: int) -> str:
        """The label of ``value`` (the value itself when unlabelled)."""
        if self.labels:
            return self.labels[self.domain.index(value)]
        return str(value)


@dataclass(frozen=True, slots=True)
class Const:
    """A boolean constant."""

    value: bool


@dataclass(frozen=True, slots=True)
class Lit:
    """``var`` takes one of ``values``."""

    var: str
    values: frozenset[int]


@dataclass(frozen=True, slots=True)
class Not:
    """Negation."""

    arg: BoolExpr


@dataclass(frozen=True, slots=True)
class And:
    """Conjunction (true when empty)."""

    args: tuple[BoolExpr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Disjunction (false when empty)."""

    args: tuple[BoolExpr, ...]


@dataclass(frozen=True, slots=True)
class Implies:
    """``a -> b``."""

    a: BoolExpr
    b: BoolExpr


@dataclass(frozen=True, slots=True)
class Iff:
    """``a <-> b``."""

    a: BoolExpr
    b: BoolExpr


Term = Union[str, "BoolExpr"]
"""A linear term: a variable's value (by name) or the 0/1 indicator of a boolean expression."""


@dataclass(frozen=True, slots=True)
class Linear:
    """``sum(coef * term) op rhs`` over integers."""

    terms: tuple[tuple[int, Term], ...]
    op: Op
    rhs: int


@dataclass(frozen=True, slots=True)
class Table:
    """The tuple of ``vars`` matches a row (``allowed``) or matches none; ``None`` cells match any value."""

    vars: tuple[str, ...]
    rows: tuple[tuple[int | None, ...], ...]
    allowed: bool = True


BoolExpr = Const | Lit | Not | And | Or | Implies | Iff | Linear | Table


@dataclass(frozen=True, slots=True)
class Constraint:
    """A named constraint; ``id`` is the rule id (or ``module:M:choose`` and the like for structure)."""

    id: str
    expr: BoolExpr
    kind: str = "rule"


@dataclass(frozen=True, slots=True)
class Objective:
    """A linear objective ``sum(coef * term) + offset``, to maximise or minimise."""

    terms: tuple[tuple[int, Term], ...]
    offset: int = 0
    sense: Literal["max", "min"] = "max"


@dataclass(frozen=True)
class Problem:
    """Variables and named constraints.

    Attributes:
        variables: the variables, in a stable order.
        constraints: the constraints; a solution satisfies all of them.
        name: a label for messages.
        meta: free-form facts about the source (catalog id, date, scale of decimal attributes...).
    """

    variables: tuple[Variable, ...]
    constraints: tuple[Constraint, ...] = ()
    name: str = "problem"
    meta: Mapping[str, object] = field(default_factory=dict, compare=False)
    _index: dict[str, Variable] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [v.name for v in self.variables]
        if len(set(names)) != len(names):
            raise ValueError("variable names must be unique")
        object.__setattr__(self, "_index", {v.name: v for v in self.variables})

    def var(self, name: str) -> Variable:
        """The variable called ``name``."""
        return self._index[name]

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names in order."""
        return tuple(v.name for v in self.variables)

    def size(self) -> int:
        """The size of the search space (product of domain sizes) as an exact integer."""
        return math.prod(len(v.domain) for v in self.variables)

    def violated(self, assignment: Mapping[str, int]) -> list[str]:
        """Ids of the constraints a full assignment violates."""
        return [c.id for c in self.constraints if not holds(c.expr, assignment)]

    def check(self, assignment: Mapping[str, int]) -> bool:
        """Whether a full assignment is in the domains and satisfies every constraint."""
        if any(assignment.get(v.name) not in v.domain for v in self.variables):
            return False
        return all(holds(c.expr, assignment) for c in self.constraints)

    def restrict(self, domains: Mapping[str, tuple[int, ...]], name: str | None = None) -> Problem:
        """The same problem with some domains replaced (used for assumptions and removed values)."""
        variables = tuple(
            Variable(
                v.name,
                tuple(x for x in v.domain if x in domains[v.name]),
                v.labels and tuple(v.labels[i] for i, x in enumerate(v.domain) if x in domains[v.name]),
            )
            if v.name in domains
            else v
            for v in self.variables
        )
        return Problem(variables, self.constraints, name or self.name, self.meta)

    def assignments(self) -> Iterator[dict[str, int]]:
        """Every full assignment of the domains (exponential: only for tiny problems)."""
        names = self.names
        domains = [v.domain for v in self.variables]

        def rec(i: int, acc: dict[str, int]) -> Iterator[dict[str, int]]:
            if i == len(names):
                yield dict(acc)
                return
            for value in domains[i]:
                acc[names[i]] = value
                yield from rec(i + 1, acc)
            acc.pop(names[i], None)

        yield from rec(0, {})


def compare(value: int, op: str, rhs: int) -> bool:
    """``value op rhs`` for the six comparison operators."""
    if op == "<=":
        return value <= rhs
    if op == ">=":
        return value >= rhs
    if op == "==":
        return value == rhs
    if op == "!=":
        return value != rhs
    if op == "<":
        return value < rhs
    if op == ">":
        return value > rhs
    raise ValueError(f"unknown comparison {op!r}")


def linear_value(terms: tuple[tuple[int, Term], ...], assignment: Mapping[str, int]) -> int:
    """The value of ``sum(coef * term)`` under a full assignment."""
    total = 0
    for coef, term in terms:
        if isinstance(term, str):
            total += coef * assignment[term]
        elif holds(term, assignment):
            total += coef
    return total


def holds(expr: BoolExpr, assignment: Mapping[str, int]) -> bool:
    """Whether ``expr`` is true under a full assignment.

    Example:
        >>> holds(Linear(((2, "x"), (1, Lit("y", frozenset({1})))), "<=", 5), {"x": 2, "y": 1})
        True
    """
    match expr:
        case Const(value=value):
            return value
        case Lit(var=var, values=values):
            return assignment[var] in values
        case Not(arg=arg):
            return not holds(arg, assignment)
        case And(args=args):
            return all(holds(a, assignment) for a in args)
        case Or(args=args):
            return any(holds(a, assignment) for a in args)
        case Implies(a=a, b=b):
            return (not holds(a, assignment)) or holds(b, assignment)
        case Iff(a=a, b=b):
            return holds(a, assignment) == holds(b, assignment)
        case Linear(terms=terms, op=op, rhs=rhs):
            return compare(linear_value(terms, assignment), op, rhs)
        case Table(vars=names, allowed=allowed):
            match = _matches(expr, tuple(assignment[n] for n in names))
            return match if allowed else not match
    raise TypeError(f"not a boolean expression: {expr!r}")  # pragma: no cover


_INDEXED_FROM = 32
"""Tables with at least this many rows are matched through a set of their rows without wildcards."""
_INDEXES_KEPT = 256
_indexes: dict[int, tuple[Table, frozenset[tuple[int | None, ...]], tuple[tuple[int | None, ...], ...]]] = {}
_indexes_lock = threading.Lock()


def _matches(table: Table, current: tuple[int, ...]) -> bool:
    """Whether ``current`` matches a row of ``table`` (a cell ``None`` matches any value).

    A large table is indexed on first use (kept with the table itself, so its id names no other table while
    kept): a full assignment is checked against hundreds of thousands of rows each time a solution is harvested.
    """

    def fits(row: tuple[int | None, ...]) -> bool:
        return all(cell is None or cell == value for cell, value in zip(row, current, strict=True))

    if len(table.rows) < _INDEXED_FROM:
        return any(fits(row) for row in table.rows)
    entry = _indexes.get(id(table))
    if entry is None or entry[0] is not table:
        full = frozenset(row for row in table.rows if None not in row)
        entry = (table, full, tuple(row for row in table.rows if None in row))
        with _indexes_lock:
            _indexes[id(table)] = entry
            while len(_indexes) > _INDEXES_KEPT:
                del _indexes[next(iter(_indexes))]
    return current in entry[1] or any(fits(row) for row in entry[2])


_columns: dict[int, tuple[Table, tuple[dict[int, int], ...], tuple[int, ...]]] = {}


def may_match(table: Table, fixed: Mapping[str, int]) -> bool:
    """Whether some row of ``table`` agrees with every value ``fixed`` gives its columns (``None`` cells agree).

    The other columns are left open: a row may match once they are chosen. A large table is indexed on first use
    (each column's value as a bit set of the rows it agrees with, kept like :func:`holds`'s index), so a check is
    a few bit operations rather than a scan.

    Example:
        >>> t = Table(("a", "b"), ((1, 2), (3, None)))
        >>> may_match(t, {"a": 3, "b": 9}), may_match(t, {"b": 9, "c": 1}), may_match(t, {"a": 1, "b": 9})
        (True, True, False)
    """
    open_ = [(k, fixed[name]) for k, name in enumerate(table.vars) if name in fixed]
    if len(table.rows) < _INDEXED_FROM:
        return any(all(row[k] is None or row[k] == value for k, value in open_) for row in table.rows)
    entry = _columns.get(id(table))
    if entry is None or entry[0] is not table:
        wild = [0] * len(table.vars)
        agree: list[dict[int, int]] = [{} for _ in table.vars]
        for r, row in enumerate(table.rows):
            bit = 1 << r
            for k, cell in enumerate(row):
                if cell is None:
                    wild[k] |= bit
                else:
                    agree[k][cell] = agree[k].get(cell, 0) | bit
        for k, by_value in enumerate(agree):
            for value in by_value:
                by_value[value] |= wild[k]
        entry = (table, tuple(agree), tuple(wild))
        with _indexes_lock:
            _columns[id(table)] = entry
            while len(_columns) > _INDEXES_KEPT:
                del _columns[next(iter(_columns))]
    rows = (1 << len(table.rows)) - 1
    for k, value in open_:
        rows &= entry[1][k].get(value, entry[2][k])
        if not rows:
            return False
    return True


def nodes(expr: BoolExpr | Term) -> Iterator[BoolExpr | Term]:
    """Every sub-expression of ``expr``, itself included, depth first (a linear term's variable as its name).

    Example:
        >>> [type(n).__name__ for n in nodes(Not(Linear(((2, "x"), (1, Lit("y", frozenset({1})))), "<=", 2)))]
        ['Not', 'Linear', 'str', 'Lit']
    """
    stack: list[BoolExpr | Term] = [expr]
    while stack:
        node = stack.pop()
        yield node
        match node:
            case Not(arg=arg):
                stack.append(arg)
            case And(args=args) | Or(args=args):
                stack.extend(reversed(args))
            case Implies(a=a, b=b) | Iff(a=a, b=b):
                stack.extend((b, a))
            case Linear(terms=terms):
                stack.extend(t for _, t in reversed(terms))


def scope(expr: BoolExpr | Term) -> set[str]:
    """The variable names an expression mentions.

    Example:
        >>> sorted(scope(Or((Lit("a", frozenset({1})), Linear(((1, "b"),), "<=", 2)))))
        ['a', 'b']
    """
    found: set[str] = set()
    stack: list[BoolExpr | Term] = [expr]
    while stack:
        node = stack.pop()
        match node:
            case str():
                found.add(node)
            case Lit(var=var):
                found.add(var)
            case Not(arg=arg):
                stack.append(arg)
            case And(args=args) | Or(args=args):
                stack.extend(args)
            case Implies(a=a, b=b) | Iff(a=a, b=b):
                stack.extend((a, b))
            case Linear(terms=terms):
                stack.extend(t for _, t in terms)
            case Table(vars=names):
                found.update(names)
    return found
