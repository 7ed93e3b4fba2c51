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
from configurator.api.service import ServiceDep

__all__ = ["MAX_EVENTS", "post_events", "router"]

MAX_EVENTS = 1000
"""Most events one ``POST /events`` takes (post larger logs in batches, or use ``configurator customers ingest``)."""

router = APIRouter(tags=["customers"])


@router.post("/events")
def post_events(
    svc: ServiceDep,
    body: Annotated[
        dict[str, Any] | list[Any],
        Body(description=f"One event, or a list of at most {MAX_EVENTS} (see docs/api.md for the fields)."),
    ],
) -> s.EventsOut:
    """Record interaction events; idempotent by event id (posting them again counts duplicates only)."""
    from configurator.customers.ingest import ingest

    records = body if isinstance(body, list) else [body]
    if len(records) > MAX_EVENTS:
        raise HTTPException(413, f"at most {MAX_EVENTS} events per request, got {len(records)}")
    store = svc.store()
    report = ingest(enumerate(records, 1), store, tenant=store.tenant, region=svc.settings.phone_region)
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
