"""``POST /events``: record interaction events, idempotent by event id; ``GET /events/suppressed`` (admin).

The answer to ``POST /events`` never tells the sender that a person was erased: an event dropped because it
carries an erased person's identifier is counted as accepted (and posting it again as a duplicate, as for a
stored event), and ``suppressed`` is always 0. How many were dropped is recorded in the audit entry of each
post and summed by ``GET /events/suppressed``, for an ``admin`` key only.

Example:
    >>> [route.path for route in router.routes], MAX_EVENTS
    (['/events', '/events/suppressed'], 1000)
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from configurator.api import schemas as s
from configurator.api.auth import Admin, EventWriter
from configurator.api.service import ServiceDep

__all__ = ["MAX_EVENTS", "SuppressedOut", "post_events", "router", "suppressed_events"]

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
    from configurator.customers.keyring import PrivacyKeys, using_keys
    from configurator.customers.trust import Trust

    records = body if isinstance(body, list) else [body]
    if len(records) > MAX_EVENTS:
        raise HTTPException(413, f"at most {MAX_EVENTS} events per request, got {len(records)}")
    store = svc.store(who)
    trust: Trust = "verified" if who.kind == "account" or who.allows("admin") else "claimed"
    with using_keys(PrivacyKeys.from_settings(svc.settings)):
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
        suppressed=report.suppressed,
        trust=trust,
    )
    return s.EventsOut(
        received=report.read,
        accepted=report.accepted + report.suppressed,  # dropped, but the sender must not learn who was erased
        duplicates=report.duplicates,
        suppressed=0,
        rejected=[
            s.RejectionOut(index=r.line, event_id=r.event_id, field=r.field, reason=r.reason)
            for r in report.rejected
        ],
    )


class SuppressedOut(BaseModel):
    """Events of erased people dropped by ``POST /events`` in this tenant (what senders are never told)."""

    suppressed: int = Field(description="Events dropped because they carried an erased person's identifier.")
    posts: int = Field(description="Posts that dropped at least one.")


@router.get("/events/suppressed")
def suppressed_events(svc: ServiceDep, who: Admin) -> SuppressedOut:
    """How many posted events were dropped as an erased person's (from the audit log; ``admin`` only)."""
    store = svc.store(who)
    counts = [
        int(e.details.get("suppressed") or 0) for e in store.audit_entries() if e.action == "events.post"
    ]
    return SuppressedOut(suppressed=sum(counts), posts=sum(1 for n in counts if n))
