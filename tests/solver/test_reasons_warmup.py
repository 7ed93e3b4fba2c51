"""Warming the reasons of a catalog: a pause between its steps, and sessions explaining while it runs."""

from __future__ import annotations

import threading

from configurator.catalog.models import Catalog
from configurator.solver.reasons import warm_reasons
from configurator.solver.session import ConfigurationSession
from support import make_catalog


def _catalog() -> Catalog:
    """Two one-option modules and an optional one, with rules between them."""
    return make_catalog(
        {
            "frame": {"options": {"alu": {}, "carbon": {}, "steel": {}}},
            "motor": {"choose": "optional", "options": {"hub": {}, "mid": {}}},
            "rack": {"choose": "optional", "options": {"front": {}, "rear": {}}},
        },
        rules=[
            {"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]},
            {"id": "steel-rear", "if": "frame.steel", "requires": "rack.rear"},
        ],
    )


def test_warming_calls_the_pause_before_each_option() -> None:
    """The pause is called once before each option of a one-option module (where a background caller rests)."""
    calls: list[int] = []
    explained = warm_reasons(ConfigurationSession(_catalog()), pause=lambda: calls.append(1))
    assert len(calls) == 3 + 2 + 2
    assert explained > 0


def test_sessions_explain_the_same_options_while_a_warm_up_runs() -> None:
    """Reasons asked while warm-ups run in other threads name the same removed options as without them."""
    catalog = _catalog()
    alone = ConfigurationSession(catalog)
    alone.select("frame", "carbon")
    expected = set(alone.removed())
    errors: list[BaseException] = []

    def warm() -> None:
        try:
            warm_reasons(ConfigurationSession(catalog))
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=warm) for _ in range(2)]
    for thread in threads:
        thread.start()
    seen = []
    for _ in range(5):
        session = ConfigurationSession(catalog)
        session.select("frame", "carbon")
        seen.append(set(session.removed()))
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(found == expected for found in seen)
