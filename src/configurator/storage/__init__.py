"""Storage: SQLAlchemy 2 models, one repository module per aggregate, Alembic migrations.

SQLite by default, PostgreSQL by URL; ``sqlalchemy`` is imported only inside this package.

One calling style: **methods reached through the store**. :class:`SqlStore` (``store.py``) is the unit of work
for one tenant (``transaction.py``: ``atomic``, ``in_transaction``, ``current_session``); each aggregate's
methods are defined in its own module as one repository class that the store is composed of:
``identity.py`` (profiles, identifiers, merges, suppressed hashes), ``consent.py``, ``privacy.py`` (export,
erasure), ``events.py`` (the event log and its effects), ``frames.py`` (polars frames for value and tiers),
``tiers.py`` (the tier snapshot that requests read; a refresh replaces it), ``catalogs.py``, ``quotes.py``
(quotes, orders, installed base), ``audit.py`` and ``sessions.py`` (configuration sessions);
``access.py`` holds credentials (API keys, accounts, sign-ins), found before their tenant is known; ``sql.py`` holds the SQL
building blocks they share. Why this style: every caller already holds a store (and passed ``store.engine``
or ``store.session`` with ``store.tenant`` to free functions), the ``customers`` Protocols the domain rules
take (``IdentityStore``, ``PrivacyStore``, ``EventSink``) are flat methods of a store, and a method joins the
caller's :meth:`SqlStore.atomic` transaction by itself. So ``quote_head(store.session, store.tenant, q)``
becomes ``store.quote_head(q)`` and ``events_frame(engine, tenant)`` becomes
``SqlStore(engine, tenant).events_frame()``. The domain rules (identity matching and merging, consent
merging, what erasure keeps) live in ``customers``; storage calls them.

Example:
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine) == head_revision()
    True
    >>> SqlStore(engine, "shop").events_frame().columns[:3]
    ['tenant', 'event_id', 'customer_id']
"""

from configurator.errors import StorageError
from configurator.storage.access import AccountRecord, CredentialStore, KeyRecord, SignInRecord
from configurator.storage.engine import display_url, make_engine, session_scope
from configurator.storage.migrate import current_revision, ensure_schema, head_revision, upgrade
from configurator.storage.preload import PreloadedStore
from configurator.storage.sessions import StoredSession
from configurator.storage.store import SqlStore

__all__ = [
    "AccountRecord",
    "CredentialStore",
    "KeyRecord",
    "PreloadedStore",
    "SignInRecord",
    "SqlStore",
    "StorageError",
    "StoredSession",
    "current_revision",
    "display_url",
    "ensure_schema",
    "head_revision",
    "make_engine",
    "session_scope",
    "upgrade",
]
