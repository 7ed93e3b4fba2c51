"""Old import path of the storage repositories: moved to one module per aggregate, reached through ``SqlStore``.

The free functions below keep the old calling style ``f(session_or_engine, tenant, ...)`` for callers outside
storage; each is a thin shim over the :class:`~configurator.storage.store.SqlStore` method of the same name
(``events_frame(engine, tenant)`` is ``SqlStore(engine, tenant).events_frame()``; given a session, the call
joins that session's transaction). New code calls the store's methods.

Example:
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> add_quote(engine, "shop", quote_id="q1", customer_id="c1", configuration={}, total=None, currency="EUR")
    True
    >>> quote_head(engine, "shop", "q1").status == SqlStore(engine, "shop").quote_head("q1").status
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from configurator.customers.events import Event
from configurator.customers.identity import AuditRecord
from configurator.storage.events import event_row
from configurator.storage.frames import CONSENTS_SCHEMA, EVENTS_SCHEMA
from configurator.storage.quotes import QuoteHeadRow, QuoteVersionRow, legacy_quote_payload
from configurator.storage.store import SqlStore

__all__ = [
    "CONSENTS_SCHEMA",
    "EVENTS_SCHEMA",
    "QuoteHeadRow",
    "QuoteVersionRow",
    "SqlStore",
    "add_quote",
    "advance_quote_head",
    "audit_entries",
    "catalog_sales",
    "catalog_versions",
    "consents_frame",
    "customer_events",
    "event_row",
    "events_frame",
    "expire_quote_heads",
    "in_transaction",
    "insert_quote_head",
    "insert_quote_version",
    "installed_base_for",
    "legacy_quote_payload",
    "load_catalog_text",
    "order_event",
    "orders_for",
    "profiling_allowed",
    "quote_head",
    "quote_version_rows",
    "quotes_for",
    "save_catalog",
    "set_quote_status",
    "stamp_quote_version",
]

_T = TypeVar("_T")


def _store(session_or_engine: Session | Engine, tenant: str) -> SqlStore:
    """The store of ``tenant``: joining the given session's transaction, or with its own on the engine."""
    if isinstance(session_or_engine, Session):
        return SqlStore.joining(session_or_engine, tenant)
    return SqlStore(session_or_engine, tenant)


def in_transaction(store: SqlStore, work: Callable[[], _T]) -> _T:
    """Shim: :meth:`SqlStore.in_transaction`."""
    return store.in_transaction(work)


def events_frame(session_or_engine: Session | Engine, tenant: str) -> pl.DataFrame:
    """Shim: :meth:`SqlStore.events_frame`."""
    return _store(session_or_engine, tenant).events_frame()


def consents_frame(session_or_engine: Session | Engine, tenant: str) -> pl.DataFrame:
    """Shim: :meth:`SqlStore.consents_frame`."""
    return _store(session_or_engine, tenant).consents_frame()


def profiling_allowed(session_or_engine: Session | Engine, tenant: str) -> set[str]:
    """Shim: :meth:`SqlStore.profiling_allowed`."""
    return _store(session_or_engine, tenant).profiling_allowed()


def customer_events(session_or_engine: Session | Engine, tenant: str, customer_id: str) -> list[Event]:
    """Shim: :meth:`SqlStore.customer_events`."""
    return _store(session_or_engine, tenant).customer_events(customer_id)


def catalog_sales(session_or_engine: Session | Engine, tenant: str, catalog_id: str) -> list[Event]:
    """Shim: :meth:`SqlStore.catalog_sales`."""
    return _store(session_or_engine, tenant).catalog_sales(catalog_id)


def audit_entries(
    session_or_engine: Session | Engine, tenant: str, *, subject: str | None = None
) -> list[AuditRecord]:
    """Shim: :meth:`SqlStore.audit_entries`."""
    return _store(session_or_engine, tenant).audit_entries(subject=subject)


def save_catalog(
    session_or_engine: Session | Engine,
    tenant: str,
    catalog_id: str,
    version: str,
    yaml_text: str,
    *,
    loaded_at: dt.datetime | None = None,
) -> bool:
    """Shim: :meth:`SqlStore.save_catalog`."""
    return _store(session_or_engine, tenant).save_catalog(catalog_id, version, yaml_text, loaded_at=loaded_at)


def catalog_versions(
    session_or_engine: Session | Engine, tenant: str, catalog_id: str
) -> list[tuple[str, dt.datetime]]:
    """Shim: :meth:`SqlStore.catalog_versions`."""
    return _store(session_or_engine, tenant).catalog_versions(catalog_id)


def load_catalog_text(
    session_or_engine: Session | Engine, tenant: str, catalog_id: str, version: str | None = None
) -> str | None:
    """Shim: :meth:`SqlStore.load_catalog_text`."""
    return _store(session_or_engine, tenant).load_catalog_text(catalog_id, version)


def add_quote(
    session_or_engine: Session | Engine,
    tenant: str,
    *,
    quote_id: str,
    customer_id: str,
    configuration: Mapping[str, Any],
    total: Decimal | None,
    currency: str,
    catalog_id: str | None = None,
    catalog_version: str | None = None,
    status: str = "draft",
    created_at: dt.datetime | None = None,
) -> bool:
    """Shim: :meth:`SqlStore.add_quote`."""
    return _store(session_or_engine, tenant).add_quote(
        quote_id=quote_id,
        customer_id=customer_id,
        configuration=configuration,
        total=total,
        currency=currency,
        catalog_id=catalog_id,
        catalog_version=catalog_version,
        status=status,
        created_at=created_at,
    )


