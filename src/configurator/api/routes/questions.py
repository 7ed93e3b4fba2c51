"""Guided selling: ``GET /sessions/{session_id}/questions``, the few choices worth asking the customer first.

A new customer has no history, so the first proposal is the population's guess; the answers to these questions
(at most 3, chosen by the expected number of modules the proposal gets right more once answered, under this
customer's needs: :func:`configurator.assembly.needs.guiding_questions`) fix the most of it. Answer one by
choosing the option in the session; the questions are ranked again with every choice.

Example:
    >>> [route.path for route in router.routes]
    ['/sessions/{session_id}/questions']
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from configurator.api import question_schemas as qs
from configurator.api.auth import Reader
from configurator.api.service import ServiceDep
from configurator.api.wire import Identifier, LocaleTag

__all__ = ["questions", "router"]

router = APIRouter(tags=["sessions"])


@router.get("/sessions/{session_id}/questions")
def questions(
    svc: ServiceDep,
    who: Reader,
    session_id: Identifier,
    limit: Annotated[int, Query(ge=1, le=3, description="At most this many questions.")] = 3,
    locale: LocaleTag | None = None,
) -> qs.QuestionsOut:
    """The choices worth asking this session's customer about first, best first, with their likely answers."""
    from configurator.assembly.needs import guiding_questions

    live = svc.sessions.get(svc.store(who), who, session_id)
    if live.view is None or live.needs is None:
        return qs.QuestionsOut(session_id=session_id, questions=[])
    with live.lock:
        twin = live.session.copy()
    catalog = live.catalog
    none = {"en": "none", "pt": "nenhum", "es": "ninguno", "sv": "ingen"}

    def option_label(module: str, option: str) -> str:
        if not option:
            return none.get((locale or "en").partition("_")[0], "none")
        return catalog.text(catalog.modules[module].options[option].label, locale, option)

    found = guiding_questions(twin, live.view, live.needs, limit=limit)
    return qs.QuestionsOut(
        session_id=session_id,
        questions=[
            qs.QuestionOut(
                module=q.module,
                module_label=catalog.text(catalog.modules[q.module].label, locale, q.module),
                option=q.option,
                option_label=None if q.option is None else option_label(q.module, q.option),
                gain=round(q.gain, 4),
                answers=[
                    qs.AnswerOut(option=o, label=option_label(q.module, o), probability=round(p, 6))
                    for o, p in q.answers
                ],
            )
            for q in found
        ],
    )
