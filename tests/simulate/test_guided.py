"""Tests of guided selling in the simulation: questions asked one at a time, answered from the preferred bundle."""

from __future__ import annotations

from configurator.assembly.needs import GuidingQuestion
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.customer import CustomerNeeds
from configurator.simulate.guided import answer, ask
from configurator.solver.session import ConfigurationSession


def test_answers_follow_the_preferred_configuration() -> None:
    """A module question is answered with the preferred option; a yes/no question with yes or no."""
    preferred = Configuration({"frame": {"steel": 1}, "extras": {"rack": 1}})
    module = GuidingQuestion(module="frame", option=None, gain=1.0, answers=())
    rack = GuidingQuestion(module="extras", option="rack", gain=1.0, answers=())
    bell = GuidingQuestion(module="extras", option="bell", gain=1.0, answers=())
    assert answer(module, preferred, ["alu", "steel"]) == ["frame.steel"]
    assert answer(rack, preferred, []) == ["extras.rack"] and answer(bell, preferred, []) == ["!extras.bell"]


def test_at_most_limit_questions_never_about_the_requirements(bike: Catalog) -> None:
    """Asking stops at the limit, skips what the occasion already requires, and leaves the session clear."""
    view = CatalogNeedsView(bike)
    needs = CustomerNeeds(view.fit_population([]))
    session = ConfigurationSession(bike)
    preferred = Configuration({"frame": {"steel": 1}, "motor": {"hub": 1}})
    asked = ask(session, view, needs, preferred, ("motor.hub",), limit=1)
    modules = {a.lstrip("!").partition(".")[0] for a in asked}
    assert len(modules) <= 1 and "motor" not in modules
    assert not session.choices
    every = ask(session, view, needs, preferred, (), limit=3)
    assert {a for a in every if not a.startswith("!")} <= {"frame.steel", "motor.hub"}
