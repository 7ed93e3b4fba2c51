"""Quote editing: the outbox of sent quotes.

``outbox`` holds each quote version sent to a customer (recipient, subject and text in their language, the
rendered PDF) until the shop's mailer reports it sent. Line discounts, service choices and approvals live in
the quote versions' payloads and stamps (no change there); a head waiting for an approval has status
``pending_approval`` (the column already holds 16 characters).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``outbox`` (empty)."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("quote_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("attachment", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("sent_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(
        op.f("ix_outbox_tenant_quote_id_version"), "outbox", ["tenant", "quote_id", "version"], unique=True
    )
    op.create_index(op.f("ix_outbox_tenant_sent_at"), "outbox", ["tenant", "sent_at"])


def downgrade() -> None:
    """Drop ``outbox`` (queued messages are lost)."""
    op.drop_table("outbox")
