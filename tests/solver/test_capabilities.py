"""Declared capabilities are real: every backend does what it declares and the operations refuse the rest.

For each backend (cpsat, python_constraint, exhaustive) and each capability, the operations that rely on it
give the brute-force answer when the backend declares it and raise :class:`BackendCapabilityError` when it
does not. Undeclared capabilities are also checked on each backend narrowed to declare one capability less,
so every capability's refusal is exercised on every backend. Time limits are honoured on a problem no
backend can finish in them (a market split: two knapsack equalities over 0/1 variables).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from configurator.errors import BackendCapabilityError, BackendLimitError, SolverError
from configurator.solver import operations
from configurator.solver.backend import Backend, Capability, Fixed, Result, Status, get_backend
from configurator.solver.problem import (
    And,
    Constraint,
    Linear,
    Lit,
    Not,
    Objective,
    Or,
    Problem,
    Variable,
    linear_value,
)
from configurator.solver.session import ConfigurationSession, Weights
from support import make_catalog

BACKENDS = ("cpsat", "python_constraint", "exhaustive")
LIMIT_S = 0.05
"""The time limit of the time-limit checks; each must return within :data:`SLACK_S` of it."""
SLACK_S = 1.5


def lit(var: str, *values: int) -> Lit:
    """The literal ``var in values``."""
    return Lit(var, frozenset(values))


P = Problem(
    (Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2)), Variable("c", (0, 1, 2))),
    (
        Constraint("carbon-no-hub", Not(And((lit("a", 1), lit("b", 1))))),
        Constraint("motor-needs-battery", Linear(((1, lit("b", 1, 2)), (-1, lit("c", 1, 2))), "<=", 0)),
        Constraint("steel-small", Or((Not(lit("a", 2)), lit("c", 0, 1)))),
    ),
)
UTILITY = Objective(((2, "a"), (1, "b"), (1, "c")))
SOLUTIONS = [a for a in P.assignments() if P.check(a)]
BEST = max(linear_value(UTILITY.terms, s) for s in SOLUTIONS)


def market_split(n: int) -> Problem:
    """0/1 variables under two knapsack equalities with random weights: no solver settles it in a blink."""
    rng = random.Random(7)
    a = [rng.randint(1_000, 99_999) for _ in range(n)]
    c = [rng.randint(1_000, 99_999) for _ in range(n)]
    return Problem(
        tuple(Variable(f"x{i}", (0, 1)) for i in range(n)),
        (
            Constraint("a", Linear(tuple((w, f"x{i}") for i, w in enumerate(a)), "==", sum(a) // 2)),
            Constraint("c", Linear(tuple((w, f"x{i}") for i, w in enumerate(c)), "==", sum(c) // 2)),
        ),
    )


def hard_for(backend: Backend) -> Problem:
    """A problem ``backend`` needs seconds for without a limit (so a limit ignored fails, not hangs, the test).

    Unlimited on a 2-core machine: cpsat 24 variables 2.4 s to solve, 12 s to count; python_constraint and
    exhaustive 20 variables 13-16 s (the exhaustive backend refuses more than 2M assignments anyway).
    """
    return market_split(24 if backend.name == "cpsat" else 20)


def timed(call: Callable[[], Any]) -> float:
    """Seconds ``call()`` took (whatever it raised is re-raised)."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


# --- what each capability is used for: each check asserts the brute-force answer -------------------------


def _propagates(b: Backend) -> None:
    chosen = {"a": frozenset({1})}
    expected = {
        v.name: tuple(x for x in v.domain if any(s[v.name] == x and s["a"] == 1 for s in SOLUTIONS))
        for v in P.variables
    }
    assert operations.propagate(P, chosen, backend=b) == expected


def _explains(b: Backend) -> None:
    conflict = operations.explain(P, {"a": frozenset({1}), "b": frozenset({1})}, backend=b)
    assert conflict == operations.Conflict(("a", "b"), ("carbon-no-hub",))


def _solves(b: Backend) -> None:
    result = operations.optimize(P, [], backend=b, time_limit=None)
    assert result.assignment is not None and P.check(result.assignment)


def _optimizes(b: Backend) -> None:
    result = operations.optimize(P, [UTILITY], backend=b, time_limit=None)
    assert result.status == Status.OPTIMAL and result.objectives == (BEST,)


def _tops(b: Backend) -> None:
    results = operations.top_k(P, UTILITY, 2, distance=2, backend=b, time_limit=None)
    assert [r.objectives for r in results][:1] == [(BEST,)] and len(results) == 2


def _repairs(b: Backend) -> None:
    fixed = {"a": frozenset({1}), "b": frozenset({1})}
    fix = operations.repair(P, fixed, weights={"a": 5, "b": 1}, backend=b, time_limit=None)
    assert fix is not None and fix.drop == ("b",) and fix.cost == 1


def _reconfigures(b: Backend) -> None:
    result = operations.reconfigure(P, {"a": 1, "b": 0, "c": 0}, [lit("b", 1, 2)], backend=b, time_limit=None)
    assert result.assignment is not None and result.assignment["a"] == 1 and result.assignment["b"] == 2


def _counts(b: Backend) -> None:
    assert operations.count(P, backend=b, time_limit=None) == len(SOLUTIONS)


def _solves_in_time(b: Backend) -> None:
    box: list[Result] = []
    took = timed(lambda: box.append(operations.optimize(hard_for(b), [], backend=b, time_limit=LIMIT_S)))
    assert box[0].status == Status.TIMED_OUT and box[0].assignment is None
    assert took < LIMIT_S + SLACK_S


