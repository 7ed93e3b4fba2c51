"""Configuration sessions in the database, so that any API worker answers any request of a session.

A session row holds what rebuilds the session anywhere: the catalog id and version, the date, the customer
and the choices, with a ``revision`` that each change bumps (a change based on an older revision is refused,
so two concurrent clicks cannot both win silently). Sessions belong to the credential that opened them
(``owner``) and are limited per owner and per tenant: opening one more than the owner's limit closes that
owner's least recently used session, never another owner's; a tenant at its limit is refused
(:class:`~configurator.errors.SessionLimitError`, 429). A session idle past the time-to-live is gone.

Example:
    >>> import datetime as dt
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    >>> s = StoredSession("s1", "key:k1", "bike", "1", None, None, (), 0, at, at)
    >>> store.open_config_session(s, per_owner=1, per_tenant=10, idle_before=at)
    []
    >>> store.save_config_choices("s1", "key:k1", 0, ({"module": "frame", "option": "alu"},), at)
    True
    >>> store.save_config_choices("s1", "key:k1", 0, (), at)   # based on an old revision: refused
    False
    >>> store.config_session("s1", "key:k1", idle_before=at).choices
    ({'module': 'frame', 'option': 'alu'},)
    >>> store.save_config_draft("s1", "key:k1", {"budget": "4000"}, at)
    True
    >>> store.config_session("s1", "key:k1", idle_before=at).draft
    {'budget': '4000'}
    >>> store.open_config_session(dataclasses.replace(s, session_id="s2"), per_owner=1, per_tenant=10,
    ...                           idle_before=at)   # the owner's oldest makes room
    ['s1']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import delete, func, select, update

from configurator.errors import SessionLimitError
from configurator.storage.models import ConfigSessionRow
from configurator.storage.transaction import UnitOfWork

__all__ = ["ConfigSessionRepository", "StoredSession"]


@dataclasses.dataclass(frozen=True)
class StoredSession:
    """A configuration session as stored: what rebuilds it on any worker.

    ``choices`` are JSON objects (``module``, ``option``, ``selected``, ``qty``) in the order they were made;
    ``on`` is the ISO date the catalog is read on (None: effective dates ignored).
    """

    session_id: str
    owner: str
    catalog_id: str
    catalog_version: str
    on: str | None
    customer_id: str | None
    choices: tuple[dict[str, Any], ...]
    revision: int
    created_at: dt.datetime
    used_at: dt.datetime
    draft: dict[str, Any] = dataclasses.field(default_factory=dict)


def _stored(row: ConfigSessionRow) -> StoredSession:
    return StoredSession(
        row.session_id,
        row.owner,
        row.catalog_id,
        row.catalog_version,
        row.on_date,
        row.customer_id,
        tuple(row.choices),
        row.revision,
        row.created_at,
        row.used_at,
        dict(row.draft) if isinstance(row.draft, dict) else {},  # a stored bad value never breaks a read
    )


class ConfigSessionRepository(UnitOfWork):
    """The tenant's open configuration sessions (part of :class:`~configurator.storage.store.SqlStore`)."""

    def _mine(self, session_id: str, owner: str | None) -> Any:
        where = [ConfigSessionRow.tenant == self.tenant, ConfigSessionRow.session_id == session_id]
        if owner is not None:
            where.append(ConfigSessionRow.owner == owner)
        return where

    def open_config_session(
        self, record: StoredSession, *, per_owner: int, per_tenant: int, idle_before: dt.datetime
    ) -> list[str]:
        """Store a new session within the limits; the ids of the owner's sessions closed to make room.

        Sessions idle since before ``idle_before`` are dropped first.

        Raises:
            SessionLimitError: the tenant holds ``per_tenant`` open sessions.
        """
        rows = ConfigSessionRow
        with self.atomic():
            s = self.session
            s.execute(delete(rows).where(rows.tenant == self.tenant, rows.used_at < idle_before))
            owned = (
                s.execute(
                    select(rows.session_id)
                    .where(rows.tenant == self.tenant, rows.owner == record.owner)
                    .order_by(rows.used_at.desc(), rows.session_id)
                )
                .scalars()
                .all()
            )
            evicted = list(owned[per_owner - 1 :]) if per_owner >= 1 else list(owned)
            if evicted:
                s.execute(delete(rows).where(rows.tenant == self.tenant, rows.session_id.in_(evicted)))
            count = s.execute(select(func.count()).where(rows.tenant == self.tenant)).scalar_one()
            if count >= per_tenant:
                raise SessionLimitError(
                    f"the tenant has {count} open configuration sessions, the most allowed: close one or "
                    "wait for idle ones to expire"
                )
            values = dataclasses.asdict(record)
            values["on_date"] = values.pop("on")
            values["choices"] = list(record.choices)
            values["draft"] = dict(record.draft)
            s.add(rows(tenant=self.tenant, **values))
            return sorted(evicted)

    def config_session(
        self, session_id: str, owner: str | None, *, idle_before: dt.datetime
    ) -> StoredSession | None:
        """The open session with that id (of that owner; None: any owner), or None (unknown or idle too long)."""
        with self.atomic():
            row = self.session.execute(
                select(ConfigSessionRow).where(*self._mine(session_id, owner))
            ).scalar_one_or_none()
            if row is None or row.used_at < idle_before:
                return None
            return _stored(row)

    def save_config_choices(
        self,
        session_id: str,
        owner: str | None,
        revision: int,
        choices: tuple[dict[str, Any], ...],
        at: dt.datetime,
    ) -> bool:
        """Store new choices if the session is still at ``revision`` (bumping it); False otherwise."""
        with self.atomic():
            stmt = (
                update(ConfigSessionRow)
                .where(*self._mine(session_id, owner), ConfigSessionRow.revision == revision)
                .values(choices=list(choices), revision=revision + 1, used_at=at)
                .returning(ConfigSessionRow.session_id)
            )
            return self.session.execute(stmt).first() is not None

    def save_config_draft(
        self, session_id: str, owner: str | None, draft: dict[str, Any], at: dt.datetime
    ) -> bool:
        """Store the session's draft (replacing the one before, choices and revision untouched); False: no session."""
        with self.atomic():
            stmt = (
                update(ConfigSessionRow)
                .where(*self._mine(session_id, owner))
                .values(draft=dict(draft), used_at=at)
                .returning(ConfigSessionRow.session_id)
            )
            return self.session.execute(stmt).first() is not None

    def touch_config_session(self, session_id: str, owner: str | None, at: dt.datetime) -> None:
        """Mark the session used at ``at`` (it stays open for another time-to-live)."""
        with self.atomic():
            self.session.execute(
                update(ConfigSessionRow)
                .where(*self._mine(session_id, owner), ConfigSessionRow.used_at < at)
                .values(used_at=at)
            )

    def close_config_session(self, session_id: str, owner: str | None) -> bool:
        """Close a session; False when there is no such session."""
        with self.atomic():
            stmt = (
                delete(ConfigSessionRow)
                .where(*self._mine(session_id, owner))
                .returning(ConfigSessionRow.session_id)
            )
            return self.session.execute(stmt).first() is not None

    def config_session_count(self, owner: str | None = None) -> int:
        """How many sessions the tenant (or one owner) holds, idle ones included until the next open."""
        with self.atomic():
            stmt = select(func.count()).where(ConfigSessionRow.tenant == self.tenant)
            if owner is not None:
                stmt = stmt.where(ConfigSessionRow.owner == owner)
            return int(self.session.execute(stmt).scalar_one())
