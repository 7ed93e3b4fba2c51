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
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from configurator.errors import SolverError
from configurator.solver.backend import Backend, Fixed, Result, get_backend
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
)

__all__ = [
    "Conflict",
    "Repair",
    "count",
    "explain",
    "minimal_conflict",
    "optimize",
    "propagate",
    "reconfigure",
    "repair",
    "top_k",
]


def _backend(backend: Backend | str | None) -> Backend:
    return backend if backend is not None and not isinstance(backend, str) else get_backend(backend)


def _merge(fixed: Fixed | None, extra: Mapping[str, frozenset[int]]) -> dict[str, frozenset[int]]:
    merged = dict(fixed or {})
    for name, values in extra.items():
        merged[name] = merged[name] & values if name in merged else values
    return merged


def propagate(
    problem: Problem, fixed: Fixed | None = None, *, backend: Backend | str | None = None
) -> dict[str, tuple[int, ...]]:
    """The exact valid domain of every variable under the user choices (backtrack-free).

    A value is kept only if some full solution uses it, so every value shown extends to a valid configuration.
    One solve per value not yet seen in an earlier solution (solutions found are cached).

    Returns:
        Variable name -> values that still extend to a solution (all empty when the choices are infeasible).
    """
    engine = _backend(backend)
    supported: dict[str, set[int]] = {v.name: set() for v in problem.variables}
    candidates = {
        v.name: [x for x in v.domain if not fixed or v.name not in fixed or x in fixed[v.name]]
        for v in problem.variables
    }
    first = engine.solve(problem, fixed=fixed)
    if not first.found:
        return {name: () for name in supported}
    assert first.assignment is not None
    for name, value in first.assignment.items():
        supported[name].add(value)
    for var in problem.variables:
        for value in candidates[var.name]:
            if value in supported[var.name]:
                continue
            result = engine.solve(problem, fixed=_merge(fixed, {var.name: frozenset({value})}))
            if result.assignment is not None:
                for name, found in result.assignment.items():
                    supported[name].add(found)
    return {v.name: tuple(x for x in v.domain if x in supported[v.name]) for v in problem.variables}


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

    A backend with a ``core`` method (CP-SAT: solving under assumptions) first narrows the candidates to one
    unsatisfiable core; then each remaining element is dropped in turn and kept out when the rest is still
    infeasible, so the result is irreducible by construction.
    """
    engine = _backend(backend)

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
        time_limit: seconds.
    """
    engine = _backend(backend)
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
) -> Result:
    """The lexicographically best solution (status optimal|feasible|infeasible|timed_out).

    Args:
        problem: the problem.
        objectives: objectives in priority order.
        fixed: user choices.
        budget: ``(cost, limit)``: a hard constraint ``cost <= limit`` (e.g. price in cents).
        backend: the backend.
        time_limit: seconds.
    """
    engine = _backend(backend)
    if budget is not None:
        cost, limit = budget
        problem = with_constraints(
            problem, Constraint("budget", Linear(cost.terms, "<=", limit - cost.offset), "budget")
        )
    return engine.solve(problem, fixed=fixed, objectives=objectives, time_limit=time_limit)


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
) -> list[Result]:
    """The k best solutions that pairwise differ in at least ``distance`` of the variables ``over``.

    Greedy: each next solution is the best one at distance >= ``distance`` from all earlier ones.
    """
    engine = _backend(backend)
    names = list(over or problem.names)
    results: list[Result] = []
    current = problem
    started = time.perf_counter()
    while len(results) < k:
        remaining = None if time_limit is None else max(0.01, time_limit - (time.perf_counter() - started))
        result = engine.solve(current, fixed=fixed, objectives=[objective], time_limit=remaining)
        if result.assignment is None:
            break
        results.append(result)
        differs: tuple[tuple[int, Term], ...] = tuple(
            (1, Not(Lit(n, frozenset({result.assignment[n]})))) for n in names
        )
        current = with_constraints(
            current, Constraint(f"diverse:{len(results)}", Linear(differs, ">=", distance), "diversity")
        )
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
    """The valid solution meeting ``requirements`` with the fewest weighted changes from ``installed``."""
    engine = _backend(backend)
    extra = tuple(Constraint(f"requirement:{i}", r, "requirement") for i, r in enumerate(requirements))
    keep = Objective(
        tuple(((weights or {}).get(n, 1), Lit(n, frozenset({v}))) for n, v in installed.items()), 0, "max"
    )
    return engine.solve(
        with_constraints(problem, *extra), fixed=fixed, objectives=[keep], time_limit=time_limit
    )


def count(
    problem: Problem,
    *,
    fixed: Fixed | None = None,
    backend: Backend | str | None = None,
    time_limit: float | None = 60.0,
    enumerate_up_to: int = 1_000_000,
) -> int:
    """The exact number of solutions, as a Python int.

    Without a named backend, a decision diagram is compiled (exact counts in Python ints, for models with
    10^30 configurations and more); when it does not compile within ``time_limit``, problems whose search space
    is at most ``enumerate_up_to`` are counted by the default backend, larger ones raise :class:`SolverError`.
    """
    if backend is not None:
        return _backend(backend).count(problem, fixed=fixed)
    from configurator.errors import BackendLimitError
    from configurator.solver.dd import CompiledDiagram

    narrowed = problem
    unknown = sorted(set(fixed or {}) - set(problem.names))
    if unknown:
        raise SolverError(f"unknown variable {unknown[0]!r} in the fixed values of {problem.name}")
    if fixed:
        narrowed = problem.restrict(
            {n: tuple(v for v in problem.var(n).domain if v in allowed) for n, allowed in fixed.items()}
        )
    try:
        return CompiledDiagram.compile(narrowed, time_limit=time_limit).count()
    except BackendLimitError as exc:
        if narrowed.size() <= enumerate_up_to:
            return _backend(None).count(narrowed)
        raise SolverError(
            f"cannot count {problem.name}: {exc}; its search space (a {len(str(narrowed.size()))}-digit number of "
            "assignments) is too large to enumerate"
        ) from None
