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
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol, get_args, runtime_checkable

from configurator.assembly.needs import learned_needs, transferred_from
from configurator.assembly.ports import CustomerStore
from configurator.assembly.replay import PastChoice, past_choices
from configurator.assembly.requirements import customer_evidence
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog, Tier
from configurator.customers.events import DEFAULT_LIMITS, Event, StatedNeed
from configurator.customers.identity import canonical_id
from configurator.customers.tiers import TierAssigner
from configurator.errors import ConfiguratorError
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.customer import CustomerNeeds, Evidence
from configurator.needs.models import NeedsModel
from configurator.needs.transfer import Transfer

__all__ = [
    "NO_TIER_REASON",
    "CustomerContext",
    "TierSource",
    "context_from_events",
    "customer_context",
    "snapshot_tier",
    "usable_budget_events",
]

_log = logging.getLogger(__name__)

_TIERS: tuple[str, ...] = get_args(Tier)

NO_TIER_REASON = "no tier yet: computed at the next refresh (configurator customers tiers --refresh)"
"""The reason given to a customer without a stored tier (new since the last refresh, or no refresh yet)."""


@runtime_checkable
class TierSource(Protocol):
    """Where a request reads a customer's tier: the stored snapshot (``storage.SqlStore`` is one), never a fit."""

    def tier_of(self, customer_id: str) -> tuple[str, str] | None:
        """``(tier, reason)`` of the customer, or None when the snapshot has no row for them."""
        ...


