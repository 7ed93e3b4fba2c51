"""Interactive configuration in catalog terms.

Choices are set and unset in any order; the session answers with exact valid domains and reasons, completes,
optimises, proposes top-k diverse bundles, explains conflicts, ranks repairs, counts and reconfigures.

Sub-assemblies (options with ``product:``) are configured together with the bundle: every configuration the
session returns carries a checker-valid ``sub`` configuration for each selected sub-assembly, and counts count
them. A sub-assembly's option is named by its module path (``select("tall_units.oven_tower/housing",
"tall_2250")``, weights ``"tall_units.oven_tower/housing.tall_2250"``); :meth:`ConfigurationSession.domains`
lists the top-level modules only.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
    ...                 "motor": {"choose": "optional", "options": {"hub": {"price": 700}}}},
    ...     "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}]})
    >>> s = ConfigurationSession(cat)
    >>> s.select("frame", "carbon")
    >>> s.available()["motor"]
    ()
    >>> s.why("motor", "hub")
    Conflict(choices=('frame.carbon',), constraints=('no-hub',))
    >>> s.count()
    1
    >>> s.select("motor", "hub")
    >>> s.repair({"frame.carbon": 5}).drop
    ('motor.hub',)
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from configurator.catalog.check import Violation, find_violations
from configurator.catalog.compiled import symbols_of
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog, Module
from configurator.errors import BackendLimitError, ConfigurationError, SolverError, suggest
from configurator.rules.types import compile_expression
from configurator.solver import operations
from configurator.solver.backend import Backend, Capability, Optimizer, Result, Status, get_backend, require
from configurator.solver.choices import Bundle, Choice, Weights
from configurator.solver.closeness import closeness, configuration_key, plain_change, quantity_at
from configurator.solver.compile import (
    CatalogCompiler,
    CatalogProblem,
    compile_catalog_problem,
    several_units,
)
from configurator.solver.memo import Recent
from configurator.solver.problem import (
    BoolExpr,
    Const,
    Constraint,
    Linear,
    Lit,
    Not,
    Objective,
    Problem,
    Term,
)

if TYPE_CHECKING:
    from configurator.solver.dd import CompiledDiagram, DiagramCursor

__all__ = ["Bundle", "Choice", "ConfigurationSession", "Conflict", "Weights", "list_price"]

Conflict = operations.Conflict

_UNCOMPILED: dict[tuple[Problem, float, int], None] = {}
"""Problems (with the budgets they were tried under) that did not compile into a diagram in ``auto`` mode."""
_UNCOMPILED_MAX = 64
_UNCOMPILED_LOCK = threading.Lock()

_PROBLEMS: Recent[tuple[int, dt.date | None], CatalogProblem] = Recent(64)
"""Compiled catalogs by catalog object (its ``id``, checked against the one kept) and date."""

_OPEN_DOMAINS: Recent[tuple[int, str], tuple[CatalogProblem, dict[str, tuple[str, ...]]]] = Recent(64)
"""The solver's domains with no choice, by compiled catalog (its ``id``, checked) and backend name."""


def _catalog_problem(catalog: Catalog, on: dt.date | None) -> CatalogProblem:
    """``compile_catalog_problem(catalog, on)``, once per catalog object and date in this process.

    Catalogs are frozen, so one object compiles to one problem on a date; the entry keeps the catalog alive,
    so its ``id`` cannot name another object while the entry is kept. Two threads may both compile on a miss
    (a few milliseconds); the later one is kept.
    """
    key = (id(catalog), on)
    found = _PROBLEMS.get(key)
    if found is not None and found.catalog is catalog:
        return found
    cp = compile_catalog_problem(catalog, on)
    _PROBLEMS.put(key, cp)
    return cp


