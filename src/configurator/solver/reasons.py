"""Reasons for every removed option at click speed: the choices to undo (from the diagram) and the rule.

After each choice the sales-rep page shows every option that is no longer possible with the reason. The
solver's minimal conflicts took seconds for a whole catalog; here the compiled decision diagram answers for
every removed option at once (:func:`~configurator.solver.dd.explain.corrections`): the fewest of the user's
choices to undo so that the option is possible again (exact: undoing them, and only them, brings it back).
The rules are then found locally: the one rule that, with those choices, rules the option out on its own
(checked on the rule's own variables; a module's cardinality when another option of a one-option module is
chosen), else two rules sharing a variable that do it together (each pair checked on those rules' own
variables; rules over too many variables to enumerate are narrowed by bounds). That search is bounded by work
(:data:`SOLVER_LOCAL_WORK` assignments per option in a session, which can ask its solver; :data:`MAX_LOCAL_WORK`
without one). When it finds nothing, the session's solver is asked once with only the choices to undo (a
minimal conflict on the kept incremental SAT solver, :mod:`configurator.solver.sat`), and its answer is
remembered for the process (the same reason comes back step after step and session after session). Without a
diagram the session asks the solver for every removed option, remembered the same way.

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

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from configurator.solver.operations import Conflict
from configurator.solver.problem import (
    And,
    BoolExpr,
    Const,
    Constraint,
    Implies,
    Linear,
    Lit,
    Not,
    Or,
    Problem,
    Table,
    Term,
    Variable,
    holds,
    may_match,
    scope,
)

if TYPE_CHECKING:
    from configurator.solver.compile import CatalogProblem
    from configurator.solver.dd import CompiledDiagram
    from configurator.solver.session import Choice, ConfigurationSession

__all__ = [
    "MAX_LOCAL_CHECK",
    "MAX_LOCAL_WORK",
    "MAX_PAIRS",
    "SOLVER_LOCAL_WORK",
    "recall",
    "remember",
    "removed_reasons",
    "warm_reasons",
]

MAX_LOCAL_CHECK = 4_000
"""The most search nodes (partial assignments) one local check visits to see whether rules rule an option out."""

MAX_PAIRS = 300
"""The most pairs of rules tried before growing a larger group."""

MAX_LOCAL_WORK = 60_000
"""The most assignments enumerated for one option's local checks, all rules and pairs together.

Beyond it the solver answers (once, remembered): a long local search (hundreds of pair checks) costs more than
one solver call. The budget counts work, not seconds, so that the answers do not depend on the machine's load."""
SOLVER_LOCAL_WORK = 20_000
"""The local checks' budget when the session's solver can answer instead (a minimal conflict on the kept SAT
solver, remembered): a third of the full budget, so that a cold server spends less time searching pairs of rules
in Python, yet enough for the single rules and pairs that explain most options in milliseconds."""

_STRUCTURE = ("cardinality", "quantity")

_LOCAL: OrderedDict[tuple[int, str, frozenset[tuple[str, int]]], bool | None] = OrderedDict()
_LOCAL_LOCK = threading.Lock()
_LOCAL_MAX = 50_000


# Shared by every thread of the process (requests and the API's warm-up): the memories of answers above are
# read and written under _LOCAL_LOCK; these three hold values derived from one object (checked by identity on
# read), so a race only computes a value twice, and a dict's single get, set or clear is atomic.
_SCOPES: dict[int, tuple[Constraint, frozenset[str]]] = {}
_STRUCTURES: dict[int, tuple[Problem, tuple[Constraint, ...]]] = {}


def _scope(constraint: Constraint) -> frozenset[str]:
    """The variables of a constraint, remembered by object (hashing a large expression costs as much as this)."""
    found = _SCOPES.get(id(constraint))
    if found is None or found[0] is not constraint:
        if len(_SCOPES) > 200_000:
            _SCOPES.clear()
        found = _SCOPES[id(constraint)] = (constraint, frozenset(scope(constraint.expr)))
    return found[1]


