"""Alternatives to each one-option choice: the diagram's one pass equals asking a copy with the choice unset."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from configurator import load_catalog
from configurator.solver.alternatives import alternatives
from configurator.solver.session import ConfigurationSession
from support import ROOT, needs_cudd, open_single_choices


def _slow(session: ConfigurationSession) -> dict[str, list[str]]:
    """The same question asked of a copy with each choice unset (the definition)."""
    found: dict[str, list[str]] = {}
    for choice in session.choices:
        if choice.selected and session.catalog.modules[choice.module].max_choices == 1:
            other = session.copy()
            other.unset(choice.module, choice.option)
            found[choice.module] = list(other.domains()[choice.module])
    return found


@needs_cudd
@pytest.mark.parametrize(
    ("name", "propagation"),
    [("ebike", "auto"), ("laptop", "auto"), ("valve", "auto"), ("kitchen", "auto"), ("valve", "solver")],
)
def test_alternatives_equal_asking_with_the_choice_unset(name: str, propagation: str) -> None:
    """Along random sessions of each example catalog (diagram or solver), every module's alternatives are exact."""
    catalog = load_catalog(ROOT / "catalogs" / f"{name}.yaml")
    session = ConfigurationSession(catalog, on=dt.date(2026, 11, 23), propagation=propagation)
    assert (session.diagram() is not None) == (name != "kitchen" and propagation == "auto")
    rng = random.Random(7)
    checked = 0
    for _ in range(4):
        session.clear()
        for _ in range(6):
            free = open_single_choices(session)
            if not free:
                break
            session.select(*rng.choice(free))
            assert alternatives(session) == _slow(session)
            checked += 1
    assert checked >= 12


def test_without_a_diagram_the_copy_answers() -> None:
    """A session propagating by the solver gets the same answer, asked of copies."""
    catalog = load_catalog(ROOT / "catalogs" / "ebike.yaml")
    session = ConfigurationSession(catalog, on=dt.date(2026, 11, 23), propagation="solver")
    session.select("frame", next(iter(catalog.modules["frame"].options)))
    found = alternatives(session)
    assert found == _slow(session) and list(found) == ["frame"]
