"""SQLAlchemy 2 ORM models: every row carries a ``tenant`` so one database serves several shops.

Tables: ``catalogs`` (versioned YAML), ``customers`` (profiles), ``identities`` (anonymous ids, emails, phones
pointing to a profile), ``events`` (the interaction log, keyed by ``(tenant, event_id)``), ``consents``,
``quotes`` (one head row per quote number), ``quote_versions`` (each version's immutable ``Quote.to_data()``),
``orders``, ``installed_base``, ``suppressions`` (hashes of erased identifiers), ``audit_log``, ``tiers`` (the
latest tier snapshot of each tenant), ``outbox`` (sent quotes waiting for the shop's mailer),
``rendered_files`` (quote files the product wrote, so an erasure removes them), ``dropped_events`` (ids of
events dropped or erased as an erased person's, so posting one again reads as a duplicate),
``campaign_partitions`` (each finished partition of a batch campaign run) and ``campaign_offers`` (the next-best
offers a campaign run found, one per customer and catalog).

Timestamps are stored in UTC (:class:`UTCDateTime` rejects naive values); money is ``Numeric(16, 4)`` read back
as ``Decimal`` on every dialect (:class:`Money`). The Alembic migrations in ``migrations/`` create exactly this
schema (a test compares them).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditEntry",
    "Base",
    "CampaignOfferRow",
    "CampaignPartitionRow",
    "CatalogVersion",
    "Consent",
    "Customer",
    "DroppedEvent",
    "Event",
    "Identity",
    "InstalledItem",
    "Money",
    "Order",
    "OutboxMessage",
    "Quote",
    "QuoteVersion",
    "RenderedFile",
    "Suppression",
    "TierRow",
    "UTCDateTime",
]

ID = 200
"""Length of id columns."""


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored in UTC; SQLite's naive values are read back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Refuse naive datetimes; convert aware ones to UTC (naive UTC on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} (a time zone is required)")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Money(TypeDecorator[Decimal]):
    """``Numeric(16, 4)``; read back as ``Decimal`` (SQLite stores a float, converted through its repr)."""

    impl = Numeric(16, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        """Plain floats on SQLite (avoids SQLAlchemy's Decimal-on-SQLite warning), Decimal elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(16, 4, asdecimal=False))
        return dialect.type_descriptor(Numeric(16, 4))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        """Bind as a float on SQLite, a Decimal elsewhere."""
        if value is None:
            return None
        return float(value) if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """Return a Decimal."""
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so constraints have the same names on every dialect."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        Decimal: Money(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class CatalogVersion(Base):
    """A catalog as loaded at some time: id, version, the YAML text."""

    __tablename__ = "catalogs"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    catalog_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    yaml: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime]


class Customer(Base):
    """A profile: the personal data we hold on one customer id (see ``customers.identity.Profile``)."""

    __tablename__ = "customers"
    __table_args__ = (Index(None, "tenant", "merged_into"),)

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    origin: Mapped[str] = mapped_column(String(16))
    merged_into: Mapped[str | None] = mapped_column(String(ID))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(500))
    extra: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]
    traits_at: Mapped[dt.datetime | None]


class Identity(Base):
    """An identifier (anonymous id, email, phone) pointing to a profile; one owner per identifier."""

    __tablename__ = "identities"
    __table_args__ = (Index(None, "tenant", "customer_id"),)

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(320), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(ID))
    created_at: Mapped[dt.datetime]


class Event(Base):
    """One event of the interaction log; measures are columns, the validated event is ``payload``."""

    __tablename__ = "events"
    __table_args__ = (
        Index(None, "tenant", "customer_ref"),
        Index(None, "tenant", "anonymous_id"),
        Index(None, "tenant", "ts"),
    )

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    schema_version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    ts: Mapped[dt.datetime]
    customer_ref: Mapped[str | None] = mapped_column(String(ID))
    anonymous_id: Mapped[str | None] = mapped_column(String(ID))
    amount: Mapped[Decimal]
    margin: Mapped[Decimal]
    cost: Mapped[Decimal]
    referred_customer_id: Mapped[str | None] = mapped_column(String(ID))
    converted: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[dt.datetime]


class Consent(Base):
    """A customer's latest choice for one purpose (the history is in the event log and the audit log)."""

    __tablename__ = "consents"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[dt.datetime]
    source: Mapped[str] = mapped_column(String(ID))