def _structure(problem: Problem) -> tuple[Constraint, ...]:
    """The problem's cardinality and quantity constraints, taken as given by the local checks."""
    found = _STRUCTURES.get(id(problem))
    if found is None or found[0] is not problem:
        if len(_STRUCTURES) > 64:
            _STRUCTURES.clear()
        kept = tuple(c for c in problem.constraints if c.kind in _STRUCTURE)
        found = _STRUCTURES[id(problem)] = (problem, kept)
    return found[1]


class _Budget:
    """The assignments one option's local checks may still enumerate (see :data:`MAX_LOCAL_WORK`)."""

    __slots__ = ("left", "retry")

    def __init__(self, left: int = MAX_LOCAL_WORK, *, retry: bool = True) -> None:
        self.left = left
        self.retry = retry
        """Whether a search cut short is tried again next time (False: a solver answers instead, remembered)."""


def _alone_forbids(
    problem: Problem,
    constraints: Sequence[Constraint],
    fixed: Mapping[str, int],
    budget: _Budget | None = None,
) -> bool | None:
    """Whether ``constraints`` together have no solution with ``fixed`` (None: too many assignments to check).

    A check already made is answered from memory at no cost; a new one spends its assignments from ``budget``
    (None, without checking, when the budget cannot pay for it).
    """
    names = sorted(set().union(*(_scope(c) for c in constraints)))
    relevant = frozenset((k, v) for k, v in fixed.items() if k in names)
    key = (id(problem), "&".join(c.id for c in constraints), relevant)
    with _LOCAL_LOCK:
        if key in _LOCAL:
            return _LOCAL[key]
    free = [problem.var(n) for n in names if n not in fixed]
    limit = MAX_LOCAL_CHECK if budget is None else min(MAX_LOCAL_CHECK, budget.left)
    if limit <= 0:
        return None
    answer, spent = _search(constraints, {n: fixed[n] for n in names if n in fixed}, free, limit)
    if budget is not None:
        budget.left -= spent
    if answer is None and limit < MAX_LOCAL_CHECK:
        return None  # cut short by this option's budget, not by the check's own limit: not remembered
    with _LOCAL_LOCK:
        _LOCAL[key] = answer
        while len(_LOCAL) > _LOCAL_MAX:
            _LOCAL.popitem(last=False)
    return answer


_BOTH = frozenset({True, False})


def _possible(
    expr: BoolExpr, fixed: Mapping[str, int], domains: Mapping[str, tuple[int, ...]]
) -> frozenset[bool]:
    """The truth values ``expr`` may take with ``fixed`` and the other variables in ``domains`` (a superset)."""
    match expr:
        case Const(value=value):
            return frozenset({value})
        case Lit(var=var, values=values):
            if var in fixed:
                return frozenset({fixed[var] in values})
            return frozenset(x in values for x in domains.get(var, ()))
        case Not(arg=arg):
            return frozenset(not x for x in _possible(arg, fixed, domains))
        case And(args=args):
            parts = [_possible(a, fixed, domains) for a in args]
            return frozenset(
                ({True} if all(True in x for x in parts) else set())
                | ({False} if any(False in x for x in parts) else set())
            )
        case Or(args=args):
            parts = [_possible(a, fixed, domains) for a in args]
            return frozenset(
                ({True} if any(True in x for x in parts) else set())
                | ({False} if all(False in x for x in parts) else set())
            )
        case Implies(a=a, b=b):
            pa, pb = _possible(a, fixed, domains), _possible(b, fixed, domains)
            return frozenset(
                ({True} if False in pa or True in pb else set())
                | ({False} if True in pa and False in pb else set())
            )
        case Linear(terms=terms, op=op, rhs=rhs):
            lo = hi = 0
            per_var: dict[str, list[tuple[int, Term]]] = {}
            for coef, term in terms:
                if isinstance(term, str):
                    per_var.setdefault(term, []).append((coef, term))
                elif isinstance(term, Lit):
                    per_var.setdefault(term.var, []).append((coef, term))
                else:
                    truth = _possible(term, fixed, domains)
                    if not truth:
                        return frozenset()
                    sums = [coef * int(x) for x in truth]
                    lo, hi = lo + min(sums), hi + max(sums)
            for var, own in per_var.items():  # one variable's terms together: its values exclude each other
                taken: tuple[int, ...] = (fixed[var],) if var in fixed else tuple(domains.get(var, ()))
                if not taken:
                    return frozenset()
                totals = [_contribution(own, v) for v in taken]
                lo, hi = lo + min(totals), hi + max(totals)
            return _compare_range(lo, hi, op, rhs)
        case Table(allowed=allowed):
            if may_match(expr, fixed):
                return _BOTH
            return frozenset({not allowed})  # no row can match whatever the open columns take
        case _:
            return _BOTH