def snapshot_tier(source: TierSource, customer_id: str) -> tuple[str, str]:
    """``(tier, reason)`` of a customer from the snapshot; ``standard`` with :data:`NO_TIER_REASON` without a row.

    Example:
        >>> class Snapshot:
        ...     def tier_of(self, customer_id: str) -> tuple[str, str] | None:
        ...         return ("mvc", "top value") if customer_id == "ann" else None
        >>> snapshot_tier(Snapshot(), "ann")
        ('mvc', 'top value')
        >>> snapshot_tier(Snapshot(), "new") == ("standard", NO_TIER_REASON)
        True
    """
    found = source.tier_of(customer_id)
    return found if found is not None else ("standard", NO_TIER_REASON)


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
        ignored: why stored values were left out (a stated budget out of bounds), one line each.
        past: the complete configurations of this catalog they chose, with the occasions they chose them for
            (what assembly replays, :mod:`configurator.assembly.replay`); none after a profiling objection.
    """

    customer_id: str
    view: CatalogNeedsView
    needs: CustomerNeeds
    tier: Tier = "standard"
    country: str | None = None
    installed: tuple[Configuration, ...] = ()
    budget: Decimal | None = None
    evidence: tuple[Evidence, ...] = ()
    ignored: tuple[str, ...] = ()
    past: tuple[PastChoice, ...] = ()

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


def _tier_of(
    tiers: str | Mapping[str, str] | TierAssigner | TierSource | None, customer_id: str, store: CustomerStore
) -> str:
    if isinstance(tiers, str):
        return tiers
    if isinstance(tiers, Mapping):
        return tiers.get(customer_id, "standard")
    if isinstance(tiers, TierAssigner):
        try:
            return str(tiers.explain(customer_id, store.tenant)["tier"])
        except KeyError:  # no events of theirs: a newcomer is standard
            return "standard"
    if tiers is not None:
        return snapshot_tier(tiers, customer_id)[0]
    if not isinstance(store, TierSource):
        raise ConfiguratorError(
            f"customer {customer_id}: the store has no tier snapshot (tier_of); pass tiers= to customer_context"
        )
    return snapshot_tier(store, customer_id)[0]


def customer_context(
    store: CustomerStore,
    tenant: str,
    customer_id: str,
    catalog: Catalog,
    *,
    tiers: str | Mapping[str, str] | TierAssigner | TierSource | None = None,
    country: str | None = None,
    population: NeedsModel | None = None,
    view: CatalogNeedsView | None = None,
    transfer: Transfer | None = None,
) -> CustomerContext:
    """A customer's context for ``catalog`` from the store.

    With ``transfer``, what the customer bought from its other catalogs teaches this one through shared
    attributes and price level (:mod:`configurator.needs.transfer`: evidence of kind ``transferred``, at most as
    strong as one configuration of this catalog); nothing is transferred for a customer who objected to
    profiling.

    Args:
        store: a store of ``tenant`` (e.g. ``storage.SqlStore``); with ``tiers=None`` also a
            :class:`TierSource`.
        tenant: the tenant.
        customer_id: any of the customer's ids (merged profiles resolve to the canonical one).
        catalog: the catalog.
        tiers: the tier itself, tiers by canonical customer id, a fitted
            :class:`~configurator.customers.tiers.TierAssigner`, or a :class:`TierSource`; None reads the
            store's tier snapshot (``standard`` without a row: nothing is fitted per request).
        country: the customer's country (default: the ``country`` trait of their profile).
        population: a fitted population model to share between customers (see ``needs_for``).
        view: the catalog's needs view to share between customers.
        transfer: other catalogs and their population's profile (:func:`~configurator.assembly.needs.
            transfer_for`), to share between customers.
    """
    view = view or CatalogNeedsView(catalog)
    learned = learned_needs(store, tenant, customer_id, catalog, population=population, view=view)
    needs, events = learned.needs, learned.events
    canonical = canonical_id(store, customer_id) or customer_id
    if country is None:
        profile = store.get_profile(canonical)
        country = profile.extra.get("country") if profile is not None else None
    base = store.installed_base_for(canonical)
    installed = [
        Configuration.from_data({"selections": row["configuration"]}, where=f"installed {row['order_id']}")
        for row in base
        if row.get("catalog_id") == catalog.catalog and row.get("configuration")
    ]
    transferred: list[Evidence] = []
    if transfer is not None and needs.profiling:
        transferred = transferred_from(base, view, transfer)
        needs.observe(*transferred)
    tier = _tier_of(tiers, canonical, store)
    return _context(view, needs, canonical, events, learned.evidence, tier, country, installed, transferred)


def _context(
    view: CatalogNeedsView,
    needs: CustomerNeeds,
    customer_id: str,
    events: Sequence[Event],
    own: Sequence[Evidence],
    tier: str,
    country: str | None,
    installed: Iterable[Configuration],
    transferred: Sequence[Evidence] = (),
) -> CustomerContext:
    evidence = (*own, *transferred) if needs.profiling else ()
    usable, ignored = usable_budget_events(events)
    for reason in ignored:
        _log.warning("customer %s: %s", customer_id, reason)
    return CustomerContext(
        customer_id,
        view,
        needs,
        tier,  # type: ignore[arg-type]  # checked in __post_init__
        country,
        tuple(installed),
        view.budget(usable),
        evidence,
        ignored,
        past_choices(view.catalog, events) if needs.profiling else (),
    )


def usable_budget_events(
    events: Iterable[Event], max_budget: Decimal = DEFAULT_LIMITS.max_money
) -> tuple[list[Event], tuple[str, ...]]:
    """The events without stated budgets out of bounds, and why each of those was ignored.

    A stored budget may predate the ingestion limits (or come from a store written by other code): a number
    that is not finite or above ``max_budget`` is ignored, so the latest budget within bounds applies instead,
    and a bad row can never break a request.

    Example:
        >>> from configurator.customers.events import validate_event
        >>> need = {"type": "stated_need", "customer_id": "ann", "channel": "phone", "need": "budget"}
        >>> ok = validate_event({**need, "event_id": "b1", "ts": "2026-05-01T12:00:00Z", "value": 900}, tenant="t")
        >>> bad = validate_event({**need, "event_id": "b2", "ts": "2026-05-02T12:00:00Z", "value": 1e20},
        ...                      tenant="t", limits=None)
        >>> kept, why = usable_budget_events([ok, bad])
        >>> [e.event_id for e in kept], why
        (['b1'], ('stated budget of event b2 ignored: expected at most 1000000000000, got 1e+20',))
    """
    kept: list[Event] = []
    ignored: list[str] = []
    for event in events:
        value = event.value if isinstance(event, StatedNeed) and event.need == "budget" else None
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and (not math.isfinite(value) or value > max_budget):  # type: ignore[arg-type,operator]
            ignored.append(
                f"stated budget of event {event.event_id} ignored: expected at most {max_budget}, got {value!r}"
            )
            continue
        kept.append(event)
    return kept, tuple(ignored)


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
    own = customer_evidence(view, mine)
    needs.observe(*own)
    return _context(view, needs, customer_id, mine, own, tier, country, installed)
