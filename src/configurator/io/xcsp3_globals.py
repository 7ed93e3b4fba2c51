"""XCSP3 global constraints as formulas: conditions, counts over 0/1 terms, bounds of an extremum.

Internal to :mod:`configurator.io.xcsp3`, whose reader turns ``<count>``, ``<nValues>``, ``<cardinality>``,
``<minimum>``/``<maximum>``, ``<element>`` and ``<ordered>`` into these (so the CNF and diagram engines count
them like any formula).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from configurator.io.xcsp3_document import _Doc
from configurator.io.xcsp3_intension import _COMPARE, _comparison, _Part, _plus, _scale
from configurator.solver.problem import And, BoolExpr, Const, Lit, Not, Or, Term

_CONDITIONS = (*_COMPARE, "in", "notin")
"""The operators of a ``<condition>``: a comparison with an integer or a variable, or a range test."""

_ORDERS = ("lt", "le", "ge", "gt")
"""The operators of ``<ordered>``."""

_CASES = {"increasing": "le", "strictlyIncreasing": "lt", "decreasing": "ge", "strictlyDecreasing": "gt"}
"""The ``case`` attribute of ``<ordered>`` as the operator it stands for."""


@dataclass(frozen=True, slots=True)
class _Condition:
    """``(op,operand)``: a comparison with an integer or a variable, or ``in``/``notin`` a range of integers."""

    op: str
    operand: int | str | range


def _part_of(item: int | str) -> _Part:
    """An integer or a variable as a linear expression."""
    return ({}, item) if isinstance(item, int) else ({item: 1}, 0)


def _satisfies(doc: _Doc, part: _Part, condition: _Condition) -> BoolExpr:
    """``part op operand`` (or ``part`` in/not in a range) as a Lit, a constant or a Linear."""
    operand = condition.operand
    if isinstance(operand, range):
        low = _comparison(doc, ">=", _plus(part, ({}, -operand.start)))
        high = _comparison(doc, "<=", _plus(part, ({}, 1 - operand.stop)))
        inside = _both(low, high)
        return inside if condition.op == "in" else Not(inside)
    return _comparison(doc, _COMPARE[condition.op], _plus(part, _scale(_part_of(operand), -1)))


def _both(a: BoolExpr, b: BoolExpr) -> BoolExpr:
    """``a and b``, as one Lit when both restrict the same variable."""
    if isinstance(a, Lit) and isinstance(b, Lit) and a.var == b.var:
        return Lit(a.var, a.values & b.values)
    return And((a, b))


def _indicator(doc: _Doc, expr: BoolExpr) -> _Part:
    """The 0/1 value of a formula as a linear expression (a constant when the formula is decided)."""
    if isinstance(expr, Const):
        return {}, int(expr.value)
    if isinstance(expr, Lit) and not expr.values:
        return {}, 0
    if isinstance(expr, Lit) and expr.values >= doc.values(expr.var):
        return {}, 1
    return {expr: 1}, 0


def _member(doc: _Doc, name: str, values: Sequence[int | str]) -> BoolExpr:
    """The variable ``name`` takes one of ``values`` (integers, or the values of variables)."""
    ints = frozenset(v for v in values if isinstance(v, int)) & doc.values(name)
    options: list[BoolExpr] = [Lit(name, ints)] if ints else []
    for other in dict.fromkeys(v for v in values if isinstance(v, str)):
        options.append(_satisfies(doc, _part_of(name), _Condition("eq", other)))
    if any(option == Const(True) for option in options):
        return Const(True)
    options = [option for option in options if option != Const(False)]
    return options[0] if len(options) == 1 else Or(tuple(options))


def _counted(doc: _Doc, exprs: Sequence[BoolExpr]) -> _Part:
    """How many of ``exprs`` hold, as a linear expression over their 0/1 indicators."""
    terms: dict[Term, int] = {}
    constant = 0
    for expr in exprs:
        found, value = _indicator(doc, expr)
        constant += value
        for term, coef in found.items():
            terms[term] = terms.get(term, 0) + coef
    return {t: c for t, c in terms.items() if c}, constant


def _extremum(doc: _Doc, names: Sequence[str], smallest: bool, condition: _Condition) -> BoolExpr:
    """``min(names) op operand`` (``smallest``) or ``max(names) op operand``, without the extremum itself.

    The minimum is at most ``k`` iff some variable is, and at least ``k`` iff all are (the maximum the other
    way round); ``eq`` is both bounds, ``ne`` its negation, a range its two bounds.
    """

    def bound(op: str, operand: int | str) -> BoolExpr:
        each = tuple(_satisfies(doc, _part_of(name), _Condition(op, operand)) for name in names)
        some = (op in ("le", "lt")) == smallest
        return Or(each) if some else And(each)

    operand = condition.operand
    if isinstance(operand, range):
        inside = And((bound("ge", operand.start), bound("le", operand.stop - 1)))
        return inside if condition.op == "in" else Not(inside)
    if condition.op in ("eq", "ne"):
        equal = And((bound("ge", operand), bound("le", operand)))
        return equal if condition.op == "eq" else Not(equal)
    return bound(condition.op, operand)