def _search(
    constraints: Sequence[Constraint], fixed: Mapping[str, int], free: Sequence[Variable], limit: int
) -> tuple[bool | None, int]:
    """Whether ``constraints`` have no solution with ``fixed``, by depth-first search; and the nodes visited.

    Variables are tried smallest domain first; after each assignment the constraints on that variable are
    evaluated three-valued on the partial assignment (:func:`_possible`), so a branch no solution can extend is
    cut at once. Complete answers: True (no solution: proved), False (a solution, checked with
    :func:`~configurator.solver.problem.holds`); None when ``limit`` nodes were visited first.
    """
    names = [v.name for v in sorted(free, key=lambda v: (len(v.domain), v.name))]
    domains = {v.name: v.domain for v in free}
    assignment = dict(fixed)
    if any(True not in _possible(c.expr, assignment, domains) for c in constraints):
        return True, 1
    if not names:
        return (not all(holds(c.expr, assignment) for c in constraints)), 1
    position = {name: d for d, name in enumerate(names)}
    watching: list[list[Constraint]] = [[] for _ in names]
    for c in constraints:
        for d in {position[n] for n in _scope(c) if n in position}:
            watching[d].append(c)
    nodes = 1
    last = len(names) - 1
    stack: list[Iterator[int]] = [iter(domains[names[0]])]
    while stack:
        d = len(stack) - 1
        name = names[d]
        value = next(stack[-1], None)
        if value is None:
            stack.pop()
            assignment.pop(name, None)
            continue
        nodes += 1
        if nodes > limit:
            return None, nodes
        assignment[name] = value
        if not all(True in _possible(c.expr, assignment, domains) for c in watching[d]):
            continue
        if d == last:
            if all(holds(c.expr, assignment) for c in constraints):
                return False, nodes
            continue
        stack.append(iter(domains[names[d + 1]]))
    return True, nodes


def _contribution(parts: Sequence[tuple[int, Term]], value: int) -> int:
    """What one variable's terms add to a linear sum when it takes ``value``."""
    total = 0
    for coef, term in parts:
        if isinstance(term, str):
            total += coef * value
        elif isinstance(term, Lit) and value in term.values:
            total += coef
    return total


def _compare_range(lo: int, hi: int, op: str, rhs: int) -> frozenset[bool]:
    """The truth values of ``value op rhs`` for a value somewhere in ``[lo, hi]`` (a superset)."""
    true = {
        "<=": lo <= rhs,
        "<": lo < rhs,
        ">=": hi >= rhs,
        ">": hi > rhs,
        "==": lo <= rhs <= hi,
        "!=": not lo == hi == rhs,
    }
    false = {
        "<=": hi > rhs,
        "<": hi >= rhs,
        ">=": lo < rhs,
        ">": lo <= rhs,
        "==": not lo == hi == rhs,
        "!=": lo <= rhs <= hi,
    }
    if op not in true:
        return _BOTH
    return frozenset(({True} if true[op] else set()) | ({False} if false[op] else set()))


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
            check finds them: ``solve(module, option, choice keys)`` with the choices to undo, then (when the
            choices kept take part in the cause) with every choice.

    Returns:
        ``Conflict(choices, constraints)`` per option: the fewest choices to undo (undoing them brings the
        option back) and the rules that rule it out with them (where those choices alone do not, with the
        other choices kept). Options the diagram cannot explain (dead whatever is chosen) or that no rule
        found explains are left out.
    """
    from configurator.solver.dd.explain import corrections

    assumptions = {name: value for name, value, _ in pairs}
    source = {name: key for name, _, key in pairs}
    order = {key: k for k, (_, _, key) in enumerate(pairs)}
    every = list(order)
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
        rule = _rule_for(cp, rules, module, literal, keys, pairs, _local_budget(solve))
        if rule is None and solve is not None:
            rule = _solved(cp, module, option, keys, pairs, solve)
        if rule is None and len(keys) < len(every):
            # undoing ``keys`` brings the option back, but the choices kept take part in the cause
            rule = _rule_for(cp, rules, module, literal, every, pairs, _local_budget(solve))
            if rule is None and solve is not None:
                rule = _solved(cp, module, option, every, pairs, solve)
        if rule is not None:
            reasons[f"{module}.{option}"] = Conflict(tuple(keys), tuple(rule.split("\n")) if rule else ())
    return reasons


def _local_budget(solve: object) -> _Budget:
    """The local checks' budget: smaller when a solver can answer instead."""
    return _Budget() if solve is None else _Budget(SOLVER_LOCAL_WORK, retry=False)


