"""The counting portfolio: the decision diagram or Ganak first, the other as fallback, within one time budget.

Neither engine wins everywhere (docs/DESIGN, measured): a #SAT counter on a Tseitin CNF counts Boolean
feature models with many cross-tree constraints in seconds where a diagram blows up, and the log-encoded
decision diagram counts multi-valued models with big tables (Renault) in seconds where the counter on a
one-hot CNF takes minutes. :func:`choose` picks a plan from the problem's shape:

- ``race`` (Boolean problems of at least 100 variables: feature models): both engines at once, each in a
  forked child, for the whole budget; the first exact answer wins and the other child is killed (some large
  feature models compile into a diagram in a minute where Ganak needs ten, others the other way round).
  The favourite (Ganak) runs at normal priority and the other ``RACE_NICE`` steps below it: on a machine
  whose other cores are busy the second engine no longer halves the favourite's CPU (automotive01 took
  37.7 s racing on a shared 2-core machine, 22 s alone), and on an idle core it still runs at full speed;
- ``sequential`` (multi-valued or small problems): the decision diagram here, within half the budget and its
  node limit (a blow-up is refused within a second), then Ganak in a forked child with what is left.

The answer says which engine counted and how long each try took; counts are Python ints, never doubles.

Example:
    >>> from configurator.solver.problem import Problem, Variable, Constraint, Lit, Not, And
    >>> p = Problem((Variable("a", (0, 1)), Variable("b", (0, 1))),
    ...             (Constraint("r", Not(And((Lit("a", frozenset({1})), Lit("b", frozenset({1})))))),))
    >>> result = count_portfolio(p)
    >>> result.count, result.engine, result.plan
    (3, 'diagram', 'sequential')
    >>> count_portfolio(p, engines=("ganak",)).engine
    'ganak'
"""

from __future__ import annotations

import functools
import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from configurator.errors import BackendLimitError, SolverError
from configurator.solver.problem import Problem

__all__ = [
    "ENGINES",
    "FIRST_SHARE",
    "RACE_NICE",
    "Attempt",
    "CountResult",
    "Plan",
    "choose",
    "count_portfolio",
    "digits",
    "exact_text",
]

ENGINES = ("diagram", "ganak")
"""The counting engines, by name."""
FIRST_SHARE = 0.5
"""The share of the time budget the first engine gets (the second gets the rest, at least the other half)."""
RACE_MIN_VARIABLES = 100
"""Boolean problems with at least this many variables race both engines (smaller ones compile in no time)."""
RACE_NICE = 19
"""Scheduling steps below the favourite at which the other engines of a race run (19: only idle CPU time)."""


Plan = Literal["race", "sequential"]
"""How the engines run: at once in child processes, or one after the other."""


@dataclass(frozen=True)
class Attempt:
    """One engine's try: its name, seconds, and ``"counted"`` or why it gave up."""

    engine: str
    seconds: float
    outcome: str


@dataclass(frozen=True)
class CountResult:
    """An exact count, the engine that answered, the seconds it took, and every try in order.

    Example:
        >>> r = CountResult(7, "ganak", 0.25, (Attempt("ganak", 0.25, "counted"),), "race")
        >>> r.as_dict()["engine"], r.as_dict()["count"]
        ('ganak', '7')
    """

    count: int
    engine: str
    seconds: float
    attempts: tuple[Attempt, ...]
    plan: str = "sequential"
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary (the count as a decimal string: JSON numbers lose digits in many readers)."""
        return {
            "count": exact_text(self.count),
            "engine": self.engine,
            "seconds": round(self.seconds, 3),
            "plan": self.plan,
            "reason": self.reason,
            "attempts": [
                {"engine": a.engine, "seconds": round(a.seconds, 3), "outcome": a.outcome}
                for a in self.attempts
            ],
        }


def exact_text(n: int) -> str:
    """``n`` in decimal, all its digits, past Python's default limit of 4,300 digits for ``str(int)``.

    Example:
        >>> len(exact_text(10**5000))
        5001
    """
    limit = sys.get_int_max_str_digits()
    if not limit or n.bit_length() < limit * 3:  # fewer than ~0.9 * limit digits
        return str(n)
    sys.set_int_max_str_digits(0)
    try:
        return str(n)
    finally:
        sys.set_int_max_str_digits(limit)


def digits(n: int) -> int:
    """How many decimal digits ``n > 0`` has (without converting it to text).

    Example:
        >>> digits(2**18616), len(exact_text(2**18616))
        (5604, 5604)
    """
    estimate = int(n.bit_length() * math.log10(2)) + 1
    return estimate - 1 if 10 ** (estimate - 1) > n else estimate


def choose(problem: Problem) -> tuple[Plan, tuple[str, ...], str]:
    """The plan, the engines in order of preference, and why.

    Boolean problems of at least ``RACE_MIN_VARIABLES`` variables (feature models, whose cross-tree constraints
    make diagrams grow, and some of which Ganak finds hard) race, Ganak first; multi-valued problems (the
    log-encoded diagram keeps their domains compact, a CNF does not) and small problems try the diagram first.

    Example:
        >>> from configurator.solver.problem import Problem, Variable
        >>> choose(Problem(tuple(Variable(f"f{i}", (0, 1)) for i in range(200))))[:2]
        ('race', ('ganak', 'diagram'))
        >>> choose(Problem((Variable("colour", (0, 1, 2)),)))[:2]
        ('sequential', ('diagram', 'ganak'))
    """
    boolean = all(len(v.domain) <= 2 for v in problem.variables)
    if boolean and len(problem.variables) >= RACE_MIN_VARIABLES:
        return "race", ("ganak", "diagram"), f"Boolean, {len(problem.variables)} variables: both engines race"
    if not boolean:
        return "sequential", ("diagram", "ganak"), "multi-valued domains: decision diagram first"
    return (
        "sequential",
        ("diagram", "ganak"),
        f"small ({len(problem.variables)} variables): decision diagram first",
    )


def _narrow(problem: Problem, fixed: Mapping[str, Iterable[int]] | None) -> Problem:
    if not fixed:
        return problem
    return problem.restrict(
        {n: tuple(v for v in problem.var(n).domain if v in set(allowed)) for n, allowed in fixed.items()}
    )


def _diagram(problem: Problem, time_limit: float | None, max_nodes: int | None) -> int:
    """The decision diagram's count: compiled and counted on the BDD (no sifting, no flattening)."""
    from configurator.solver.dd import count_problem

    return count_problem(problem, time_limit=time_limit, max_nodes=max_nodes)


