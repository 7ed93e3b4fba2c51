"""Storage: SQLAlchemy 2 models and repositories, Alembic migrations; SQLite by default, PostgreSQL by URL.

Example:
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine) == head_revision()
    True
    >>> events_frame(engine, "shop").columns[:3]
    ['tenant', 'event_id', 'customer_id']
"""

from configurator.storage.engine import StorageError, display_url, make_engine, session_scope
from configurator.storage.migrate import current_revision, ensure_schema, head_revision, upgrade
from configurator.storage.repositories import (
    SqlStore,
    audit_entries,
    consents_frame,
    events_frame,
    profiling_allowed,
)

__all__ = [
    "SqlStore",
    "StorageError",
    "audit_entries",
    "consents_frame",
    "current_revision",
    "display_url",
    "ensure_schema",
    "events_frame",
    "head_revision",
    "make_engine",
    "profiling_allowed",
    "session_scope",
    "upgrade",
]
