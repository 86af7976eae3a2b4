"""Conversations, messages, carts, wishlists, handoffs and order changes in SQL (SQLAlchemy 2).

SQLite in the data directory by default, PostgreSQL by URL (`Settings.database_url`).
Tables are prefixed `as_` and live next to ranking's `rk_` tables in the same
database. Every write is its own short transaction, so a process that dies in the
middle of a streamed answer leaves the shopper's message and the partial answer
(marked incomplete) on disk, and the next start resumes the conversation.

Database failures become one `StorageError` per cause (busy/locked, full, damaged,
unreachable) with a sentence for the shopper and a reason for the operator
(`StateStore.health`, shown by `/readyz`). A damaged file is never wiped: the
store refuses writes from then on (so nothing is acknowledged that cannot be
kept), keeps trying reads, and serves again once the operator restored the file.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from assistant.storage.profiles import create_tables

MAX_ID = 200
log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    pass


class ConversationRow(Base):
    __tablename__ = "as_conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(MAX_ID), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | open | resolved
    language: Mapped[str] = mapped_column(String(8), default="en")
    state_json: Mapped[str] = mapped_column(Text, default="{}")  # scene.DialogueState + skill memory
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float, index=True)


class MessageRow(Base):
    __tablename__ = "as_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("as_conversations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    content: Mapped[str] = mapped_column(Text, default="")
    scene: Mapped[str] = mapped_column(String(32), default="")
    payload_json: Mapped[str] = mapped_column(Text, default="{}")  # cards, comparison, ... for re-rendering
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[float] = mapped_column(Float)


class CartRow(Base):
    __tablename__ = "as_cart_items"

    user_id: Mapped[str] = mapped_column(String(MAX_ID), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(MAX_ID), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    added_at: Mapped[float] = mapped_column(Float)


class WishlistRow(Base):
    __tablename__ = "as_wishlist"

    user_id: Mapped[str] = mapped_column(String(MAX_ID), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(MAX_ID), primary_key=True)
    added_at: Mapped[float] = mapped_column(Float)


class EventLogRow(Base):
    __tablename__ = "as_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(32))
    payload_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[float] = mapped_column(Float)


class HandoffRow(Base):
    __tablename__ = "as_handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(MAX_ID))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | assigned | closed
    created_at: Mapped[float] = mapped_column(Float)


class OrderStatusRow(Base):
    """Status changes the shopper made to demo orders (cancel, return), so they survive restarts."""

    __tablename__ = "as_order_status"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[float] = mapped_column(Float)


@dataclass(frozen=True)
class StoredMessage:
    id: int
    role: str
    content: str
    scene: str
    payload: dict[str, Any]
    complete: bool
    created_at: float


@dataclass(frozen=True)
class StoredConversation:
    id: str
    user_id: str
    status: str
    language: str
    state: dict[str, Any]
    created_at: float
    updated_at: float


class StorageError(RuntimeError):
    """The conversation database refused an operation. `message` is for the shopper, `reason` for the operator."""

    kind = "unavailable"
    status = 503
    message = ("Our records are temporarily unavailable, so nothing was saved just now. "
               "Please try again in a minute.")
    lead = "Our records are temporarily unavailable,"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def unfinished(self) -> str:
        """For a failure after part of an answer was shown (some of it may already be saved)."""
        return f"{self.lead} so I couldn't finish saving this answer; it may be missing when you come back. " \
               "Please try again later."


class StorageBusy(StorageError):
    kind = "busy"
    lead = "We're busy saving other changes,"
    message = "We're busy saving other changes and nothing was saved just now. Please try again in a few seconds."


class StorageFull(StorageError):
    kind = "full"
    status = 507
    lead = "Our storage is full,"
    message = ("Our storage is full, so your last change was not saved. You can keep browsing; "
               "please try again later.")


class StorageCorrupt(StorageError):
    kind = "corrupt"
    message = ("Our records are temporarily unavailable, so nothing was saved just now; the store's team "
               "has been told. Please try again later.")


_SQLITE_KINDS: dict[str, type[StorageError]] = {
    "SQLITE_BUSY": StorageBusy, "SQLITE_LOCKED": StorageBusy, "SQLITE_FULL": StorageFull,
    "SQLITE_CORRUPT": StorageCorrupt, "SQLITE_NOTADB": StorageCorrupt,
}
_PG_KINDS: dict[str, type[StorageError]] = {  # SQLSTATE classes/codes
    "53100": StorageFull, "55P03": StorageBusy, "40P01": StorageBusy, "XX001": StorageCorrupt, "XX002": StorageCorrupt,
}
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def classify(exc: BaseException, db: str = "FILE") -> StorageError | None:
    """Our error for a driver/SQLAlchemy failure of the database itself; None for bugs (constraints, SQL).
    `db` names the database file in the operator's repair hint."""
    if isinstance(exc, StorageError):
        return exc
    orig = getattr(exc, "orig", exc)
    if isinstance(exc, IntegrityError) or not isinstance(exc, DatabaseError) or type(exc).__name__ in (
            "ProgrammingError", "DataError", "NotSupportedError"):
        return None
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    code = str(getattr(orig, "pgcode", "") or getattr(orig, "sqlstate", "") or "")
    kind = next((k for prefix, k in _SQLITE_KINDS.items() if name.startswith(prefix)), None) or _PG_KINDS.get(code)
    low = text.lower()
    if kind is None:
        kind = (StorageFull if "disk is full" in low or "no space left" in low
                else StorageCorrupt if "malformed" in low or "not a database" in low
                else StorageBusy if "locked" in low else StorageError)
    hint = {
        StorageBusy: "another connection holds a write lock; writes resume when it is released",
        StorageFull: "the disk of the database is full; free space (writes resume by themselves)",
        StorageCorrupt: "the database file is damaged and was left untouched; restore it from a backup "
                        f"(or `sqlite3 {db} .recover`); the service serves again once the file checks out",
        StorageError: "the database cannot be reached",
    }[kind]
    return kind(f"{hint} ({name or code or type(orig).__name__}: {text[:200]})")


