"""What every endpoint shares: the :class:`Service` (settings, catalogs, database, credentials, sessions, clock).

:func:`~configurator.api.make_app` makes one service per app and keeps it on ``app.state.service``; a handler
asks for it with the :data:`ServiceDep` dependency (``svc: ServiceDep``), so routers hold no state of their
own and a test can build a service by hand. Every store a handler gets is scoped to the caller's tenant
(:meth:`Service.store`), and every change is audited with who made it (:meth:`Service.audit`).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.settings import Settings
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"label": {"en": "Frame"}, "options": {"alu": {"price": 400}}}}})
    >>> svc = Service(Settings(database_url="sqlite://", secret_key="s" * 32), {"bike": bike})
    >>> svc.catalog("bike").version
    '1'
    >>> svc.catalog("bik")
    Traceback (most recent call last):
    ...
    configurator.errors.UnknownCatalogError: unknown catalog 'bik' (did you mean 'bike'?)
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from configurator.api.sessions import LiveSession, Sessions
from configurator.catalog.models import Catalog
from configurator.errors import UnknownCatalogError, suggest
from configurator.settings import Settings
from configurator.storage import CredentialStore, SqlStore, ensure_schema

if TYPE_CHECKING:
    from configurator.access import Accounts, KeyRing, Principal
    from configurator.api.auth import KeyCache
    from configurator.needs.transfer import Transfer

__all__ = ["TRANSFER_TTL", "LiveSession", "Service", "ServiceDep", "get_service"]


TRANSFER_TTL = dt.timedelta(minutes=10)
"""How long :meth:`Service.transfer` keeps what the other catalogs teach a catalog before reading it again."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Service:
    """What the endpoints share: settings, catalogs, the database (opened on first use), credentials, sessions.

    Args:
        settings: database URL, secret key, phone region, solver backend, session limits.
        catalogs: the catalogs served (to every tenant), by id.
        clock: the current time for quotes, acceptances, sessions and sign-ins (default: now, UTC).

    Raises:
        SettingsError: the settings have no secret key (keys and sign-ins are stored as keyed hashes).
    """

    def __init__(
        self,
        settings: Settings,
        catalogs: Mapping[str, Catalog],
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        from configurator.api.auth import KeyCache

        self.settings = settings
        self.secret = settings.require_secret()
        self.catalogs = dict(catalogs)
        self.now: Callable[[], dt.datetime] = clock or _utc_now
        self.sessions = Sessions(settings, self.catalogs.get, lambda: self.now(), transfer=self.transfer)
        self.key_cache: KeyCache = KeyCache()
        self._engine_lock = threading.Lock()
        self._engine_cache: list[Any] = []
        self._transfers: dict[tuple[str, str], tuple[dt.datetime, Transfer]] = {}

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

    def engine(self) -> Any:
        """The database (a SQLAlchemy engine), migrated to the current schema on first use (one per app)."""
        with self._engine_lock:
            if not self._engine_cache:
                self._engine_cache.append(ensure_schema(self.settings.database_url))
            return self._engine_cache[0]

    def close(self) -> None:
        """Close the database's connections (the app's shutdown; a later request opens them again)."""
        with self._engine_lock:
            while self._engine_cache:
                self._engine_cache.pop().dispose()

    def transfer(self, store: SqlStore, catalog_id: str) -> Transfer:
        """What the other served catalogs teach ``catalog_id`` for the store's tenant.

        Population-wide work (every catalog's sales are read and the transfer judged on the customers who bought
        from both sides), so it is kept per tenant and catalog for :data:`TRANSFER_TTL` and shared between
        requests.
        """
        from configurator.assembly.needs import transfer_for

        key = (store.tenant, catalog_id)
        now = self.now()
        found = self._transfers.get(key)
        if found is not None and now - found[0] < TRANSFER_TTL:
            return found[1]
        transfer = transfer_for(store, self.catalogs, besides=catalog_id)
        self._transfers[key] = (now, transfer)
        return transfer

    def store(self, who: Principal) -> SqlStore:
        """A store of the caller's tenant for this request (stores hold transaction state: one per request)."""
        return SqlStore(self.engine(), who.tenant, region=self.settings.phone_region)

    def keys(self) -> KeyRing:
        """The API keys of every tenant."""
        from configurator.access import KeyRing

        return KeyRing(CredentialStore(self.engine()), self.secret, lambda: self.now())

    def accounts(self) -> Accounts:
        """The rep accounts of every tenant and their sign-ins."""
        from configurator.access import Accounts

        return Accounts(
            CredentialStore(self.engine()),
            self.secret,
            lambda: self.now(),
            sign_in_hours=self.settings.sign_in_hours,
        )

    def audit(self, store: SqlStore, who: Principal, action: str, subject: str, **details: Any) -> None:
        """Append to the tenant's audit log that ``who`` did ``action`` on ``subject``."""
        from configurator.customers.identity import AuditRecord

        related = details.pop("related", None)
        store.audit(AuditRecord(action, who.actor, subject, related, details, self.now()))

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
