"""Tier snapshot.

A ``tiers`` table holds each tenant's latest tier snapshot: one row per customer with the tier, the reason,
the numbers behind it (JSON), the moment the events were counted up to (``as_of``), when the refresh ran
(``computed_at``) and which refresh wrote it (``refresh_id``). Requests read it instead of refitting the
tenant's tiers; ``configurator customers tiers --refresh`` replaces it whole. It starts empty: every customer
is ``standard`` until the first refresh.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``tiers`` (empty: the first refresh fills it)."""
    op.create_table(
        "tiers",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("numbers", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refresh_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "customer_id", name=op.f("pk_tiers")),
    )


def downgrade() -> None:
    """Drop ``tiers`` (requests then have no snapshot to read: refresh after upgrading again)."""
    op.drop_table("tiers")
