"""``GET /customers/{customer_id}``: a customer's profile summary, history counts and value tier.

The tier comes from the stored tier snapshot (``tier_computed_at`` says when it was computed; null: no tier
yet, ``standard`` until the next refresh): a request never refits the tenant's tiers.

Example:
    >>> [route.path for route in router.routes]
    ['/customers/{customer_id}']
"""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter

from configurator.api import schemas as s
from configurator.api.auth import Reader
from configurator.api.service import ServiceDep
from configurator.api.wire import Identifier

__all__ = ["get_customer", "router"]

router = APIRouter(tags=["customers"])


@router.get("/customers/{customer_id}")
def get_customer(svc: ServiceDep, who: Reader, customer_id: Identifier) -> s.CustomerOut:
    """A customer's profile summary, history counts, value tier and the reason for it."""
    from configurator.customers.consent import consent_status

    store = svc.store(who)
    canonical = svc.canonical(store, customer_id)
    profile = store.get_profile(canonical)
    assert profile is not None  # canonical() found it
    events = store.customer_events(canonical)
    stored = store.stored_tier(canonical)  # the snapshot's row: a request never refits the tiers
    tier, reason = (stored.tier, stored.reason) if stored is not None else svc.tier(store, canonical)
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
        orders=len(store.orders_for(canonical)),
        quotes=len(store.quotes_for(canonical)),
        profiling=consent_status(store, canonical)["profiling"],
        tier=tier,
        tier_reason=reason,
        tier_computed_at=stored.computed_at if stored is not None else None,
    )
