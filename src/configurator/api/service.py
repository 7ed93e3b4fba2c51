"""What every endpoint shares: the :class:`Service` (settings, catalogs, database, sessions, clock).

:func:`~configurator.api.make_app` makes one service per app and keeps it on ``app.state.service``; a handler
asks for it with the :data:`ServiceDep` dependency (``svc: ServiceDep``), so routers hold no state of their
own and a test can build a service by hand.

Example:
    >>> from configurator.api.sessions import SessionStore
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.settings import Settings
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"label": {"en": "Frame"}, "options": {"alu": {"price": 400}}}}})
    >>> svc = Service(Settings(database_url="sqlite://"), {"bike": bike}, SessionStore())
    >>> svc.catalog("bike").version
    '1'
    >>> svc.catalog("bik")
    Traceback (most recent call last):
    ...
    configurator.errors.UnknownCatalogError: unknown catalog 'bik' (did you mean 'bike'?)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from configurator.api.sessions import SessionStore
from configurator.catalog.models import Catalog
from configurator.errors import UnknownCatalogError, suggest
from configurator.settings import Settings
from configurator.solver.session import ConfigurationSession
from configurator.storage import SqlStore, ensure_schema

if TYPE_CHECKING:
    from configurator.needs.catalog import CatalogNeedsView
    from configurator.needs.customer import CustomerNeeds

__all__ = ["LiveSession", "Service", "ServiceDep", "get_service"]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclasses.dataclass
class LiveSession:
    """An open configuration session and what the API attached to it (the customer and their learned needs)."""

    catalog: Catalog
    session: ConfigurationSession
    customer_id: str | None = None
    view: CatalogNeedsView | None = None
    needs: CustomerNeeds | None = None


class Service:
    """What the endpoints share: settings, catalogs, the database (opened on first use), sessions and the clock.

    Args:
        settings: database URL, tenant, phone region, solver backend.
        catalogs: the catalogs served, by id.
        sessions: the open configuration sessions.
        clock: the current time for quotes and acceptances (default: now, UTC).
    """

    def __init__(
        self,
        settings: Settings,
        catalogs: Mapping[str, Catalog],
        sessions: SessionStore[LiveSession],
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.catalogs = dict(catalogs)
        self.sessions = sessions
        self.now: Callable[[], dt.datetime] = clock or _utc_now
        self._engine_lock = threading.Lock()
        self._engine_cache: list[Any] = []

    def catalog(self, catalog_id: str) -> Catalog:
        """The served catalog with that id.

        Raises:
            UnknownCatalogError: no served catalog has that id (404, with the nearest id).
        """
        found = self.catalogs.get(catalog_id)
        if found is None:
            hint = suggest(catalog_id, self.catalogs)
            raise UnknownCatalogError(f"unknown catalog {catalog_id!r}" + (f" ({hint})" if hint else ""))
        return found

    def store(self) -> SqlStore:
        """A store for this request (stores hold transaction state: one per request, one engine per app)."""
        with self._engine_lock:
            if not self._engine_cache:
                self._engine_cache.append(ensure_schema(self.settings.database_url))
            engine = self._engine_cache[0]
        return SqlStore(engine, self.settings.tenant, region=self.settings.phone_region)

    def canonical(self, store: SqlStore, customer_id: str) -> str:
        """The customer's canonical id (404 with the nearest known id when unknown)."""
        from configurator.customers.identity import canonical_id
        from configurator.errors import UnknownCustomerError

        found = canonical_id(store, customer_id)
        if found is None:
            known = [p.customer_id for p in store.canonical_profiles()]
            raise UnknownCustomerError(customer_id, store.tenant, suggest(customer_id, known))
        return found

    def tier(self, store: SqlStore, customer_id: str) -> tuple[str, str]:
        """The customer's value tier and why, from the stored tier snapshot (a request never refits tiers).

        A customer without a snapshot row (new since the last refresh, or no refresh yet) is ``standard`` with
        :data:`~configurator.assembly.context.NO_TIER_REASON`; ``configurator customers tiers --refresh``
        recomputes the snapshot.
        """
        from configurator.assembly.context import snapshot_tier

        return snapshot_tier(store, customer_id)


def get_service(request: Request) -> Service:
    """The app's service, for the :data:`ServiceDep` dependency (``make_app`` keeps it on ``app.state``)."""
    service = request.app.state.service
    assert isinstance(service, Service)
    return service


ServiceDep = Annotated[Service, Depends(get_service)]
"""A handler parameter ``svc: ServiceDep`` receives the app's :class:`Service` (not part of the OpenAPI document)."""
