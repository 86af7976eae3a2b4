"""The one way to open the database: an engine per URL, its errors translated, its schema at head.

SQLite in the data directory by default (WAL, a busy timeout, pooled connections
usable from worker threads), PostgreSQL by URL (psycopg 3; `postgresql://` and
`postgres://` mean `postgresql+psycopg://`). Opening runs the migrations when the
database is behind (`migrate.ensure_schema`, once for all workers starting together).
`Database.open` waits out the brief lock-outs of worker processes starting together
on a new SQLite file.

Failures become `StorageError`s (see `errors`). A damaged file is never wiped:
from then on writes are refused (so nothing is acknowledged that cannot be kept),
reads keep trying, and `health` notices when the operator has restored the file,
after which writes resume without a restart.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from assistant.storage.errors import StorageBusy, StorageCorrupt, StorageError, classify, damaged_hint
from assistant.storage.migrate import ensure_schema
from assistant.storage.schema import ConversationRow

log = logging.getLogger(__name__)

Clock = Callable[[], float]

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def normalize_url(url: str) -> str:
    """`postgres://` and `postgresql://` (what hosting providers hand out) with the driver we ship: psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """An engine with sensible settings: SQLite in WAL with a busy timeout, usable from worker threads;
    PostgreSQL with pre-ping (a restarted server costs one reconnect, not an error) and at most 20
    connections per process (4 workers stay under PostgreSQL's default max_connections of 100)."""
    url = normalize_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, pool_timeout=10,
                             connect_args={"connect_timeout": 5} if url.startswith("postgresql") else {})
    if url in ("sqlite://", "sqlite:///:memory:"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    else:
        # Pool as many connections as the server has request threads (anyio's 40): fewer meant
        # connections were opened and closed (WAL pragma included) on every busy turn.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5}, pool_size=16,
                               max_overflow=32)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:  # pragma: no cover - driver callback
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()

    return engine


class Database:
    """An engine whose schema exists and whose failures are `StorageError`s. Thread-safe.

    Constructing one checks a SQLite file's integrity; `damaged` then says why writes
    are refused, until `health` finds the file sound again."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.damaged: str | None = None
        _watch(self)
        ensure_schema(engine)  # a file that is not a database raises StorageCorrupt here
        self.damaged = self._integrity_problem()
        if self.damaged is not None:
            log.error("%s", self.damaged)

    @classmethod
    def open(cls, url: str, startup_wait_s: float = 10.0) -> Database:
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

    @property
    def name(self) -> str:
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
        return f"{damaged_hint(self.name)}: {problems[0][:200]}"

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
                ensure_schema(self.engine)
                log.warning("the database checks out again; writes are back on")
            with self.engine.connect() as conn:
                conn.execute(select(ConversationRow.id).limit(1)).all()
        except StorageError as exc:
            return False, exc.reason
        return True, "ok"


def _watch(db: Database) -> None:
    """Translate database failures into `StorageError`s and refuse writes while the file is known damaged.

    Listeners sit on the engine, so every repository over it (profiles too) gets the same errors."""

    @event.listens_for(db.engine, "handle_error")
    def _translate(ctx: ExceptionContext) -> None:
        if isinstance(ctx.original_exception, StorageError) or ctx.is_pre_ping:
            return  # a failed pre-ping (PostgreSQL) must stay SQLAlchemy's, which then reconnects
        exc = ctx.sqlalchemy_exception
        error = classify(exc, db.name) if exc is not None else None
        if error is None:
            return
        if isinstance(error, StorageCorrupt) and db.damaged is None:
            db.damaged = error.reason
            log.error("database damaged; refusing writes until it checks out again: %s", error.reason)
        elif not isinstance(error, StorageBusy):
            log.error("database %s: %s", error.kind, error.reason)
        raise error from ctx.sqlalchemy_exception

    @event.listens_for(db.engine, "before_cursor_execute")
    def _refuse_writes(_conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if db.damaged is not None and statement.lstrip().upper().startswith(_WRITES):
            raise StorageCorrupt(db.damaged)


class Repository:
    """Base of the repositories: one short session per call, so every write is its own transaction
    (a process dying mid-answer leaves everything acknowledged before it on disk)."""

    def __init__(self, db: Database, clock: Clock = time.time) -> None:
        self.db = db
        self.clock = clock

    def _read(self) -> Session:
        return Session(self.db.engine)

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self.db.engine) as session, session.begin():
            yield session

    def _insert(self, table: Any) -> Any:
        """`INSERT` with this backend's `ON CONFLICT` clauses (PostgreSQL and SQLite share the syntax): the
        upserts that keep two workers from both inserting the same row (a double-clicked "add to cart")."""
        return insert_for(self.db.engine, table)


def insert_for(engine: Engine, table: Any) -> Any:
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
