"""Every table of the one database, on ONE `MetaData`.

Four families share the database: the conversation side (`as_*`), the agent desk
(`ag_*`), ranking's shopper profiles (`rk_*`) and the rate-limit buckets every worker
shares (`rl_*`). Table, column and index names are the ones existing databases already
have, so those keep working unchanged. Tables are made and changed only by the migrations
(`storage.migrations`, run by `storage.migrate.ensure_schema`); a change here needs a new
revision there, and `tests/assistant/storage/test_migrations.py` fails until it has one.

The naming convention gives every constraint a predictable name. Alembic's batch
mode (SQLite rebuilds a table to alter it) can only drop a constraint it can name;
the index names it produces are SQLAlchemy's defaults, i.e. what is on disk today.

Strings are stored the same way on every backend (`Key`, `Words`): PostgreSQL refuses
NUL characters and values longer than a VARCHAR, SQLite stores anything, so both are
fitted before they reach the driver instead of failing only in production.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import (
    Boolean,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assistant.storage.status import ConversationStatus, TicketStatus

MAX_ID = 200  # user and product ids

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def fit_key(value: str, length: int) -> str:
    """An id as stored in a VARCHAR(`length`): without NUL; when too long, a prefix plus a hash of the whole
    (still unique, and the same for the write and every later lookup, which go through the same type)."""
    value = value.replace("\x00", "")
    if len(value) <= length:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:16]
    return f"{value[: length - 17]}~{digest}"


class Key(TypeDecorator[str]):
    """VARCHAR(n) for ids and short labels, fitted by `fit_key` on every backend."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        length = self.impl_instance.length  # type: ignore[attr-defined]
        return fit_key(value, length) if isinstance(value, str) and length else value


class Words(TypeDecorator[str]):
    """TEXT for free text (messages, reasons, notes, JSON), without the NUL characters PostgreSQL refuses."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return value.replace("\x00", "") if isinstance(value, str) else value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _status_column(enum: type[ConversationStatus] | type[TicketStatus]) -> Enum:
    """A VARCHAR(16) holding the enum's values (the column type existing databases have), read back as the enum."""
    return Enum(enum, native_enum=False, length=16, values_callable=lambda members: [m.value for m in members])


# ------------------------------------------------------------------ conversations (as_)


