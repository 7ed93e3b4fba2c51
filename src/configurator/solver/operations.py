"""Solver operations over any backend: propagate, explain, repair, optimise, top-k diverse, reconfigure, count.

Everything here works on a :class:`~configurator.solver.problem.Problem` plus user choices given as
``Fixed`` (variable -> allowed values), so it serves catalogs and imported models alike.
:class:`~configurator.solver.session.ConfigurationSession` wraps these in catalog terms.

Example:
    >>> from configurator.solver.problem import Problem, Variable, Constraint, Lit, Not, And
    >>> p = Problem((Variable("a", (0, 1)), Variable("b", (0, 1))),
    ...             (Constraint("r", Not(And((Lit("a", frozenset({1})), Lit("b", frozenset({1})))))),))
    >>> propagate(p, {"a": frozenset({1})})
    {'a': (1,), 'b': (0,)}
    >>> explain(p, {"a": frozenset({1}), "b": frozenset({1})})
    Conflict(choices=('a', 'b'), constraints=('r',))

Each operation first checks that the backend declares what it needs (:func:`~configurator.solver.backend.require`)
and refuses otherwise with :class:`~configurator.errors.BackendCapabilityError`, naming the backends that
can: a backend without native optimisation is not asked to optimise, and a ``time_limit`` is either honoured or
refused, never ignored.

    >>> from configurator.solver.problem import Objective
    >>> optimize(p, [Objective(((1, "a"),))], backend="python_constraint")
    Traceback (most recent call last):
    ...
    configurator.errors.BackendCapabilityError: the python_constraint backend cannot optimize: ...
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from configurator.errors import SolverError
from configurator.solver.backend import Backend, Capability, Fixed, Optimizer, Result, get_backend, require
from configurator.solver.problem import (
    BoolExpr,
    Constraint,
    Linear,
    Lit,
    Not,
    Objective,
    Problem,
    Term,
    Variable,
    holds,
    scope,
)

if TYPE_CHECKING:
    from configurator.solver.counting import CountResult

__all__ = [
    "Conflict",
    "Propagator",
    "Repair",
    "count",
    "count_detail",
    "explain",
    "minimal_conflict",
    "optimize",
    "propagate",
    "reconfigure",
    "repair",
    "top_k",
]


class _Cover(Protocol):
    """An incremental engine of covering solves (see :class:`Propagator`)."""

    def cover(
        self, targets: Sequence[BoolExpr], required: Sequence[BoolExpr] = ()
    ) -> dict[str, int] | None: ...


def _backend(backend: Backend | str | None) -> Backend:
    return backend if backend is not None and not isinstance(backend, str) else get_backend(backend)


def _needs(objectives: bool, time_limit: float | None) -> tuple[Capability, ...]:
    """The capabilities a ``solve`` call relies on: optimisation for objectives, a time limit when given."""
    return (
        Capability.OPTIMIZE if objectives else Capability.SOLVE,
        *((Capability.TIME_LIMIT,) if time_limit is not None else ()),
    )


def _harvest(
    solution: Mapping[str, int],
    queries: Sequence[Lit],
    open_: dict[int, Lit],
    ok: list[bool],
    domains: Mapping[str, tuple[int, ...]],
    touching: Mapping[str, list[BoolExpr]],
) -> int:
    """Close the open queries a solution, or a one-variable change of it, satisfies; how many it closed.

    A changed value must still satisfy every constraint that mentions the variable (``touching``).
    """
    before = len(open_)
    by_var: dict[str, list[int]] = {}
    for i, query in list(open_.items()):
        if solution[query.var] in query.values:
            ok[i] = True
            del open_[i]
        else:
            by_var.setdefault(query.var, []).append(i)
    for name, waiting in by_var.items():
        current = solution[name]
        wanted = {x for i in waiting for x in queries[i].values}
        changed = dict(solution)
        for value in domains[name]:
            if value == current or value not in wanted:
                continue
            changed[name] = value
            if all(holds(e, changed) for e in touching[name]):
                for i in waiting:
                    if i in open_ and value in queries[i].values:
                        ok[i] = True
                        del open_[i]
                wanted = {x for i in waiting if i in open_ for x in queries[i].values}
                if not wanted:
                    break
    return before - len(open_)


def _merge(fixed: Fixed | None, extra: Mapping[str, frozenset[int]]) -> dict[str, frozenset[int]]:
    merged = dict(fixed or {})
    for name, values in extra.items():
        merged[name] = merged[name] & values if name in merged else values
    return merged


def propagate(
    problem: Problem, fixed: Fixed | None = None, *, backend: Backend | str | None = None
) -> dict[str, tuple[int, ...]]:
    """The exact valid domain of every variable under the user choices (backtrack-free).

    A value is kept only if some full solution uses it, so every value shown extends to a valid configuration;
    a value is removed only when the backend proves that no solution uses it. See :class:`Propagator` (one
    propagator per call here; an interactive session keeps one to reuse its model and solutions).

    Returns:
        Variable name -> values that still extend to a solution (all empty when the choices are infeasible).
    """
    return Propagator(problem, backend=backend).domains(fixed)


class Propagator:
    """Exact valid domains of one problem under changing user choices, reusing work between calls.

    Each query is a literal ``var in values``; it is *supported* when some full solution satisfies it together
    with the choices. Support is only ever claimed from a solution in hand, and refutation only from the
    backend's proof of infeasibility, so answers are exact:

    - **Witnesses.** Every solution found is kept (the most recent ``max_witnesses``); a kept solution that meets
      the current choices still proves every literal it satisfies, so a session re-solves only what the newest
      choice might have removed.
    - **Neighbours.** A solution also proves each value that one variable can change to while every constraint
      and choice mentioning that variable still holds (checked on the changed assignment): a wide quantity's
      whole feasible range usually follows from a single solution.
    - **Covering solves.** A backend with a ``propagator`` factory (CP-SAT) answers the remaining queries many
      at a time: each solve asks for at least one unproven literal and prefers as many as it can reach; when no
      solution meets any of them, all are refuted by that one proof. Other backends solve one query at a time
      (its literal as a fixed value), harvesting each solution as above.

    Args:
        problem: the problem (the choices are not part of it: they are passed to each call).
        backend: the backend (default CP-SAT).
        max_witnesses: how many solutions to keep between calls.
        native: the engine of the covering solves, instead of the one the backend would make (a caller that
            keeps its own incremental solver of the problem, as lint does).

    Example:
        >>> from configurator.solver.problem import Problem, Variable, Constraint, Linear, Lit
        >>> p = Problem((Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2))),
        ...             (Constraint("sum", Linear(((1, "a"), (1, "b")), "<=", 2)),))
        >>> prop = Propagator(p)
        >>> prop.domains({"a": frozenset({1})})
        {'a': (1,), 'b': (0, 1)}
        >>> prop.supported([Lit("b", frozenset({2})), Lit("b", frozenset({0, 1}))], extra=[Lit("a", frozenset({1, 2}))])
        [False, True]
    """

    def __init__(
        self,
        problem: Problem,
        *,
        backend: Backend | str | None = None,
        max_witnesses: int = 256,
        native: _Cover | None = None,
    ) -> None:
        self.problem = problem
        self.engine = _backend(backend)
        require(self.engine, "propagate", Capability.SOLVE)
        self.max_witnesses = max_witnesses
        self.solves = 0
        self._witnesses: dict[tuple[int, ...], dict[str, int]] = {}  # insertion order: oldest first
        self._touching: dict[str, list[BoolExpr]] = {v.name: [] for v in problem.variables}
        for constraint in problem.constraints:
            for name in scope(constraint.expr):
                if name in self._touching:
                    self._touching[name].append(constraint.expr)
        self._native: _Cover | None = native
        factory = getattr(self.engine, "propagator", None)
        self._factory = factory if callable(factory) else None
        if native is not None:
            self._factory = lambda _problem: native

    def domains(
        self, fixed: Fixed | None = None, extra: Sequence[BoolExpr] = ()
    ) -> dict[str, tuple[int, ...]]:
        """Every variable's values that extend to a solution meeting ``fixed`` and the ``extra`` expressions."""
        unknown = sorted(set(fixed or {}) - set(self.problem.names))
        if unknown:
            raise SolverError(f"unknown variable {unknown[0]!r} in the fixed values of {self.problem.name}")
        queries = [
            Lit(v.name, frozenset({x}))
            for v in self.problem.variables
            for x in v.domain
            if not fixed or v.name not in fixed or x in fixed[v.name]
        ]
        ok = self.supported(queries, fixed=fixed, extra=extra)
        kept: dict[str, set[int]] = {v.name: set() for v in self.problem.variables}
        for query, good in zip(queries, ok, strict=True):
            if good:
                kept[query.var].update(query.values)
        return {v.name: tuple(x for x in v.domain if x in kept[v.name]) for v in self.problem.variables}

    def supported(
        self, queries: Sequence[Lit], *, fixed: Fixed | None = None, extra: Sequence[BoolExpr] = ()
    ) -> list[bool]:
        """For each query literal, whether some solution meeting ``fixed`` and ``extra`` satisfies it."""
        required: list[BoolExpr] = [Lit(n, frozenset(v)) for n, v in (fixed or {}).items()]
        required.extend(extra)
        touching = {name: list(exprs) for name, exprs in self._touching.items()}
        for expr in required:
            for name in scope(expr):
                if name not in touching:
                    raise SolverError(f"unknown variable {name!r} in the choices of {self.problem.name}")
                touching[name].append(expr)
        domains = {v.name: v.domain for v in self.problem.variables}
        ok = [False] * len(queries)
        open_: dict[int, Lit] = {}
        for i, query in enumerate(queries):
            if query.var not in domains:
                raise SolverError(f"unknown variable {query.var!r} in a query on {self.problem.name}")
            if any(x in query.values for x in domains[query.var]):
                open_[i] = query

        def harvest(solution: Mapping[str, int]) -> int:
            return _harvest(solution, queries, open_, ok, domains, touching)

        for solution in reversed(list(self._witnesses.values())):
            if not open_:
                break
            if all(holds(e, solution) for e in required):
                harvest(solution)
        while open_:
            if self._factory is not None:
                if self._native is None:
                    self._native = self._factory(self.problem)
                covering = self._native.cover(list(open_.values()), required)
                self.solves += 1
                if covering is None:
                    break  # no solution meets any open query: all are refuted at once
                solution = covering
            else:
                first, query = next(iter(open_.items()))
                narrowed = _merge(fixed, {query.var: query.values})
                result = self.engine.solve(
                    with_constraints(
                        self.problem, *(Constraint(f"extra:{k}", e, "choice") for k, e in enumerate(extra))
                    ),
                    fixed=narrowed,
                )
                self.solves += 1
                if result.assignment is None:
                    del open_[first]
                    continue
                solution = result.assignment
            self._remember(solution)
            if not harvest(solution):  # pragma: no cover - a solution always meets an open query
                raise SolverError(
                    "propagation made no progress: the backend returned a solution it should not"
                )
        return ok

    def _remember(self, solution: Mapping[str, int]) -> None:
        key = tuple(solution[v.name] for v in self.problem.variables)
        self._witnesses.pop(key, None)
        self._witnesses[key] = dict(solution)
        while len(self._witnesses) > self.max_witnesses:
            del self._witnesses[next(iter(self._witnesses))]


