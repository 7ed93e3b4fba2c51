"""Old import path of the storage repositories: moved to one module per aggregate, reached through ``SqlStore``.

The free functions below keep the old calling style ``f(session_or_engine, tenant, ...)`` for the callers that
have not moved yet; each is a thin shim over the :class:`~configurator.storage.store.SqlStore` method of the
same name (``events_frame(engine, tenant)`` is ``SqlStore(engine, tenant).events_frame()``; given a session,
the call joins that session's transaction). New code calls the store's methods.

Example:
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> events_frame(engine, "shop").equals(SqlStore(engine, "shop").events_frame())
    True
    >>> customer_events(engine, "shop", "c1") == SqlStore(engine, "shop").customer_events("c1") == []
    True
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from configurator.customers.events import Event
from configurator.storage.frames import EVENTS_SCHEMA
from configurator.storage.store import SqlStore

__all__ = [
    "EVENTS_SCHEMA",
    "SqlStore",
    "consents_frame",
    "customer_events",
    "events_frame",
    "profiling_allowed",
]


def _store(session_or_engine: Session | Engine, tenant: str) -> SqlStore:
    """The store of ``tenant``: joining the given session's transaction, or with its own on the engine."""
    if isinstance(session_or_engine, Session):
        return SqlStore.joining(session_or_engine, tenant)
    return SqlStore(session_or_engine, tenant)


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