class Quote(Base):
    """The head of a quote number: its latest version, status, customer and totals.

    ``status`` is the latest version's (``draft``, ``sent``, ``accepted``, ``expired``); earlier versions are
    superseded. ``version``, ``valid_until``, ``accepted_at`` and ``order_id`` were added by migration 0002
    (rows from before it are version 1).
    """

    __tablename__ = "quotes"
    __table_args__ = (Index(None, "tenant", "customer_id"),)

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    quote_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(ID))
    catalog_id: Mapped[str | None] = mapped_column(String(ID))
    catalog_version: Mapped[str | None] = mapped_column(String(64))
    configuration: Mapped[dict[str, Any]]
    total: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    accepted_at: Mapped[dt.datetime | None]
    order_id: Mapped[str | None] = mapped_column(String(ID))


class QuoteVersion(Base):
    """One version of a quote: ``payload`` is its ``Quote.to_data()`` and never changes once stored.

    ``approved_by``/``approved_at`` (a manager let a price below the floor through) and ``sent_at`` are stamps
    set once by the quote lifecycle; the offer itself is the payload.
    """

    __tablename__ = "quote_versions"
    __table_args__ = (Index(None, "tenant", "customer_id"),)

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    quote_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    customer_id: Mapped[str] = mapped_column(String(ID))
    created_at: Mapped[dt.datetime]
    total: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str | None] = mapped_column(String(35))
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    payload: Mapped[dict[str, Any]]
    approved_by: Mapped[str | None] = mapped_column(String(ID))
    approved_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]


class Order(Base):
    """An order (projected from ``purchased`` events): lines, total and margin."""

    __tablename__ = "orders"
    __table_args__ = (Index(None, "tenant", "customer_id"),)

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(ID))
    event_id: Mapped[str] = mapped_column(String(ID))
    ordered_at: Mapped[dt.datetime]
    total: Mapped[Decimal]
    margin: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    lines: Mapped[list[Any]]


class InstalledItem(Base):
    """What a customer owns: one order line, with its configuration (for reconfiguration and service)."""

    __tablename__ = "installed_base"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "order_id"], ["orders.tenant", "orders.order_id"], ondelete="CASCADE"
        ),
        Index(None, "tenant", "customer_id"),
    )

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    customer_id: Mapped[str] = mapped_column(String(ID))
    item: Mapped[str] = mapped_column(String(ID))
    catalog_id: Mapped[str | None] = mapped_column(String(ID))
    quantity: Mapped[int] = mapped_column(Integer)
    configuration: Mapped[dict[str, Any] | None]
    installed_at: Mapped[dt.datetime]


class Suppression(Base):
    """A hash of an erased person's identifier: later events carrying it are dropped."""

    __tablename__ = "suppressions"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    identifier_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime]