def _watch(store: StateStore) -> None:
    """Translate database failures into `StorageError`s and refuse writes while the file is known damaged.

    Listeners sit on the engine, so every user of it (ranking's profile tables too) gets the same errors."""
    engine = store.engine

    @event.listens_for(engine, "handle_error")
    def _translate(ctx: ExceptionContext) -> None:
        if isinstance(ctx.original_exception, StorageError) or ctx.is_pre_ping:
            return  # a failed pre-ping (PostgreSQL) must stay SQLAlchemy's, which then reconnects
        exc = ctx.sqlalchemy_exception
        error = classify(exc, store.db_name) if exc is not None else None
        if error is None:
            return
        if isinstance(error, StorageCorrupt) and store.damaged is None:
            store.damaged = error.reason
            log.error("database damaged; refusing writes until it checks out again: %s", error.reason)
        elif not isinstance(error, StorageBusy):
            log.error("database %s: %s", error.kind, error.reason)
        raise error from ctx.sqlalchemy_exception

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes(_conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if store.damaged is not None and statement.lstrip().upper().startswith(_WRITES):
            raise StorageCorrupt(store.damaged)


def _sqlite_pragmas(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:  # pragma: no cover - driver callback
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()


def make_engine(url: str) -> Engine:
    """An engine with sensible SQLite settings (WAL, a busy timeout, usable from worker threads)."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            from sqlalchemy.pool import StaticPool

            engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
        else:
            # Pool as many connections as the server has request threads (anyio's 40): fewer meant
            # connections were opened and closed (WAL pragma included) on every busy turn.
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5}, pool_size=16,
                                   max_overflow=32)
        _sqlite_pragmas(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


class StateStore:
    """All assistant-side persistence. Thread-safe (one session per call)."""

    def __init__(self, engine: Engine, clock: Any = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self.damaged: str | None = None  # why writes are refused (a damaged file), until `health` clears it
        _watch(self)
        create_tables(engine, Base.metadata)  # a file that is not a database raises StorageCorrupt here
        self.damaged = self._integrity_problem()
        if self.damaged is not None:
            log.error("%s", self.damaged)

    @property
    def db_name(self) -> str:
        """The database file's name (not its path: reasons reach the unauthenticated `/readyz`)."""
        return os.path.basename(self.engine.url.database or "") or "the database file"

    def _file_backed(self) -> bool:
        return self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:")

    def _integrity_problem(self) -> str | None:
        """SQLite's `quick_check` (reads every page once); None when the file is sound (or not SQLite)."""
        if not self._file_backed():
            return None
        try:
            with self.engine.connect() as conn:
                problems = [str(r) for r in conn.exec_driver_sql("PRAGMA quick_check").scalars() if r != "ok"]
        except StorageCorrupt as exc:
            return exc.reason
        if not problems:
            return None
        return (f"the database file is damaged and was left untouched; restore it from a backup "
                f"(or `sqlite3 {self.db_name} .recover`): {problems[0][:200]}")

    def health(self) -> tuple[bool, str]:
        """(ok, reason) for readiness probes: one cheap read; while the file is known damaged, a fresh
        integrity check instead, so a restored file is noticed and writes resume without a restart."""
        try:
            if self.damaged is not None:
                if self._file_backed():
                    self.engine.dispose()  # a restored file is a new inode: drop connections to the old one
                problem = self._integrity_problem()
                if problem is not None:
                    self.damaged = problem
                    return False, problem
                self.damaged = None
                create_tables(self.engine, Base.metadata)
                log.warning("the database checks out again; writes are back on")
            with self.engine.connect() as conn:
                conn.execute(select(ConversationRow.id).limit(1)).all()
        except StorageError as exc:
            return False, exc.reason
        return True, "ok"

    @classmethod
    def from_url(cls, url: str, startup_wait_s: float = 10.0) -> StateStore:
        """Open (and on first use create) the database. Worker processes starting together on a new
        SQLite file briefly lock each other out (WAL switch, table creation): that waits, up to
        `startup_wait_s`, instead of failing the worker."""
        deadline = time.monotonic() + startup_wait_s
        while True:
            try:
                return cls(make_engine(url))
            except StorageBusy:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    # ------------------------------------------------------------ conversations

    def create_conversation(self, user_id: str, language: str = "en") -> StoredConversation:
        now = self.clock()
        row = ConversationRow(
            id=uuid.uuid4().hex, user_id=user_id, status="pending", language=language, state_json="{}",
            created_at=now, updated_at=now,
        )
        with Session(self.engine) as s, s.begin():
            s.add(row)
            s.flush()
            return _conv(row)

    def get_conversation(self, conversation_id: str) -> StoredConversation | None:
        with Session(self.engine) as s:
            row = s.get(ConversationRow, conversation_id)
            return _conv(row) if row else None

    def latest_conversation(self, user_id: str) -> StoredConversation | None:
        with Session(self.engine) as s:
            row = s.scalars(
                select(ConversationRow).where(ConversationRow.user_id == user_id)
                .order_by(ConversationRow.updated_at.desc()).limit(1)
            ).first()
            return _conv(row) if row else None

    def conversations(self, user_id: str | None = None, limit: int = 100) -> list[StoredConversation]:
        with Session(self.engine) as s:
            q = select(ConversationRow).order_by(ConversationRow.updated_at.desc()).limit(limit)
            if user_id is not None:
                q = q.where(ConversationRow.user_id == user_id)
            return [_conv(r) for r in s.scalars(q)]

    def save_state(self, conversation_id: str, state: dict[str, Any], language: str | None = None,
                   status: str | None = None) -> None:
        with Session(self.engine) as s, s.begin():
            row = s.get(ConversationRow, conversation_id)
            if row is None:
                return
            row.state_json = json.dumps(state, ensure_ascii=False)
            row.updated_at = self.clock()
            if language:
                row.language = language
            if status:
                row.status = status

    # ------------------------------------------------------------ messages

    def add_message(self, conversation_id: str, role: str, content: str, scene: str = "",
                    payload: dict[str, Any] | None = None, complete: bool = True) -> int:
        now = self.clock()
        with Session(self.engine) as s, s.begin():
            row = MessageRow(conversation_id=conversation_id, role=role, content=content, scene=scene,
                             payload_json=json.dumps(payload or {}, ensure_ascii=False), complete=complete,
                             created_at=now)
            s.add(row)
            conv = s.get(ConversationRow, conversation_id)
            if conv is not None:
                conv.updated_at = now
            s.flush()
            return int(row.id)

    def update_message(self, message_id: int, content: str, payload: dict[str, Any] | None = None,
                       complete: bool | None = None, scene: str | None = None) -> None:
        with Session(self.engine) as s, s.begin():
            row = s.get(MessageRow, message_id)
            if row is None:
                return
            row.content = content
            if payload is not None:
                row.payload_json = json.dumps(payload, ensure_ascii=False)
            if complete is not None:
                row.complete = complete
            if scene is not None:
                row.scene = scene

    def messages(self, conversation_id: str, limit: int = 500) -> list[StoredMessage]:
        with Session(self.engine) as s:
            rows = s.scalars(
                select(MessageRow).where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.id.desc()).limit(limit)
            ).all()
            return [
                StoredMessage(r.id, r.role, r.content, r.scene, json.loads(r.payload_json or "{}"),
                              bool(r.complete), r.created_at)
                for r in reversed(rows)
            ]

    # ------------------------------------------------------------ cart and wishlist

    def cart(self, user_id: str) -> list[tuple[str, int]]:
        with Session(self.engine) as s:
            rows = s.scalars(select(CartRow).where(CartRow.user_id == user_id).order_by(CartRow.added_at)).all()
            return [(r.product_id, r.quantity) for r in rows]

    def add_to_cart(self, user_id: str, product_id: str, quantity: int = 1) -> int:
        """Add `quantity` (>= 1) and return the new quantity of that line."""
        with Session(self.engine) as s, s.begin():
            row = s.get(CartRow, (user_id, product_id))
            if row is None:
                row = CartRow(user_id=user_id, product_id=product_id, quantity=0, added_at=self.clock())
                s.add(row)
            row.quantity = min(999, row.quantity + max(1, quantity))
            return row.quantity

    def set_quantity(self, user_id: str, product_id: str, quantity: int) -> bool:
        """Set a line's quantity (0 removes it); False when the product is not in the cart."""
        with Session(self.engine) as s, s.begin():
            row = s.get(CartRow, (user_id, product_id))
            if row is None:
                return False
            if quantity <= 0:
                s.delete(row)
            else:
                row.quantity = min(999, quantity)
            return True

    def remove_from_cart(self, user_id: str, product_id: str) -> bool:
        return self.set_quantity(user_id, product_id, 0)

    def clear_cart(self, user_id: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(delete(CartRow).where(CartRow.user_id == user_id))

    def wishlist(self, user_id: str) -> list[str]:
        with Session(self.engine) as s:
            rows = s.scalars(
                select(WishlistRow).where(WishlistRow.user_id == user_id).order_by(WishlistRow.added_at)
            ).all()
            return [r.product_id for r in rows]

    def add_to_wishlist(self, user_id: str, product_id: str) -> bool:
        """True when added, False when it was already there."""
        with Session(self.engine) as s, s.begin():
            if s.get(WishlistRow, (user_id, product_id)) is not None:
                return False
            s.add(WishlistRow(user_id=user_id, product_id=product_id, added_at=self.clock()))
            return True

    # ------------------------------------------------------------ events, handoffs, orders

    def log_event(self, conversation_id: str, type_: str, payload: dict[str, Any]) -> None:
        with Session(self.engine) as s, s.begin():
            s.add(EventLogRow(conversation_id=conversation_id, type=type_,
                              payload_json=json.dumps(payload, ensure_ascii=False, default=str),
                              created_at=self.clock()))

    def events(self, conversation_id: str) -> list[tuple[str, dict[str, Any]]]:
        with Session(self.engine) as s:
            rows = s.scalars(
                select(EventLogRow).where(EventLogRow.conversation_id == conversation_id).order_by(EventLogRow.id)
            ).all()
            return [(r.type, json.loads(r.payload_json)) for r in rows]

    def open_handoff(self, conversation_id: str, user_id: str, reason: str) -> tuple[int, int]:
        """Queue the conversation for a person; returns (ticket id, position in the queue)."""
        with Session(self.engine) as s, s.begin():
            existing = s.scalars(
                select(HandoffRow).where(HandoffRow.conversation_id == conversation_id,
                                         HandoffRow.status == "queued")
            ).first()
            if existing is None:
                existing = HandoffRow(conversation_id=conversation_id, user_id=user_id, reason=reason[:1000],
                                      status="queued", created_at=self.clock())
                s.add(existing)
                s.flush()
            position = s.scalar(
                select(func.count()).select_from(HandoffRow)
                .where(HandoffRow.status == "queued", HandoffRow.id <= existing.id)
            )
            conv = s.get(ConversationRow, conversation_id)
            if conv is not None:
                conv.status = "open"
            return int(existing.id), int(position or 1)

    def handoff_queue(self) -> list[tuple[int, str, str, str]]:
        """(ticket, conversation, user, reason) of queued handoffs, oldest first."""
        with Session(self.engine) as s:
            rows = s.scalars(select(HandoffRow).where(HandoffRow.status == "queued").order_by(HandoffRow.id)).all()
            return [(r.id, r.conversation_id, r.user_id, r.reason) for r in rows]

    def order_statuses(self) -> dict[str, str]:
        with Session(self.engine) as s:
            return {r.order_id: r.status for r in s.scalars(select(OrderStatusRow))}

    def set_order_status(self, order_id: str, status: str) -> None:
        with Session(self.engine) as s, s.begin():
            row = s.get(OrderStatusRow, order_id)
            if row is None:
                s.add(OrderStatusRow(order_id=order_id, status=status, updated_at=self.clock()))
            else:
                row.status = status
                row.updated_at = self.clock()


def _conv(row: ConversationRow) -> StoredConversation:
    return StoredConversation(row.id, row.user_id, row.status, row.language, json.loads(row.state_json or "{}"),
                              row.created_at, row.updated_at)
