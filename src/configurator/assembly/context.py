"""Who the bundle is for: a customer's tier, needs, country, stated budget and installed base for one catalog.

:func:`customer_context` reads it from the store (needs via :func:`~configurator.assembly.needs.needs_for`, the
tier from :mod:`configurator.customers.tiers` or given); :func:`context_from_events` builds it from events in
memory (tests, demos, a session that has not been stored yet).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.customers.events import validate_event
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}}}})
    >>> budget = validate_event({"event_id": "b1", "type": "stated_need", "customer_id": "ann", "channel": "phone",
    ...     "ts": "2026-05-01T12:00:00Z", "need": "budget", "value": 900}, tenant="shop")
    >>> ann = context_from_events(bike, "ann", [budget], tier="mvc", country="pt")
    >>> ann.tier, ann.country, ann.budget
    ('mvc', 'PT', Decimal('900'))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, get_args

import polars as pl

from configurator.assembly.needs import needs_for
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog, Tier
from configurator.customers.events import Event
from configurator.customers.identity import canonical_id
from configurator.customers.needs import CustomerNeeds, Evidence, NeedsModel
from configurator.customers.needs_catalog import CatalogNeedsView
from configurator.customers.tiers import TierAssigner
from configurator.errors import ConfiguratorError
from configurator.storage.repositories import (
    SqlStore,
    consents_frame,
    customer_events,
    events_frame,
    installed_base_for,
)

if TYPE_CHECKING:  # typing only: sqlalchemy stays in storage/ at run time
    from sqlalchemy import Engine

__all__ = ["CustomerContext", "context_from_events", "customer_context"]

_TIERS: tuple[str, ...] = get_args(Tier)


@dataclasses.dataclass(frozen=True)
class CustomerContext:
    """A customer, as assembly needs them for one catalog.

    Attributes:
        customer_id: the customer's (canonical) id.
        view: the catalog's needs view.
        needs: the customer's learned needs (population only for a newcomer or after a profiling objection).
        tier: ``mvc``, ``mgc``, ``standard`` or ``below_zero``.
        country: ISO 3166 alpha-2 code (service eligibility), if known.
        installed: the configurations of this catalog they own, oldest first.
        budget: the latest budget they stated for this catalog, if any.
        evidence: their evidence in this catalog (what kind of event is behind each option).
    """

    customer_id: str
    view: CatalogNeedsView
    needs: CustomerNeeds
    tier: Tier = "standard"
    country: str | None = None
    installed: tuple[Configuration, ...] = ()
    budget: Decimal | None = None
    evidence: tuple[Evidence, ...] = ()

    def __post_init__(self) -> None:
        """Check the tier and normalise the country code."""
        if self.tier not in _TIERS:
            raise ConfiguratorError(
                f"customer {self.customer_id}: tier: expected one of {_TIERS}, got {self.tier!r}"
            )
        if self.country is not None:
            object.__setattr__(self, "country", self.country.upper())

    @property
    def catalog(self) -> Catalog:
        """The catalog the context is for."""
        return self.view.catalog


def _tier_of(tiers: str | Mapping[str, str] | TierAssigner | None, customer_id: str, store: SqlStore) -> str:
    if isinstance(tiers, str):
        return tiers
    if isinstance(tiers, Mapping):
        return tiers.get(customer_id, "standard")
    if tiers is None:
        consents = consents_frame(store.engine, store.tenant)
        objections = consents.filter(~pl.col("profiling"))["customer_id"].to_list()
        tiers = TierAssigner().fit(events_frame(store.engine, store.tenant), objections=objections)
    try:
        return str(tiers.explain(customer_id, store.tenant)["tier"])
    except KeyError:  # no events of theirs: a newcomer is standard
        return "standard"


def customer_context(
    store: SqlStore | Engine,
    tenant: str,
    customer_id: str,
    catalog: Catalog,
    *,
    tiers: str | Mapping[str, str] | TierAssigner | None = None,
    country: str | None = None,
    population: NeedsModel | None = None,
    view: CatalogNeedsView | None = None,
) -> CustomerContext:
    """A customer's context for ``catalog`` from the store.

    Args:
        store: a store of ``tenant``, or an engine.
        tenant: the tenant.
        customer_id: any of the customer's ids (merged profiles resolve to the canonical one).
        catalog: the catalog.
        tiers: the tier itself, tiers by canonical customer id, or a fitted
            :class:`~configurator.customers.tiers.TierAssigner`; None fits one on the tenant's events (slow on
            large tenants: pass the batch result instead).
        country: the customer's country (default: the ``country`` trait of their profile).
        population: a fitted population model to share between customers (see ``needs_for``).
        view: the catalog's needs view to share between customers.
    """
    if not isinstance(store, SqlStore):
        store = SqlStore(store, tenant)
    view = view or CatalogNeedsView(catalog)
    needs = needs_for(store, tenant, customer_id, catalog, population=population, view=view)
    canonical = canonical_id(store, customer_id) or customer_id
    events = customer_events(store.engine, tenant, canonical)
    if country is None:
        profile = store.get_profile(canonical)
        country = profile.extra.get("country") if profile is not None else None
    installed = [
        Configuration.from_data({"selections": row["configuration"]}, where=f"installed {row['order_id']}")
        for row in installed_base_for(store.engine, tenant, canonical)
        if row.get("catalog_id") == catalog.catalog and row.get("configuration")
    ]
    tier = _tier_of(tiers, canonical, store)
    return _context(view, needs, canonical, events, tier, country, installed)


def _context(
    view: CatalogNeedsView,
    needs: CustomerNeeds,
    customer_id: str,
    events: Sequence[Event],
    tier: str,
    country: str | None,
    installed: Iterable[Configuration],
) -> CustomerContext:
    evidence = tuple(e for event in events for e in view.evidence(event)) if needs.profiling else ()
    return CustomerContext(
        customer_id,
        view,
        needs,
        tier,  # type: ignore[arg-type]  # checked in __post_init__
        country,
        tuple(installed),
        view.budget(events),
        evidence,
    )


def context_from_events(
    catalog: Catalog,
    customer_id: str,
    events: Iterable[Event],
    *,
    sales: Iterable[Event] = (),
    tier: str = "standard",
    country: str | None = None,
    installed: Iterable[Configuration] = (),
    profiling: bool = True,
) -> CustomerContext:
    """A customer's context from events in memory (population fitted on ``sales``; catalog defaults if none).

    Args:
        catalog: the catalog.
        customer_id: the customer's id.
        events: the customer's events (any order).
        sales: the catalog's sales for the population.
        tier: the customer's tier.
        country: the customer's country.
        installed: configurations of this catalog they own.
        profiling: False after an objection to profiling (their events teach nothing).
    """
    view = CatalogNeedsView(catalog)
    mine = sorted(events, key=lambda e: (e.ts, e.event_id))
    needs = CustomerNeeds(view.fit_population(sales), profiling=profiling)
    for event in mine:
        needs.observe(*view.evidence(event))
    return _context(view, needs, customer_id, mine, tier, country, installed)
