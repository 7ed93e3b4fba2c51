"""Tests of configurator.solver.dd.cache (the process-wide diagram cache) and of per-caller diagram cursors."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from configurator.errors import BackendLimitError, SolverError
from configurator.solver.dd import CompiledDiagram, DiagramCache, DiagramCursor, diagram_cache
from configurator.solver.problem import Constraint, Linear, Lit, Or, Problem, Variable
from support import needs_cudd

pytestmark = needs_cudd


def problem(bound: int = 3, name: str = "p") -> Problem:
    """A small problem: three variables whose sum is at most ``bound``."""
    return Problem(
        (Variable("frame", (1, 2)), Variable("motor", (0, 1)), Variable("size", (0, 1, 2))),
        (Constraint("budget", Linear(((1, "frame"), (1, "motor"), (1, "size")), "<=", bound)),),
        name,
    )


class CountingCompile:
    """A stand-in for ``CompiledDiagram.compile`` that counts calls and can be slowed down."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls = 0
        self.delay = delay
        self._real = CompiledDiagram.compile
        self._lock = threading.Lock()

    def __call__(self, problem: Problem, **kwargs: Any) -> CompiledDiagram:
        """Count the call, wait, and compile."""
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        return self._real(problem, **kwargs)


def in_threads(count: int, work: Any) -> list[Any]:
    """Run ``work()`` in ``count`` threads started together; their results or exceptions, in thread order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_equal_problems_share_one_diagram_and_budgets_are_part_of_the_key() -> None:
    """An equal problem (another object, same content) gets the kept diagram; other budgets or content do not."""
    cache = DiagramCache()
    first = cache.get(problem(), time_limit=10.0, max_memory=64 << 20)
    assert cache.get(problem(), time_limit=10.0, max_memory=64 << 20) is first
    assert cache.get(problem(), time_limit=5.0, max_memory=64 << 20) is not first
    assert cache.get(problem(), time_limit=10.0, max_memory=None) is not first
    other = cache.get(problem(bound=4), time_limit=10.0, max_memory=64 << 20)
    assert other is not first and other.count() > first.count()
    assert cache.info().hits == 1 and cache.info().misses == 4


def test_the_cache_keeps_the_most_recently_used_diagrams_only() -> None:
    """Beyond ``max_entries`` the least recently used diagram is dropped; lowering the bound drops at once."""
    cache = DiagramCache(max_entries=2)
    a = cache.get(problem(1))
    b = cache.get(problem(2))
    assert cache.get(problem(1)) is a  # a is now the most recent
    cache.get(problem(3))
    assert len(cache) == 2
    assert cache.get(problem(1)) is a
    assert cache.get(problem(2)) is not b  # b was dropped and compiles again
    cache.max_entries = 1
    assert len(cache) == 1 and cache.info().max_entries == 1
    cache.max_entries = 0
    assert len(cache) == 0
    assert cache.get(problem(1)) is not cache.get(problem(1))  # nothing kept


def test_a_negative_bound_is_refused() -> None:
    """A cache cannot keep a negative number of diagrams."""
    with pytest.raises(SolverError, match="max_entries=-1"):
        DiagramCache(max_entries=-1)
    with pytest.raises(SolverError, match="max_entries=-2"):
        DiagramCache().max_entries = -2


def test_threads_asking_for_the_same_problem_compile_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrent first requests for one problem wait for one compilation and get the same diagram."""
    counting = CountingCompile(delay=0.2)
    monkeypatch.setattr(CompiledDiagram, "compile", counting)
    cache = DiagramCache()
    results = in_threads(6, lambda: cache.get(problem()))
    assert counting.calls == 1
    assert all(r is results[0] for r in results) and isinstance(results[0], CompiledDiagram)


def test_a_failed_compilation_reaches_every_waiting_thread_and_is_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the one compilation fails, every thread waiting for it gets the error; a later request tries again."""
    counting = CountingCompile(delay=0.2)
    monkeypatch.setattr(CompiledDiagram, "compile", counting)
    cache = DiagramCache()
    results = in_threads(4, lambda: cache.get(problem(), max_nodes=1))
    assert counting.calls == 1
    assert all(isinstance(r, BackendLimitError) for r in results)
    assert len(cache) == 0
    with pytest.raises(BackendLimitError):
        cache.get(problem(), max_nodes=1)
    assert counting.calls == 2


def test_the_process_cache_is_one_object() -> None:
    """Every caller gets the same process-wide cache."""
    assert diagram_cache() is diagram_cache()
    assert isinstance(diagram_cache(), DiagramCache)


def test_cursors_keep_their_own_propagation() -> None:
    """Two cursors on one diagram answer for their own assumptions, whatever the other one was asked."""
    p = Problem(
        (Variable("a", (0, 1)), Variable("b", (0, 1)), Variable("c", (0, 1, 2))),
        (
            Constraint("ab", Or((Lit("a", frozenset({1})), Lit("b", frozenset({1}))))),
            Constraint("bc", Linear(((1, "b"), (1, "c")), "<=", 2)),
        ),
    )
    diagram = CompiledDiagram.compile(p)
    fresh = CompiledDiagram.compile(p)
    mine, theirs = diagram.cursor(), diagram.cursor()
    steps: list[tuple[CompiledDiagram | DiagramCursor, dict[str, int]]] = [
        (mine, {"a": 0}),
        (theirs, {"b": 0}),
        (mine, {"a": 0, "c": 2}),
        (diagram, {"c": 0}),
        (theirs, {"b": 0, "c": 1}),
        (mine, {"a": 0, "c": 2}),
        (mine, {"c": 1}),
        (theirs, {}),
    ]
    for who, assumptions in steps:
        assert who.valid_domains(assumptions) == fresh.valid_domains(assumptions), (who, assumptions)
    assert diagram.cursor().valid_domains() == {"a": (0, 1), "b": (0, 1), "c": (0, 1, 2)}
