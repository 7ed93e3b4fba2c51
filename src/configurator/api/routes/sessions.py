"""``/sessions``: interactive configuration sessions, stored in the database so any worker answers (docs/api.md).

Example:
    >>> sorted({(route.path, *route.methods) for route in router.routes})  # doctest: +NORMALIZE_WHITESPACE
    [('/sessions', 'POST'), ('/sessions/{session_id}', 'DELETE'), ('/sessions/{session_id}', 'GET'),
     ('/sessions/{session_id}/choices', 'POST'), ('/sessions/{session_id}/complete', 'POST'),
     ('/sessions/{session_id}/draft', 'PUT'), ('/sessions/{session_id}/repair', 'POST')]
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Response

from configurator.api import schemas as s
from configurator.api import session_schemas as ss
from configurator.api.auth import Reader
from configurator.api.service import ServiceDep
from configurator.api.sessions import DRAFT_BYTES, LiveSession, ranked_repairs
from configurator.api.views import configuration_out, conflict_out, session_out
from configurator.api.wire import Identifier, LocaleTag
from configurator.errors import ConfigurationError
from configurator.solver.alternatives import alternatives
from configurator.solver.session import ConfigurationSession

__all__ = [
    "alternatives",
    "choose",
    "close_session",
    "complete",
    "get_session",
    "open_session",
    "repair",
    "router",
    "save_draft",
]

router = APIRouter(tags=["sessions"])


@router.post("/sessions", status_code=201)
def open_session(svc: ServiceDep, who: Reader, body: s.SessionIn, response: Response) -> ss.SessionStateOut:
    """Open an interactive configuration session (closes the caller's least recently used one at its limit)."""
    cat = svc.catalog(body.catalog)
    store = svc.store(who)
    customer = None if body.customer_id is None else svc.canonical(store, body.customer_id)
    sid, live = svc.sessions.open(
        store, who, cat, on=body.on, customer_id=customer, start=body.start == "last"
    )
    response.headers["Location"] = f"/sessions/{sid}"
    with live.lock:
        return session_out(sid, live, explain=False, locale=None)


@router.get("/sessions/{session_id}")
def get_session(
    svc: ServiceDep,
    who: Reader,
    session_id: Identifier,
    explain: Annotated[
        bool, Query(description="Add each removed option with the reason it is gone.")
    ] = False,
    locale: LocaleTag | None = None,
) -> ss.SessionStateOut:
    """The session: choices, valid options per module, recommendations; removed options with reasons on ``explain=1``."""
    live = svc.sessions.get(svc.store(who), who, session_id)
    with live.lock:
        state = session_out(session_id, live, explain=False, locale=locale)
        twin = live.session.copy() if explain and state.feasible else None
    if twin is not None:  # reasons on a copy, so the next click does not wait for them
        state.removed = {key: conflict_out(live.catalog, c, locale) for key, c in twin.removed().items()}
        state.alternatives = alternatives(twin)
    return state


@router.post("/sessions/{session_id}/choices")
def choose(
    svc: ServiceDep, who: Reader, session_id: Identifier, body: s.ChoiceIn, locale: LocaleTag | None = None
) -> ss.SessionStateOut:
    """Select, deselect (exclude) or unset one option, or clear every choice; answers the new state.

    An option that the other choices rule out can be selected too: the answer then has the ``conflict`` (the
    choices and rules in words) and the ``repairs`` that resolve it, cheapest for the customer first.
    """

    def change(session: ConfigurationSession) -> None:
        if body.action == "clear":
            session.clear()
            return
        if body.module is None or body.option is None:
            raise ConfigurationError(f"{body.action}: expected module and option, got none")
        if body.action == "select":
            session.select(body.module, body.option, body.qty)
        elif body.action == "deselect":
            session.deselect(body.module, body.option)
        else:
            session.unset(body.module, body.option)

    live = svc.sessions.change(svc.store(who), who, session_id, change)
    with live.lock:
        return session_out(session_id, live, explain=False, locale=locale)


@router.post("/sessions/{session_id}/repair")
def repair(
    svc: ServiceDep, who: Reader, session_id: Identifier, body: ss.RepairIn, locale: LocaleTag | None = None
) -> ss.SessionStateOut:
    """Apply one of the session's ``repairs`` (by index): give up its choices; answers the new state."""
    store = svc.store(who)
    live = svc.sessions.get(store, who, session_id)

    def change(session: ConfigurationSession) -> None:
        found = ranked_repairs(LiveSession(live.catalog, session, live.customer_id, live.view, live.needs))
        if body.index >= len(found):
            raise ConfigurationError(
                f"repair {body.index}: expected an index below {len(found)}, the session's repairs"
                + ("" if found else " (its choices hold: nothing to repair)")
            )
        for key in found[body.index].drop:
            module, _, option = key.partition(".")
            session.unset(module, option)

    live = svc.sessions.change(store, who, session_id, change)
    with live.lock:
        return session_out(session_id, live, explain=False, locale=locale)


@router.put("/sessions/{session_id}/draft")
def save_draft(svc: ServiceDep, who: Reader, session_id: Identifier, body: ss.DraftIn) -> ss.SessionStateOut:
    """Keep the rep's draft with the session (any JSON object up to 16 KiB: budget, services, notes).

    ``GET /sessions/{id}`` answers it back as ``draft``, so a reload or another worker loses nothing.
    """
    draft = body.root
    size = len(json.dumps(draft, ensure_ascii=False, separators=(",", ":")).encode())
    if size > DRAFT_BYTES:
        raise ConfigurationError(f"draft: expected at most {DRAFT_BYTES} bytes of JSON, got {size}")
    live = svc.sessions.save_draft(svc.store(who), who, session_id, draft)
    with live.lock:
        return session_out(session_id, live, explain=False, locale=None)


@router.post("/sessions/{session_id}/complete")
def complete(
    svc: ServiceDep, who: Reader, session_id: Identifier, body: s.CompleteIn | None = None
) -> s.CompleteOut:
    """A full valid configuration extending the choices (a customer's session: by their needs)."""
    body = body or s.CompleteIn()
    live = svc.sessions.get(svc.store(who), who, session_id)
    strategy = body.strategy or ("needs" if live.needs is not None else "defaults")
    with live.lock:
        if strategy == "needs":
            if live.view is None or live.needs is None:
                raise ConfigurationError("strategy 'needs' needs a session opened with a customer_id")
            from configurator.assembly.needs import weights_for

            chosen: dict[str, dict[str, int]] = {}
            for c in live.session.choices:
                chosen.setdefault(c.module, {})[c.option] = (c.qty or 1) if c.selected else 0
            found = live.session.complete(weights_for(live.view, live.needs, partial_selections=chosen))
        else:
            found = live.session.complete(strategy)
        conflict = live.session.explain() if found is None else None
    return s.CompleteOut(
        session_id=session_id,
        strategy=strategy,
        configuration=None if found is None else configuration_out(live.catalog, found, body.locale),
        conflict=None if conflict is None else conflict_out(live.catalog, conflict, body.locale),
    )


@router.delete("/sessions/{session_id}", status_code=204)
def close_session(svc: ServiceDep, who: Reader, session_id: Identifier) -> Response:
    """Close a session."""
    svc.sessions.close(svc.store(who), who, session_id)
    return Response(status_code=204)
