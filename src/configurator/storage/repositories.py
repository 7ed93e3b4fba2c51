"""Repositories: the SQL store behind identity, consent and ingestion, and frames for value and tiers.

:class:`SqlStore` implements ``customers.identity.IdentityStore``, ``customers.consent.PrivacyStore`` and
``customers.ingest.EventSink`` for one tenant over an engine (SQLite or PostgreSQL). Use one store per thread.

Frames for value and tiers (polars; computed from the stored rows, so merges and erasures show at once):

``events_frame(session_or_engine, tenant) -> polars.DataFrame``
    One row per stored interaction event (``consent`` records excluded), columns exactly:

    ========================  ==========================  =======================================================
    column                    dtype                       meaning
    ========================  ==========================  =======================================================
    ``tenant``                ``Utf8``                    the tenant
    ``event_id``              ``Utf8``                    the event id (unique per tenant)
    ``customer_id``           ``Utf8`` (nullable)         canonical customer id after identity resolution and
                                                          merges; null for events of visitors still anonymous
    ``type``                  ``Utf8``                    viewed, configured, quote_requested, quote_sent,
                                                          purchased, returned, support_ticket, referral, review,
                                                          stated_need, feedback
    ``channel``               ``Utf8``                    web, sales_rep, email, phone, store, api
    ``ts``                    ``Datetime("us", "UTC")``   when it happened
    ``amount``                ``Float64``                 order total (purchased), refund (returned), else 0
    ``margin``                ``Float64``                 gross margin (purchased), lost margin (returned), else 0
    ``cost``                  ``Float64``                 cost to serve (support_ticket), else 0
    ``referred_customer_id``  ``Utf8`` (nullable)         referral: the referred person (canonical when known)
    ``converted``             ``Boolean`` (nullable)      referral: did the referred person buy
    ``rating``                ``Int64`` (nullable)        review: 1-5
    ========================  ==========================  =======================================================

``consents_frame(session_or_engine, tenant) -> polars.DataFrame``
    One row per canonical customer: ``customer_id`` (Utf8), ``profiling`` (Boolean), ``marketing`` (Boolean),
    defaults applied (profiling allowed until objected, marketing opt-in).

``profiling_allowed(session_or_engine, tenant) -> set[str]``
    Canonical ids of the customers whose data may be used for learned personalisation (tiers, needs); those
    who objected are left out and get catalog defaults.

Also: catalog versions (:func:`save_catalog`, :func:`load_catalog_text`, :func:`catalog_versions`), quotes
(:func:`add_quote`, :func:`quotes_for`; versions and their head for ``quoting.lifecycle``: :func:`quote_head`,
:func:`quote_version_rows`, :func:`insert_quote_version`, ...), orders and installed base (projected from ``purchased`` events:
:func:`orders_for`, :func:`installed_base_for`) and the audit log (:func:`audit_entries`).

Example:
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> from configurator.customers.events import validate_event
    >>> e = validate_event({"event_id": "e1", "type": "purchased", "customer_id": "c1", "channel": "store",
    ...     "ts": "2026-05-01T12:00:00Z", "order_id": "o1", "margin": 30,
    ...     "lines": [{"item": "bell", "unit_price": 12.5, "quantity": 2}]}, tenant="shop")
    >>> store.write_events([e]), store.write_events([e])
    (WriteResult(accepted=1, duplicates=0, suppressed=0), WriteResult(accepted=0, duplicates=1, suppressed=0))
    >>> events_frame(engine, "shop").select("customer_id", "type", "amount", "margin").rows()
    [('c1', 'purchased', 25.0, 30.0)]
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar, cast

import polars as pl
from sqlalchemy import (
    Connection,
    Engine,
    Float,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from configurator.customers.consent import DEFAULTS, PURPOSES, ConsentState, Purpose, record_consent
from configurator.customers.events import (
    ConsentChanged,
    Event,
    Purchased,
    Referral,
    Review,
    measures,
)
from configurator.customers.identity import (
    DEFAULT_REGION,
    AuditRecord,
    Origin,
    Profile,
    identifier_hash,
    identify,
)
from configurator.customers.ingest import WriteResult
from configurator.storage.engine import StorageError
from configurator.storage.models import (
    AuditEntry,
    Base,
    CatalogVersion,
    Consent,
    Customer,
    Identity,
    InstalledItem,
    Order,
    Quote,
    QuoteVersion,
    Suppression,
)
from configurator.storage.models import Event as EventRow
from configurator.storage.retry import retrying

__all__ = [
    "CONSENTS_SCHEMA",
    "EVENTS_SCHEMA",
    "QuoteHeadRow",
    "QuoteVersionRow",
    "SqlStore",
    "add_quote",
    "advance_quote_head",
    "audit_entries",
    "catalog_versions",
    "consents_frame",
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

EVENTS_SCHEMA: Mapping[str, pl.DataType] = {
    "tenant": pl.Utf8(),
    "event_id": pl.Utf8(),
    "customer_id": pl.Utf8(),
    "type": pl.Utf8(),
    "channel": pl.Utf8(),
    "ts": pl.Datetime("us", "UTC"),
    "amount": pl.Float64(),
    "margin": pl.Float64(),
    "cost": pl.Float64(),
    "referred_customer_id": pl.Utf8(),
    "converted": pl.Boolean(),
    "rating": pl.Int64(),
}
"""Columns and dtypes of :func:`events_frame`."""
CONSENTS_SCHEMA: Mapping[str, pl.DataType] = {
    "customer_id": pl.Utf8(),
    "profiling": pl.Boolean(),
    "marketing": pl.Boolean(),
}
"""Columns and dtypes of :func:`consents_frame`."""

_T = TypeVar("_T")
_CHUNK = 500
"""Values per IN list (well under SQLite's and PostgreSQL's parameter limits)."""


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _insert(session: Session, model: type[Base]) -> Any:
    """INSERT for the session's dialect, which supports ``on_conflict_do_nothing``."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(_table(model))
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(_table(model))
    raise StorageError(f"unsupported database {name!r} (SQLite and PostgreSQL are)")