def _ganak(problem: Problem) -> int:
    """Ganak here (called in a child process: encoding counts against the time limit too)."""
    from configurator.solver.counting.ganak import ganak_count

    return ganak_count(problem)


def _run(
    engine: str, problem: Problem, time_limit: float | None, max_nodes: int | None, memory_limit: int | None
) -> int:
    """One engine on its own: the diagram in this process, Ganak in a child."""
    if engine == "ganak":
        from configurator.solver.counting.ganak import count_in_child

        return count_in_child(problem, time_limit=time_limit, memory_limit=memory_limit)
    return _diagram(problem, time_limit, max_nodes)


def _race(
    problem: Problem,
    order: Sequence[str],
    time_limit: float | None,
    max_nodes: int | None,
    memory_limit: int | None,
) -> tuple[str, int, float, list[Attempt]]:
    from configurator.solver.counting.child import race

    counts: dict[str, Callable[[], int]] = {
        engine: (
            functools.partial(_ganak, problem)
            if engine == "ganak"
            else functools.partial(_diagram, problem, time_limit, max_nodes)
        )
        for engine in order
    }
    try:
        nice = {engine: RACE_NICE for engine in order[1:]}  # the favourite keeps its CPU on a busy machine
        name, value, seconds, tries = race(
            counts, time_limit=time_limit, memory_limit=memory_limit, nice=nice
        )
    except SolverError as exc:
        raise SolverError(f"cannot count {problem.name}: {exc}; {_MORE_ROOM}") from None
    return name, value, seconds, [Attempt(*t) for t in tries]


_MORE_ROOM = "give the engines more room (configurator count --time-limit S --max-nodes N)"


def count_portfolio(
    problem: Problem,
    fixed: Mapping[str, Iterable[int]] | None = None,
    *,
    time_limit: float | None = 60.0,
    max_nodes: int | None = None,
    memory_limit: int | None = None,
    engines: Sequence[str] | None = None,
) -> CountResult:
    """Count exactly by :func:`choose`'s plan (or with ``engines``, in order), falling back within the budget.

    Args:
        problem: the problem.
        fixed: allowed values per variable (choices narrow the domains).
        time_limit: seconds for all tries together (None: no limit). Sequentially, the first engine gets
            ``FIRST_SHARE`` of it unless it is the only one, the next what is left.
        max_nodes: the diagram's node limit (None: its default).
        memory_limit: bytes of address space for each child process (None: no cap).
        engines: the engines to try one after the other (names from :data:`ENGINES`); None: :func:`choose`.

    Raises:
        SolverError: every engine gave up (the message names each reason), an engine name or a variable of
            ``fixed`` is unknown.

    Example:
        >>> from configurator.solver.problem import Problem, Variable
        >>> r = count_portfolio(Problem((Variable("x", (1, 2, 3)),)), {"x": [1, 3]})
        >>> r.count, [a.outcome for a in r.attempts]
        (2, ['counted'])
    """
    unknown = sorted(set(fixed or {}) - set(problem.names))
    if unknown:
        raise SolverError(f"unknown variable {unknown[0]!r} in the fixed values of {problem.name}")
    plan: Plan
    if engines is None:
        plan, order, reason = choose(problem)
    else:
        plan, order, reason = "sequential", tuple(engines), "engines as asked"
    bad = [e for e in order if e not in ENGINES]
    if bad or not order:
        raise SolverError(f"unknown counting engine {bad[0] if bad else ''!r}; known: {', '.join(ENGINES)}")
    narrowed = _narrow(problem, fixed)
    if plan == "race":
        engine, value, seconds, tries = _race(narrowed, order, time_limit, max_nodes, memory_limit)
        return CountResult(value, engine, seconds, tuple(tries), plan, reason)
    started = time.perf_counter()
    attempts: list[Attempt] = []
    for i, engine in enumerate(order):
        begin = time.perf_counter()
        budget: float | None = None
        if time_limit is not None:
            left = time_limit - (begin - started)
            budget = left * FIRST_SHARE if i == 0 and len(order) > 1 else left
            if budget <= 0:
                attempts.append(Attempt(engine, 0.0, "no time left"))
                continue
        try:
            value = _run(engine, narrowed, budget, max_nodes, memory_limit)
        except (BackendLimitError, SolverError) as exc:
            attempts.append(Attempt(engine, time.perf_counter() - begin, str(exc)))
            continue
        seconds = time.perf_counter() - begin
        attempts.append(Attempt(engine, seconds, "counted"))
        return CountResult(value, engine, seconds, tuple(attempts), plan, reason)
    raise SolverError(
        f"cannot count {problem.name}: "
        + "; ".join(f"{a.engine} gave up after {a.seconds:.1f} s: {a.outcome}" for a in attempts)
        + f"; {_MORE_ROOM}"
    )
