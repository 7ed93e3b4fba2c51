"""Guided selling for a new customer: the few questions asked before the first proposal, answered truthfully.

A customer with no history gets the population's guess. The product can ask first: at most 3 questions, the
undecided choices whose answers most improve the first proposal
(:func:`~configurator.assembly.needs.guiding_questions`), ranked again after each answer. :func:`ask` plays
both parts: it opens a session with the occasion's requirements, asks the best question, lets the simulated
customer answer with what their preferred configuration has (for a module: its option, or none for an
optional module left out; for a multi-choice option: yes or no), applies the answer and asks again. The
answers are requirements (``module.option`` or ``!module.option``) that ``assemble`` honours beside the
occasion's.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.needs.catalog import CatalogNeedsView
    >>> from configurator.needs.customer import CustomerNeeds
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
    ...                 "bell": {"choose": "optional", "options": {"ding": {}}}}})
    >>> view = CatalogNeedsView(bike)
    >>> needs = CustomerNeeds(view.fit_population([]))
    >>> session = ConfigurationSession(bike)
    >>> ask(session, view, needs, Configuration({"frame": {"carbon": 1}}), (), limit=3)
    ['frame.carbon', '!bell.ding']
"""

from __future__ import annotations

from collections.abc import Sequence

from configurator.assembly.assemble import parse_requirement
from configurator.assembly.needs import GuidingQuestion, guiding_questions
from configurator.catalog.configuration import Configuration
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.customer import CustomerNeeds
from configurator.solver.session import ConfigurationSession

__all__ = ["answer", "ask"]


def answer(question: GuidingQuestion, preferred: Configuration, options: Sequence[str]) -> list[str]:
    """The customer's truthful answer as requirements: what ``preferred`` has for the question.

    ``options`` are the module's options (a "none" answer excludes each of them).

    Example:
        >>> q = GuidingQuestion(module="bell", option=None, gain=0.5, answers=())
        >>> answer(q, Configuration({"frame": {"alu": 1}}), ["ding", "horn"])
        ['!bell.ding', '!bell.horn']
    """
    chosen = [o for o, qty in preferred.selections.get(question.module, {}).items() if qty > 0]
    if question.option is not None:
        sign = "" if question.option in chosen else "!"
        return [f"{sign}{question.module}.{question.option}"]
    if chosen:
        return [f"{question.module}.{chosen[0]}"]
    return [f"!{question.module}.{option}" for option in options]


def ask(
    session: ConfigurationSession,
    view: CatalogNeedsView,
    needs: CustomerNeeds,
    preferred: Configuration,
    requirements: Sequence[str],
    *,
    limit: int = 3,
) -> list[str]:
    """Ask up to ``limit`` questions one at a time (ranked again after each answer); the answers as requirements.

    Args:
        session: a session of the catalog (cleared before and after).
        view: the catalog's needs view.
        needs: the customer's needs (the population's for a new customer).
        preferred: the configuration the customer wants for this occasion (their answers come from it).
        requirements: the occasion's requirements (already decided: never asked).
        limit: at most this many questions.
    """
    answers: list[str] = []
    session.clear()
    try:
        for requirement in requirements:
            _apply(session, requirement)
        for _ in range(limit):
            found = guiding_questions(session, view, needs, limit=1)
            if not found:
                break
            given = answer(found[0], preferred, list(view.catalog.modules[found[0].module].options))
            for requirement in given:
                _apply(session, requirement)
            answers.extend(given)
    finally:
        session.clear()
    return answers


def _apply(session: ConfigurationSession, requirement: str) -> None:
    choice = parse_requirement(requirement)
    if choice.selected:
        session.select(choice.module, choice.option, choice.qty)
    else:
        session.deselect(choice.module, choice.option)
