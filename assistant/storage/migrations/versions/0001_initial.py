"""The schema as the releases before migrations made it with `create_all` (20 tables: the conversations, the
agent desk, shopper profiles, and the owner's insights and experiments).

It also adopts those databases: a table that already exists is kept as it is (its rows
untouched) after checking it has every column; only missing tables and indexes are
created. Releases before the storage package made the tables of each family on
first use, and the insights tables came a release later, so a store may lack whole
families and gets them here.

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


Index = str | tuple[str, list[str]]  # a column with `index=True` (named by the convention), or (name, columns)


def _tables() -> list[tuple[str, Callable[[str], list[Any]], list[Index]]]:
    """(table, its columns and constraints, its indexes), in creation order (parents first)."""
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
        # the store owner's view (assistant.storage.insights_schema): flat, no foreign keys
        ("in_turns", lambda t: [
            C("id", I(), autoincrement=True, nullable=False), C("ts", F(), nullable=False),
            C("day", S(10), nullable=False), C("conversation_id", S(ID), nullable=False),
            C("user_id", S(USER), nullable=False), C("scene", S(32), nullable=False),
            C("language", S(8), nullable=False), C("query", T(), nullable=False),
            C("query_key", S(120), nullable=False),
            C("rank_query", T(), nullable=False), C("result_count", I(), nullable=False),
            C("unanswered", S(32), nullable=False), C("first_card_ms", F(), nullable=True),
            C("first_token_ms", F(), nullable=True), C("elapsed_ms", F(), nullable=False),
            C("model_calls", I(), nullable=False), C("model_sentences", I(), nullable=False),
            C("template_fallbacks", I(), nullable=False), C("removed_sentences", I(), nullable=False),
            C("variant", S(200), nullable=False), _pk("id", table=t)],
         [("ix_in_turns_day_conversation", ["day", "conversation_id"]),
          ("ix_in_turns_unanswered", ["unanswered", "day", "query_key"])]),
        ("in_impressions", lambda t: [
            C("id", I(), autoincrement=True, nullable=False), C("turn_id", I(), nullable=False),
            C("ts", F(), nullable=False), C("day", S(10), nullable=False), C("conversation_id", S(ID), nullable=False),
            C("user_id", S(USER), nullable=False), C("product_id", S(USER), nullable=False),
            C("position", I(), nullable=False), C("scene", S(32), nullable=False), C("variant", S(200), nullable=False),
            C("features", sa.LargeBinary(), nullable=True), _pk("id", table=t)],
         [("ix_in_impressions_conversation_product", ["conversation_id", "product_id"])]),
        ("in_actions", lambda t: [
            C("id", I(), autoincrement=True, nullable=False), C("ts", F(), nullable=False),
            C("day", S(10), nullable=False), C("conversation_id", S(ID), nullable=False),
            C("user_id", S(USER), nullable=False), C("product_id", S(USER), nullable=False),
            C("action", S(16), nullable=False), C("impression_id", I(), nullable=True),
            C("position", I(), nullable=True), C("scene", S(32), nullable=False), C("variant", S(200), nullable=False),
            _pk("id", table=t)], [("ix_in_actions_impression", ["impression_id"])]),
        ("in_handoffs", lambda t: [
            C("ticket_id", I(), autoincrement=False, nullable=False), C("ts", F(), nullable=False),
            C("day", S(10), nullable=False), C("conversation_id", S(ID), nullable=False),
            C("kind", S(32), nullable=False), C("reason", T(), nullable=False), C("picked_at", F(), nullable=True),
            C("resolved_at", F(), nullable=True), _pk("ticket_id", table=t)], ["conversation_id", "ts"]),
        ("ex_assignments", lambda t: [
            C("experiment", S(64), nullable=False), C("user_id", S(USER), nullable=False),
            C("variant", S(64), nullable=False), C("assigned_at", F(), nullable=False), C("shown", I(), nullable=False),
            C("clicks", I(), nullable=False), C("carts", I(), nullable=False),
            _pk("experiment", "user_id", table=t)],
         [("ix_ex_assignments_totals", ["experiment", "variant", "shown", "clicks", "carts"]),
          ("ix_ex_assignments_user", ["user_id"])]),
        ("rk_promotions", lambda t: [
            C("id", I(), autoincrement=True, nullable=False), C("ts", F(), nullable=False),
            C("candidate", S(120), nullable=False), C("current", S(120), nullable=False),
            C("promoted", B(), nullable=False), C("reason", T(), nullable=False),
            C("figures_json", T(), nullable=False), C("model_path", T(), nullable=False), _pk("id", table=t)], []),
        ("in_daily_counts", lambda t: [
            C("day", S(10), nullable=False), C("kind", S(32), nullable=False), C("key", S(300), nullable=False),
            C("n", I(), nullable=False), _pk("day", "kind", "key", table=t)], []),
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
        for index in indexed:
            name, columns = (f"ix_{table}_{index}", [index]) if isinstance(index, str) else index
            if name not in have_indexes:
                op.create_index(op.f(name), table, columns, unique=False)


def downgrade() -> None:
    for table, _, _ in reversed(_tables()):
        op.drop_table(table)