def quote_head(
    session_or_engine: Session | Engine, tenant: str, quote_id: str, *, lock: bool = False
) -> QuoteHeadRow | None:
    """Shim: :meth:`SqlStore.quote_head`."""
    return _store(session_or_engine, tenant).quote_head(quote_id, lock=lock)


def quote_version_rows(
    session_or_engine: Session | Engine, tenant: str, quote_id: str, version: int | None = None
) -> list[QuoteVersionRow]:
    """Shim: :meth:`SqlStore.quote_version_rows`."""
    return _store(session_or_engine, tenant).quote_version_rows(quote_id, version)


def insert_quote_version(
    session_or_engine: Session | Engine,
    tenant: str,
    *,
    quote_id: str,
    version: int,
    customer_id: str,
    created_at: dt.datetime,
    total: Decimal | None,
    currency: str,
    locale: str | None,
    valid_until: dt.date | None,
    payload: Mapping[str, Any],
) -> bool:
    """Shim: :meth:`SqlStore.insert_quote_version`."""
    return _store(session_or_engine, tenant).insert_quote_version(
        quote_id=quote_id,
        version=version,
        customer_id=customer_id,
        created_at=created_at,
        total=total,
        currency=currency,
        locale=locale,
        valid_until=valid_until,
        payload=payload,
    )


def insert_quote_head(
    session_or_engine: Session | Engine,
    tenant: str,
    *,
    quote_id: str,
    customer_id: str,
    catalog_id: str | None,
    catalog_version: str | None,
    configuration: Mapping[str, Any],
    total: Decimal | None,
    currency: str,
    created_at: dt.datetime,
    valid_until: dt.date | None,
    status: str = "draft",
) -> bool:
    """Shim: :meth:`SqlStore.insert_quote_head`."""
    return _store(session_or_engine, tenant).insert_quote_head(
        quote_id=quote_id,
        customer_id=customer_id,
        catalog_id=catalog_id,
        catalog_version=catalog_version,
        configuration=configuration,
        total=total,
        currency=currency,
        created_at=created_at,
        valid_until=valid_until,
        status=status,
    )


def advance_quote_head(
    session_or_engine: Session | Engine,
    tenant: str,
    quote_id: str,
    *,
    from_version: int,
    catalog_id: str | None,
    catalog_version: str | None,
    configuration: Mapping[str, Any],
    total: Decimal | None,
    currency: str,
    valid_until: dt.date | None,
) -> bool:
    """Shim: :meth:`SqlStore.advance_quote_head`."""
    return _store(session_or_engine, tenant).advance_quote_head(
        quote_id,
        from_version=from_version,
        catalog_id=catalog_id,
        catalog_version=catalog_version,
        configuration=configuration,
        total=total,
        currency=currency,
        valid_until=valid_until,
    )


def set_quote_status(
    session_or_engine: Session | Engine,
    tenant: str,
    quote_id: str,
    *,
    version: int,
    status: str,
    only_from: Collection[str],
    accepted_at: dt.datetime | None = None,
    order_id: str | None = None,
) -> bool:
    """Shim: :meth:`SqlStore.set_quote_status`."""
    return _store(session_or_engine, tenant).set_quote_status(
        quote_id,
        version=version,
        status=status,
        only_from=only_from,
        accepted_at=accepted_at,
        order_id=order_id,
    )


def stamp_quote_version(
    session_or_engine: Session | Engine,
    tenant: str,
    quote_id: str,
    version: int,
    *,
    approved: tuple[str, dt.datetime] | None = None,
    sent_at: dt.datetime | None = None,
) -> bool:
    """Shim: :meth:`SqlStore.stamp_quote_version`."""
    return _store(session_or_engine, tenant).stamp_quote_version(
        quote_id, version, approved=approved, sent_at=sent_at
    )


def expire_quote_heads(session_or_engine: Session | Engine, tenant: str, today: dt.date) -> list[str]:
    """Shim: :meth:`SqlStore.expire_quote_heads`."""
    return _store(session_or_engine, tenant).expire_quote_heads(today)


def order_event(session_or_engine: Session | Engine, tenant: str, order_id: str) -> str | None:
    """Shim: :meth:`SqlStore.order_event`."""
    return _store(session_or_engine, tenant).order_event(order_id)


def quotes_for(session_or_engine: Session | Engine, tenant: str, customer_id: str) -> list[dict[str, Any]]:
    """Shim: :meth:`SqlStore.quotes_for`."""
    return _store(session_or_engine, tenant).quotes_for(customer_id)


def orders_for(session_or_engine: Session | Engine, tenant: str, customer_id: str) -> list[dict[str, Any]]:
    """Shim: :meth:`SqlStore.orders_for`."""
    return _store(session_or_engine, tenant).orders_for(customer_id)


def installed_base_for(
    session_or_engine: Session | Engine, tenant: str, customer_id: str
) -> list[dict[str, Any]]:
    """Shim: :meth:`SqlStore.installed_base_for`."""
    return _store(session_or_engine, tenant).installed_base_for(customer_id)