@dataclass(frozen=True)
class Conflict:
    """A minimal (irreducible) conflict: user choices and constraints that cannot hold together.

    Dropping any one element makes the rest satisfiable.
    """

    choices: tuple[str, ...]
    constraints: tuple[str, ...]


def minimal_conflict(
    variables: tuple[Variable, ...],
    hard: Sequence[Constraint],
    soft: Sequence[Constraint],
    *,
    backend: Backend | str | None = None,
) -> tuple[str, ...] | None:
    """Ids of an irreducible subset of ``soft`` that is infeasible together with ``hard``; None if all is feasible.

    A backend with a ``minimal_core`` method (CP-SAT: one kept model, checks under assumptions, see
    :mod:`configurator.solver.backends.cpsat_core`) answers itself. Otherwise a backend with a ``core``
    method first narrows the candidates to one unsatisfiable core; then each remaining element is dropped in
    turn and kept out when the rest is still infeasible, so the result is irreducible by construction.
    """
    engine = _backend(backend)
    require(engine, "find a minimal conflict", Capability.SOLVE)
    minimal = getattr(engine, "minimal_core", None)
    if callable(minimal):
        answer: tuple[str, ...] | None = minimal(variables, hard, soft)
        return answer

    def feasible(kept: Sequence[Constraint]) -> bool:
        return engine.solve(Problem(variables, (*hard, *kept))).found

    candidates = list(soft)
    core = getattr(engine, "core", None)
    if callable(core):
        found = core(Problem(variables, tuple(hard)), candidates)
        if found is None:
            return None
        wanted = set(found)
        candidates = [c for c in candidates if c.id in wanted]
    elif feasible(candidates):
        return None
    for constraint in list(candidates):
        trial = [c for c in candidates if c is not constraint]
        if not feasible(trial):
            candidates = trial
    return tuple(c.id for c in candidates)