class ConversationRow(Base):
    __tablename__ = "as_conversations"

    id: Mapped[str] = mapped_column(Key(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(Key(MAX_ID), index=True)
    status: Mapped[ConversationStatus] = mapped_column(_status_column(ConversationStatus),
                                                      default=ConversationStatus.PENDING)
    language: Mapped[str] = mapped_column(Key(8), default="en")
    state_json: Mapped[str] = mapped_column(Words, default="{}")  # scene.DialogueState + skill memory
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float, index=True)


class MessageRow(Base):
    __tablename__ = "as_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("as_conversations.id"), index=True)
    role: Mapped[str] = mapped_column(Key(16))  # user | assistant | agent
    content: Mapped[str] = mapped_column(Words, default="")
    scene: Mapped[str] = mapped_column(Key(32), default="")
    payload_json: Mapped[str] = mapped_column(Words, default="{}")  # cards, comparison, ... for re-rendering
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[float] = mapped_column(Float)


class CartRow(Base):
    __tablename__ = "as_cart_items"

    user_id: Mapped[str] = mapped_column(Key(MAX_ID), primary_key=True)
    product_id: Mapped[str] = mapped_column(Key(MAX_ID), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    added_at: Mapped[float] = mapped_column(Float)


class WishlistRow(Base):
    __tablename__ = "as_wishlist"

    user_id: Mapped[str] = mapped_column(Key(MAX_ID), primary_key=True)
    product_id: Mapped[str] = mapped_column(Key(MAX_ID), primary_key=True)
    added_at: Mapped[float] = mapped_column(Float)


class EventLogRow(Base):
    __tablename__ = "as_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(Key(64), index=True)
    type: Mapped[str] = mapped_column(Key(32))
    payload_json: Mapped[str] = mapped_column(Words, default="{}")
    created_at: Mapped[float] = mapped_column(Float)


class HandoffRow(Base):
    __tablename__ = "as_handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(Key(64), index=True)
    user_id: Mapped[str] = mapped_column(Key(MAX_ID))
    reason: Mapped[str] = mapped_column(Words)
    status: Mapped[TicketStatus] = mapped_column(_status_column(TicketStatus), default=TicketStatus.QUEUED)
    created_at: Mapped[float] = mapped_column(Float)


class OrderStatusRow(Base):
    """Status changes the shopper made to demo orders (cancel, return), so they survive restarts."""

    __tablename__ = "as_order_status"

    order_id: Mapped[str] = mapped_column(Key(64), primary_key=True)
    status: Mapped[str] = mapped_column(Key(32))
    updated_at: Mapped[float] = mapped_column(Float)


# ------------------------------------------------------------------ the agent desk (ag_)


class AgentRow(Base):
    __tablename__ = "ag_agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Key(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Key(256))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)


class SessionRow(Base):
    __tablename__ = "ag_sessions"

    token_hash: Mapped[str] = mapped_column(Key(64), primary_key=True)  # SHA-256 of the token, never the token
    agent_id: Mapped[int] = mapped_column(Integer, index=True)
    expires_at: Mapped[float] = mapped_column(Float)


class AssignmentRow(Base):
    __tablename__ = "ag_assignments"

    conversation_id: Mapped[str] = mapped_column(Key(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, index=True)
    taken_at: Mapped[float] = mapped_column(Float)


class NoteRow(Base):
    """Private notes: never copied into a message, so neither the shopper nor the model can read them."""

    __tablename__ = "ag_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(Key(64), index=True)
    agent_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Words)
    created_at: Mapped[float] = mapped_column(Float)


# ------------------------------------------------------------------ shopper profiles (rk_)


class ProfileRow(Base):
    __tablename__ = "rk_profiles"

    user_id: Mapped[str] = mapped_column(Key(MAX_ID), primary_key=True)
    static_json: Mapped[str] = mapped_column(Words, default="{}")
    affinities_json: Mapped[str] = mapped_column(Words, default="{}")
    recent_json: Mapped[str] = mapped_column(Words, default="[]")
    interest: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    updated_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    n_events: Mapped[int] = mapped_column(Integer, default=0)


class ProfileEventRow(Base):
    __tablename__ = "rk_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("rk_profiles.user_id"), index=True)
    event_type: Mapped[str] = mapped_column(Key(32))
    product_id: Mapped[str] = mapped_column(Key(MAX_ID))
    weight: Mapped[float] = mapped_column(Float)
    ts: Mapped[float] = mapped_column(Float)  # event time (clamped to now)
    recorded_at: Mapped[float] = mapped_column(Float)


# ------------------------------------------------------------------ rate limits shared by every worker (rl_)


class RateBucketRow(Base):
    """One token bucket (`ui.api.ratelimit`): `tokens` left at `stamp` (epoch seconds). `admitted` is the
    outcome of the last take, so one upsert both charges the bucket and says whether it could."""

    __tablename__ = "rl_buckets"

    scope: Mapped[str] = mapped_column(Key(16), primary_key=True)  # site | visitor | login ...
    key: Mapped[str] = mapped_column(Key(MAX_ID), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    stamp: Mapped[float] = mapped_column(Float, index=True)
    admitted: Mapped[bool] = mapped_column(Boolean, default=True)


# ------------------------------------------------------------------ insights and experiments (in_, ex_, rk_promotions)
# Their tables live in `insights_schema` (one module, kept apart) on this same MetaData; importing it here
# means every table is on the MetaData whenever the schema is (the migrations compare against all of them).
from assistant.storage import insights_schema as _insights_schema  # noqa: E402, F401
