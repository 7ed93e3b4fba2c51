"""Reasons for every removed option at click speed: the choices to undo (from the diagram) and the rule.

After each choice the sales-rep page shows every option that is no longer possible with the reason. The
solver's minimal conflicts took seconds for a whole catalog; here the compiled decision diagram answers for
every removed option at once (:func:`~configurator.solver.dd.explain.corrections`): the fewest of the user's
choices to undo so that the option is possible again (exact: undoing them, and only them, brings it back).
The rules are then found locally: the one rule that, with those choices, rules the option out on its own
(checked on the rule's own variables; a module's cardinality when another option of a one-option module is
chosen), else a minimal set of rules that do it together, grown from the option through rules that share
variables (each check runs on those rules' own variables). When that fails (rules over too many variables to
check, or a chain longer than :data:`MAX_LAYERS`), the solver is asked once with only the choices to undo,
and its answer is remembered for the process (the same reason comes back step after step and session after
session).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.solver.compile import compile_catalog_problem
    >>> from configurator.solver.dd import CompiledDiagram
    >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
    ...                 "motor": {"choose": "optional", "options": {"hub": {}, "mid": {}}}},
    ...     "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}]})
    >>> cp = compile_catalog_problem(cat)
    >>> d = CompiledDiagram.compile(cp.problem)
    >>> pairs = [("frame", 2, "frame.carbon")]          # frame = carbon (value 2), from the choice frame.carbon
    >>> reasons = removed_reasons(cp, d, pairs, [("frame", "alu"), ("motor", "hub")])
    >>> reasons["motor.hub"], reasons["frame.alu"]
    (Conflict(choices=('frame.carbon',), constraints=('no-hub',)), Conflict(choices=('frame.carbon',), constraints=('module:frame:choose',)))
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from configurator.solver.operations import Conflict
from configurator.solver.problem import Constraint, Lit, Problem, holds, scope

if TYPE_CHECKING:
    from configurator.solver.compile import CatalogProblem
    from configurator.solver.dd import CompiledDiagram

__all__ = ["MAX_LAYERS", "MAX_LOCAL_CHECK", "removed_reasons"]

MAX_LOCAL_CHECK = 20_000
"""The most assignments of a rule's free variables checked to see whether it rules an option out alone."""

MAX_LAYERS = 3
"""How far (in rules sharing variables) the search for rules acting together reaches from the option."""

_STRUCTURE = ("cardinality", "quantity")

_LOCAL: OrderedDict[tuple[int, str, frozenset[tuple[str, int]]], bool | None] = OrderedDict()
_LOCAL_LOCK = threading.Lock()
_LOCAL_MAX = 50_000


def _alone_forbids(
    problem: Problem, constraints: Sequence[Constraint], fixed: Mapping[str, int]
) -> bool | None:
    """Whether ``constraints`` together have no solution with ``fixed`` (None: too many assignments to check)."""
    names = sorted(set().union(*(scope(c.expr) for c in constraints)))
    relevant = frozenset((k, v) for k, v in fixed.items() if k in names)
    key = (id(problem), "&".join(c.id for c in constraints), relevant)
    with _LOCAL_LOCK:
        if key in _LOCAL:
            return _LOCAL[key]
    free = [problem.var(n) for n in names if n not in fixed]
    if math.prod(len(v.domain) for v in free) > MAX_LOCAL_CHECK:
        answer: bool | None = None
    else:
        base = {n: fixed[n] for n in names if n in fixed}
        answer = True
        for values in itertools.product(*(v.domain for v in free)):
            assignment = base | {v.name: x for v, x in zip(free, values, strict=True)}
            if all(holds(c.expr, assignment) for c in constraints):
                answer = False
                break
    with _LOCAL_LOCK:
        _LOCAL[key] = answer
        while len(_LOCAL) > _LOCAL_MAX:
            _LOCAL.popitem(last=False)
    return answer