def explain(
    problem: Problem,
    fixed: Fixed,
    *,
    hard: Sequence[str] = (),
    backend: Backend | str | None = None,
) -> Conflict | None:
    """A minimal conflict set of user choices and constraints, or None when the choices are satisfiable.

    Args:
        problem: the problem.
        fixed: the user choices (variable -> allowed values); each variable is one element.
        hard: ids of constraints that are background (never blamed), e.g. cardinalities.
        backend: the backend to use.
    """
    hard_set = set(hard)
    background = [c for c in problem.constraints if c.id in hard_set]
    choices = [Constraint(f"choice:{name}", Lit(name, values), "choice") for name, values in fixed.items()]
    rules = [c for c in problem.constraints if c.id not in hard_set]
    found = minimal_conflict(problem.variables, background, [*choices, *rules], backend=backend)
    if found is None:
        return None
    return Conflict(
        tuple(i.removeprefix("choice:") for i in found if i.startswith("choice:")),
        tuple(i for i in found if not i.startswith("choice:")),
    )


@dataclass(frozen=True)
class Repair:
    """The user choices to give up (cheapest by weight) and a solution that keeps all the others."""

    drop: tuple[str, ...]
    cost: int
    assignment: dict[str, int] = field(default_factory=dict)


def repair(
    problem: Problem,
    fixed: Fixed,
    *,
    weights: Mapping[str, int] | None = None,
    backend: Backend | str | None = None,
    time_limit: float | None = 10.0,
) -> Repair | None:
    """The minimum-cost set of user choices to change so that the rest holds (None when nothing is feasible).

    Args:
        problem: the problem.
        fixed: the user choices.
        weights: cost of giving up each choice (default 1 each): the customer's own needs rank the repairs.
        backend: a backend with native optimisation (CP-SAT by default).
        time_limit: seconds (None: no limit; a backend without time limits refuses any other value).

    Raises:
        BackendCapabilityError: when the backend does not declare optimisation (or time limits, when given).
    """
    engine = _backend(backend)
    require(engine, "repair", *_needs(True, time_limit))
    costs = {name: (weights or {}).get(name, 1) for name in fixed}
    kept = Objective(tuple((costs[n], Lit(n, fixed[n])) for n in fixed), 0, "max")
    result = engine.solve(problem, objectives=[kept], time_limit=time_limit)
    if result.assignment is None:
        return None
    drop = tuple(n for n in fixed if result.assignment[n] not in fixed[n])
    return Repair(drop, sum(costs[n] for n in drop), result.assignment)


