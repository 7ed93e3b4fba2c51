"""Linear constraints as decision diagrams: normalisation, then the interval method.

A constraint ``sum(coef * term) op rhs`` is first normalised (:func:`linear_form`): every contribution becomes
a nonnegative integer, the comparison becomes ``<=`` or ``==`` (possibly negated), contributions are divided
by their common divisor and, for ``<=``, saturated just above the right-hand side. Then
:func:`interval_bdd` builds the diagram by dynamic programming over the terms, merging partial sums that
lead to the same sub-diagram.

Example:
    >>> from configurator.solver.dd.compiler import DiagramCompiler
    >>> from configurator.solver.problem import Linear, Problem, Variable
    >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))))
    >>> compiler = DiagramCompiler(p, ["x", "y"], max_nodes=10_000, deadline=None, time_limit=None, max_sums=100)
    >>> form = linear_form(compiler, Linear(((2, "x"), (2, "y")), ">=", 3))
    >>> [term.contributions for term in form.terms], form.rhs, form.equal, form.negated
    ([(0, 1, 2), (0, 1, 2)], 1, False, True)
    >>> node = ~interval_bdd(compiler, form) & compiler.domain(0) & compiler.domain(1)
    >>> int(node.count(nvars=4))  # 2x + 2y >= 3 holds for 6 of the 9 pairs
    6
    >>> del node
    >>> compiler.close()
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from configurator.errors import SolverError
from configurator.solver.dd.bdd import CompileAborted, Node
from configurator.solver.problem import BoolExpr, Linear, holds, scope

if TYPE_CHECKING:
    from configurator.solver.dd.compiler import DiagramCompiler

__all__ = ["LinearForm", "LinearTerm", "interval_bdd", "linear_form"]

Rows = list[tuple[int, list[int]]]
"""Single-variable terms: ``(variable index, contribution per value code)``."""
Conditions = list[tuple[BoolExpr, bool, int]]
"""Indicator terms: ``(expression, negated, contribution when it holds)``."""


@dataclass(frozen=True, slots=True)
class LinearTerm:
    """One term of a normalised linear constraint: a variable's contribution per value code, or an indicator.

    ``var``/``contributions``: variable ``var`` adds ``contributions[code]`` (``cond`` is ``None``);
    ``cond``: an indicator's diagram, adding ``contributions[1]`` when true (``var`` is ``-1``);
    ``direct``: every later term lies strictly below the variable, so nodes test its bits directly.

    Example:
        >>> LinearTerm(0, (0, 2, 4), None).direct
        False
    """

    var: int
    contributions: tuple[int, ...]
    cond: Node
    direct: bool = False


@dataclass(frozen=True, slots=True)
class LinearForm:
    """A linear constraint as ``sum(terms) <= rhs`` (or ``== rhs`` when ``equal``), negated if ``negated``.

    Every contribution is a nonnegative integer, at least one per term is positive, and the contributions
    share no common divisor; single-variable terms are merged into one row of contributions per variable.

    Example:
        >>> LinearForm((LinearTerm(0, (0, 1), None),), 1, equal=False, negated=False).rhs
        1
    """

    terms: tuple[LinearTerm, ...]
    rhs: int
    equal: bool
    negated: bool


def linear_form(compiler: DiagramCompiler, lin: Linear) -> LinearForm | bool:
    """Normalise a linear constraint (see :class:`LinearForm`).

    Args:
        compiler: the compiler (variables, domains, levels; indicators are compiled with it).
        lin: the constraint.

    Returns:
        The normal form, or a bool when the constraint is decided outright.

    Raises:
        SolverError: a term names an unknown variable, or the comparison is unknown.
    """
    constant, rows, conds = _gather(compiler, lin)
    # sum(nonnegative contributions) op rhs, as "<=" or "==", negated for ">=", ">" and "!="
    rhs = lin.rhs - constant
    op: str = lin.op
    negated = False
    if op == "<":
        op, rhs = "<=", rhs - 1
    elif op == ">":
        op, negated = "<=", True
    elif op == ">=":
        op, rhs, negated = "<=", rhs - 1, True
    elif op == "!=":
        op, negated = "==", True
    elif op not in ("<=", "=="):
        raise SolverError(f"unknown comparison {op!r}")
    equal = op == "=="
    total = sum(max(row) for _, row in rows) + sum(c for _, _, c in conds)
    if rhs < 0 or (equal and rhs > total):
        return negated
    if rhs >= total and (not equal or total == 0):
        return not negated  # also "0 == 0" without terms
    reduced = _reduce(rows, conds, rhs, equal)
    if reduced is None:
        return negated
    rhs, rows, conds = reduced
    return LinearForm(_ordered_terms(compiler, rows, conds), rhs, equal, negated)


def _gather(compiler: DiagramCompiler, lin: Linear) -> tuple[int, Rows, Conditions]:
    """The constant, the rows of single-variable terms and the indicators, every contribution ``>= 0``."""
    constant = 0
    by_var: dict[int, list[int]] = {}
    indicators: dict[BoolExpr, int] = {}
    for coef, term in lin.terms:
        if coef == 0:
            continue
        if isinstance(term, str):
            i = compiler.var_index(term)
            row = by_var.setdefault(i, [0] * len(compiler.domains[i]))
            for k, value in enumerate(compiler.domains[i]):
                row[k] += coef * value
            continue
        names = scope(term)
        for name in names:
            compiler.var_index(name)
        if not names:
            constant += coef if holds(term, {}) else 0
        elif len(names) == 1:  # an indicator of one variable's values: fold it into that variable's row
            (name,) = names
            i = compiler.index[name]
            row = by_var.setdefault(i, [0] * len(compiler.domains[i]))
            for k, value in enumerate(compiler.domains[i]):
                if holds(term, {name: value}):
                    row[k] += coef
        else:
            indicators[term] = indicators.get(term, 0) + coef
    # shift every contribution to a minimum of 0: negative indicator coefficients count the negation
    rows: Rows = []
    for i, row in by_var.items():
        if not row:
            continue
        low = min(row)
        constant += low
        shifted = [c - low for c in row]
        if any(shifted):
            rows.append((i, shifted))
    conds: Conditions = []
    for term, coef in indicators.items():
        if coef > 0:
            conds.append((term, False, coef))
        elif coef < 0:
            constant += coef
            conds.append((term, True, -coef))
    return constant, rows, conds


def _reduce(rows: Rows, conds: Conditions, rhs: int, equal: bool) -> tuple[int, Rows, Conditions] | None:
    """Divide by the gcd of the contributions; for ``<=`` saturate contributions above rhs at rhs + 1.

    Returns ``None`` when an equality cannot hold (the rhs is not a multiple of the gcd).
    """
    while True:
        g = 0
        for _, row in rows:
            for c in row:
                g = math.gcd(g, c)
        for _, _, c in conds:
            g = math.gcd(g, c)
        if equal and rhs % g:
            return None
        rhs //= g
        rows = [(i, [c // g for c in row]) for i, row in rows]
        conds = [(t, neg, c // g) for t, neg, c in conds]
        if equal or not (
            any(c > rhs + 1 for _, row in rows for c in row) or any(c > rhs + 1 for _, _, c in conds)
        ):
            break
        rows = [(i, [min(c, rhs + 1) for c in row]) for i, row in rows]
        conds = [(t, neg, min(c, rhs + 1)) for t, neg, c in conds]
    return rhs, rows, conds


def _ordered_terms(compiler: DiagramCompiler, rows: Rows, conds: Conditions) -> tuple[LinearTerm, ...]:
    """The terms from the top of the diagram down (an indicator before a variable on its top level)."""
    keyed: list[tuple[int, int, LinearTerm]] = []
    for i, row in rows:
        keyed.append(
            (compiler.level_key(compiler.problem.variables[i].name), 1, LinearTerm(i, tuple(row), None))
        )
    for term, neg, c in conds:
        cond = compiler.expr(term)
        top = min(compiler.level_key(name) for name in scope(term))
        keyed.append((top, 0, LinearTerm(-1, (0, c), ~cond if neg else cond)))
    keyed.sort(key=lambda item: (item[0], item[1]))
    terms = [item for _, _, item in keyed]
    tops = [top for top, _, _ in keyed]
    # a variable's term is built from its bits directly when every later term lies strictly below it
    below = 1 << 62
    for k in range(len(terms) - 1, -1, -1):
        item = terms[k]
        if item.cond is None and tops[k] < below:
            terms[k] = LinearTerm(item.var, item.contributions, None, direct=True)
        below = min(below, tops[k])
    return tuple(terms)


def interval_bdd(compiler: DiagramCompiler, form: LinearForm) -> Node:
    """The diagram of ``sum(terms) <= rhs`` (or ``== rhs``) by the interval method.

    Abío, Nieuwenhuis, Oliveras and Rodríguez-Carbonell, "BDDs for Pseudo-Boolean Constraints -
    Revisited" (SAT 2011): the sub-diagram of terms ``k..`` for a residual ``K`` (the right-hand side
    minus the partial sum of terms ``0..k-1``) is the same for every ``K`` of an interval ``[lo, hi]``.
    Each level keeps its nodes' intervals sorted; a residual is looked up by bisection, and a miss builds
    the node from its children (residual ``K - contribution``), its interval being the intersection of
    the children's intervals shifted by their contributions. The work is polynomial in the diagram's
    size, not in the number of distinct partial sums.

    Why one piece: ``find`` and ``make`` are closures over the per-level
    interval tables, which keeps the lookups of this hot loop local (it builds millions of nodes on large
    models); split into methods, every lookup would go through an attribute.

    Args:
        compiler: the compiler (its manager, budgets and value-set diagrams).
        form: the normalised constraint (its ``negated`` flag is left to the caller).

    Returns:
        The diagram of the comparison, before negation.

    Raises:
        CompileAborted: a level holds more than ``compiler.max_sums`` intervals, or a budget is exceeded.
    """
    terms, equal = form.terms, form.equal
    n = len(terms)
    # most[k]: the largest sum of terms k..; step[k]: the gcd of their contributions (for "==")
    most = [0] * (n + 1)
    step = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        most[k] = most[k + 1] + max(terms[k].contributions)
        g = step[k + 1]
        for c in terms[k].contributions:
            g = math.gcd(g, c)
        step[k] = g
    big = most[0] + abs(form.rhs) + 2  # beyond every residual: stands for infinity
    true, false = compiler.true, compiler.false
    lows: list[list[int]] = [[] for _ in range(n)]
    highs: list[list[int]] = [[] for _ in range(n)]
    nodes: list[list[Node]] = [[] for _ in range(n)]
    # distinct contributions of each term, and the codes (or branch) taking each
    options: list[list[int]] = [sorted(set(term.contributions)) for term in terms]

    def find(k: int, residual: int) -> tuple[Node, int, int] | None:
        if residual < 0:
            return false, -big, -1
        top = most[k]
        if residual >= top:
            if not equal:
                return true, top, big
            if residual > top:
                return false, top + 1, big
            if top == 0:
                return true, 0, 0
        if equal and step[k] and residual % step[k]:
            g = step[k]
            return false, residual - residual % g + 1, residual - residual % g + g - 1
        level_lows = lows[k]
        j = bisect.bisect_right(level_lows, residual) - 1
        if j >= 0 and highs[k][j] >= residual:
            return nodes[k][j], level_lows[j], highs[k][j]
        return None

    def make(k: int, residual: int, children: list[tuple[Node, int, int]]) -> None:
        term = terms[k]
        low, high = -big, big
        for c, (_, child_low, child_high) in zip(options[k], children, strict=True):
            low = max(low, child_low + c)
            high = min(high, child_high + c)
        by_value = {c: child for c, (child, _, _) in zip(options[k], children, strict=True)}
        if term.cond is not None:
            node = compiler.bdd.ite(term.cond, by_value[term.contributions[1]], by_value[0])
        elif term.direct:
            node = compiler.codes_tree(
                term.var, {code: by_value[c] for code, c in enumerate(term.contributions)}
            )
        else:
            node = false
            for c, child in by_value.items():
                if child != false:
                    codes = frozenset(code for code, d in enumerate(term.contributions) if d == c)
                    node = compiler.disj(node, compiler.conj(compiler.value_set(term.var, codes), child))
        level_lows, level_highs = lows[k], highs[k]
        j = bisect.bisect_right(level_lows, residual)
        if j > 0:
            low = max(low, level_highs[j - 1] + 1)
        if j < len(level_lows):
            high = min(high, level_lows[j] - 1)
        level_lows.insert(j, low)
        level_highs.insert(j, high)
        nodes[k].insert(j, node)
        if len(level_lows) > compiler.max_sums:
            raise CompileAborted(
                f"linear constraint with more than {compiler.max_sums:,} intervals of partial sums on one term"
            )
        compiler.ops += 1
        if compiler.ops & 63 == 0:
            compiler.check()

    found = find(0, form.rhs)
    if found is not None:
        return found[0]
    # depth first, without recursion: frames of (level, residual, children found so far)
    stack: list[tuple[int, int, list[tuple[Node, int, int]]]] = [(0, form.rhs, [])]
    while stack:
        k, residual, children = stack[-1]
        if len(children) < len(options[k]):
            target = residual - options[k][len(children)]
            hit = find(k + 1, target)
            if hit is None:
                stack.append((k + 1, target, []))
            else:
                children.append(hit)
            continue
        stack.pop()
        make(k, residual, children)
    hit = find(0, form.rhs)
    assert hit is not None
    lows.clear()
    highs.clear()
    nodes.clear()
    return hit[0]