class ConfigurationSession:
    """An interactive configuration of one catalog on one date.

    Args:
        catalog: the catalog.
        on: the date for effective dates (None: ignore them).
        backend: backend name or instance (default CP-SAT).
        time_limit: seconds per optimisation.
        propagation: ``auto`` compiles the catalog once into a decision diagram (when it compiles within
            ``compile_time_limit`` and ``compile_memory``) and answers :meth:`domains` from it in well under a
            millisecond; otherwise the solver answers (an :class:`~configurator.solver.operations.Propagator`
            kept for the session: its model and the solutions it found are reused at every step, tens of
            milliseconds on the example catalogs); ``diagram`` or ``solver`` force one engine.
        compile_time_limit: seconds allowed for compiling the diagram in ``auto`` mode.
        compile_memory: CUDD's memory cap in bytes for compiling the diagram in ``auto`` mode: a catalog that
            needs more fails within a fraction of a second instead of after seconds of one diagram operation.
            Problems that failed are remembered for the process, so later sessions go straight to the solver.
        memo: how many :meth:`reconfigure` and :meth:`validate` answers to remember (the most recently used);
            0 remembers none.
            Worth it where many customers own the same configuration (a campaign over the installed base).

    The catalog's problem and its diagram are compiled once per process and shared by every session of the
    same catalog, date and budgets (the diagram through :func:`~configurator.solver.dd.diagram_cache`); a
    session keeps only its choices and its own propagation state, so sessions never see each other's choices.
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        on: dt.date | None = None,
        backend: Backend | str | None = None,
        time_limit: float | None = 10.0,
        propagation: str = "auto",
        compile_time_limit: float = 10.0,
        compile_memory: int = 64 << 20,
        memo: int = 0,
    ) -> None:
        if propagation not in ("auto", "diagram", "solver"):
            raise SolverError(f"unknown propagation engine {propagation!r}; use auto, diagram or solver")
        self.propagation = propagation
        self.compile_time_limit = compile_time_limit
        self.compile_memory = compile_memory
        self._diagram: CompiledDiagram | None = None
        self._cursor: DiagramCursor | None = None
        self._propagator: operations.Propagator | None = None
        self._optimizer: Optimizer | None = None
        self._diagram_failed = propagation == "solver"
        self._reconfigured: Recent[tuple[object, ...], tuple[Configuration | None]] | None = (
            Recent(memo) if memo > 0 else None
        )
        self._validated: Recent[tuple[object, ...], tuple[Violation, ...]] | None = (
            Recent(memo) if memo > 0 else None
        )
        self.catalog = catalog
        self.on = on
        self.backend = (
            backend if backend is not None and not isinstance(backend, str) else get_backend(backend)
        )
        self.time_limit = time_limit
        self.cp: CatalogProblem = _catalog_problem(catalog, on)
        self._choices: dict[str, Choice] = {}
        self._structure = tuple(
            c.id for c in self.cp.problem.constraints if c.kind in ("cardinality", "quantity")
        )

    # --- choices -----------------------------------------------------------------------------------
    def _check(self, module: str, option: str) -> Module:
        """The module (of the catalog or of a sub-assembly, by path) that offers ``option``."""
        try:
            owner, local = self.cp.locate(module)
        except KeyError:
            raise ConfigurationError(f"unknown sub-assembly in module path {module!r}") from None
        modules = owner.catalog.modules
        if local not in modules:
            hint = suggest(local, modules)
            raise ConfigurationError(f"unknown module {module!r}" + (f" ({hint})" if hint else ""))
        if option not in modules[local].options:
            hint = suggest(option, modules[local].options)
            raise ConfigurationError(f"unknown option {module}.{option}" + (f" ({hint})" if hint else ""))
        return modules[local]

    def select(self, module: str, option: str, qty: int | None = None) -> None:
        """Choose ``module.option``, replacing an earlier choice about the same option.

        In a module that takes one option, the new option replaces the module's selected one. A quantity
        outside the option's range, or one option more than a module takes, is refused with the range.

        Raises:
            ConfigurationError: an unknown module or option, a quantity out of range, or too many options.
        """
        mod = self._check(module, option)
        limits = mod.options[option].qty
        if qty is not None and not limits.min <= qty <= limits.max:
            span = f"{limits.min}" if limits.min == limits.max else f"{limits.min} to {limits.max}"
            raise ConfigurationError(f"{module}.{option}: the quantity must be {span}, got {qty}")
        others = [
            c for c in self._choices.values() if c.module == module and c.selected and c.option != option
        ]
        if mod.max_choices <= 1:
            for c in others:
                del self._choices[c.key]
        elif len(others) >= mod.max_choices:
            raise ConfigurationError(
                f"{module} takes at most {mod.max_choices} options, and {len(others)} are selected: "
                f"{', '.join(c.option for c in others)}; unset one first"
            )
        choice = Choice(module, option, True, qty)
        self._choices.pop(choice.key, None)
        self._choices[choice.key] = choice

    def deselect(self, module: str, option: str) -> None:
        """Exclude ``module.option`` explicitly."""
        self._check(module, option)
        choice = Choice(module, option, False)
        self._choices.pop(choice.key, None)
        self._choices[choice.key] = choice

    def unset(self, module: str, option: str) -> None:
        """Forget any choice about ``module.option``."""
        self._choices.pop(f"{module}.{option}", None)

    def clear(self) -> None:
        """Forget every choice."""
        self._choices.clear()

    def copy(self) -> ConfigurationSession:
        """The same catalog, date, engines and choices in a session of its own (to work on in another thread)."""
        twin = ConfigurationSession(
            self.catalog,
            on=self.on,
            backend=self.backend,
            time_limit=self.time_limit,
            propagation=self.propagation,
            compile_time_limit=self.compile_time_limit,
            compile_memory=self.compile_memory,
            memo=self._reconfigured.size if self._reconfigured is not None else 0,
        )
        twin._choices = dict(self._choices)
        twin._diagram, twin._diagram_failed = self._diagram, self._diagram_failed
        twin._cursor = (
            self._cursor.copy() if self._cursor is not None else None
        )  # its counters, not a restart
        return twin

    @property
    def choices(self) -> tuple[Choice, ...]:
        """The current choices in the order they were made."""
        return tuple(self._choices.values())

    def _choice_expr(self, choice: Choice) -> BoolExpr:
        selected = self.cp.selected(choice.module, choice.option)
        if not choice.selected:
            return Not(selected)
        if choice.qty is None:
            return selected
        terms = self.cp.quantity_term(choice.module, choice.option)
        if len(terms) == 1 and isinstance(terms[0][1], str):
            return Lit(terms[0][1], frozenset({choice.qty}))
        return selected if choice.qty == 1 else Const(False)

    def _choice_constraints(self, choices: Sequence[Choice] | None = None) -> list[Constraint]:
        return [
            Constraint(f"choice:{c.key}", self._choice_expr(c), "choice") for c in (choices or self.choices)
        ]

    def _problem(self, *extra: Constraint) -> Problem:
        return operations.with_constraints(self.cp.problem, *self._choice_constraints(), *extra)

    # --- operations ---------------------------------------------------------------------------------
    def validate(self, configuration: Configuration) -> list[Violation]:
        """Rules (and cardinalities, quantities, dates) a full configuration violates, via the checker.

        With a ``memo``, the checker's answer is remembered under the configuration's exact contents.
        """
        if self._validated is None:
            return find_violations(self.catalog, configuration, on=self.on)
        key = configuration_key(configuration)
        found = self._validated.get(key)
        if found is None:
            found = tuple(find_violations(self.catalog, configuration, on=self.on))
            self._validated.put(key, found)
        return list(found)

    def diagram(self) -> CompiledDiagram | None:
        """The catalog compiled to a decision diagram, or None when it does not compile in time.

        The diagram is compiled once per process and shared with every session of an equal problem under the
        same budgets (see :class:`~configurator.solver.dd.DiagramCache`); it is only ever read.
        """
        if self._diagram is None and not self._diagram_failed:
            from configurator.solver.dd import diagram_cache

            forced = self.propagation == "diagram"
            key = (self.cp.problem, self.compile_time_limit, self.compile_memory)
            if not forced and key in _UNCOMPILED:
                self._diagram_failed = True
                return None
            try:
                self._diagram = diagram_cache().get(
                    self.cp.problem,
                    time_limit=None if forced else self.compile_time_limit,
                    max_memory=None if forced else self.compile_memory,
                )
            except BackendLimitError:
                if forced:
                    raise
                self._diagram_failed = True
                with _UNCOMPILED_LOCK:
                    _UNCOMPILED[key] = None
                    while len(_UNCOMPILED) > _UNCOMPILED_MAX:
                        del _UNCOMPILED[next(iter(_UNCOMPILED))]
        return self._diagram

    def _assumptions(self) -> dict[str, int] | None:
        """The choices as single values per variable, or None when one of them is not of that form."""
        pairs = self._assumption_pairs()
        return None if pairs is None else {name: value for name, value, _ in pairs}

    def _assumption_pairs(self) -> list[tuple[str, int, str]] | None:
        """The choices as ``(variable, value, choice key)``, or None when one of them is not of that form."""
        out: dict[str, int] = {}
        found: list[tuple[str, int, str]] = []
        for choice in self.choices:
            literal = self.cp.selected(choice.module, choice.option)
            if not isinstance(literal, Lit):
                return None
            owner, local = self.cp.locate(choice.module)
            qty_var = owner.qty_vars.get((local, choice.option))
            if local in owner.single:
                if not choice.selected:
                    return None
                pairs = [(literal.var, next(iter(literal.values)))]
                if choice.qty is not None:
                    if qty_var is None:
                        if choice.qty != 1:
                            return None
                    else:
                        pairs.append((qty_var, choice.qty))
            elif not choice.selected:
                pairs = [(literal.var, 0)]
            elif choice.qty is not None:
                pairs = [(literal.var, choice.qty)]
            elif len(literal.values) == 1:
                pairs = [(literal.var, next(iter(literal.values)))]
            else:
                return None
            for name, value in pairs:
                if out.setdefault(name, value) != value:
                    return None
                found.append((name, value, choice.key))
        return found

    def domains(self) -> dict[str, tuple[str, ...]]:
        """Per module, the options that still extend to a full valid configuration (exact, backtrack-free)."""
        assumptions = self._assumptions() if self.propagation != "solver" else None
        diagram = self.diagram() if assumptions is not None else None
        if diagram is None or assumptions is None:
            return self._domains_by_solver()
        if self._cursor is None:
            self._cursor = diagram.cursor()  # the session's own propagation state over the shared diagram
        domains = self._cursor.valid_domains(assumptions)
        available: dict[str, tuple[str, ...]] = {}
        for module in self.catalog.modules:
            options: list[str] = []
            for option in self.catalog.modules[module].options:
                if self._possible(domains, module, option):
                    options.append(option)
            available[module] = tuple(options)
        return available

    def _domains_by_solver(self) -> dict[str, tuple[str, ...]]:
        """:meth:`domains` through the session's propagator: one query per option literal, choices as extras.

        With no choice the answer is the same for every session of the compiled catalog, so it is computed once
        per process (a session's first view of a catalog that does not compile to a diagram).
        """
        key = (id(self.cp), self.backend.name)
        if not self._choices:
            found = _OPEN_DOMAINS.get(key)
            if found is not None and found[0] is self.cp:
                return dict(found[1])
        if self._propagator is None:
            self._propagator = operations.Propagator(self.cp.problem, backend=self.backend)
        keys: list[tuple[str, str]] = []
        queries: list[Lit] = []
        for module, mod in self.catalog.modules.items():
            for option in mod.options:
                literal = self.cp.selected(module, option)
                if isinstance(literal, Lit):
                    keys.append((module, option))
                    queries.append(literal)
        extra = [self._choice_expr(c) for c in self.choices]
        supported = self._propagator.supported(queries, extra=extra)
        possible = {k for k, ok in zip(keys, supported, strict=True) if ok}
        domains = {
            module: tuple(option for option in mod.options if (module, option) in possible)
            for module, mod in self.catalog.modules.items()
        }
        if not extra:
            _OPEN_DOMAINS.put(key, (self.cp, dict(domains)))
        return domains

    def _possible(self, domains: Mapping[str, tuple[int, ...]], module: str, option: str) -> bool:
        literal = self.cp.selected(module, option)
        if isinstance(literal, Lit):
            return any(v in literal.values for v in domains.get(literal.var, ()))
        return False

    available = domains

    def removed(self) -> dict[str, Conflict]:
        """Every option that can no longer be selected, by ``module.option``, with its reason.

        With a compiled diagram, the reason names the fewest choices to undo to get the option back (undoing
        them brings it back) and the rule that rules it out with them, for every option at once
        (:mod:`configurator.solver.reasons`, milliseconds); otherwise, and for an option no single rule
        explains, it is a minimal set of the user's choices and rules from the solver (:meth:`why`). An option
        out of date, or dead whatever is chosen, names its dates or rules only.
        """
        domains = self.domains()
        gone = [
            (module, option)
            for module, mod in self.catalog.modules.items()
            for option in mod.options
            if option not in domains[module]
        ]
        from configurator.solver.reasons import removed_reasons

        fast: dict[str, Conflict] = {}
        pairs = self._assumption_pairs() if self.propagation != "solver" else None
        diagram = self.diagram() if pairs is not None else None
        if diagram is not None and pairs is not None:
            fast = removed_reasons(self.cp, diagram, pairs, gone, self._why_with)
        # no diagram: the solver's minimal conflict on its kept incremental SAT solver (a millisecond or two,
        # remembered), far faster than searching the rules locally in Python (kitchen: 2.2 s per step at p95)
        reasons: dict[str, Conflict] = {}
        for module, option in gone:
            key = f"{module}.{option}"
            reason = fast.get(key) or self._slow_reason(module, option)
            if reason is not None:
                reasons[key] = reason
        return reasons

    def _why_with(self, module: str, option: str, keys: Sequence[str]) -> Conflict | None:
        """:meth:`why` with only the choices ``keys`` (the ones to undo to get the option back)."""
        wanted = set(keys)
        structure = [c for c in self.cp.problem.constraints if c.id in self._structure]
        target = Constraint(f"target:{module}.{option}", self.cp.selected(module, option), "target")
        rules = [c for c in self.cp.problem.constraints if c.id not in self._structure]
        choices = [c for c in self.choices if c.key in wanted]
        found = operations.minimal_conflict(
            self.cp.problem.variables,
            [*structure, target, *self._choice_constraints(choices)],
            rules,
            backend=self.backend,
        )
        return None if found is None else Conflict(tuple(keys), _conflict(found).constraints)

    def _slow_reason(self, module: str, option: str) -> Conflict | None:
        """:meth:`why` by the solver, unless a conflict found before (in any session) still holds."""
        from configurator.solver.reasons import recall, remember

        made = set(self.choices)
        reason = recall(self.cp, f"{module}.{option}", made)
        if reason is None and (reason := self.why(module, option)) is not None:
            remember(self.cp, f"{module}.{option}", made, reason)
        return reason

    def why(self, module: str, option: str) -> Conflict | None:
        """Why ``module.option`` cannot be selected: a minimal set of the user's choices and rules (None if it can)."""
        mod = self._check(module, option)
        if not (mod.effective(self.on) and mod.options[option].effective(self.on)):
            return Conflict((), (f"option:{module}.{option}:effective",))
        structure = [c for c in self.cp.problem.constraints if c.id in self._structure]
        target = Constraint(f"target:{module}.{option}", self.cp.selected(module, option), "target")
        rules = [c for c in self.cp.problem.constraints if c.id not in self._structure]
        found = operations.minimal_conflict(
            self.cp.problem.variables,
            [*structure, target],
            [*self._choice_constraints(), *rules],
            backend=self.backend,
        )
        if found is None:
            return None
        conflict = _conflict(found)
        if mod.max_choices <= 1 and any(c.startswith(f"{module}.") for c in conflict.choices):
            # another option of this single-choice module is chosen: the module's cardinality is the reason
            return Conflict(conflict.choices, (*conflict.constraints, f"module:{module}:choose"))
        return conflict

    def explain(self) -> Conflict | None:
        """A minimal conflict among the current choices and the rules (None when they are satisfiable)."""
        structure = [c for c in self.cp.problem.constraints if c.id in self._structure]
        rules = [c for c in self.cp.problem.constraints if c.id not in self._structure]
        found = operations.minimal_conflict(
            self.cp.problem.variables, structure, [*self._choice_constraints(), *rules], backend=self.backend
        )
        return None if found is None else _conflict(found)

    def repair(self, weights: Mapping[str, int] | None = None) -> operations.Repair | None:
        """The cheapest set of current choices to give up (cost per ``module.option``, default 1 each)."""
        choices = self.choices
        terms: tuple[tuple[int, Term], ...] = tuple(
            ((weights or {}).get(c.key, 1), self._choice_expr(c)) for c in choices
        )
        require(self.backend, "repair", Capability.OPTIMIZE, *self._timed())
        result = self.backend.solve(
            self.cp.problem, objectives=[Objective(terms, 0, "max")], time_limit=self.time_limit
        )
        if result.assignment is None:
            return None
        config = self.cp.to_configuration(result.assignment)
        drop = tuple(c.key for c in choices if not _satisfied(c, config))
        return operations.Repair(drop, sum((weights or {}).get(k, 1) for k in drop), result.assignment)

    def _timed(self) -> tuple[Capability, ...]:
        """The time-limit capability when the session has a time limit (a backend must honour it or refuse)."""
        return (Capability.TIME_LIMIT,) if self.time_limit is not None else ()

    def count(self) -> int:
        """The exact number of valid configurations that extend the current choices (within the session's time limit).

        Raises:
            BackendLimitError: no counting engine finished within ``time_limit`` (10 s by default).
        """
        return operations.count(
            self._problem(),
            backend=None if self.backend.name == "cpsat" else self.backend,
            time_limit=self.time_limit,
        )

    def objective(self, weights: Weights) -> Objective:
        """The weighted utility of a configuration as an integer objective.

        Option weights count once when the option is selected, whatever its quantity; the price and attribute
        weights count per unit, and a unit is never free (a weight too small to round still asks for fewer units;
        no weight at all takes the fewest the rules need). Option and price weights cover sub-assemblies' options
        too (per unit of the option holding them); attribute weights cover the catalog's own options only.
        """
        terms: list[tuple[int, Term]] = []
        for module, option, catalog, quantity in self.cp.bundle_quantities():
            key = f"{module}.{option}"
            opt = catalog.option(module.rpartition("/")[2], option)
            chosen = round(weights.options.get(key, 0.0) * weights.scale)
            if chosen:  # once for the option being selected, whatever its quantity
                terms.append((chosen, self.cp.selected(module, option)))
            value = weights.price * float(opt.price)
            for attr, per_unit in weights.attributes.items() if "/" not in module else ():
                attr_value = opt.attrs.get(attr)
                if isinstance(attr_value, int | Decimal) and not isinstance(attr_value, bool):
                    value += per_unit * float(attr_value)
            coef = round(value * weights.scale)
            if not coef and (value or several_units(self.cp.problem, quantity)):
                coef = 1 if value > 0 else -1  # a unit is never free: too cheap to weigh, it still counts
            if coef:
                terms.extend((coef * c, t) for c, t in quantity)
        return Objective(tuple(terms), 0, "max")

    def _bundle(self, result: Result, weights: Weights) -> Bundle:
        assert result.assignment is not None
        config = self.cp.to_configuration(result.assignment)
        utility = result.objectives[0] / weights.scale if result.objectives else 0.0
        return Bundle(config, result.status.value, utility, list_price(self.catalog, config))

    def _budget(self, budget: Decimal | float | None) -> tuple[Objective, int] | None:
        if budget is None:
            return None
        return self.cp.price_objective("min"), int(Decimal(str(budget)) * 100)

    def _kept_optimizer(self) -> Optimizer | None:
        """The session's optimisation model of the catalog (built once; None for a backend without one)."""
        if self._optimizer is None:
            factory = getattr(self.backend, "optimizer", None)
            if callable(factory):
                self._optimizer = factory(self.cp.problem)
        return self._optimizer

    def optimize(
        self,
        weights: Weights | Sequence[Weights],
        *,
        budget: Decimal | float | None = None,
        time_limit: float | None = None,
    ) -> Bundle | None:
        """The best configuration extending the choices; a list of weights is lexicographic (first first).

        With a backend that keeps models (CP-SAT), the catalog's model is built once per session and each call
        adds its choices and budget to a copy of it.

        Returns:
            The bundle (``status`` optimal, feasible or timed_out) or None when nothing fits.
        """
        levels = [weights] if isinstance(weights, Weights) else list(weights)
        if not levels:
            raise SolverError("optimize needs at least one set of weights")
        optimizer = self._kept_optimizer()
        result = operations.optimize(
            self.cp.problem if optimizer is not None else self._problem(),
            [self.objective(w) for w in levels],
            budget=self._budget(budget),
            backend=self.backend,
            time_limit=time_limit or self.time_limit,
            extra=[self._choice_expr(c) for c in self.choices] if optimizer is not None else (),
            optimizer=optimizer,
        )
        if result.assignment is None:
            if result.status == Status.TIMED_OUT:
                raise SolverError(
                    f"no configuration found within the time limit of {time_limit or self.time_limit} s"
                )
            return None
        return self._bundle(result, levels[0])

    def top_k(
        self, weights: Weights, k: int = 3, *, distance: int = 1, budget: Decimal | float | None = None
    ) -> list[Bundle]:
        """The k best configurations that pairwise differ in at least ``distance`` modules' choices.

        Greedy, as :func:`~configurator.solver.operations.top_k`: each next bundle is the best one at distance
        >= ``distance`` from the earlier ones. With a backend that keeps models (CP-SAT), the catalog's model is
        built once per session; each solve adds the choices, the budget and the diversity constraints so far to
        a copy of it.
        """
        optimizer = self._kept_optimizer()
        extra: list[BoolExpr] = [self._choice_expr(c) for c in self.choices]
        if budget is not None:
            cost, limit = self.cp.price_objective("min"), int(Decimal(str(budget)) * 100)
            extra.append(Linear(cost.terms, "<=", limit))
        problem = self.cp.problem
        if optimizer is None:
            problem = operations.with_constraints(
                self._problem(), *(Constraint("budget", e, "budget") for e in extra[len(self.choices) :])
            )
        over = [v.name for v in self.cp.problem.variables if "#" not in v.name]
        results = operations.top_k(
            problem,
            self.objective(weights),
            k,
            distance=distance,
            over=over,
            backend=self.backend,
            time_limit=self.time_limit,
            extra=extra if optimizer is not None else (),
            optimizer=optimizer,
        )
        return [self._bundle(r, weights) for r in results]

    def complete(self, strategy: str | Weights = "defaults") -> Configuration | None:
        """A full valid configuration extending the choices.

        Args:
            strategy: ``defaults`` (prefer each module's default options), ``recommended`` (prefer each
                module's recommended options; a module without a recommendation is filled by its default,
                else the cheapest valid option, else the first in catalog order: never left to the solver),
                ``cheapest`` (the lowest list price), or explicit :class:`Weights`.
        """
        if isinstance(strategy, Weights):
            weights = strategy
        elif strategy == "cheapest":
            weights = Weights(price=-1.0, scale=100)
        elif strategy in ("defaults", "recommended"):
            prefer: dict[str, float] = {}
            for mid, module in self.catalog.modules.items():
                for oid in _preferred(module, strategy):
                    prefer[f"{mid}.{oid}"] = 1.0
            # inside a sub-assembly, every other option of a module with preferred ones costs 1, at a second
            # level: the preferred options win there without making the sub-assembly itself more attractive
            avoid: dict[str, float] = {}
            for module_path, module in _sub_modules(self.cp):
                preferred = _preferred(module, strategy)
                if preferred:
                    avoid.update((f"{module_path}.{o}", -1.0) for o in module.options if o not in preferred)
            levels = [Weights(options=prefer, scale=1)]
            if avoid:
                levels.append(Weights(options=avoid, scale=1))
            if strategy == "recommended":
                # a recommendation is advice shown to a customer: what fills the other modules must be
                # explainable, so ties go to the lowest list price, then to the first options in catalog order
                levels.append(Weights(price=-1.0, scale=100))
                levels.append(Weights(options=_catalog_order(self.catalog), scale=1))
            bundle = self.optimize(levels)
            return None if bundle is None else bundle.configuration
        else:
            raise SolverError(
                f"unknown completion strategy {strategy!r}; use defaults, recommended, cheapest or Weights"
            )
        bundle = self.optimize(weights)
        return None if bundle is None else bundle.configuration

    def reconfigure(
        self,
        installed: Configuration,
        requirements: Sequence[str] = (),
        *,
        weights: Mapping[str, int] | None = None,
    ) -> Configuration | None:
        """The valid configuration closest to ``installed`` that meets new requirements (rule expressions).

        Closest means the fewest weighted changes (cost per ``module.option`` changed, default 1), then the
        most quantities kept (:func:`~configurator.solver.closeness.closeness`); a plain change that is valid
        needs no solve (:func:`~configurator.solver.closeness.plain_change`). With a ``memo``, an answer is remembered under its exact question (installed configuration, requirements,
        weights and the session's choices), so customers who own the same configuration share one solve.
        """
        key: tuple[object, ...] | None = None
        if self._reconfigured is not None:
            key = (
                configuration_key(installed),
                tuple(requirements),
                tuple(sorted((weights or {}).items())),
                tuple(sorted(self._choices.items())),
            )
            found = self._reconfigured.get(key)
            if found is not None:
                return found[0]
        answer = self._reconfigure(installed, requirements, weights)
        if key is not None and self._reconfigured is not None:
            self._reconfigured.put(key, (answer,))
        return answer

    def _reconfigure(
        self, installed: Configuration, requirements: Sequence[str], weights: Mapping[str, int] | None
    ) -> Configuration | None:
        if not self._choices:  # the plain change, when valid, changes least: no solve
            plain = plain_change(self.catalog, installed, requirements)
            if plain is not None and not self.validate(plain):
                return plain
        symbols = symbols_of(self.catalog)
        compiler = CatalogCompiler(self.catalog, self.on)
        compiler.structure()
        required: list[BoolExpr] = [
            compiler.boolean(compile_expression(text, symbols)) for text in requirements
        ]
        objectives = [closeness(self.cp, installed, weights)]
        optimizer = self._kept_optimizer()
        if optimizer is not None:  # the session's kept model: nothing is rebuilt per call
            extra = [*(self._choice_expr(c) for c in self.choices), *required]
            result = optimizer.solve(objectives, extra, time_limit=self.time_limit)
        else:
            problem = operations.with_constraints(
                self._problem(),
                *(Constraint(f"requirement:{i}", r, "requirement") for i, r in enumerate(required)),
            )
            require(self.backend, "reconfigure", Capability.OPTIMIZE, *self._timed())
            result = self.backend.solve(problem, objectives=objectives, time_limit=self.time_limit)
        return None if result.assignment is None else self.cp.to_configuration(result.assignment)


def list_price(catalog: Catalog, configuration: Configuration) -> Decimal:
    """The list price of a configuration: its options' prices times quantities, sub-assemblies included.

    A sub-assembly's options count once per unit of the option that holds it (all units share its
    configuration).
    """
    total = Decimal(0)
    for module, option, qty in configuration.items():
        total += catalog.option(module, option).price * qty
        product = catalog.products.get((module, option))
        if product is not None:
            total += list_price(product, configuration.sub.get((module, option), Configuration())) * qty
    return total


def _preferred(module: Module, strategy: str) -> tuple[str, ...]:
    """The options a ``defaults`` or ``recommended`` completion prefers (``recommended``: else the defaults)."""
    return tuple(module.default if strategy == "defaults" else module.recommended or module.default)


def _catalog_order(catalog: Catalog) -> dict[str, float]:
    """Weights that prefer each module's options in catalog order: the first costs nothing, the next 1 more..."""
    return {
        f"{mid}.{oid}": -float(position)
        for mid, module in catalog.modules.items()
        for position, oid in enumerate(module.options)
    }


def _sub_modules(cp: CatalogProblem) -> list[tuple[str, Module]]:
    """``(module path, module)`` for every module of every sub-assembly (nested ones included)."""
    out: list[tuple[str, Module]] = []
    for sub in cp.subs.values():
        out.extend((sub.prefix + mid, module) for mid, module in sub.catalog.modules.items())
        out.extend(_sub_modules(sub))
    return out


def _satisfied(choice: Choice, config: Configuration) -> bool:
    qty = quantity_at(config, choice.module, choice.option)
    if not choice.selected:
        return qty == 0
    return qty > 0 and (choice.qty is None or qty == choice.qty)


def _conflict(found: Sequence[str]) -> Conflict:
    return Conflict(
        tuple(i.removeprefix("choice:") for i in found if i.startswith("choice:")),
        tuple(i for i in found if not i.startswith(("choice:", "target:"))),
    )