def warm_reasons(session: ConfigurationSession, pause: Callable[[], None] | None = None) -> int:
    """Work out, once per catalog version and date, the reasons each single choice gives: how many options.

    Every option of a module that takes one option is chosen alone in a scratch session and every option it
    removes is explained; the answers the solver had to give are remembered for the process, so later sessions
    explain those options in milliseconds. Takes seconds (2 to 15 on the example catalogs): run it when a
    catalog is first served (the API does, in the background: :mod:`configurator.api.warmup`).

    Args:
        session: a session of the catalog (its date, backend and time limit are used; its choices are not).
        pause: called before each option (a background caller gives way to other work there).
    """
    from configurator.solver.session import ConfigurationSession

    explained = 0
    for module, mod in session.catalog.modules.items():
        if mod.max_choices > 1:
            continue
        for option in mod.options:
            if pause is not None:
                pause()
            scratch = ConfigurationSession(
                session.catalog, on=session.on, backend=session.backend, time_limit=session.time_limit
            )
            scratch.select(module, option)
            explained += len(scratch.removed())
    return explained


_RULES: OrderedDict[
    tuple[int, str, Lit, frozenset[tuple[str, int, str]], bool], tuple[Problem, str | None]
] = OrderedDict()
_RULES_MAX = 50_000


def _rule_for(
    cp: CatalogProblem,
    rules: Sequence[Constraint],
    module: str,
    literal: Lit,
    keys: Sequence[str],
    pairs: Sequence[tuple[str, int, str]],
    budget: _Budget | None = None,
) -> str | None:
    """The rule, or two rules joined by a newline, that rule the option out with the choices ``keys``.

    ``""``: the choices alone do (the option itself was excluded); None: no local check finds the rules.
    Remembered for the process by catalog, option and the choices named (the same option removed by the same
    choices comes back step after step and session after session).
    """
    chosen = set(keys)
    budget = _Budget() if budget is None else budget
    key = (id(cp.problem), module, literal, frozenset(p for p in pairs if p[2] in chosen), budget.retry)
    with _LOCAL_LOCK:
        found = _RULES.get(key)
        if found is not None and found[0] is cp.problem:
            _RULES.move_to_end(key)
            return found[1]
    answer = _rule_search(cp, rules, module, literal, chosen, pairs, budget)
    if answer is None and budget.left <= 0 and budget.retry:
        return None  # cut short by the budget: another try with more room may find the rules
    with _LOCAL_LOCK:
        _RULES[key] = (cp.problem, answer)
        while len(_RULES) > _RULES_MAX:
            _RULES.popitem(last=False)
    return answer