def optimize(
    problem: Problem,
    objectives: Sequence[Objective],
    *,
    fixed: Fixed | None = None,
    budget: tuple[Objective, int] | None = None,
    backend: Backend | str | None = None,
    time_limit: float | None = 10.0,
    extra: Sequence[BoolExpr] = (),
    optimizer: Optimizer | None = None,
) -> Result:
    """The lexicographically best solution (status optimal|feasible|infeasible|timed_out).

    Args:
        problem: the problem.
        objectives: objectives in priority order.
        fixed: user choices.
        budget: ``(cost, limit)``: a hard constraint ``cost <= limit`` (e.g. price in cents).
        backend: the backend.
        time_limit: seconds.
        extra: further expressions every solution must meet (choices in the problem's terms).
        optimizer: a model of ``problem`` kept between calls (the backend's ``optimizer(problem)``); it
            solves instead of ``backend``, with the choices, budget and extra expressions added per call.

    Raises:
        BackendCapabilityError: when the backend does not declare optimisation (with objectives) or time
            limits (with a ``time_limit``).
    """
    required = [*_fixed_literals(problem, fixed), *extra]
    if budget is not None:
        cost, limit = budget
        required.append(Linear(cost.terms, "<=", limit - cost.offset))
    if optimizer is not None:
        return optimizer.solve(objectives, required, time_limit=time_limit)
    engine = _backend(backend)
    require(engine, "optimize", *_needs(bool(objectives), time_limit))
    if budget is not None or extra:
        problem = with_constraints(
            problem,
            *(Constraint(f"extra:{i}", e, "choice") for i, e in enumerate(extra)),
            *([Constraint("budget", required[-1], "budget")] if budget is not None else []),
        )
    return engine.solve(problem, fixed=fixed, objectives=objectives, time_limit=time_limit)


