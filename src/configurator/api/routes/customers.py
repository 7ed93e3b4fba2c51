"""``GET /customers/{customer_id}``: a customer's profile summary, history counts and value tier.

Example:
    >>> [route.path for route in router.routes]
    ['/customers/{customer_id}']
"""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter

from configurator.api import schemas as s
from configurator.api.service import ServiceDep

__all__ = ["get_customer", "router"]

router = APIRouter(tags=["customers"])


@router.get("/customers/{customer_id}")
def get_customer(svc: ServiceDep, customer_id: str) -> s.CustomerOut:
    """A customer's profile summary, history counts, value tier and the reason for it."""
    from configurator.customers.consent import consent_status
    from configurator.storage.repositories import customer_events, orders_for, quotes_for

    store = svc.store()
    canonical = svc.canonical(store, customer_id)
    profile = store.get_profile(canonical)
    assert profile is not None  # canonical() found it
    events = customer_events(store.engine, store.tenant, canonical)
    tier, reason = svc.tier(store, canonical)
    return s.CustomerOut(
        customer_id=canonical,
        merged_ids=store.merged_ids(canonical),
        name=profile.name,
        company=profile.extra.get("company"),
        country=profile.extra.get("country"),
        language=profile.extra.get("language"),
        created_at=profile.created_at,
        events=len(events),
        events_by_type=dict(sorted(Counter(e.type for e in events).items())),
        orders=len(orders_for(store.engine, store.tenant, canonical)),
        quotes=len(quotes_for(store.engine, store.tenant, canonical)),
        profiling=consent_status(store, canonical)["profiling"],
        tier=tier,
        tier_reason=reason,
    )
