"""Wire models of the configuration session's page-facing answers: conflicts in words, repairs and the draft.

Example:
    >>> RepairIn(index=0).index
    0
    >>> DraftIn.model_validate({"budget": "4000", "notes": "call back"}).model_dump()
    {'budget': '4000', 'notes': 'call back'}
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from configurator.api import schemas as s

__all__ = ["ConflictWordsOut", "DraftIn", "RepairIn", "RepairOut", "SessionStateOut"]


class DraftIn(RootModel[dict[str, Any]]):
    """The rep's draft kept with the session: any JSON object (budget, services, notes), at most 16 KiB."""


class RepairIn(BaseModel):
    """Apply one of the session's repairs, by its ``index`` in ``repairs``."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(ge=0, le=9, description="Which repair of the session's `repairs` (0: the first).")


class ConflictWordsOut(s.ConflictOut):
    """A conflict with the choices named in words (``Frame: Carbon``) in the locale."""

    labels: dict[str, str] = Field(
        default_factory=dict, description="Each choice's module and option labels."
    )


class RepairOut(BaseModel):
    """A way out of the conflict: the choices to give up (cheapest for the customer first)."""

    index: int
    drop: list[str] = Field(description="`module.option` of each choice given up.")
    labels: list[str] = Field(description="The same choices in words, in the locale.")
    cost: int = Field(description="What giving them up costs (more when the customer's needs favour them).")


class StartChangeOut(BaseModel):
    """A choice of the last configuration left out of the start, and why."""

    key: str = Field(description="`module.option`.")
    label: str = Field(description="The option in words (its id when the catalog no longer has it).")
    reason: str = Field(
        description="`withdrawn` (no longer offered) or `conflict` (no longer goes with the rest)."
    )


class StartedFromOut(BaseModel):
    """What a returning customer's session started from: the choices made for them, so not entered again."""

    kind: str = Field(description="`purchased` (an order line) or `configured` (a complete configuration).")
    at: str = Field(description="When (ISO 8601).")
    kept: list[str] = Field(description="`module.option` of each choice made for the customer.")
    saved: int = Field(description="How many choices the customer did not have to make again.")
    changes: list[StartChangeOut]


class SessionStateOut(s.SessionOut):
    """The session's state, with the conflict in words and its ranked repairs, and the rep's draft."""

    conflict: ConflictWordsOut | None = None
    repairs: list[RepairOut] = Field(default_factory=list)
    draft: dict[str, Any] = Field(default_factory=dict)
    started_from: StartedFromOut | None = Field(
        None,
        description="A customer's session: the last configuration it started from (POST /sessions, start=last).",
    )
    alternatives: dict[str, list[str]] | None = Field(
        None,
        description=(
            "With explain=1: for each module that takes one option and has one chosen, the options that could"
            " replace it without a conflict with the other choices."
        ),
    )