def _fixed_literals(problem: Problem, fixed: Fixed | None) -> list[BoolExpr]:
    """The fixed values as literals (variables the problem lacks are ignored, as backends do)."""
    names = set(problem.names)
    return [Lit(name, frozenset(values)) for name, values in (fixed or {}).items() if name in names]


def with_constraints(problem: Problem, *extra: Constraint) -> Problem:
    """The problem with additional constraints."""
    return Problem(problem.variables, problem.constraints + tuple(extra), problem.name, problem.meta)


def top_k(
    problem: Problem,
    objective: Objective,
    k: int,
    *,
    distance: int = 1,
    fixed: Fixed | None = None,
    over: Sequence[str] | None = None,
    backend: Backend | str | None = None,
    time_limit: float | None = 10.0,
    extra: Sequence[BoolExpr] = (),
    optimizer: Optimizer | None = None,
) -> list[Result]:
    """The k best solutions that pairwise differ in at least ``distance`` of the variables ``over``.

    Greedy: each next solution is the best one at distance >= ``distance`` from all earlier ones. A backend
    with an ``optimizer`` factory (CP-SAT) translates the problem once for all k solves (or ``optimizer``, a
    model kept by the caller, is used): each solve adds the diversity constraints found so far to a copy of
    it. Other backends solve the problem with the constraints added, once per solution.

    Args:
        problem: the problem.
        objective: the objective.
        k: how many solutions at most.
        distance: the least number of variables of ``over`` in which any two solutions differ.
        fixed: user choices.
        over: the variables the distance counts (default: all).
        backend: the backend.
        time_limit: seconds for all k solves.
        extra: further expressions every solution must meet (choices, a budget, in the problem's terms).
        optimizer: a model of ``problem`` kept between calls (the backend's ``optimizer(problem)``).

    Raises:
        BackendCapabilityError: when the backend does not declare optimisation (or time limits, when given).
    """
    engine = _backend(backend)
    if optimizer is None:
        require(engine, "find the top k solutions", *_needs(True, time_limit))
        factory = getattr(engine, "optimizer", None)
        if callable(factory):
            optimizer = factory(problem)
    names = list(over or problem.names)
    results: list[Result] = []
    required: list[BoolExpr] = [*_fixed_literals(problem, fixed), *extra]
    current = with_constraints(problem, *(Constraint(f"extra:{i}", e, "choice") for i, e in enumerate(extra)))
    started = time.perf_counter()
    while len(results) < k:
        remaining = None if time_limit is None else max(0.01, time_limit - (time.perf_counter() - started))
        if optimizer is not None:
            result = optimizer.solve([objective], required, time_limit=remaining)
        else:
            result = engine.solve(current, fixed=fixed, objectives=[objective], time_limit=remaining)
        if result.assignment is None:
            break
        results.append(result)
        differs: tuple[tuple[int, Term], ...] = tuple(
            (1, Not(Lit(n, frozenset({result.assignment[n]})))) for n in names
        )
        diverse = Linear(differs, ">=", distance)
        required.append(diverse)
        current = with_constraints(current, Constraint(f"diverse:{len(results)}", diverse, "diversity"))
    return results


