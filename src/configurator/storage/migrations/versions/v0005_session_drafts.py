"""Session drafts.

A configuration session keeps, beside its choices, the rep's draft of the conversation (JSON): the budget
given, the bundle or configuration being quoted, services chosen or declined, notes. Any worker restores it
with the session, so a reload or a language switch loses nothing. Existing sessions start with an empty draft.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``config_sessions.draft`` (JSON, ``{}`` for existing rows)."""
    with op.batch_alter_table("config_sessions") as batch:
        batch.add_column(sa.Column("draft", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    """Drop ``config_sessions.draft``."""
    with op.batch_alter_table("config_sessions") as batch:
        batch.drop_column("draft")