def removed_reasons(
    cp: CatalogProblem,
    diagram: CompiledDiagram,
    pairs: Sequence[tuple[str, int, str]],
    gone: Iterable[tuple[str, str]],
    solve: Callable[[str, str, Sequence[str]], Conflict | None] | None = None,
) -> dict[str, Conflict]:
    """The reason of each removed option that the diagram and one rule explain, by ``module.option``.

    Args:
        cp: the compiled catalog.
        diagram: its compiled diagram.
        pairs: the choices as ``(variable, value, choice key)`` (a choice may set two variables: the option
            and its quantity).
        gone: the removed options as ``(module, option)``.
        solve: asked (once per catalog, choices and option, then remembered) for the rules when no local
            check finds them: ``solve(module, option, choice keys)`` with only the choices to undo.

    Returns:
        ``Conflict(choices, constraints)`` per option: the fewest choices to undo (undoing them brings the
        option back) and the rule (or module cardinality) that rules it out with them. Options the diagram
        cannot explain (dead whatever is chosen) or that no single rule explains are left out.
    """
    from configurator.solver.dd.explain import corrections

    assumptions = {name: value for name, value, _ in pairs}
    source = {name: key for name, _, key in pairs}
    order = {key: k for k, (_, _, key) in enumerate(pairs)}
    targets: dict[str, set[int]] = {}
    literals: dict[tuple[str, str], Lit] = {}
    for module, option in gone:
        literal = cp.selected(module, option)
        if isinstance(literal, Lit):
            literals[(module, option)] = literal
            targets.setdefault(literal.var, set()).update(literal.values)
    found = corrections(diagram, assumptions, {k: tuple(sorted(v)) for k, v in targets.items()})
    problem = cp.problem
    rules = [c for c in problem.constraints if c.kind not in _STRUCTURE]
    reasons: dict[str, Conflict] = {}
    for (module, option), literal in literals.items():
        options = [found[(literal.var, v)] for v in sorted(literal.values) if (literal.var, v) in found]
        if not options:
            continue
        names = min(options, key=len)
        keys = sorted({source[n] for n in names if n in source}, key=order.__getitem__)
        rule = _rule_for(cp, rules, module, literal, keys, pairs)
        if rule is None and solve is not None:
            rule = _solved(cp, module, option, keys, pairs, solve)
        if rule is not None:
            reasons[f"{module}.{option}"] = Conflict(tuple(keys), tuple(rule.split("\n")) if rule else ())
    return reasons


def _rule_for(
    cp: CatalogProblem,
    rules: Sequence[Constraint],
    module: str,
    literal: Lit,
    keys: Sequence[str],
    pairs: Sequence[tuple[str, int, str]],
) -> str | None:
    """The one constraint that rules the option out with the choices ``keys`` ("": the choices alone), or None."""
    chosen = set(keys)
    if "/" not in module and module in cp.single and any(k.startswith(f"{module}.") for k in chosen):
        return f"module:{module}:choose"
    fixed = {name: value for name, value, key in pairs if key in chosen}
    values = [v for v in sorted(literal.values) if fixed.get(literal.var, v) == v]
    if not values:
        return ""  # the choice is about this very option (it was excluded)
    touching = [r for r in rules if literal.var in scope(r.expr) or scope(r.expr) & fixed.keys()]
    for rule in touching:
        if all(_alone_forbids(cp.problem, (rule,), fixed | {literal.var: v}) is True for v in values):
            return rule.id
    return _grown(cp.problem, rules, touching, fixed, literal.var, values)


_SOLVED: OrderedDict[tuple[int, str, frozenset[tuple[str, int]]], str | None] = OrderedDict()
_SOLVED_MAX = 20_000


def _solved(
    cp: CatalogProblem,
    module: str,
    option: str,
    keys: Sequence[str],
    pairs: Sequence[tuple[str, int, str]],
    solve: Callable[[str, str, Sequence[str]], Conflict | None],
) -> str | None:
    """The solver's rules for an option with only the choices to undo, remembered for the process."""
    chosen = set(keys)
    key = (id(cp.problem), f"{module}.{option}", frozenset((n, v) for n, v, k in pairs if k in chosen))
    with _LOCAL_LOCK:
        if key in _SOLVED:
            return _SOLVED[key]
    found = solve(module, option, keys)
    answer = None if found is None else "\n".join(found.constraints)
    with _LOCAL_LOCK:
        _SOLVED[key] = answer
        while len(_SOLVED) > _SOLVED_MAX:
            _SOLVED.popitem(last=False)
    return answer


def _forbid_all(
    problem: Problem, group: Sequence[Constraint], fixed: Mapping[str, int], var: str, values: Sequence[int]
) -> bool:
    return all(_alone_forbids(problem, group, {**fixed, var: v}) is True for v in values)


def _grown(
    problem: Problem,
    rules: Sequence[Constraint],
    touching: Sequence[Constraint],
    fixed: Mapping[str, int],
    var: str,
    values: Sequence[int],
) -> str | None:
    """Rules acting together: grow a neighbourhood of rules sharing variables, then keep a minimal subset."""
    group = list(touching)
    for _ in range(MAX_LAYERS):
        if group and _forbid_all(problem, group, fixed, var, values):
            break
        names = set().union(*(scope(r.expr) for r in group)) if group else {var}
        more = [r for r in rules if r not in group and scope(r.expr) & names]
        if not more:
            return None
        group += more
    else:
        return None
    for rule in list(group):  # deletion: drop every rule the others do without
        rest = [r for r in group if r is not rule]
        if rest and _forbid_all(problem, rest, fixed, var, values):
            group = rest
    return "\n".join(r.id for r in group)
