"""``GET /customers?q=``: find customers; ``GET /customers/{customer_id}``: a profile summary, counts and tier.

The search reads ``q`` as a customer id, an email, a phone number (any format, in the tenant's phone
region), a name or a company (accent- and case-insensitive, fuzzy, word order free) and answers the best
hits first (:mod:`configurator.customers.search`), never another tenant's or an erased customer.

The tier comes from the stored tier snapshot (``tier_computed_at`` says when it was computed; null: no tier
yet, ``standard`` until the next refresh): a request never refits the tenant's tiers.

Example:
    >>> [route.path for route in router.routes]
    ['/customers', '/customers/{customer_id}', '/customers/{customer_id}/overview']
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator, BeforeValidator

from configurator.api import schemas as s
from configurator.api.auth import Reader
from configurator.api.overview import OverviewOut
from configurator.api.service import ServiceDep
from configurator.api.wire import Identifier, LocaleTag, check_identifier, nfc

__all__ = ["customer_overview", "get_customer", "router", "search_customers"]

router = APIRouter(tags=["customers"])

SearchText = Annotated[
    str,
    BeforeValidator(nfc),
    Query(min_length=1, max_length=200, description="A name, email, phone, company or customer id."),
    AfterValidator(check_identifier),
]


@router.get("/customers")
def search_customers(
    svc: ServiceDep,
    who: Reader,
    q: SearchText,
    limit: Annotated[int, Query(ge=1, le=50, description="Most hits (default 10).")] = 10,
) -> list[s.CustomerHitOut]:
    """Customers whose id, email, phone, name or company match ``q``, best first, with what matched."""
    hits = svc.store(who).search_customers(q, limit=limit)
    return [
        s.CustomerHitOut(
            customer_id=h.customer_id,
            display_name=h.display_name,
            matched=s.MatchedOut(kind=h.kind, value=h.value),
            score=h.score,
        )
        for h in hits
    ]


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


@router.get("/customers/{customer_id}/overview")
def customer_overview(
    svc: ServiceDep,
    who: Reader,
    customer_id: Identifier,
    locale: LocaleTag | None = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most timeline entries (default 50).")] = 50,
) -> OverviewOut:
    """Everything we know about a customer in words: contact, tier explained, needs, timeline, quotes, orders."""
    from configurator.api.overview import Words, learned_needs, overview_out
    from configurator.customers.overview import customer_overview as read_overview
    from configurator.errors import UnknownCustomerError

    store = svc.store(who)
    with store.atomic():
        canonical = svc.canonical(store, customer_id)
        facts = read_overview(store, canonical, now=svc.now())
        if facts is None:  # erased between the two reads
            raise UnknownCustomerError(customer_id, store.tenant)
        needs = learned_needs(svc, store, facts)
    return overview_out(facts, needs, Words(locale or "en", svc.catalogs), limit=limit)
