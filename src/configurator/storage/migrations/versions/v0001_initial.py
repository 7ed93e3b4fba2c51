"""Initial schema.

Catalogs, customers, identities, events, consents, quotes, orders, installed base, suppressions and the audit
log; a tenant column on every table.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("related", sa.String(length=200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_tenant_subject"), "audit_log", ["tenant", "subject"], unique=False)
    op.create_table(
        "catalogs",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("catalog_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("yaml", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "catalog_id", "version", name=op.f("pk_catalogs")),
    )
    op.create_table(
        "consents",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "customer_id", "purpose", name=op.f("pk_consents")),
    )
    op.create_table(
        "customers",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("traits_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "customer_id", name=op.f("pk_customers")),
    )
    op.create_index(
        op.f("ix_customers_tenant_merged_into"), "customers", ["tenant", "merged_into"], unique=False
    )
    op.create_table(
        "events",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customer_ref", sa.String(length=200), nullable=True),
        sa.Column("anonymous_id", sa.String(length=200), nullable=True),
        sa.Column("amount", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("margin", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("cost", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("referred_customer_id", sa.String(length=200), nullable=True),
        sa.Column("converted", sa.Boolean(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "event_id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_tenant_anonymous_id"), "events", ["tenant", "anonymous_id"], unique=False)
    op.create_index(op.f("ix_events_tenant_customer_ref"), "events", ["tenant", "customer_ref"], unique=False)
    op.create_index(op.f("ix_events_tenant_ts"), "events", ["tenant", "ts"], unique=False)
    op.create_table(
        "identities",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "kind", "value", name=op.f("pk_identities")),
    )
    op.create_index(
        op.f("ix_identities_tenant_customer_id"), "identities", ["tenant", "customer_id"], unique=False
    )
    op.create_table(
        "orders",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("margin", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "order_id", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_tenant_customer_id"), "orders", ["tenant", "customer_id"], unique=False)
    op.create_table(
        "quotes",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("quote_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("catalog_id", sa.String(length=200), nullable=True),
        sa.Column("catalog_version", sa.String(length=64), nullable=True),
        sa.Column("configuration", sa.JSON(), nullable=False),
        sa.Column("total", sa.Numeric(precision=16, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "quote_id", name=op.f("pk_quotes")),
    )
    op.create_index(op.f("ix_quotes_tenant_customer_id"), "quotes", ["tenant", "customer_id"], unique=False)
    op.create_table(
        "suppressions",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("identifier_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "identifier_hash", name=op.f("pk_suppressions")),
    )
    op.create_table(
        "installed_base",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=200), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("catalog_id", sa.String(length=200), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("configuration", sa.JSON(), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "order_id"],
            ["orders.tenant", "orders.order_id"],
            name=op.f("fk_installed_base_tenant_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "order_id", "line_no", name=op.f("pk_installed_base")),
    )
    op.create_index(
        op.f("ix_installed_base_tenant_customer_id"),
        "installed_base",
        ["tenant", "customer_id"],
        unique=False,
    )


def downgrade() -> None:
    """Drop every table."""
    op.drop_index(op.f("ix_installed_base_tenant_customer_id"), table_name="installed_base")
    op.drop_table("installed_base")
    op.drop_table("suppressions")
    op.drop_index(op.f("ix_quotes_tenant_customer_id"), table_name="quotes")
    op.drop_table("quotes")
    op.drop_index(op.f("ix_orders_tenant_customer_id"), table_name="orders")
    op.drop_table("orders")
    op.drop_index(op.f("ix_identities_tenant_customer_id"), table_name="identities")
    op.drop_table("identities")
    op.drop_index(op.f("ix_events_tenant_ts"), table_name="events")
    op.drop_index(op.f("ix_events_tenant_customer_ref"), table_name="events")
    op.drop_index(op.f("ix_events_tenant_anonymous_id"), table_name="events")
    op.drop_table("events")
    op.drop_index(op.f("ix_customers_tenant_merged_into"), table_name="customers")
    op.drop_table("customers")
    op.drop_table("consents")
    op.drop_table("catalogs")
    op.drop_index(op.f("ix_audit_log_tenant_subject"), table_name="audit_log")
    op.drop_table("audit_log")
