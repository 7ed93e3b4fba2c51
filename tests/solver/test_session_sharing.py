"""Tests of configuration sessions sharing one compiled catalog (configurator.solver.session with dd.cache).

Sessions of the same catalog on the same date reuse one compiled problem and one decision diagram from the
process-wide cache; each keeps its own choices and propagation state.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.solver import operations
from configurator.solver.dd import CompiledDiagram, diagram_cache
from configurator.solver.session import ConfigurationSession
from support import ROOT, make_catalog, needs_cudd

pytestmark = needs_cudd

DAY = dt.date(2026, 11, 23)


@cache
def laptop() -> Catalog:
    """The laptop example catalog (compiles to a diagram in milliseconds), loaded once."""
    return load_catalog(ROOT / "catalogs" / "laptop.yaml")


def bike(version: str = "1", *, stricter: bool = False, tag: str = "") -> Catalog:
    """A small catalog; ``stricter`` adds a rule, ``tag`` names an extra option (a distinct problem)."""
    extras: dict[str, Any] = {"bell": {"price": 10}, "cage": {"price": 5, "qty": {"max": 3}}}
    if tag:
        extras[tag] = {"price": 1}
    rules = [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}]
    if stricter:
        rules.append({"id": "mid-bell", "if": "motor.mid", "requires": "extras.bell"})
    return make_catalog(
        {
            "frame": {
                "options": {"alu": {"price": 400}, "carbon": {"price": 1200, "valid_to": "2026-06-30"}}
            },
            "motor": {"choose": "optional", "options": {"hub": {"price": 700}, "mid": {"price": 900}}},
            "extras": {"choose": "any", "options": extras},
        },
        rules,
        version=version,
    )


@pytest.fixture
def small_cache() -> Iterator[None]:
    """The process-wide cache bounded to one diagram for the test, then restored."""
    before = diagram_cache().max_entries
    diagram_cache().max_entries = 1
    yield
    diagram_cache().max_entries = before


def opened(catalog: Catalog, on: dt.date | None = DAY) -> ConfigurationSession:
    """A session whose diagram has been looked up (its first ``domains``)."""
    session = ConfigurationSession(catalog, on=on)
    session.domains()
    return session


def test_sessions_of_one_catalog_share_one_diagram_and_problem() -> None:
    """A second session of the same catalog and date reuses the first one's problem and diagram."""
    first, second = opened(laptop()), opened(laptop())
    assert first.diagram() is not None
    assert second.diagram() is first.diagram()
    assert second.cp is first.cp


def test_an_equal_catalog_loaded_again_shares_the_diagram() -> None:
    """A catalog loaded twice (another object, same content) compiles to an equal problem and one diagram."""
    again = load_catalog(ROOT / "catalogs" / "laptop.yaml")
    assert again is not laptop()
    assert opened(again).diagram() is opened(laptop()).diagram()


def test_other_catalogs_versions_and_dates_get_their_own_diagram() -> None:
    """A different catalog, a version with other rules, or a date that changes what is on sale do not share."""
    base = opened(bike(tag="horn")).diagram()
    assert base is not None
    assert opened(laptop()).diagram() is not base
    assert opened(bike("2", stricter=True, tag="horn")).diagram() is not base
    assert opened(bike(tag="horn"), on=dt.date(2026, 1, 1)).diagram() is not base  # carbon on sale then
    assert opened(bike(tag="horn")).diagram() is base


def test_the_shared_diagrams_are_bounded(small_cache: None) -> None:
    """With room for one diagram, opening another catalog drops the first; its next session compiles again."""
    first = opened(bike(tag="bounded_a")).diagram()
    opened(bike(tag="bounded_b"))
    assert len(diagram_cache()) == 1
    assert opened(bike(tag="bounded_a")).diagram() is not first


def test_concurrent_first_sessions_compile_the_catalog_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions opened at once in several threads, before any diagram exists, compile it once and share it."""
    calls: list[int] = []
    real = CompiledDiagram.compile

    def slow_compile(*args: Any, **kwargs: Any) -> CompiledDiagram:
        calls.append(1)
        threading.Event().wait(0.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(CompiledDiagram, "compile", slow_compile)
    catalog = bike(tag="concurrent")
    barrier = threading.Barrier(5)
    sessions: list[ConfigurationSession] = []

    def open_one() -> None:
        barrier.wait()
        sessions.append(opened(catalog))

    threads = [threading.Thread(target=open_one) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(sessions) == 5 and len(calls) == 1
    assert all(s.diagram() is sessions[0].diagram() is not None for s in sessions)


def test_choices_of_one_session_never_change_another() -> None:
    """Interleaved choices in two sessions of one catalog: each shows the domains of its own choices only."""
    a, b = opened(laptop()), opened(laptop())
    assert a.diagram() is b.diagram()
    alone_a = ConfigurationSession(laptop(), on=DAY, propagation="solver")
    alone_b = ConfigurationSession(laptop(), on=DAY, propagation="solver")
    untouched = b.domains()
    modules = list(laptop().modules)
    for module in modules[:3]:
        option = next(iter(laptop().modules[module].options))
        a.select(module, option)
        alone_a.select(module, option)
        assert b.domains() == untouched
        assert a.domains() == alone_a.domains()
    assert a.domains() != untouched
    last = modules[-1]
    option = list(laptop().modules[last].options)[-1]
    b.select(last, option)
    alone_b.select(last, option)
    assert b.domains() == alone_b.domains() != untouched
    assert a.domains() == alone_a.domains()
    a.clear()
    assert a.domains() == untouched
    assert b.domains() == alone_b.domains()


def test_interleaved_sessions_keep_their_own_incremental_propagation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sessions asked in turn propagate as little as when each is asked alone: neither resets the other."""
    restricted: list[int] = []
    original = CompiledDiagram._restrict

    def counted(self: CompiledDiagram, state: Any, level: int, code: int) -> None:
        restricted.append(level)
        original(self, state, level, code)

    monkeypatch.setattr(CompiledDiagram, "_restrict", counted)
    steps = [(m, list(laptop().modules[m].options)) for m in list(laptop().modules)[:3]]

    def propagated(interleaved: bool) -> int:
        restricted.clear()
        a, b = opened(laptop()), opened(laptop())
        turns = [(a, 0), (b, -1)]
        order = (
            [(s, k, m, o) for m, o in steps for s, k in turns]
            if interleaved
            else [(s, k, m, o) for s, k in turns for m, o in steps]
        )
        for session, k, module, options in order:
            session.select(module, options[k])
            session.domains()
        return len(restricted)

    alone = propagated(interleaved=False)
    assert alone > 0
    assert propagated(interleaved=True) == alone


def test_the_solver_answers_the_first_view_of_a_catalog_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a diagram, the domains with no choice are solved once per catalog; choices are still solved."""
    calls: list[int] = []
    original = operations.Propagator.supported

    def counted(self: operations.Propagator, *args: Any, **kwargs: Any) -> list[bool]:
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(operations.Propagator, "supported", counted)
    catalog = bike(tag="solver_view")
    first = ConfigurationSession(catalog, on=DAY, propagation="solver")
    untouched = first.domains()
    assert len(calls) == 1
    second = ConfigurationSession(catalog, on=DAY, propagation="solver")
    assert second.domains() == untouched and len(calls) == 1
    first.select("motor", "mid")
    assert first.domains() != untouched and len(calls) == 2
    assert second.domains() == untouched and len(calls) == 2
    by_diagram = ConfigurationSession(catalog, on=DAY)
    by_diagram.select("motor", "mid")
    assert first.domains() == by_diagram.domains()