def reconfigure(
    problem: Problem,
    installed: Mapping[str, int],
    requirements: Sequence[BoolExpr] = (),
    *,
    weights: Mapping[str, int] | None = None,
    fixed: Fixed | None = None,
    backend: Backend | str | None = None,
    time_limit: float | None = 10.0,
) -> Result:
    """The valid solution meeting ``requirements`` with the fewest weighted changes from ``installed``.

    Raises:
        BackendCapabilityError: when the backend does not declare optimisation (or time limits, when given).
    """
    engine = _backend(backend)
    require(engine, "reconfigure", *_needs(True, time_limit))
    extra = tuple(Constraint(f"requirement:{i}", r, "requirement") for i, r in enumerate(requirements))
    keep = Objective(
        tuple(((weights or {}).get(n, 1), Lit(n, frozenset({v}))) for n, v in installed.items()), 0, "max"
    )
    return engine.solve(
        with_constraints(problem, *extra), fixed=fixed, objectives=[keep], time_limit=time_limit
    )


def count_detail(
    problem: Problem,
    *,
    fixed: Fixed | None = None,
    time_limit: float | None = 60.0,
    max_nodes: int | None = None,
    enumerate_up_to: int = 1_000_000,
) -> CountResult:
    """The exact number of solutions, with the engine that counted it and its seconds.

    The counting portfolio (:func:`~configurator.solver.counting.count_portfolio`) picks between the decision
    diagram (exact counts in Python ints, for models with 10^30 configurations and more) and Ganak (#SAT on a
    CNF, for feature models with many cross-tree constraints) by the problem's shape, races them or falls back
    from one to the other within ``time_limit`` (``max_nodes``: the diagram's node limit). When both give up,
    problems whose search space is at most ``enumerate_up_to`` are counted by the default backend (engine
    ``solver``), larger ones raise :class:`SolverError`.

    Example:
        >>> from configurator.solver.problem import Problem, Variable
        >>> r = count_detail(Problem((Variable("x", (1, 2, 3)),)))
        >>> r.count, r.engine
        (3, 'diagram')
    """
    from configurator.solver.counting import Attempt, CountResult, count_portfolio, digits

    unknown = sorted(set(fixed or {}) - set(problem.names))
    if unknown:
        raise SolverError(f"unknown variable {unknown[0]!r} in the fixed values of {problem.name}")
    try:
        return count_portfolio(problem, fixed, time_limit=time_limit, max_nodes=max_nodes)
    except SolverError as exc:
        narrowed = problem
        if fixed:
            narrowed = problem.restrict(
                {n: tuple(v for v in problem.var(n).domain if v in allowed) for n, allowed in fixed.items()}
            )
        if narrowed.size() > enumerate_up_to:
            raise SolverError(
                f"{exc}; the search space (a {digits(narrowed.size())}-digit number of assignments) is too large "
                "to enumerate"
            ) from None
        started = time.perf_counter()
        value = _backend(None).count(narrowed)
        seconds = time.perf_counter() - started
        return CountResult(
            value, "solver", seconds, (Attempt("solver", seconds, "counted"),), "sequential", str(exc)
        )


def count(
    problem: Problem,
    *,
    fixed: Fixed | None = None,
    backend: Backend | str | None = None,
    time_limit: float | None = 60.0,
    max_nodes: int | None = None,
    enumerate_up_to: int = 1_000_000,
) -> int:
    """The exact number of solutions, as a Python int.

    Without a named backend, the counting portfolio counts (see :func:`count_detail`, which also says which
    engine answered): the decision diagram or Ganak, raced or one after the other within ``time_limit``
    (``max_nodes``: the diagram's node limit), then, for search spaces of at most ``enumerate_up_to``
    assignments, the default backend.

    With a named backend, the backend counts within ``time_limit`` (None: no limit).

    Raises:
        BackendCapabilityError: when the named backend does not declare counting (or time limits, when given).
        BackendLimitError: when the named backend does not finish within ``time_limit``.
        SolverError: when no engine counts within the budgets and the search space is too large to enumerate.
    """
    if backend is not None:
        engine = _backend(backend)
        needs = (Capability.COUNT, *((Capability.TIME_LIMIT,) if time_limit is not None else ()))
        require(engine, "count", *needs)
        if time_limit is None:  # not passed at all: a backend without time limits need not accept the keyword
            return engine.count(problem, fixed=fixed)
        return engine.count(problem, fixed=fixed, time_limit=time_limit)
    return count_detail(
        problem, fixed=fixed, time_limit=time_limit, max_nodes=max_nodes, enumerate_up_to=enumerate_up_to
    ).count