def _counts_in_time(b: Backend) -> None:
    def count() -> None:
        with pytest.raises(
            BackendLimitError, match=rf"{b.name} backend did not finish counting .* {LIMIT_S} s"
        ):
            operations.count(hard_for(b), backend=b, time_limit=LIMIT_S)

    assert timed(count) < LIMIT_S + SLACK_S


USES: dict[Capability, tuple[Callable[[Backend], None], ...]] = {
    Capability.SOLVE: (_propagates, _explains, _solves),
    Capability.OPTIMIZE: (_optimizes, _tops, _repairs, _reconfigures),
    Capability.COUNT: (_counts,),
    Capability.TIME_LIMIT: (_solves_in_time, _counts_in_time),
}
"""The operations that rely on each capability (enumeration has none: it is only the backend's own)."""


class Narrowed:
    """A backend declaring one capability less than ``inner`` (and offering no incremental engines)."""

    def __init__(self, inner: Backend, missing: Capability) -> None:
        self.inner = inner
        self.name = inner.name
        self.missing = missing

    @property
    def capabilities(self) -> frozenset[str]:
        """The inner backend's capabilities but one."""
        return self.inner.capabilities - {self.missing}

    def solve(self, problem: Problem, **options: Any) -> Result:
        """The inner backend's solve."""
        return self.inner.solve(problem, **options)

    def solutions(self, problem: Problem, **options: Any) -> Iterator[dict[str, int]]:
        """The inner backend's solutions."""
        return self.inner.solutions(problem, **options)

    def count(self, problem: Problem, *, fixed: Fixed | None = None, time_limit: float | None = None) -> int:
        """The inner backend's count."""
        return self.inner.count(problem, fixed=fixed, time_limit=time_limit)


@pytest.mark.parametrize("capability", list(USES), ids=str)
@pytest.mark.parametrize("name", BACKENDS)
def test_every_declared_capability_works_and_the_others_are_refused(
    name: str, capability: Capability
) -> None:
    """A declared capability gives the brute-force answer in every operation using it; else each refuses."""
    backend = get_backend(name)
    for use in USES[capability]:
        if capability in backend.capabilities:
            use(backend)
        else:
            with pytest.raises(BackendCapabilityError, match=rf"the {name} backend cannot .*'{capability}'"):
                use(backend)


@pytest.mark.parametrize("capability", list(USES), ids=str)
@pytest.mark.parametrize("name", BACKENDS)
def test_a_capability_taken_away_is_refused(name: str, capability: Capability) -> None:
    """A backend that stops declaring a capability is refused by every operation that needs it, before any solve."""
    narrowed = Narrowed(get_backend(name), capability)
    for use in USES[capability]:
        with pytest.raises(BackendCapabilityError) as refused:
            use(narrowed)
        assert refused.value.backend == name and refused.value.missing == (capability,)
        assert isinstance(refused.value, SolverError)


def test_enumeration_is_declared_and_exact() -> None:
    """Every backend declares enumeration, and its solutions are exactly the brute-force ones."""
    expected = sorted(tuple(sorted(s.items())) for s in SOLUTIONS)
    for name in BACKENDS:
        backend = get_backend(name)
        assert Capability.ENUMERATE in backend.capabilities
        assert sorted(tuple(sorted(s.items())) for s in backend.solutions(P)) == expected


def test_the_refusal_names_backend_operation_and_alternatives() -> None:
    """The message says which backend, which operation, what it lacks and which backends can do it."""
    with pytest.raises(BackendCapabilityError) as refused:
        operations.top_k(P, UTILITY, 2, backend="python_constraint")
    assert str(refused.value) == (
        "the python_constraint backend cannot find the top k solutions: it does not declare 'optimize'; "
        "backends that can: cpsat, exhaustive"
    )
    assert refused.value.capable == ("cpsat", "exhaustive")
    narrowed = Narrowed(get_backend("exhaustive"), Capability.TIME_LIMIT)
    with pytest.raises(BackendCapabilityError, match="cannot repair: it does not declare 'time_limit'"):
        operations.repair(P, {"a": frozenset({1})}, backend=narrowed)  # the default limit: 10 s
    assert operations.repair(P, {"a": frozenset({1})}, backend=narrowed, time_limit=None) is not None


TINY = make_catalog(
    {
        "frame": {"default": "alu", "options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
        "motor": {"choose": "optional", "options": {"hub": {"price": 700}, "mid": {"price": 900}}},
    },
    [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}],
)


def test_a_session_refuses_what_its_backend_cannot_do() -> None:
    """A session on python_constraint propagates and counts, but refuses to optimise, repair or reconfigure."""
    installed = ConfigurationSession(TINY).complete()
    assert installed is not None
    session = ConfigurationSession(TINY, backend="python_constraint", propagation="solver")
    session.select("frame", "carbon")
    assert session.domains()["motor"] == ("mid",) and session.count() == 2
    calls: list[Callable[[], object]] = [
        lambda: session.optimize(Weights(price=-1.0)),
        lambda: session.top_k(Weights(price=-1.0), 2),
        session.complete,
        session.repair,
        lambda: session.reconfigure(installed, ["motor.mid"]),
    ]
    for call in calls:
        with pytest.raises(BackendCapabilityError, match="the python_constraint backend cannot"):
            call()
