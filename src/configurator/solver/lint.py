"""Lint for product teams: what a catalog says that it probably does not mean, and why.

Findings: a void catalog (no valid configuration at all), dead options (never selectable), false-optional
options (forced in every configuration although the catalog offers a choice), redundant rules (implied by
the others), unreachable services (their ``requires`` can never hold), missing translations. Each finding
names file:line and explains itself. Semantics come from the solver (exact), on a given date: with the default
CP-SAT engine, every check is asked of one incremental SAT solver of the catalog, encoded once (catalogs whose
tables hold more than :data:`LINT_TABLE_ROWS` rows build a CP-SAT model per check instead).

A dead or false-optional option names the rules that cause it: a minimal set (drop any one of them and the
set no longer kills or forces the option), found by deletion with the solver, with the structure it relies on
(module cardinalities, quantities) said in words. Redundant rules that are redundant only given one another
are one ``redundant-group`` finding: any one of them is implied by the others, but deleting all of them adds
configurations; the finding names the rules that can be deleted together, and causes are sought among the
rules that stay. Every explanation costs solver
checks; past ``max_checks`` for one explanation it is reported as found so far, and says so.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
    ...                 "motor": {"choose": "optional", "options": {"hub": {}}}},
    ...     "rules": [{"id": "no-carbon", "requires": "!frame.carbon"},
    ...               {"id": "again", "excludes": "frame.carbon"}]})
    >>> findings = lint_catalog(cat)
    >>> [(f.code, f.subject, f.rules) for f in findings]  # doctest: +NORMALIZE_WHITESPACE
    [('false-optional', 'frame.alu', ('no-carbon',)), ('dead-option', 'frame.carbon', ('no-carbon',)),
     ('redundant-group', 'no-carbon, again', ('no-carbon', 'again'))]
    >>> findings[1].message
    'frame.carbon can never be selected: rule no-carbon excludes it; other rules exclude it as well'
    >>> findings[2].removable
    ('again',)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from configurator.catalog.compiled import compiled
from configurator.catalog.models import Catalog, Module
from configurator.errors import Location, Problem, SolverError
from configurator.solver import operations
from configurator.solver.backend import Backend, get_backend
from configurator.solver.compile import CatalogCompiler, CatalogProblem, compile_catalog_problem
from configurator.solver.problem import (
    And,
    BoolExpr,
    Constraint,
    Iff,
    Implies,
    Linear,
    Lit,
    Not,
    Or,
    Table,
    Variable,
    scope,
)
from configurator.solver.problem import Problem as SolverProblem
from configurator.solver.sat import SatKernel, suits

__all__ = ["Finding", "lint_catalog"]

LINT_TABLE_ROWS = 500_000
"""Catalogs whose tables hold at most this many rows in all are checked on the incremental SAT solver (encoded
once, about 3 s per 100,000 rows; then milliseconds per check), larger ones on CP-SAT (a model per check)."""

_STRUCTURE = ("cardinality", "quantity")
_CHOOSE = re.compile(r"^(?P<prefix>.*)module:(?P<module>[^:]+):choose$")
_OPTION = re.compile(r"^(?P<prefix>.*)option:(?P<module>[^.:]+)\.(?P<option>[^:]+):(?P<what>qty|sub)$")


@dataclass(frozen=True)
class Finding:
    """One lint finding: a code, the element it is about, where it is written and why it matters.

    Attributes:
        code: ``void-catalog``, ``dead-option``, ``false-optional``, ``redundant-rule``, ``redundant-group``,
            ``unreachable-service`` or ``translation``.
        subject: the element (``module.option``, a rule id, rule ids joined by ``", "``, a service id).
        location: where the element is written (the first rule of a group).
        message: the finding in words, with its cause.
        severity: ``error`` or ``warning``.
        rules: the rules it is about: those that kill or force an option (a minimal set), the redundant
            rule, or every rule of a redundant group.
        removable: the rules that can be deleted together without changing the valid configurations.
        structure: the structure an option's cause relies on, in words (``module frame takes exactly one
            option``).
        minimal: False when the explanation was cut short at the solver-check bound (not minimised).
    """

    code: str
    subject: str
    location: Location
    message: str
    severity: str = "warning"
    rules: tuple[str, ...] = ()
    removable: tuple[str, ...] = ()
    structure: tuple[str, ...] = ()
    minimal: bool = True

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The finding as plain JSON-ready data (``location`` a mapping, tuples as lists).

        Example:
            >>> Finding("dead-option", "m.a", Location("c.yaml", 3), "m.a is dead", rules=("r",)).as_dict()["rules"]
            ['r']
        """
        data = asdict(self)
        for key in ("rules", "removable", "structure"):
            data[key] = list(data[key])
        return data