def _rule_search(
    cp: CatalogProblem,
    rules: Sequence[Constraint],
    module: str,
    literal: Lit,
    chosen: set[str],
    pairs: Sequence[tuple[str, int, str]],
    budget: _Budget,
) -> str | None:
    """:func:`_rule_for` without memory: the local checks within the budget."""
    if "/" not in module and module in cp.single and any(k.startswith(f"{module}.") for k in chosen):
        return f"module:{module}:choose"
    fixed = {name: value for name, value, key in pairs if key in chosen}
    values = [v for v in sorted(literal.values) if fixed.get(literal.var, v) == v]
    if not values:
        return ""  # the choice is about this very option (it was excluded)
    touching = [r for r in rules if literal.var in _scope(r) or _scope(r) & fixed.keys()]
    structure = _structure(cp.problem)
    for rule in touching:
        if _forbid_all(cp.problem, [rule], fixed, literal.var, values, structure, budget):
            return rule.id
        if budget.left <= 0:
            return None
    return _pair(cp.problem, rules, touching, fixed, literal.var, values, structure, budget)


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
    problem: Problem,
    group: Sequence[Constraint],
    fixed: Mapping[str, int],
    var: str,
    values: Sequence[int],
    structure: Sequence[Constraint],
    budget: _Budget,
) -> bool:
    """Whether ``group`` (with the modules' cardinalities on its variables, taken as given) rules out every value."""
    names = set().union(*(_scope(c) for c in group))
    given = [c for c in structure if _scope(c) & names]
    return all(_alone_forbids(problem, [*group, *given], {**fixed, var: v}, budget) is True for v in values)


def _pair(
    problem: Problem,
    rules: Sequence[Constraint],
    touching: Sequence[Constraint],
    fixed: Mapping[str, int],
    var: str,
    values: Sequence[int],
    structure: Sequence[Constraint],
    budget: _Budget,
) -> str | None:
    """Rules acting together: two that share a variable (each pair checked on its own variables).

    Only pairs that can matter are checked: together (with the cardinalities on their variables) they reach
    the option's variable and a chosen one; each unordered pair once.
    """
    reach = _reach(problem, structure)
    rank = {id(r): k for k, r in enumerate(touching)}
    tried = 0
    for k, first in enumerate(touching):
        for second in rules:
            if second is first or not _scope(first) & _scope(second) or rank.get(id(second), len(rank)) < k:
                continue
            both = reach[id(first)] | reach[id(second)]
            if var not in both or not any(name in both for name in fixed):
                continue
            tried += 1
            if tried > MAX_PAIRS or budget.left <= 0:
                return None
            if _forbid_all(problem, [first, second], fixed, var, values, structure, budget):
                return f"{first.id}\n{second.id}"
    return None


_REACHES: dict[int, tuple[Problem, dict[int, frozenset[str]]]] = {}


def _reach(problem: Problem, structure: Sequence[Constraint]) -> dict[int, frozenset[str]]:
    """Each rule's variables with those of the cardinalities on them (what a check of it can constrain)."""
    found = _REACHES.get(id(problem))
    if found is None or found[0] is not problem:
        if len(_REACHES) > 64:
            _REACHES.clear()
        reach: dict[int, frozenset[str]] = {}
        for c in problem.constraints:
            names = _scope(c)
            reach[id(c)] = names.union(*(_scope(g) for g in structure if _scope(g) & names))
        found = _REACHES[id(problem)] = (problem, reach)
    return found[1]


_KNOWN: OrderedDict[tuple[int, str], tuple[CatalogProblem, list[tuple[frozenset[Choice], Conflict]]]] = (
    OrderedDict()
)
_KNOWN_MAX = 4096
_KNOWN_PER_OPTION = 16


def recall(cp: CatalogProblem, option: str, made: set[Choice]) -> Conflict | None:
    """A conflict found before (in any session) for ``module.option`` whose choices are all among ``made``.

    A minimal conflict of choices and rules holds in every session that makes those choices (more choices
    cannot undo it), so the solver need not be asked again.
    """
    with _LOCAL_LOCK:
        entry = _KNOWN.get((id(cp), option))
        known = list(entry[1]) if entry is not None and entry[0] is cp else []
    for choices, conflict in known:
        if choices <= made:
            return conflict
    return None


def remember(cp: CatalogProblem, option: str, made: set[Choice], conflict: Conflict) -> None:
    """Keep the solver's conflict for :func:`recall`, with the choices of ``made`` that it names."""
    named = frozenset(c for c in made if c.key in set(conflict.choices))
    with _LOCAL_LOCK:
        entry = _KNOWN.get((id(cp), option))
        known = entry[1] if entry is not None and entry[0] is cp else []
        _KNOWN[(id(cp), option)] = (cp, [*known[-(_KNOWN_PER_OPTION - 1) :], (named, conflict)])
        _KNOWN.move_to_end((id(cp), option))
        while len(_KNOWN) > _KNOWN_MAX:
            _KNOWN.popitem(last=False)