class AuditEntry(Base):
    """Who did what to whom and when: merges, consent changes, erasures."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "tenant", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime]
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(ID))
    subject: Mapped[str] = mapped_column(String(ID))
    related: Mapped[str | None] = mapped_column(String(ID))
    details: Mapped[dict[str, Any]]


class TierRow(Base):
    """One customer's row of the tenant's latest tier snapshot (replaced whole by each refresh, migration 0003).

    ``numbers`` holds every number behind the assignment (the explanation columns of
    ``customers.tiers.TIER_COLUMNS``; null for objections); ``as_of`` is the moment the events were counted up
    to, ``computed_at`` when the refresh ran and ``refresh_id`` which refresh wrote the row.
    """

    __tablename__ = "tiers"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    tier: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    numbers: Mapped[dict[str, Any]]
    as_of: Mapped[dt.datetime]
    computed_at: Mapped[dt.datetime]
    refresh_id: Mapped[str] = mapped_column(String(64))


class ApiKeyRow(Base):
    """An API key of a tenant: its public id, scopes and the keyed hash of its secret (migration 0004).

    The secret itself is never stored: ``secret_hash`` is an HMAC-SHA256 under the server's secret key.
    """

    __tablename__ = "api_keys"
    __table_args__ = (Index(None, "tenant"),)

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(ID))
    scopes: Mapped[str] = mapped_column(String(ID))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(ID))
    revoked_at: Mapped[dt.datetime | None]


class AccountRow(Base):
    """A person who signs in to the rep page: login, tenant, scopes and an argon2 password hash (migration 0004)."""

    __tablename__ = "accounts"
    __table_args__ = (Index(None, "tenant"),)

    login: Mapped[str] = mapped_column(String(ID), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(ID))
    scopes: Mapped[str] = mapped_column(String(ID))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime]
    disabled_at: Mapped[dt.datetime | None]


class SignInRow(Base):
    """A rep's sign-in (the cookie's keyed hash), valid until it expires or the rep signs out (migration 0004)."""

    __tablename__ = "sign_ins"
    __table_args__ = (Index(None, "login"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    login: Mapped[str] = mapped_column(String(ID))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]


class ConfigSessionRow(Base):
    """An interactive configuration session: its catalog version, customer and choices (migration 0004).

    Any API worker answers any request of the session from this row (the choices are replayed on the
    catalog compiled once per process); ``revision`` counts changes so that two concurrent changes of one
    session cannot both win. ``owner`` is the credential that opened it (sessions are limited per owner).
    """

    __tablename__ = "config_sessions"
    __table_args__ = (Index(None, "tenant", "owner", "used_at"), Index(None, "tenant", "used_at"))

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(ID))
    catalog_id: Mapped[str] = mapped_column(String(ID))
    catalog_version: Mapped[str] = mapped_column(String(64))
    on_date: Mapped[str | None] = mapped_column(String(10))
    customer_id: Mapped[str | None] = mapped_column(String(ID))
    choices: Mapped[list[Any]]
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime]
    draft: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))


class OutboxMessage(Base):
    """A quote sent to a customer, waiting for the shop's mailer (migration 0006).

    One per quote version (sending the same version again queues nothing new): the recipient (the customer's
    email), subject and text in the customer's language, the rendered PDF and its file name; ``sent_at`` is set
    when the mailer reports it delivered.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index(None, "tenant", "quote_id", "version", unique=True),
        Index(None, "tenant", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    quote_id: Mapped[str] = mapped_column(String(ID))
    version: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[str] = mapped_column(String(ID))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(35))
    filename: Mapped[str] = mapped_column(String(ID))
    attachment: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]


class RenderedFile(Base):
    """A quote file the product wrote (``configurator quote -o``): an erasure of its customer removes it (0007)."""

    __tablename__ = "rendered_files"
    __table_args__ = (Index(None, "tenant", "customer_id"),)

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    quote_id: Mapped[str] = mapped_column(String(ID))
    customer_id: Mapped[str] = mapped_column(String(ID))
    written_at: Mapped[dt.datetime]


class DroppedEvent(Base):
    """The id of an event dropped as an erased person's (or deleted by their erasure), migration 0007.

    Posting it again answers "duplicate", as for a stored event, so the answer never tells a sender that the
    person was erased. Only the id and when: nothing of the event is kept.
    """

    __tablename__ = "dropped_events"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    dropped_at: Mapped[dt.datetime]


class CampaignPartitionRow(Base):
    """One finished partition of a campaign run and step (migration 0008): a rerun of the run skips it.

    ``result`` holds the partition's counts (customers, offers, quotes, skipped) and its seconds.
    """

    __tablename__ = "campaign_partitions"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    partition: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    result: Mapped[dict[str, Any]]
    finished_at: Mapped[dt.datetime]


class CampaignOfferRow(Base):
    """A customer's next-best offer found by a campaign run (migration 0008); the id derives from run and customer.

    ``kind`` is ``upgrade`` (a change of their installed configuration) or ``service`` (an add-on service they
    do not have); ``expected_value`` is ``probability * margin``.
    """

    __tablename__ = "campaign_offers"
    __table_args__ = (Index(None, "tenant", "run_id", "partition"), Index(None, "tenant", "customer_id"))

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    offer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64))
    partition: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[str] = mapped_column(String(ID))
    catalog_id: Mapped[str] = mapped_column(String(ID))
    tier: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    item: Mapped[str] = mapped_column(String(ID))
    changes: Mapped[list[Any]]
    reason: Mapped[str] = mapped_column(Text)
    probability: Mapped[float] = mapped_column(Float)
    margin: Mapped[Decimal]
    expected_value: Mapped[Decimal]
    created_at: Mapped[dt.datetime]
