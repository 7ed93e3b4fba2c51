"""Wire models of guided selling: the questions worth asking a customer first (``GET /sessions/{id}/questions``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["AnswerOut", "QuestionOut", "QuestionsOut"]


class AnswerOut(BaseModel):
    """A possible answer: an option (``""``: none of the module's options, or "no" to a multi-choice option)."""

    option: str
    label: str
    probability: float


class QuestionOut(BaseModel):
    """A choice worth asking about: which option of ``module``, or (with ``option``) whether to add that option."""

    module: str
    module_label: str
    option: str | None = Field(None, description="Set when the question is whether to add this option.")
    option_label: str | None = None
    gain: float = Field(description="Modules of the first proposal expected to be right more once answered.")
    answers: list[AnswerOut]


class QuestionsOut(BaseModel):
    """The questions, best first (none for an anonymous session: there is no customer to ask)."""

    session_id: str
    questions: list[QuestionOut]