def lint_catalog(
    catalog: Catalog,
    *,
    on: dt.date | None = None,
    warnings: list[Problem] | None = None,
    backend: Backend | str | None = None,
    max_checks: int = 200,
) -> list[Finding]:
    """Every lint finding of ``catalog`` on the date ``on`` (None: ignore effective dates).

    Args:
        catalog: the catalog.
        on: the date.
        warnings: the loader's warnings (missing translations), reported as findings.
        backend: the solver backend (default CP-SAT).
        max_checks: solver checks allowed to minimise one explanation; past it, the explanation found so far
            is reported with ``minimal=False`` and says so.
    """
    engine = backend if backend is not None and not isinstance(backend, str) else get_backend(backend)
    cp = compile_catalog_problem(catalog, on)
    problem = cp.problem
    explainer = _Explainer(cp, engine, max_checks)
    if not explainer.feasible(problem.constraints):
        conflict = operations.explain(problem, {}, hard=(), backend=engine)
        blame = ", ".join(conflict.constraints) if conflict else "the structure"
        return [
            Finding(
                "void-catalog",
                catalog.catalog,
                catalog.locate("catalog"),
                f"no configuration satisfies every rule; minimal conflict: {blame}",
                "error",
            )
        ]
    domains = explainer.domains()
    redundant = _redundant_rules(catalog, problem, explainer)
    # causes are sought among the rules that stay once the removable ones go: same configurations, and a
    # cause never names a rule this lint says to delete
    explainer.removable = {rid for f in redundant for rid in f.removable}
    findings = _option_findings(catalog, cp, domains, on, explainer)
    findings += redundant
    findings += _unreachable_services(catalog, problem, engine, on)
    for warning in warnings or []:
        findings.append(
            Finding(
                "translation",
                warning.location.path,
                warning.location,
                warning.message + (f" ({warning.hint})" if warning.hint else ""),
            )
        )
    return findings


def _kernel(problem: SolverProblem, engine: Backend) -> SatKernel | None:
    """An incremental SAT solver of ``problem`` for lint's checks, when the engine is CP-SAT and it suits.

    Lint's own (not the process's: its many checks add clauses a session has no use for), encoded once.
    """
    from configurator.solver.backends.cpsat import CpSatBackend  # loaded already: the engine is built

    if not isinstance(engine, CpSatBackend) or not suits(problem, max_rows=LINT_TABLE_ROWS):
        return None
    try:
        return SatKernel(problem)
    except SolverError:  # python-sat missing, or sums beyond the encoder's budget: CP-SAT checks
        return None


@dataclass(frozen=True)
class _Cause:
    """Why an option is dead or forced: a minimal set of rules, the structure in words, other causes."""

    rules: tuple[str, ...]
    structure: tuple[str, ...]
    others: bool
    minimal: bool


