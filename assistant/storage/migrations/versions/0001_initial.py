"""The schema as the releases before migrations made it with `create_all` (13 tables).

It also adopts those databases: a table that already exists is kept as it is (its rows
untouched) after checking it has every column; only missing tables and indexes are
created. Releases before the storage package made the tables of each family on
first use, so a store may lack a whole family (the desk's, say) and gets it here.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

ID, USER = 64, 200


def _pk(*cols: str, table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*cols, name=op.f(f"pk_{table}"))


def _tables() -> list[tuple[str, Callable[[str], list[Any]], list[str]]]:
    """(table, its columns and constraints, its indexed columns), in creation order (parents first)."""
    S, T, F, I, B = sa.String, sa.Text, sa.Float, sa.Integer, sa.Boolean  # noqa: E741
    C = sa.Column
    return [
        ("ag_agents", lambda t: [
            C("id", I(), autoincrement=True, nullable=False), C("name", S(64), nullable=False),
            C("password_hash", S(256), nullable=False), C("is_admin", B(), nullable=False),
            C("created_at", F(), nullable=False), _pk("id", table=t),
            sa.UniqueConstraint("name", name=op.f("uq_ag_agents_name"))], []),
        ("ag_assignments", lambda t: [
            C("conversation_id", S(ID), nullable=False), C("agent_id", I(), nullable=False),
            C("taken_at", F(), nullable=False), _pk("conversation_id", table=t)], ["agent_id"]),
        ("ag_notes", lambda t: [
            C("id", I(), autoincrement=True, nullable=False), C("conversation_id", S(ID), nullable=False),
            C("agent_id", I(), nullable=False), C("text", T(), nullable=False), C("created_at", F(), nullable=False),
            _pk("id", table=t)], ["conversation_id"]),
        ("ag_sessions", lambda t: [
            C("token_hash", S(64), nullable=False), C("agent_id", I(), nullable=False),
            C("expires_at", F(), nullable=False), _pk("token_hash", table=t)], ["agent_id"]),
        ("as_cart_items", lambda t: [
            C("user_id", S(USER), nullable=False), C("product_id", S(USER), nullable=False),
            C("quantity", I(), nullable=False), C("added_at", F(), nullable=False),
            _pk("user_id", "product_id", table=t)], []),
        ("as_conversations", lambda t: [
            C("id", S(ID), nullable=False), C("user_id", S(USER), nullable=False),
            C("status", S(16), nullable=False), C("language", S(8), nullable=False),
            C("state_json", T(), nullable=False), C("created_at", F(), nullable=False),
            C("updated_at", F(), nullable=False), _pk("id", table=t)], ["updated_at", "user_id"]),
        ("as_events", lambda t: [
            C("id", I(), autoincrement=True, nullable=False), C("conversation_id", S(ID), nullable=False),
            C("type", S(32), nullable=False), C("payload_json", T(), nullable=False),
            C("created_at", F(), nullable=False), _pk("id", table=t)], ["conversation_id"]),
        ("as_handoffs", lambda t: [
            C("id", I(), autoincrement=True, nullable=False), C("conversation_id", S(ID), nullable=False),
            C("user_id", S(USER), nullable=False), C("reason", T(), nullable=False),
            C("status", S(16), nullable=False), C("created_at", F(), nullable=False), _pk("id", table=t)],
         ["conversation_id"]),
        ("as_order_status", lambda t: [
            C("order_id", S(ID), nullable=False), C("status", S(32), nullable=False),
            C("updated_at", F(), nullable=False), _pk("order_id", table=t)], []),
        ("as_wishlist", lambda t: [
            C("user_id", S(USER), nullable=False), C("product_id", S(USER), nullable=False),
            C("added_at", F(), nullable=False), _pk("user_id", "product_id", table=t)], []),
        ("rk_profiles", lambda t: [
            C("user_id", S(USER), nullable=False), C("static_json", T(), nullable=False),
            C("affinities_json", T(), nullable=False), C("recent_json", T(), nullable=False),
            C("interest", sa.LargeBinary(), nullable=True), C("updated_at", F(), nullable=True),
            C("n_events", I(), nullable=False), _pk("user_id", table=t)], []),
        ("as_messages", lambda t: [
            C("id", I(), autoincrement=True, nullable=False), C("conversation_id", S(ID), nullable=False),
            C("role", S(16), nullable=False), C("content", T(), nullable=False), C("scene", S(32), nullable=False),
            C("payload_json", T(), nullable=False), C("complete", B(), nullable=False),
            C("created_at", F(), nullable=False),
            sa.ForeignKeyConstraint(["conversation_id"], ["as_conversations.id"],
                                    name=op.f("fk_as_messages_conversation_id_as_conversations")),
            _pk("id", table=t)], ["conversation_id"]),
        ("rk_events", lambda t: [
            C("id", I(), autoincrement=True, nullable=False), C("user_id", S(USER), nullable=False),
            C("event_type", S(32), nullable=False), C("product_id", S(USER), nullable=False),
            C("weight", F(), nullable=False), C("ts", F(), nullable=False), C("recorded_at", F(), nullable=False),
            sa.ForeignKeyConstraint(["user_id"], ["rk_profiles.user_id"],
                                    name=op.f("fk_rk_events_user_id_rk_profiles")),
            _pk("id", table=t)], ["user_id"]),
    ]


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    existing = set(inspector.get_table_names())
    for table, elements, indexed in _tables():
        items = elements(table)
        if table not in existing:
            op.create_table(table, *items)
            have_indexes: set[str] = set()
        else:  # made by a release before migrations: adopt it as it is
            want = {c.name for c in items if isinstance(c, sa.Column)}
            missing = want - {c["name"] for c in inspector.get_columns(table)}
            if missing:
                raise RuntimeError(f"table {table} exists but lacks columns {sorted(missing)}: it was not made by "
                                   "ShopAssist; restore the database or point SHOPASSIST_DATABASE_URL elsewhere")
            have_indexes = {str(i["name"]) for i in inspector.get_indexes(table)}
        for column in indexed:
            name = f"ix_{table}_{column}"
            if name not in have_indexes:
                op.create_index(op.f(name), table, [column], unique=False)


def downgrade() -> None:
    for table, _, _ in reversed(_tables()):
        op.drop_table(table)