def _insert_new(session: Session, model: type[Base], rows: list[dict[str, Any]], key: str) -> set[str]:
    """Insert rows unless their primary key exists (``ON CONFLICT DO NOTHING``); return the new ``key`` values.

    On psycopg this uses the driver's pipelined ``executemany(returning=True)`` with one short prepared
    statement: SQLAlchemy's multi-row VALUES form spends most of its time in psycopg's query parser.
    """
    if not rows:
        return set()
    table = _table(model)
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        names = list(rows[0])
        processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
        columns = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join(["%s"] * len(names))
        sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING RETURNING "{key}"'
        params = [
            tuple(p(row[n]) if p is not None else row[n] for n, p in zip(names, processors, strict=True))
            for row in rows
        ]
        raw: Any = session.connection().connection.dbapi_connection
        found: set[str] = set()
        try:
            with raw.cursor() as cursor:
                cursor.executemany(sql, params, returning=True)
                while True:
                    found.update(r[0] for r in cursor.fetchall())
                    if not cursor.nextset():
                        break
        except dialect.loaded_dbapi.Error as exc:  # same exception classes as through SQLAlchemy
            raise DBAPIError.instance(sql, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
        return found
    stmt = _insert(session, model).on_conflict_do_nothing().returning(table.c[key])
    return set(session.execute(stmt, rows).scalars())


def _insert_one(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """Insert one row unless its primary key exists; True when inserted (RETURNING: INSERT rowcounts lie)."""
    key = _table(model).primary_key.columns.values()[0]
    stmt = _insert(session, model).on_conflict_do_nothing().returning(key)
    return session.execute(stmt, values).first() is not None


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


@contextlib.contextmanager
def _session(bind: Session | Engine) -> Iterator[Session]:
    if isinstance(bind, Session):
        yield bind
        return
    with Session(bind) as session, session.begin():
        yield session


def _like(text: str) -> str:
    """``text`` for a LIKE pattern with ``\\`` as the escape character."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def event_row(event: Event, received_at: dt.datetime) -> dict[str, Any]:
    """The ``events`` row of a validated event."""
    m = measures(event)
    payload = event.model_dump(mode="json", exclude_none=True)
    return {
        "tenant": event.tenant,
        "event_id": event.event_id,
        "type": event.type,
        "schema_version": event.schema_version,
        "channel": event.channel,
        "ts": event.ts,
        "customer_ref": event.customer_id,
        "anonymous_id": event.anonymous_id,
        "amount": m.amount,
        "margin": m.margin,
        "cost": m.cost,
        "referred_customer_id": event.referred_customer_id if isinstance(event, Referral) else None,
        "converted": event.converted if isinstance(event, Referral) else None,
        "rating": event.rating if isinstance(event, Review) else None,
        "payload": payload,
        "received_at": received_at,
    }


def _event_keys(event: Event) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    if event.customer_id:
        keys.append(("customer_id", event.customer_id))
    if event.anonymous_id:
        keys.append(("anonymous_id", event.anonymous_id))
    if event.traits is not None:
        if event.traits.email:
            keys.append(("email", event.traits.email))
        if event.traits.phone:
            keys.append(("phone", event.traits.phone))
    return keys


def _profile(row: Any) -> Profile:
    return Profile(
        customer_id=row.customer_id,
        origin=cast(Origin, row.origin),
        merged_into=row.merged_into,
        name=row.name,
        email=row.email,
        phone=row.phone,
        address=row.address,
        extra=dict(row.extra or {}),
        created_at=row.created_at,
        traits_at=row.traits_at,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


_CUSTOMERS = _table(Customer)
_IDENTITIES = _table(Identity)
_PROFILE_FIELDS = ("merged_into", "name", "email", "phone", "address", "extra", "traits_at")
_GET_PROFILE = select(_CUSTOMERS).where(
    _CUSTOMERS.c.tenant == bindparam("t"), _CUSTOMERS.c.customer_id == bindparam("cid")
)
_UPDATE_PROFILE = (
    update(_CUSTOMERS)
    .where(_CUSTOMERS.c.tenant == bindparam("t"), _CUSTOMERS.c.customer_id == bindparam("cid"))
    .values({name: bindparam(f"v_{name}") for name in _PROFILE_FIELDS})
)
_OWNER = select(_IDENTITIES.c.customer_id).where(
    _IDENTITIES.c.tenant == bindparam("t"),
    _IDENTITIES.c.kind == bindparam("kind"),
    _IDENTITIES.c.value == bindparam("value"),
)
_SUPPRESSED = select(_table(Suppression).c.identifier_hash).where(
    _table(Suppression).c.tenant == bindparam("t"),
    _table(Suppression).c.identifier_hash.in_(bindparam("hashes", expanding=True)),
)
_ADD_AUDIT = insert(_table(AuditEntry))
_PREBUILT: dict[tuple[str, str, bool], Any] = {}


def _prebuilt_insert(session: Session, model: type[Base], *, returning: bool) -> Any:
    """A cached ``INSERT ... ON CONFLICT DO NOTHING`` (``RETURNING`` the first key column) per dialect."""
    key = (session.get_bind().dialect.name, _table(model).name, returning)
    stmt = _PREBUILT.get(key)
    if stmt is None:
        stmt = _insert(session, model).on_conflict_do_nothing()
        if returning:
            stmt = stmt.returning(_table(model).primary_key.columns.values()[0])
        _PREBUILT[key] = stmt
    return stmt


class SqlStore:
    """Identity, consent, privacy and event storage for one tenant over SQLAlchemy.

    Every method runs in a transaction: the caller's when inside :meth:`atomic`, else its own.
    :meth:`write_events` runs its transaction once more after a race with another writer
    (:mod:`configurator.storage.retry`).
    """

    def __init__(self, engine: Engine, tenant: str, *, region: str | None = DEFAULT_REGION) -> None:
        self.engine = engine
        self._tenant = tenant
        self.region = region
        self._current: Session | None = None
        self._connection: Connection | None = None

    @property
    def tenant(self) -> str:
        """The tenant every call is scoped to."""
        return self._tenant

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction; nested calls join the outer one."""
        if self._current is not None:
            yield
            return
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            self._current = session
            self._connection = session.connection()
            try:
                yield
            finally:
                self._current = None
                self._connection = None

    @property
    def session(self) -> Session:
        """The session of the current :meth:`atomic` block."""
        if self._current is None:
            raise RuntimeError("SqlStore.session is only available inside store.atomic()")
        return self._current

    # -- identity ---------------------------------------------------------------------------------------

    def _run(self, stmt: Any, params: dict[str, Any]) -> Any:
        """Execute a prebuilt Core statement on the current transaction's connection (no ORM overhead)."""
        if self._connection is None:
            raise RuntimeError("SqlStore statements run inside store.atomic()")
        return self._connection.execute(stmt, params)

    def get_profile(self, customer_id: str) -> Profile | None:
        """The stored profile (not following ``merged_into``), or None."""
        with self.atomic():
            row = self._run(_GET_PROFILE, {"t": self.tenant, "cid": customer_id}).first()
            return None if row is None else _profile(row)

    def add_profile(self, profile: Profile) -> bool:
        """Insert the profile unless its id exists; True when inserted."""
        with self.atomic():
            stmt = _prebuilt_insert(self.session, Customer, returning=True)
            return self._run(stmt, self._customer_values(profile)).first() is not None

    def _customer_values(self, profile: Profile) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "customer_id": profile.customer_id,
            "origin": profile.origin,
            "merged_into": profile.merged_into,
            "name": profile.name,
            "email": profile.email,
            "phone": profile.phone,
            "address": profile.address,
            "extra": dict(profile.extra),
            "created_at": profile.created_at,
            "traits_at": profile.traits_at,
        }

    def update_profile(self, profile: Profile) -> None:
        """Save traits, ``traits_at`` and ``merged_into`` of an existing profile."""
        values = self._customer_values(profile)
        params = {"t": self.tenant, "cid": profile.customer_id}
        params.update({f"v_{k}": values[k] for k in _PROFILE_FIELDS})
        with self.atomic():
            self._run(_UPDATE_PROFILE, params)

    def owner(self, kind: str, value: str) -> str | None:
        """The customer id an identifier points to, or None."""
        with self.atomic():
            found: str | None = self._run(_OWNER, {"t": self.tenant, "kind": kind, "value": value}).scalar()
            return found

    def claim(self, kind: str, value: str, customer_id: str, at: dt.datetime) -> str:
        """Point an unowned identifier to ``customer_id``; return its owner afterwards."""
        with self.atomic():
            stmt = _prebuilt_insert(self.session, Identity, returning=False)
            self._run(
                stmt,
                {
                    "tenant": self.tenant,
                    "kind": kind,
                    "value": value,
                    "customer_id": customer_id,
                    "created_at": at,
                },
            )
            found = self.owner(kind, value)
            assert found is not None
            return found

    def identifiers(self, customer_id: str) -> list[tuple[str, str]]:
        """``(kind, value)`` of the identifiers pointing to ``customer_id``."""
        with self.atomic():
            rows = self.session.execute(
                select(Identity.kind, Identity.value)
                .where(Identity.tenant == self.tenant, Identity.customer_id == customer_id)
                .order_by(Identity.kind, Identity.value)
            ).all()
            return [(k, v) for k, v in rows]

    def merged_ids(self, customer_id: str) -> list[str]:
        """Ids of the profiles merged into ``customer_id``."""
        with self.atomic():
            return list(
                self.session.execute(
                    select(Customer.customer_id)
                    .where(Customer.tenant == self.tenant, Customer.merged_into == customer_id)
                    .order_by(Customer.customer_id)
                ).scalars()
            )

    def repoint(self, loser: str, winner: str) -> int:
        """Move identifiers, merged profiles, consents, orders, quotes and installed base to ``winner``."""
        with self.atomic():
            s = self.session
            moved = s.execute(
                update(Identity)
                .where(Identity.tenant == self.tenant, Identity.customer_id == loser)
                .values(customer_id=winner)
            )
            s.execute(
                update(Customer)
                .where(
                    Customer.tenant == self.tenant,
                    or_(Customer.customer_id == loser, Customer.merged_into == loser),
                )
                .values(merged_into=winner)
            )
            for model in (Order, Quote, QuoteVersion, InstalledItem):
                table = _table(model)
                s.execute(
                    update(table)
                    .where(table.c.tenant == self.tenant, table.c.customer_id == loser)
                    .values(customer_id=winner)
                )
            winners = {c.purpose: c for c in self.consents(winner)}
            for state in self.consents(loser):
                mine = winners.get(state.purpose)
                combined = ConsentState(
                    winner,
                    state.purpose,
                    state.granted and (mine.granted if mine else True),
                    max(state.recorded_at, mine.recorded_at) if mine else state.recorded_at,
                    state.source if mine is None or not state.granted else mine.source,
                )
                self._put_consent(combined, force=True)
            s.execute(delete(Consent).where(Consent.tenant == self.tenant, Consent.customer_id == loser))
            return int(getattr(moved, "rowcount", 0) or 0)

    def canonical_profiles(self) -> list[Profile]:
        """Every profile not merged into another."""
        with self.atomic():
            rows = self.session.execute(
                select(*_table(Customer).c)
                .where(Customer.tenant == self.tenant, Customer.merged_into.is_(None))
                .order_by(Customer.customer_id)
            ).all()
            return [_profile(r) for r in rows]

    def suppressed(self, hashes: Collection[str]) -> set[str]:
        """The given identifier hashes that belong to erased people."""
        found: set[str] = set()
        with self.atomic():
            for chunk in _chunks(sorted(hashes)):
                found.update(self._run(_SUPPRESSED, {"t": self.tenant, "hashes": list(chunk)}).scalars())
        return found

    def audit(self, record: AuditRecord) -> None:
        """Append to the audit log."""
        with self.atomic():
            self._run(
                _ADD_AUDIT,
                {
                    "tenant": self.tenant,
                    "at": record.at,
                    "action": record.action,
                    "actor": record.actor,
                    "subject": record.subject,
                    "related": record.related,
                    "details": _jsonable(dict(record.details)),
                },
            )

    # -- consent and privacy ----------------------------------------------------------------------------

    def _put_consent(self, state: ConsentState, *, force: bool = False) -> bool:
        s = self.session
        values = {
            "tenant": self.tenant,
            "customer_id": state.customer_id,
            "purpose": state.purpose,
            "granted": state.granted,
            "recorded_at": state.recorded_at,
            "source": state.source[:200],
        }
        if _insert_one(s, Consent, values):
            return True
        stmt = update(Consent).where(
            Consent.tenant == self.tenant,
            Consent.customer_id == state.customer_id,
            Consent.purpose == state.purpose,
        )
        if not force:
            stmt = stmt.where(Consent.recorded_at <= state.recorded_at)
        result = s.execute(
            stmt.values(granted=state.granted, recorded_at=state.recorded_at, source=values["source"])
        )
        return bool(getattr(result, "rowcount", 0))

    def set_consent(self, state: ConsentState) -> bool:
        """Record the choice unless a newer one is stored; True when applied."""
        with self.atomic():
            return self._put_consent(state)

    def consents(self, customer_id: str) -> list[ConsentState]:
        """The recorded choices of one customer id."""
        with self.atomic():
            rows = self.session.execute(
                select(Consent.purpose, Consent.granted, Consent.recorded_at, Consent.source)
                .where(Consent.tenant == self.tenant, Consent.customer_id == customer_id)
                .order_by(Consent.purpose)
            ).all()
            return [ConsentState(customer_id, cast(Purpose, p), g, at, src) for p, g, at, src in rows]

    def _anonymous_ids(self, customer_ids: Collection[str]) -> list[str]:
        return list(
            self.session.execute(
                select(Identity.value).where(
                    Identity.tenant == self.tenant,
                    Identity.kind == "anonymous_id",
                    Identity.customer_id.in_(list(customer_ids)),
                )
            ).scalars()
        )

    def _rows(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        return [
            {k: _jsonable(v) for k, v in row._mapping.items() if k != "tenant"}
            for row in self.session.execute(stmt)
        ]

    def personal_data(self, customer_ids: Collection[str]) -> dict[str, Any]:
        """Everything held on these customer ids, as JSON-ready data."""
        ids = sorted(customer_ids)
        with self.atomic():
            anonymous = self._anonymous_ids(ids)
            t = self.tenant

            def rows(model: type[Base], *where: Any, order: Any = None) -> list[dict[str, Any]]:
                table = _table(model)
                stmt = select(*table.c).where(table.c.tenant == t, *where)
                if order is None:
                    return self._rows(stmt)
                return self._rows(stmt.order_by(*order) if isinstance(order, tuple) else stmt.order_by(order))

            events = rows(
                EventRow,
                or_(EventRow.customer_ref.in_(ids), EventRow.anonymous_id.in_(anonymous or [""])),
                order=EventRow.ts,
            )
            return {
                "profiles": rows(Customer, Customer.customer_id.in_(ids), order=Customer.customer_id),
                "identifiers": rows(Identity, Identity.customer_id.in_(ids), order=Identity.kind),
                "consents": rows(Consent, Consent.customer_id.in_(ids), order=Consent.purpose),
                "events": events,
                "orders": rows(Order, Order.customer_id.in_(ids), order=Order.ordered_at),
                "installed_base": rows(InstalledItem, InstalledItem.customer_id.in_(ids)),
                "quotes": rows(Quote, Quote.customer_id.in_(ids), order=Quote.created_at),
                "quote_versions": rows(
                    QuoteVersion,
                    QuoteVersion.customer_id.in_(ids),
                    order=(QuoteVersion.quote_id, QuoteVersion.version),
                ),
                "audit": rows(
                    AuditEntry,
                    or_(AuditEntry.subject.in_(ids), AuditEntry.related.in_(ids)),
                    order=AuditEntry.id,
                ),
            }

    def erase(
        self, customer_ids: Collection[str], identifiers: Collection[tuple[str, str]], token: str
    ) -> dict[str, int]:
        """Delete the person's rows; remove or replace (by ``token``) their identifiers in rows that stay."""
        ids = sorted(customer_ids)
        anonymous = sorted(v for k, v in identifiers if k == "anonymous_id") or [""]
        contacts = sorted(v for k, v in identifiers if k in ("email", "phone"))
        t = self.tenant
        counts: dict[str, int] = {}
        with self.atomic():
            s = self.session

            def count(name: str, result: Any) -> None:
                counts[name] = counts.get(name, 0) + int(getattr(result, "rowcount", 0) or 0)

            count(
                "events",
                s.execute(
                    delete(EventRow).where(
                        EventRow.tenant == t,
                        or_(
                            EventRow.customer_ref.in_(ids),
                            and_(EventRow.customer_ref.is_(None), EventRow.anonymous_id.in_(anonymous)),
                        ),
                    )
                ),
            )
            # What stays is someone else's event that mentions the person: a referral of them, their browser id
            # on a shared computer, their email or phone given as a household contact.
            mentions = or_(
                EventRow.referred_customer_id.in_(ids),
                EventRow.anonymous_id.in_(anonymous),
                *(
                    EventRow.payload.cast(Text).like(f"%{_like(json.dumps(v)[1:-1])}%", escape="\\")
                    for v in contacts
                ),
            )
            rows = s.execute(
                select(
                    EventRow.event_id, EventRow.anonymous_id, EventRow.referred_customer_id, EventRow.payload
                ).where(EventRow.tenant == t, mentions)
            ).all()
            touched = 0
            for event_id, anonymous_id, referred, payload in rows:
                clean = dict(payload)
                values: dict[str, Any] = {}
                if referred in ids:
                    values["referred_customer_id"] = None
                    clean["referred_customer_id"] = token
                if anonymous_id in anonymous:
                    values["anonymous_id"] = None
                    clean.pop("anonymous_id", None)
                traits = {k: v for k, v in (clean.get("traits") or {}).items() if v not in contacts}
                if traits != (clean.get("traits") or {}):
                    clean["traits"] = traits
                if values or clean != payload:
                    values["payload"] = clean
                    s.execute(
                        update(EventRow)
                        .where(EventRow.tenant == t, EventRow.event_id == event_id)
                        .values(**values)
                    )
                    touched += 1
            counts["events_anonymised"] = touched
            for model in (InstalledItem, Order, QuoteVersion, Quote, Consent, Identity):
                table = _table(model)
                count(
                    table.name,
                    s.execute(delete(table).where(table.c.tenant == t, table.c.customer_id.in_(ids))),
                )
            count(
                "identities",
                s.execute(
                    delete(Identity).where(
                        Identity.tenant == t, Identity.kind == "anonymous_id", Identity.value.in_(anonymous)
                    )
                ),
            )
            count(
                "customers",
                s.execute(delete(Customer).where(Customer.tenant == t, Customer.customer_id.in_(ids))),
            )
            entries = s.execute(
                select(AuditEntry.id, AuditEntry.subject, AuditEntry.related, AuditEntry.details).where(
                    AuditEntry.tenant == t, or_(AuditEntry.subject.in_(ids), AuditEntry.related.in_(ids))
                )
            ).all()
            for entry_id, subject, related, details in entries:
                kept = {
                    k: v for k, v in (details or {}).items() if isinstance(v, bool | int | float) or v is None
                }
                s.execute(
                    update(AuditEntry)
                    .where(AuditEntry.id == entry_id)
                    .values(
                        subject=token if subject in ids else subject,
                        related=token if related in ids else related,
                        details={**kept, "erased": True},
                    )
                )
            counts["audit_log_anonymised"] = len(entries)
        return counts

    def add_suppressions(self, hashes: Collection[str], at: dt.datetime) -> int:
        """Remember identifier hashes of an erased person; returns how many were new."""
        if not hashes:
            return 0
        with self.atomic():
            rows = [{"tenant": self.tenant, "identifier_hash": h, "created_at": at} for h in sorted(hashes)]
            return len(_insert_new(self.session, Suppression, rows, "identifier_hash"))

    # -- events -----------------------------------------------------------------------------------------

    def write_events(self, events: Sequence[Event]) -> WriteResult:
        """Store new events and their effects in one transaction; skip known and suppressed ones.

        Effects of new events, in timestamp order: customer profiles for new customer ids, identity rules for
        events with traits or with both a customer and an anonymous id (:func:`identify`), consent records,
        and orders with their installed base for purchases. Run once more after a race with another writer
        (deadlock, serialization failure, lock wait, unique key: :func:`~configurator.storage.retry.retrying`);
        any other error is raised at once.
        """
        return in_transaction(self, lambda: self._write(events))

    def _write(self, events: Sequence[Event]) -> WriteResult:
        s = self.session
        if any(e.tenant != self.tenant for e in events):
            raise ValueError(f"events of another tenant given to the store of tenant {self.tenant!r}")
        hashes: dict[str, list[str]] = {}
        for e in events:
            keys = _event_keys(e)
            if isinstance(e, Referral):
                keys.append(("customer_id", e.referred_customer_id))
            hashes[e.event_id] = [identifier_hash(self.tenant, k, v) for k, v in keys]
        blocked = self.suppressed({h for hs in hashes.values() for h in hs})
        kept: list[Event] = []
        rows: list[dict[str, Any]] = []
        now = dt.datetime.now(dt.UTC)
        for e in events:
            own = hashes[e.event_id]
            if isinstance(e, Referral):
                referred, own = own[-1], own[:-1]
            if blocked.intersection(own):
                continue
            row = event_row(e, now)
            if isinstance(e, Referral) and referred in blocked:
                row["referred_customer_id"] = None
                row["payload"] = {**row["payload"], "referred_customer_id": "erased"}
            kept.append(e)
            rows.append(row)
        suppressed = len(events) - len(kept)
        if not rows:
            return WriteResult(suppressed=suppressed)
        rows.sort(key=lambda r: r["event_id"])  # one lock order for every writer: no deadlocks
        new_ids = _insert_new(s, EventRow, rows, "event_id")
        fresh = sorted((e for e in kept if e.event_id in new_ids), key=lambda e: (e.ts, e.event_id))
        self._effects(fresh)
        return WriteResult(len(new_ids), len(kept) - len(new_ids), suppressed)

    def _effects(self, events: Sequence[Event]) -> None:
        if not events:
            return
        s = self.session
        firsts: dict[str, dt.datetime] = {}
        for e in events:
            if e.customer_id and e.customer_id not in firsts:
                firsts[e.customer_id] = e.ts
        canonical = self._canonical(sorted(firsts))
        missing = sorted(set(firsts) - set(canonical))
        if missing:  # new customer ids get a profile (a concurrent writer may add the same: no conflict)
            s.execute(
                _insert(s, Customer).on_conflict_do_nothing(),
                [self._customer_values(Profile(cid, "external", created_at=firsts[cid])) for cid in missing],
            )
            canonical.update(self._canonical(missing))

        def has_traits(e: Event) -> bool:
            return e.traits is not None and not e.traits.is_empty()

        # A logged-in visitor's anonymous id becomes theirs: claimed in bulk when nobody owns it yet.
        links = [e for e in events if e.anonymous_id and e.customer_id and not has_traits(e)]
        owners = self._aliases([e.anonymous_id for e in links if e.anonymous_id])
        claims: dict[str, tuple[str, dt.datetime]] = {}
        for e in links:
            assert e.anonymous_id and e.customer_id
            if e.anonymous_id not in owners and e.anonymous_id not in claims:
                claims[e.anonymous_id] = (canonical.get(e.customer_id, e.customer_id), e.ts)
        if claims:
            s.execute(
                _insert(s, Identity).on_conflict_do_nothing(),
                [
                    {
                        "tenant": self.tenant,
                        "kind": "anonymous_id",
                        "value": v,
                        "customer_id": c,
                        "created_at": at,
                    }
                    for v, (c, at) in sorted(claims.items())
                ],
            )
            owners = self._aliases([e.anonymous_id for e in links if e.anonymous_id])
        for e in events:
            linking = bool(e.anonymous_id and e.customer_id)
            if has_traits(e) or (
                linking and owners.get(e.anonymous_id or "") != canonical.get(e.customer_id or "")
            ):
                # Traits, or an anonymous id owned by another profile: the full identity rules.
                resolved = identify(
                    self,
                    customer_id=e.customer_id,
                    anonymous_id=e.anonymous_id,
                    traits=e.traits,
                    at=e.ts,
                    region=self.region,
                )
                if e.anonymous_id and resolved.customer_id and e.anonymous_id in owners:
                    owners[e.anonymous_id] = self.owner("anonymous_id", e.anonymous_id) or ""
            if isinstance(e, ConsentChanged) and e.customer_id:
                record_consent(
                    self,
                    e.customer_id,
                    e.purpose,
                    e.granted,
                    at=e.ts,
                    source=f"{e.channel}:{e.event_id}",
                    actor="customer",
                )
        self._project_orders([e for e in events if isinstance(e, Purchased)])

    def _aliases(self, anonymous_ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(sorted(set(anonymous_ids))):
            rows = self.session.execute(
                select(Identity.value, Identity.customer_id).where(
                    Identity.tenant == self.tenant, Identity.kind == "anonymous_id", Identity.value.in_(chunk)
                )
            ).all()
            found.update({v: c for v, c in rows})
        return found

    def _canonical(self, customer_ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(customer_ids):
            rows = self.session.execute(
                select(Customer.customer_id, Customer.merged_into).where(
                    Customer.tenant == self.tenant, Customer.customer_id.in_(chunk)
                )
            ).all()
            found.update({c: m or c for c, m in rows})
        return found

    def _project_orders(self, purchases: list[Purchased]) -> None:
        """Orders and installed base from new purchases (the first event of an order id wins)."""
        if not purchases:
            return
        s = self.session
        canonical = self._canonical(sorted({e.customer_id for e in purchases if e.customer_id}))
        aliases = self._aliases([e.anonymous_id for e in purchases if e.anonymous_id and not e.customer_id])
        orders: dict[str, tuple[Purchased, str]] = {}
        for e in purchases:
            if e.customer_id:
                customer: str | None = canonical.get(e.customer_id, e.customer_id)
            else:
                customer = aliases.get(e.anonymous_id or "")
            if customer is not None and e.order_id not in orders:  # anonymous purchases stay in the log only
                orders[e.order_id] = (e, customer)
        if not orders:
            return
        rows = [
            {
                "tenant": self.tenant,
                "order_id": order_id,
                "customer_id": customer,
                "event_id": e.event_id,
                "ordered_at": e.ts,
                "total": e.order_total,
                "margin": e.order_margin,
                "currency": e.currency,
                "lines": [line.model_dump(mode="json", exclude_none=True) for line in e.lines],
            }
            for order_id, (e, customer) in sorted(orders.items())
        ]
        inserted = _insert_new(s, Order, rows, "order_id")
        items = [
            {
                "tenant": self.tenant,
                "order_id": order_id,
                "line_no": number,
                "customer_id": customer,
                "item": line.item,
                "catalog_id": line.catalog,
                "quantity": line.quantity,
                "configuration": line.selections,
                "installed_at": e.ts,
            }
            for order_id, (e, customer) in sorted(orders.items())
            if order_id in inserted
            for number, line in enumerate(e.lines, 1)
        ]
        if items:
            s.execute(_insert(s, InstalledItem).on_conflict_do_nothing(), items)


# -- frames -------------------------------------------------------------------------------------------------


def events_frame(session_or_engine: Session | Engine, tenant: str) -> pl.DataFrame:
    """One row per stored interaction event of ``tenant`` (columns in the module docstring).

    Ids are resolved in polars (hash joins) rather than by SQL joins, so the cost stays linear whatever the
    planner's statistics say right after a bulk load.
    """
    with _session(session_or_engine) as session:
        events = session.execute(
            select(
                EventRow.tenant,
                EventRow.event_id,
                EventRow.customer_ref,
                EventRow.anonymous_id,
                EventRow.type,
                EventRow.channel,
                EventRow.ts,
                EventRow.amount.cast(Float),
                EventRow.margin.cast(Float),
                EventRow.cost.cast(Float),
                EventRow.referred_customer_id,
                EventRow.converted,
                EventRow.rating,
            ).where(EventRow.tenant == tenant, EventRow.type != "consent")
        ).all()
        canon = session.execute(
            select(Customer.customer_id, func.coalesce(Customer.merged_into, Customer.customer_id)).where(
                Customer.tenant == tenant
            )
        ).all()
        anonymous = session.execute(
            select(Identity.value, Identity.customer_id).where(
                Identity.tenant == tenant, Identity.kind == "anonymous_id"
            )
        ).all()
    raw = pl.DataFrame(
        [tuple(r) for r in events],
        schema={
            **{k: EVENTS_SCHEMA[k] for k in ("tenant", "event_id")},
            "customer_ref": pl.Utf8(),
            "anonymous_id": pl.Utf8(),
            **{k: v for k, v in EVENTS_SCHEMA.items() if k not in ("tenant", "event_id", "customer_id")},
        },
        orient="row",
    )
    ids = pl.DataFrame(
        [tuple(r) for r in canon], schema={"id": pl.Utf8(), "canonical": pl.Utf8()}, orient="row"
    )
    owners = pl.DataFrame(
        [tuple(r) for r in anonymous], schema={"anonymous_id": pl.Utf8(), "owner": pl.Utf8()}, orient="row"
    )
    frame = (
        raw.join(ids.rename({"id": "customer_ref", "canonical": "_direct"}), on="customer_ref", how="left")
        .join(owners, on="anonymous_id", how="left")
        .join(ids.rename({"id": "owner", "canonical": "_via"}), on="owner", how="left")
        .join(
            ids.rename({"id": "referred_customer_id", "canonical": "_referred"}),
            on="referred_customer_id",
            how="left",
        )
        .with_columns(
            pl.when(pl.col("customer_ref").is_not_null())
            .then(pl.coalesce("_direct", "customer_ref"))
            .otherwise(pl.coalesce("_via", "owner"))
            .alias("customer_id"),
            pl.coalesce("_referred", "referred_customer_id").alias("referred_customer_id"),
        )
        .select(list(EVENTS_SCHEMA))
        .sort("ts", "event_id")
    )
    return frame


def consents_frame(session_or_engine: Session | Engine, tenant: str) -> pl.DataFrame:
    """One row per canonical customer: ``customer_id``, ``profiling``, ``marketing`` (defaults applied)."""
    with _session(session_or_engine) as session:
        customers = session.execute(
            select(Customer.customer_id)
            .where(Customer.tenant == tenant, Customer.merged_into.is_(None))
            .order_by(Customer.customer_id)
        ).scalars()
        choices: dict[tuple[str, str], bool] = {
            (c, p): g
            for c, p, g in session.execute(
                select(Consent.customer_id, Consent.purpose, Consent.granted).where(Consent.tenant == tenant)
            )
        }
        data = [(c, *(choices.get((c, p), DEFAULTS[p]) for p in PURPOSES)) for c in customers]
    return pl.DataFrame(data, schema=dict(CONSENTS_SCHEMA), orient="row")


def profiling_allowed(session_or_engine: Session | Engine, tenant: str) -> set[str]:
    """Canonical ids of the customers who did not object to profiling."""
    frame = consents_frame(session_or_engine, tenant)
    return set(frame.filter(pl.col("profiling"))["customer_id"].to_list())


# -- catalogs, quotes, orders, audit ------------------------------------------------------------------------


def save_catalog(
    session_or_engine: Session | Engine,
    tenant: str,
    catalog_id: str,
    version: str,
    yaml_text: str,
    *,
    loaded_at: dt.datetime | None = None,
) -> bool:
    """Store a catalog version's YAML; versions are immutable (False when that version is already stored)."""
    with _session(session_or_engine) as session:
        return _insert_one(
            session,
            CatalogVersion,
            {
                "tenant": tenant,
                "catalog_id": catalog_id,
                "version": version,
                "yaml": yaml_text,
                "loaded_at": loaded_at or dt.datetime.now(dt.UTC),
            },
        )


def catalog_versions(
    session_or_engine: Session | Engine, tenant: str, catalog_id: str
) -> list[tuple[str, dt.datetime]]:
    """``(version, loaded_at)`` of a catalog, oldest first."""
    with _session(session_or_engine) as session:
        rows = session.execute(
            select(CatalogVersion.version, CatalogVersion.loaded_at)
            .where(CatalogVersion.tenant == tenant, CatalogVersion.catalog_id == catalog_id)
            .order_by(CatalogVersion.loaded_at, CatalogVersion.version)
        ).all()
        return [(v, at) for v, at in rows]


def load_catalog_text(
    session_or_engine: Session | Engine, tenant: str, catalog_id: str, version: str | None = None
) -> str | None:
    """The YAML of a catalog version (default: the one loaded last), or None."""
    with _session(session_or_engine) as session:
        stmt = select(CatalogVersion.yaml).where(
            CatalogVersion.tenant == tenant, CatalogVersion.catalog_id == catalog_id
        )
        if version is not None:
            stmt = stmt.where(CatalogVersion.version == version)
        stmt = stmt.order_by(CatalogVersion.loaded_at.desc(), CatalogVersion.version.desc()).limit(1)
        return session.execute(stmt).scalar_one_or_none()


def legacy_quote_payload(
    *,
    tenant: str,
    quote_id: str,
    customer_id: str,
    configuration: Mapping[str, Any],
    total: Decimal | None,
    currency: str,
    catalog_id: str | None,
    catalog_version: str | None,
    status: str,
    created_at: dt.datetime,
) -> dict[str, Any]:
    """The version-1 payload of a quote stored without its full ``Quote`` data (marked ``legacy``).

    Migration 0002 gives every quote made before versions this payload; so does :func:`add_quote`.
    """
    return {
        "legacy": True,
        "quote_id": quote_id,
        "version": 1,
        "tenant": tenant,
        "customer_id": customer_id,
        "catalog_id": catalog_id,
        "catalog_version": catalog_version,
        "currency": currency,
        "created_at": created_at.astimezone(dt.UTC).isoformat(),
        "configuration": _jsonable(dict(configuration)),
        "total": None if total is None else str(total),
        "status": status,
    }


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
    """Store a quote summary as version 1 (idempotent by ``quote_id``); False when the number exists.

    Full quotes (lines, waterfall, versions, acceptance) go through ``configurator.quoting.lifecycle``; this
    keeps a summary only (its version payload is :func:`legacy_quote_payload`).
    """
    created_at = created_at or dt.datetime.now(dt.UTC)
    with _session(session_or_engine) as session:
        if not insert_quote_head(
            session,
            tenant,
            quote_id=quote_id,
            customer_id=customer_id,
            catalog_id=catalog_id,
            catalog_version=catalog_version,
            configuration=configuration,
            total=total,
            currency=currency,
            created_at=created_at,
            valid_until=None,
            status=status,
        ):
            return False
        payload = legacy_quote_payload(
            tenant=tenant,
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
        return insert_quote_version(
            session,
            tenant,
            quote_id=quote_id,
            version=1,
            customer_id=customer_id,
            created_at=created_at,
            total=total,
            currency=currency,
            locale=None,
            valid_until=None,
            payload=payload,
        )


@dataclasses.dataclass(frozen=True)
class QuoteHeadRow:
    """The ``quotes`` row of a quote number: its latest version and the quote's status."""

    quote_id: str
    customer_id: str
    version: int
    status: str
    total: Decimal | None
    currency: str
    created_at: dt.datetime
    valid_until: dt.date | None
    accepted_at: dt.datetime | None
    order_id: str | None


@dataclasses.dataclass(frozen=True)
class QuoteVersionRow:
    """A ``quote_versions`` row: one version's payload (``Quote.to_data()``) and its lifecycle stamps."""

    quote_id: str
    version: int
    customer_id: str
    created_at: dt.datetime
    total: Decimal | None
    currency: str
    locale: str | None
    valid_until: dt.date | None
    payload: dict[str, Any]
    approved_by: str | None
    approved_at: dt.datetime | None
    sent_at: dt.datetime | None


_HEAD_FIELDS = tuple(f.name for f in dataclasses.fields(QuoteHeadRow))
_VERSION_FIELDS = tuple(f.name for f in dataclasses.fields(QuoteVersionRow))


def quote_head(
    session_or_engine: Session | Engine, tenant: str, quote_id: str, *, lock: bool = False
) -> QuoteHeadRow | None:
    """The head row of a quote number, or None; ``lock`` holds it until the transaction ends (PostgreSQL).

    Example:
        >>> from configurator.storage import make_engine, upgrade
        >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
        >>> add_quote(engine, "shop", quote_id="q1", customer_id="c1", configuration={}, total=None,
        ...           currency="EUR")
        True
        >>> head = quote_head(engine, "shop", "q1")
        >>> head.version, head.status, quote_head(engine, "shop", "q2")
        (1, 'draft', None)
    """
    table = _table(Quote)
    stmt = select(*(table.c[n] for n in _HEAD_FIELDS)).where(
        table.c.tenant == tenant, table.c.quote_id == quote_id
    )
    if lock:
        stmt = stmt.with_for_update()
    with _session(session_or_engine) as session:
        row = session.execute(stmt).first()
        return None if row is None else QuoteHeadRow(**row._mapping)


def quote_version_rows(
    session_or_engine: Session | Engine, tenant: str, quote_id: str, version: int | None = None
) -> list[QuoteVersionRow]:
    """The stored versions of a quote number (only ``version`` when given), oldest first."""
    table = _table(QuoteVersion)
    stmt = select(*(table.c[n] for n in _VERSION_FIELDS)).where(
        table.c.tenant == tenant, table.c.quote_id == quote_id
    )
    if version is not None:
        stmt = stmt.where(table.c.version == version)
    with _session(session_or_engine) as session:
        return [QuoteVersionRow(**r._mapping) for r in session.execute(stmt.order_by(table.c.version))]


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
    """Insert a quote version unless ``(quote_id, version)`` is stored (versions are never overwritten)."""
    with _session(session_or_engine) as session:
        return _insert_one(
            session,
            QuoteVersion,
            {
                "tenant": tenant,
                "quote_id": quote_id,
                "version": version,
                "customer_id": customer_id,
                "created_at": created_at,
                "total": total,
                "currency": currency,
                "locale": locale,
                "valid_until": valid_until,
                "payload": dict(payload),
            },
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
    """Insert the head of a new quote number at version 1 (status ``draft``); False when the number exists."""
    with _session(session_or_engine) as session:
        return _insert_one(
            session,
            Quote,
            {
                "tenant": tenant,
                "quote_id": quote_id,
                "customer_id": customer_id,
                "catalog_id": catalog_id,
                "catalog_version": catalog_version,
                "configuration": _jsonable(dict(configuration)),
                "total": total,
                "currency": currency,
                "status": status,
                "created_at": created_at,
                "version": 1,
                "valid_until": valid_until,
            },
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
    """Point the head at version ``from_version + 1`` (status ``draft``), unless it moved or was accepted.

    False when the head is not at ``from_version`` any more (another writer revised it) or is accepted.
    """
    with _session(session_or_engine) as session:
        result = session.execute(
            update(Quote)
            .where(
                Quote.tenant == tenant,
                Quote.quote_id == quote_id,
                Quote.version == from_version,
                Quote.status != "accepted",
            )
            .values(
                version=from_version + 1,
                status="draft",
                catalog_id=catalog_id,
                catalog_version=catalog_version,
                configuration=_jsonable(dict(configuration)),
                total=total,
                currency=currency,
                valid_until=valid_until,
            )
        )
        return bool(getattr(result, "rowcount", 0))


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
    """Set the head's status while it is at ``version`` with a status in ``only_from``; True when changed."""
    values: dict[str, Any] = {"status": status}
    if accepted_at is not None:
        values["accepted_at"] = accepted_at
    if order_id is not None:
        values["order_id"] = order_id
    with _session(session_or_engine) as session:
        result = session.execute(
            update(Quote)
            .where(
                Quote.tenant == tenant,
                Quote.quote_id == quote_id,
                Quote.version == version,
                Quote.status.in_(list(only_from)),
            )
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))


def stamp_quote_version(
    session_or_engine: Session | Engine,
    tenant: str,
    quote_id: str,
    version: int,
    *,
    approved: tuple[str, dt.datetime] | None = None,
    sent_at: dt.datetime | None = None,
) -> bool:
    """Set a version's approval (approver, time) or sent time once: a stamp already set is kept.

    True when a stamp was written.
    """
    table = _table(QuoteVersion)
    where = [table.c.tenant == tenant, table.c.quote_id == quote_id, table.c.version == version]
    changed = False
    with _session(session_or_engine) as session:
        if approved is not None:
            result = session.execute(
                update(table)
                .where(*where, table.c.approved_at.is_(None))
                .values(approved_by=approved[0], approved_at=approved[1])
            )
            changed = bool(getattr(result, "rowcount", 0))
        if sent_at is not None:
            result = session.execute(
                update(table).where(*where, table.c.sent_at.is_(None)).values(sent_at=sent_at)
            )
            changed = changed or bool(getattr(result, "rowcount", 0))
    return changed


def expire_quote_heads(session_or_engine: Session | Engine, tenant: str, today: dt.date) -> list[str]:
    """Mark ``expired`` the draft or sent quotes whose latest version was valid until before ``today``.

    Returns the expired quote ids, sorted.
    """
    table = _table(Quote)
    stale = and_(
        table.c.tenant == tenant,
        table.c.status.in_(("draft", "sent")),
        table.c.valid_until.is_not(None),
        table.c.valid_until < today,
    )
    with _session(session_or_engine) as session:
        ids = sorted(session.execute(select(table.c.quote_id).where(stale).with_for_update()).scalars())
        for chunk in _chunks(ids):
            session.execute(update(table).where(stale, table.c.quote_id.in_(chunk)).values(status="expired"))
        return ids


def in_transaction(store: SqlStore, work: Callable[[], _T]) -> _T:
    """``work()`` in one transaction of ``store``, run once more after a race with another writer.

    A deadlock, serialization failure, lock wait that ran out or unique-key race (two writers inserting the
    same natural key) rolls the transaction back and runs ``work`` once more in a new transaction, so it sees
    what the other writer committed; a second failure, and any other error (NOT NULL, CHECK, foreign key,
    ...), is raised unchanged (:func:`~configurator.storage.retry.retrying`). Inside an open
    :meth:`SqlStore.atomic` block it just runs ``work`` (the outer transaction decides).
    """
    if store._current is not None:
        return work()

    def attempt() -> _T:
        with (
            store.atomic()
        ):  # a new transaction per attempt: a retry re-reads what the other writer committed
            return work()

    return retrying(attempt)


def order_event(session_or_engine: Session | Engine, tenant: str, order_id: str) -> str | None:
    """The id of the event an order was projected from, or None when there is no such order."""
    with _session(session_or_engine) as session:
        found: str | None = session.execute(
            select(Order.event_id).where(Order.tenant == tenant, Order.order_id == order_id)
        ).scalar()
        return found


def _by_customer(
    session_or_engine: Session | Engine, model: type[Base], tenant: str, customer_id: str, order: str
) -> list[dict[str, Any]]:
    table = _table(model)
    with _session(session_or_engine) as session:
        rows = session.execute(
            select(*table.c)
            .where(table.c.tenant == tenant, table.c.customer_id == customer_id)
            .order_by(table.c[order])
        )
        return [dict(r._mapping) for r in rows]


def quotes_for(session_or_engine: Session | Engine, tenant: str, customer_id: str) -> list[dict[str, Any]]:
    """A customer's quotes (rows as mappings), oldest first."""
    return _by_customer(session_or_engine, Quote, tenant, customer_id, "created_at")


def orders_for(session_or_engine: Session | Engine, tenant: str, customer_id: str) -> list[dict[str, Any]]:
    """A customer's orders (rows as mappings), oldest first."""
    return _by_customer(session_or_engine, Order, tenant, customer_id, "ordered_at")


def installed_base_for(
    session_or_engine: Session | Engine, tenant: str, customer_id: str
) -> list[dict[str, Any]]:
    """What a customer owns: one row per order line, oldest first."""
    return _by_customer(session_or_engine, InstalledItem, tenant, customer_id, "installed_at")


def audit_entries(
    session_or_engine: Session | Engine, tenant: str, *, subject: str | None = None
) -> list[AuditRecord]:
    """The audit log of ``tenant`` (optionally about one subject), oldest first."""
    with _session(session_or_engine) as session:
        stmt = select(AuditEntry).where(AuditEntry.tenant == tenant)
        if subject is not None:
            stmt = stmt.where(or_(AuditEntry.subject == subject, AuditEntry.related == subject))
        return [
            AuditRecord(e.action, e.actor, e.subject, e.related, dict(e.details), e.at)
            for e in session.execute(stmt.order_by(AuditEntry.id)).scalars()
        ]


# -- learned needs: a customer's events, a catalog's sales ----------------------------------------------------

__all__ += ["catalog_sales", "customer_events"]


def _payload_events(session: Session, tenant: str, stmt: Select[Any]) -> list[Event]:
    """The validated events of the selected ``payload`` column (stored payloads are validated events)."""
    from configurator.customers.events import validate_event

    return [
        validate_event(payload, tenant=tenant, region=None) for payload in session.execute(stmt).scalars()
    ]


def customer_events(session_or_engine: Session | Engine, tenant: str, customer_id: str) -> list[Event]:
    """Every stored event of a customer, as validated events, ordered by timestamp then event id.

    ``customer_id`` may be any of the person's ids: the events of the canonical customer, of every profile
    merged into it and of the anonymous ids they own are returned (the same attribution as
    :func:`events_frame`), consent records included. An unknown customer has no events (cold start).

    Example:
        >>> from configurator.storage import make_engine, upgrade
        >>> from configurator.customers.events import validate_event
        >>> from configurator.customers.identity import merge
        >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
        >>> store = SqlStore(engine, "shop")
        >>> def viewed(event_id, minute, **who):
        ...     return validate_event({"event_id": event_id, "type": "viewed", "channel": "web",
        ...                            "ts": f"2026-05-01T12:{minute:02}:00Z", **who}, tenant="shop")
        >>> _ = store.write_events([viewed("e2", 2, customer_id="c1"), viewed("e1", 1, customer_id="c2"),
        ...                         viewed("e3", 3, customer_id="c9")])
        >>> _ = merge(store, "c1", "c2", actor="rep", reason="same email")
        >>> [e.event_id for e in customer_events(engine, "shop", "c2")], customer_events(engine, "shop", "c0")
        (['e1', 'e2'], [])
    """
    with _session(session_or_engine) as session:
        merged_into = session.execute(
            select(Customer.merged_into).where(Customer.tenant == tenant, Customer.customer_id == customer_id)
        ).first()
        if merged_into is None:
            return []
        canonical = merged_into[0] or customer_id
        ids = [
            canonical,
            *session.execute(
                select(Customer.customer_id).where(
                    Customer.tenant == tenant, Customer.merged_into == canonical
                )
            ).scalars(),
        ]
        anonymous = list(
            session.execute(
                select(Identity.value).where(
                    Identity.tenant == tenant, Identity.kind == "anonymous_id", Identity.customer_id.in_(ids)
                )
            ).scalars()
        )
        mine = or_(
            EventRow.customer_ref.in_(ids),
            and_(EventRow.customer_ref.is_(None), EventRow.anonymous_id.in_(anonymous)),
        )
        stmt = (
            select(EventRow.payload)
            .where(EventRow.tenant == tenant, mine)
            .order_by(EventRow.ts, EventRow.event_id)
        )
        return _payload_events(session, tenant, stmt)


def catalog_sales(session_or_engine: Session | Engine, tenant: str, catalog_id: str) -> list[Event]:
    """The ``purchased`` and ``configured`` events that mention a catalog, ordered by timestamp then event id.

    A purchase mentions the catalog when one of its lines does; a configuration when it was made in it. What
    population models of needs are fitted on (``CatalogNeedsView.population_rows`` keeps the purchased lines
    and the complete configurations).

    Example:
        >>> from configurator.storage import make_engine, upgrade
        >>> from configurator.customers.events import validate_event
        >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
        >>> def configured(event_id, catalog):
        ...     return validate_event({"event_id": event_id, "type": "configured", "customer_id": "c1",
        ...         "channel": "web", "ts": "2026-05-01T12:00:00Z", "catalog": catalog,
        ...         "selections": {"frame": "alu"}}, tenant="shop")
        >>> _ = SqlStore(engine, "shop").write_events([configured("e1", "bike"), configured("e2", "bike-xl")])
        >>> [e.event_id for e in catalog_sales(engine, "shop", "bike")]
        ['e1']
    """
    from configurator.customers.events import Configured

    # The JSON text is filtered coarsely in SQL (the quoted id occurs in it), exactly in Python.
    pattern = f"%{_like(json.dumps(catalog_id))}%"
    with _session(session_or_engine) as session:
        stmt = (
            select(EventRow.payload)
            .where(
                EventRow.tenant == tenant,
                EventRow.type.in_(("purchased", "configured")),
                EventRow.payload.cast(Text).like(pattern, escape="\\"),
            )
            .order_by(EventRow.ts, EventRow.event_id)
        )
        events = _payload_events(session, tenant, stmt)
    return [
        e
        for e in events
        if (isinstance(e, Configured) and e.catalog == catalog_id)
        or (isinstance(e, Purchased) and any(line.catalog == catalog_id for line in e.lines))
    ]
