"""Rate-limit token buckets shared by every worker (`rl_buckets`, see `ui.api.ratelimit`).

Revision ID: 0002_rate_limit_buckets
Revises: 0001_initial
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_rate_limit_buckets"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rl_buckets",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("stamp", sa.Float(), nullable=False),
        sa.Column("admitted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_rl_buckets")),
    )
    op.create_index(op.f("ix_rl_buckets_stamp"), "rl_buckets", ["stamp"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rl_buckets_stamp"), table_name="rl_buckets")
    op.drop_table("rl_buckets")
