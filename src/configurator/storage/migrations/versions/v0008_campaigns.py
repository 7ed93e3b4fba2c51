"""Batch campaigns: the finished partitions of each run and the next-best offers it found.

``campaign_partitions`` records each partition a campaign run finished (per step: ``offers`` or ``quotes``), so a
rerun of the same run id skips it; ``campaign_offers`` holds one next-best offer per customer and catalog of a
run, its id derived from the run and the customer, so a rerun replaces rather than duplicates.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``campaign_partitions`` and ``campaign_offers`` (empty)."""
    op.create_table(
        "campaign_partitions",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("partition", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("finished_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "run_id", "step", "partition", name=op.f("pk_campaign_partitions")),
    )
    money = (
        sa.Numeric(16, 4, asdecimal=False) if op.get_bind().dialect.name == "sqlite" else sa.Numeric(16, 4)
    )
    op.create_table(
        "campaign_offers",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("catalog_id", sa.String(length=200), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("margin", money, nullable=False),
        sa.Column("expected_value", money, nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "offer_id", name=op.f("pk_campaign_offers")),
    )
    op.create_index(
        op.f("ix_campaign_offers_tenant_run_id_partition"),
        "campaign_offers",
        ["tenant", "run_id", "partition"],
    )
    op.create_index(
        op.f("ix_campaign_offers_tenant_customer_id"), "campaign_offers", ["tenant", "customer_id"]
    )


def downgrade() -> None:
    """Drop ``campaign_offers`` and ``campaign_partitions``."""
    op.drop_table("campaign_offers")
    op.drop_table("campaign_partitions")