class _Explainer:
    """Solver checks over one compiled catalog: implication, minimal causes and supports."""

    def __init__(self, cp: CatalogProblem, engine: Backend, max_checks: int) -> None:
        self.problem = cp.problem
        self.engine = engine
        self.max_checks = max(1, max_checks)
        self.variables: tuple[Variable, ...] = cp.problem.variables
        self.catalogs: dict[str, Catalog] = {}
        self.singles: dict[str, tuple[str, str]] = {}  # variable -> (prefix, module) of one-choice modules
        self.removable: set[str] = set()  # rules that can be deleted together: left out of causes
        self.kernel = _kernel(cp.problem, engine)
        self._index(cp)

    def domains(self) -> dict[str, tuple[int, ...]]:
        """Every variable's values that some valid configuration takes (on the kernel when there is one)."""
        if self.kernel is None:
            return operations.propagate(self.problem, backend=self.engine)
        from configurator.solver.backends.cpsat import SatFirstPropagator

        native = SatFirstPropagator(self.kernel, self.problem)
        return operations.Propagator(self.problem, backend=self.engine, native=native).domains()

    def _index(self, cp: CatalogProblem) -> None:
        self.catalogs[cp.prefix] = cp.catalog
        for module in cp.single:
            self.singles[cp.prefix + module] = (cp.prefix, module)
        for sub in cp.subs.values():
            self._index(sub)

    def feasible(self, constraints: Iterable[Constraint]) -> bool:
        """Whether some assignment satisfies all ``constraints``.

        Lint's incremental SAT solver of the catalog (:func:`_kernel`) answers where there is one: exact, as
        the engine is, in milliseconds per check where a CP-SAT model built per check takes from tens of
        milliseconds to seconds (docs/benchmarks.md, "Lint"); otherwise the engine.
        """
        constraints = tuple(constraints)
        if self.kernel is not None:
            try:
                return self.kernel.feasible(constraints)
            except SolverError:
                self.kernel = None  # a sum too large to encode: the engine takes this and the later checks
        return self.engine.solve(SolverProblem(self.variables, constraints)).found

    def implied(self, constraints: Iterable[Constraint], expr: BoolExpr) -> bool:
        """Whether every assignment satisfying ``constraints`` satisfies ``expr``."""
        return not self.feasible((*constraints, Constraint("lint:negated", Not(expr), "lint")))

    def shrink(self, hard: Sequence[Constraint], soft: Sequence[Constraint]) -> tuple[list[Constraint], bool]:
        """A minimal part of ``soft`` still infeasible with ``hard`` (``hard + soft`` is infeasible).

        Chunks are dropped while the rest stays infeasible, halving the chunk down to single constraints;
        the last pass tries every constraint alone, so the result is irreducible. Returns the part and
        whether it was minimised within ``max_checks`` solver checks. Later constraints are dropped first,
        so the earlier-written of two equivalent rules is the one named.
        """
        kept = list(reversed(soft))
        size, checks = max(1, len(kept) // 2), 0
        while True:
            i = 0
            while i < len(kept):
                if checks >= self.max_checks:
                    return kept[::-1], False
                trial = kept[:i] + kept[i + size :]
                checks += 1
                if self.feasible((*hard, *trial)):
                    i += size
                else:
                    kept = trial
            if size == 1:
                return kept[::-1], True
            size = max(1, size // 2)

    def cause(self, expr: BoolExpr) -> _Cause:
        """A minimal set of rules (with the structure) under which ``expr`` never holds.

        It is sought among the rules that are not ``removable``; ``others`` tells whether ``expr`` still never
        holds in the whole catalog once those rules are deleted.
        """
        kept_rules = [c for c in self.problem.constraints if c.id not in self.removable]
        constraints = _connected(kept_rules, scope(expr))
        kept, minimal = self.shrink((Constraint("lint:subject", expr, "lint"),), constraints)
        rules = tuple(c.id for c in kept if c.kind not in _STRUCTURE)
        named = set(rules)
        others = bool(rules) and not self.feasible(
            (
                *(c for c in self.problem.constraints if c.id not in named),
                Constraint("lint:subject", expr, "lint"),
            )
        )
        return _Cause(rules, self.structure(kept, expr), others, minimal)

    def structure(self, kept: Sequence[Constraint], subject: BoolExpr) -> tuple[str, ...]:
        """The structure ``kept`` relies on, in words.

        Its cardinalities, and the one-choice modules whose "one at most" (or "one at least") it uses: those
        of which it names two values or more, and the subject's own module when no rule is involved.
        """
        words: list[str] = []
        values = _values((subject, *(c.expr for c in kept)))
        alone = all(c.kind in _STRUCTURE for c in kept)
        for var in self.variables:
            seen = values.get(var.name)
            if var.name in self.singles and seen is not None and (alone or len(seen) > 1):
                words.append(self.describe(*self.singles[var.name]))
        for constraint in kept:
            if constraint.kind not in _STRUCTURE:
                continue
            if match := _CHOOSE.match(constraint.id):
                text = self.describe(match["prefix"], match["module"])
            elif match := _OPTION.match(constraint.id):
                text = self.describe_option(match["prefix"], match["module"], match["option"], match["what"])
            else:  # pragma: no cover - every structural constraint is named one of the ways above
                text = f"structure {constraint.id}"
            if text not in words:
                words.append(text)
        return tuple(words)

    def describe(self, prefix: str, module: str) -> str:
        """``module frame takes exactly one option`` (with the sub-assembly it belongs to)."""
        mod = self.catalogs[prefix].modules[module]
        where = f" of {prefix.rstrip('/')} (when selected)" if prefix else ""
        return f"module {module}{where} takes {_takes(mod)}"

    def describe_option(self, prefix: str, module: str, option: str, what: str) -> str:
        """Words for a quantity link or a sub-assembly link."""
        name = f"{prefix}{module}.{option}"
        if what == "sub":
            return f"sub-assembly {name} is configured only when it is selected"
        qty = self.catalogs[prefix].modules[module].options[option].qty
        return f"{name} comes in quantities {qty.min} to {qty.max} when selected"


def _takes(module: Module) -> str:
    """How many options a module takes, in words."""
    low, high, count = module.choose.min, module.max_choices, len(module.options)

    def n(k: int) -> str:
        return "one option" if k == 1 else f"{k} options"

    if low == high:
        return f"exactly {n(low)}"
    if low == 0:
        return "any number of options" if high >= count else f"at most {n(high)}"
    return f"at least {n(low)}" if high >= count else f"between {low} and {high} options"


def _values(exprs: Iterable[BoolExpr]) -> dict[str, set[int | None]]:
    """The values each variable is compared with in ``exprs`` (``None``: every value, as in a table).

    Example:
        >>> from configurator.solver.problem import Or
        >>> _values([Or((Lit("a", frozenset({1})), Not(Lit("a", frozenset({2})))))])
        {'a': {1, 2}}
    """
    found: dict[str, set[int | None]] = {}
    stack: list[BoolExpr | str] = list(exprs)
    while stack:
        node = stack.pop()
        match node:
            case Lit(var=var, values=vals):
                found.setdefault(var, set()).update(vals)
            case Not(arg=arg):
                stack.append(arg)
            case And(args=args) | Or(args=args):
                stack.extend(args)
            case Implies(a=a, b=b) | Iff(a=a, b=b):
                stack.extend((a, b))
            case Linear(terms=terms):
                stack.extend(t for _, t in terms)
            case Table(vars=names):
                for name in names:
                    found.setdefault(name, set()).update((None, -1))
    return found


def _connected(constraints: Sequence[Constraint], seeds: set[str]) -> list[Constraint]:
    """The constraints linked to the variables ``seeds`` through shared variables.

    The others cannot matter to them, the whole being feasible.
    """
    reached, pending, changed = set(seeds), list(constraints), True
    linked: list[Constraint] = []
    while changed:
        changed = False
        for constraint in list(pending):
            names = scope(constraint.expr)
            if names & reached:
                reached |= names
                linked.append(constraint)
                pending.remove(constraint)
                changed = True
    order = {c.id: i for i, c in enumerate(constraints)}
    return sorted(linked, key=lambda c: order[c.id])


def _because(cause: _Cause, verb: str) -> str:
    """``rule r excludes it (given that module m takes ...)``, ``other rules ...`` and the bound, in words."""
    if cause.rules:
        who = ("rule " if len(cause.rules) == 1 else "rules ") + ", ".join(cause.rules)
        text = f"{who} {verb + 's' if len(cause.rules) == 1 else verb} it"
    else:
        text = f"the structure alone {verb}s it"
    if cause.structure:
        text += f" (given that {'; '.join(cause.structure)})"
    if cause.others:
        text += f"; other rules {verb} it as well"
    if not cause.minimal:
        text += " (not minimised: stopped at the bound of solver checks)"
    return text


def _option_findings(
    catalog: Catalog,
    cp: CatalogProblem,
    domains: Mapping[str, tuple[int, ...]],
    on: dt.date | None,
    explainer: _Explainer,
) -> list[Finding]:
    """Dead options (never selectable) and false-optional ones (in every configuration), with their causes."""
    findings: list[Finding] = []
    for (module, option), literal in cp.option_literals().items():
        if not isinstance(literal, Lit):
            continue
        values = domains[literal.var]
        where = catalog.locate("modules", module, "options", option)
        mod = catalog.modules[module]
        if not (mod.effective(on) and mod.options[option].effective(on)):
            continue  # not on sale on this date: its absence is intended
        subject = f"{module}.{option}"
        if not any(v in literal.values for v in values):
            cause = explainer.cause(literal)
            message = f"{subject} can never be selected: {_because(cause, 'exclude')}"
            findings.append(_option_finding("dead-option", subject, where, message, cause))
        elif all(v in literal.values for v in values) and not (mod.choose.min >= 1 and len(mod.options) == 1):
            cause = explainer.cause(Not(literal))
            message = (
                f"{subject} is in every valid configuration although the catalog offers a choice: "
                f"{_because(cause, 'force')}; make it mandatory or fix the rules that force it"
            )
            findings.append(_option_finding("false-optional", subject, where, message, cause))
    return findings


def _option_finding(code: str, subject: str, where: Location, message: str, cause: _Cause) -> Finding:
    return Finding(
        code, subject, where, message, rules=cause.rules, structure=cause.structure, minimal=cause.minimal
    )


def _redundant_rules(catalog: Catalog, problem: SolverProblem, explainer: _Explainer) -> list[Finding]:
    """Rules implied by the others and the structure: alone (delete it) or in groups (delete some of them).

    A rule implied by the non-redundant rules is redundant alone. The others are grouped by what implies
    them: each is linked to a minimal set of redundant rules that implies it together with the rest, and
    linked rules form a group. The rules to delete are chosen greedily (last written first): a rule goes
    when the rules still kept imply it, so all of them can go together.
    """
    rule_index = {r.id: i for i, r in enumerate(catalog.rules)}
    candidates = [c for c in problem.constraints if c.kind not in _STRUCTURE and c.id in rule_index]
    redundant = [
        c for c in candidates if explainer.implied((o for o in problem.constraints if o.id != c.id), c.expr)
    ]
    if not redundant:
        return []
    redundant_ids = {c.id for c in redundant}
    base = [c for c in problem.constraints if c.id not in redundant_ids]
    alone = {c.id for c in redundant if explainer.implied(base, c.expr)}
    grouped = [c for c in redundant if c.id not in alone]
    parent = {c.id: c.id for c in grouped}

    def root(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    minimal: dict[str, bool] = {}
    for rule in grouped:
        hard = (*base, Constraint("lint:negated", Not(rule.expr), "lint"))
        support, done = explainer.shrink(hard, [c for c in grouped if c.id != rule.id])
        for other in support:
            parent[root(other.id)] = root(rule.id)
        minimal[rule.id] = done
    removed: set[str] = set(alone)
    for rule in reversed(grouped):
        rest = (c for c in problem.constraints if c.id not in removed and c.id != rule.id)
        if explainer.implied(rest, rule.expr):
            removed.add(rule.id)
    findings: list[tuple[int, Finding]] = []
    for rid in sorted(alone, key=rule_index.__getitem__):
        findings.append((rule_index[rid], _alone(catalog, rid, rule_index[rid])))
    groups: dict[str, list[str]] = {}
    for rule in grouped:
        groups.setdefault(root(rule.id), []).append(rule.id)
    for members in groups.values():
        members.sort(key=rule_index.__getitem__)
        done = all(minimal[m] for m in members)
        findings.append((rule_index[members[0]], _group(catalog, members, removed, rule_index, done)))
    return [f for _, f in sorted(findings, key=lambda pair: pair[0])]


def _alone(catalog: Catalog, rid: str, index: int) -> Finding:
    return Finding(
        "redundant-rule",
        rid,
        catalog.locate("rules", index),
        f"rule {rid} is implied by the other rules and the structure; it never removes a configuration "
        "and can be deleted",
        rules=(rid,),
        removable=(rid,),
    )


def _group(
    catalog: Catalog, members: list[str], removed: set[str], rule_index: Mapping[str, int], done: bool
) -> Finding:
    removable = tuple(m for m in members if m in removed)
    kept = tuple(m for m in members if m not in removed)
    names = ", ".join(members)
    message = (
        f"rules {names} are redundant only together: any one of them is implied by the others and the "
        f"structure, but deleting all of them adds configurations; delete {', '.join(removable)}"
        f"{' (together)' if len(removable) > 1 else ''} and keep {', '.join(kept)}"
    )
    if not done:
        message += " (grouping not minimised: stopped at the bound of solver checks)"
    return Finding(
        "redundant-group",
        names,
        catalog.locate("rules", rule_index[members[0]]),
        message,
        rules=tuple(members),
        removable=removable,
        minimal=done,
    )


def _unreachable_services(
    catalog: Catalog, problem: SolverProblem, engine: Backend, on: dt.date | None
) -> list[Finding]:
    """Services on sale whose ``requires`` no valid configuration meets."""
    findings: list[Finding] = []
    compiler = CatalogCompiler(catalog, on)
    compiler.structure()
    requires = compiled(catalog).service_requires
    for sid, service in catalog.services.items():
        if sid not in requires or not service.effective(on):
            continue
        expr = compiler.boolean(requires[sid])
        extended = operations.with_constraints(problem, Constraint(f"service:{sid}", expr, "service"))
        if not engine.solve(extended).found:
            findings.append(
                Finding(
                    "unreachable-service",
                    sid,
                    catalog.locate("services", sid, "requires"),
                    f"service {sid} requires {service.requires!r}, which no valid configuration meets",
                )
            )
    return findings
