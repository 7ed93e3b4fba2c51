"""Access and stateless sessions.

``api_keys`` (a tenant's keys: public id, scopes, the HMAC of the secret), ``accounts`` (reps who sign in to
the web page: argon2 password hashes), ``sign_ins`` (the HMAC of each sign-in cookie) and
``config_sessions`` (interactive configuration sessions with their choices, so that any worker answers any
request).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``api_keys``, ``accounts``, ``sign_ins`` and ``config_sessions`` (all empty)."""
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("revoked_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_api_keys")),
    )
    op.create_index(op.f("ix_api_keys_tenant"), "api_keys", ["tenant"])
    op.create_table(
        "accounts",
        sa.Column("login", sa.String(length=200), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("disabled_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_accounts")),
    )
    op.create_index(op.f("ix_accounts_tenant"), "accounts", ["tenant"])
    op.create_table(
        "sign_ins",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=200), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("expires_at", _AT, nullable=False),
        sa.Column("ended_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sign_ins")),
    )
    op.create_index(op.f("ix_sign_ins_login"), "sign_ins", ["login"])
    op.create_table(
        "config_sessions",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("catalog_id", sa.String(length=200), nullable=False),
        sa.Column("catalog_version", sa.String(length=64), nullable=False),
        sa.Column("on_date", sa.String(length=10), nullable=True),
        sa.Column("customer_id", sa.String(length=200), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("used_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_config_sessions")),
    )
    op.create_index(
        op.f("ix_config_sessions_tenant_owner_used_at"), "config_sessions", ["tenant", "owner", "used_at"]
    )
    op.create_index(op.f("ix_config_sessions_tenant_used_at"), "config_sessions", ["tenant", "used_at"])


def downgrade() -> None:
    """Drop the four tables (every key, account, sign-in and open session is lost)."""
    for table in ("config_sessions", "sign_ins", "accounts", "api_keys"):
        op.drop_table(table)
