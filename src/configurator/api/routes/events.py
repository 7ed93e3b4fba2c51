"""``POST /events``: record interaction events, idempotent by event id.

Example:
    >>> [route.path for route in router.routes], MAX_EVENTS
    (['/events'], 1000)
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.exceptions import HTTPException

from configurator.api import schemas as s
from configurator.api.auth import EventWriter
from configurator.api.service import ServiceDep

__all__ = ["MAX_EVENTS", "post_events", "router"]

MAX_EVENTS = 1000
"""Most events one ``POST /events`` takes (post larger logs in batches, or use ``configurator customers ingest``)."""

router = APIRouter(tags=["customers"])


@router.post("/events")
def post_events(
    svc: ServiceDep,
    who: EventWriter,
    body: Annotated[
        dict[str, Any] | list[Any],
        Body(description=f"One event, or a list of at most {MAX_EVENTS} (see docs/api.md for the fields)."),
    ],
) -> s.EventsOut:
    """Record interaction events; idempotent by event id (posting them again counts duplicates only).

    Traits sent with an ordinary key are claims: they never overwrite a customer's contact data nor merge two
    customers (a rep reviews them); an ``admin`` key or a signed-in rep's are verified (docs/api.md).
    """
    from configurator.customers.ingest import ingest
    from configurator.customers.trust import Trust

    records = body if isinstance(body, list) else [body]
    if len(records) > MAX_EVENTS:
        raise HTTPException(413, f"at most {MAX_EVENTS} events per request, got {len(records)}")
    store = svc.store(who)
    trust: Trust = "verified" if who.kind == "account" or who.allows("admin") else "claimed"
    report = ingest(
        enumerate(records, 1), store, tenant=store.tenant, region=svc.settings.phone_region, trust=trust
    )
    svc.audit(
        store,
        who,
        "events.post",
        "events",
        received=report.read,
        accepted=report.accepted,
        duplicates=report.duplicates,
        rejected=len(report.rejected),
        trust=trust,
    )
    return s.EventsOut(
        received=report.read,
        accepted=report.accepted,
        duplicates=report.duplicates,
        suppressed=report.suppressed,
        rejected=[
            s.RejectionOut(index=r.line, event_id=r.event_id, field=r.field, reason=r.reason)
            for r in report.rejected
        ],
    )
