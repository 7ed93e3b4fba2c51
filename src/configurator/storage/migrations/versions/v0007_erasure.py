"""Erasure that holds: quote files the product wrote, and the ids of events dropped as an erased person's.

``rendered_files`` records each quote file ``configurator quote -o`` wrote (path, quote, customer, when) so an
erasure removes it; ``dropped_events`` keeps the ids (only the ids) of events dropped or deleted as an erased
person's, so posting one again reads as a duplicate. Suppression entries keep their column: new ones are
HMACs (64 hex digits, as the unkeyed hashes before them, which stay checkable).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``rendered_files`` and ``dropped_events`` (empty)."""
    op.create_table(
        "rendered_files",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("quote_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("written_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "path", name=op.f("pk_rendered_files")),
    )
    op.create_index(op.f("ix_rendered_files_tenant_customer_id"), "rendered_files", ["tenant", "customer_id"])
    op.create_table(
        "dropped_events",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("dropped_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "event_id", name=op.f("pk_dropped_events")),
    )


def downgrade() -> None:
    """Drop ``rendered_files`` and ``dropped_events`` (the files stay on disk, no longer tracked)."""
    op.drop_table("dropped_events")
    op.drop_table("rendered_files")
