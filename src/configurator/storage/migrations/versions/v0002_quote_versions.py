"""Quote versions.

A ``quote_versions`` table holds every version of a quote (its ``Quote.to_data()`` payload, never overwritten);
``quotes`` stays the head row of each quote number and gains the latest ``version``, ``valid_until``,
``accepted_at`` and ``order_id``. Each existing quote becomes version 1, with the data it has as a payload
marked ``legacy`` (the full quote was not stored before).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _money(value: Any) -> Decimal | None:
    """SQLite reads money back as a float (converted through its repr, as the models do)."""
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite keeps UTC timestamps naive."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def upgrade() -> None:
    """Create ``quote_versions``, extend ``quotes``, copy each existing quote as its version 1."""
    op.create_table(
        "quote_versions",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("quote_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total", sa.Numeric(precision=16, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "quote_id", "version", name=op.f("pk_quote_versions")),
    )
    op.create_index(
        op.f("ix_quote_versions_tenant_customer_id"),
        "quote_versions",
        ["tenant", "customer_id"],
        unique=False,
    )
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
        batch.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("order_id", sa.String(length=200), nullable=True))

    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    # Floats on SQLite (no Decimal-on-SQLite warning), Decimals elsewhere.
    money: Any = sa.Numeric(16, 4, asdecimal=False) if sqlite else sa.Numeric(16, 4)
    columns = (
        "tenant",
        "quote_id",
        "customer_id",
        "catalog_id",
        "catalog_version",
        "configuration",
        "total",
        "currency",
        "status",
        "created_at",
    )
    types: dict[str, Any] = {
        "configuration": sa.JSON(),
        "total": money,
        "created_at": sa.DateTime(timezone=True),
    }
    quotes = sa.table("quotes", *(sa.column(c, types.get(c, sa.String())) for c in columns))
    versions = sa.table(
        "quote_versions",
        *(
            sa.column(c, types.get(c, sa.String()))
            for c in ("tenant", "quote_id", "customer_id", "created_at", "total", "currency")
        ),
        sa.column("version", sa.Integer()),
        sa.column("payload", sa.JSON()),
    )
    rows = []
    for row in bind.execute(sa.select(quotes)).mappings():
        total = _money(row["total"])
        payload = {
            "legacy": True,
            "quote_id": row["quote_id"],
            "version": 1,
            "tenant": row["tenant"],
            "customer_id": row["customer_id"],
            "catalog_id": row["catalog_id"],
            "catalog_version": row["catalog_version"],
            "currency": row["currency"],
            "created_at": _aware(row["created_at"]).isoformat(),
            "configuration": row["configuration"],
            "total": None if total is None else format(total.normalize(), "f"),  # same text on every dialect
            "status": row["status"],
        }
        rows.append(
            {
                "tenant": row["tenant"],
                "quote_id": row["quote_id"],
                "version": 1,
                "customer_id": row["customer_id"],
                "created_at": row["created_at"],
                "total": row["total"],
                "currency": row["currency"],
                "payload": payload,
            }
        )
    if rows:
        op.bulk_insert(versions, rows)


def downgrade() -> None:
    """Drop ``quote_versions`` and the head columns (the heads keep their latest status and totals)."""
    with op.batch_alter_table("quotes") as batch:
        batch.drop_column("order_id")
        batch.drop_column("accepted_at")
        batch.drop_column("valid_until")
        batch.drop_column("version")
    op.drop_index(op.f("ix_quote_versions_tenant_customer_id"), table_name="quote_versions")
    op.drop_table("quote_versions")
