"""Bring a database to the schema this code expects: Alembic revisions, run once however many workers start.

    ensure_schema(engine)   # every `Database` does this when it opens (so every worker at start)
    upgrade(engine)         # `shopassist db upgrade`
    current(engine), history()

Several workers starting together on a database that is behind take a lock first, so
one of them upgrades and the others find the database at head when they get the lock:

- PostgreSQL: `pg_advisory_lock` on a dedicated connection (session-level, so it is
  released if the holder dies; committed first so SQLAlchemy's autobegun transaction
  does not hold it open), then the upgrade on that connection, then the unlock.
- SQLite: `fcntl.flock` on `<database file>.migrate.lock` beside the file (SQLite
  has no advisory locks; the kernel drops a flock when its holder dies).

Databases made before migrations (by `create_all`) have no `alembic_version`; the
first revision adopts them (see `versions/0001_initial.py`). A database stamped
with a revision this code does not know was upgraded by a newer release: it is
left alone with a warning (revisions only add, so older workers still run during
a rolling deploy). In-memory SQLite (unit tests) is made with `create_all` at once:
nothing to keep, one process, and the schema tests prove both paths give the same tables.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, text

from assistant.storage.schema import Base

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
LOCK_KEY = 0x5A0B5CA1E  # pg_advisory_lock key: "shopassist schema" (any constant bigint all workers share)


def alembic_config(connection: Connection | None = None, version_dirs: tuple[Path, ...] = ()) -> Config:
    """An Alembic config for the packaged environment (no alembic.ini). `version_dirs` adds revision folders
    (the tests' throw-away revisions)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    dirs = [MIGRATIONS / "versions", *version_dirs]
    cfg.set_main_option("version_locations", os.pathsep.join(str(d) for d in dirs).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def _scripts(version_dirs: tuple[Path, ...] = ()) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(version_dirs=version_dirs))


def head(version_dirs: tuple[Path, ...] = ()) -> str:
    return str(_scripts(version_dirs).get_current_head())


def history() -> list[tuple[str, str]]:
    """(revision, first line of its message), oldest first."""
    revs = list(_scripts().walk_revisions())
    return [(str(r.revision), (r.doc or "").strip().splitlines()[0] if r.doc else "") for r in reversed(revs)]


def current(bind: Engine | Connection) -> str | None:
    """The database's revision; None when it has none (new, or made before migrations)."""
    with _connection(bind) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _in_memory(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")


@contextlib.contextmanager
def _connection(bind: Engine | Connection) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


@contextlib.contextmanager
def migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection that alone may change the schema until the block ends (see the module docstring)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
            conn.commit()
            try:
                yield conn
            finally:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                conn.commit()
        return
    lock_file: Any = None
    if engine.dialect.name == "sqlite" and not _in_memory(engine):
        path = Path(str(engine.url.database))
        lock_file = open(path.with_name(path.name + ".migrate.lock"), "a+b")  # noqa: SIM115
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        if lock_file is not None:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)
            lock_file.close()


def _known(revision: str | None, version_dirs: tuple[Path, ...]) -> bool:
    if revision is None:
        return True
    try:
        return _scripts(version_dirs).get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine, revision: str = "head", version_dirs: tuple[Path, ...] = ()
            ) -> tuple[str | None, str | None]:
    """Upgrade under the lock (a no-op at the target); returns (revision before, revision after) as seen
    under the lock, so a worker that waited for another's upgrade sees no change."""
    with migration_lock(engine) as conn:
        found = current(conn)
        conn.rollback()  # end the read's autobegun transaction; the upgrade runs in its own
        if not _known(found, version_dirs):
            log.warning("the database is at revision %s, which this release does not know (a newer release "
                        "upgraded it); leaving its schema as it is", found)
            return found, found
        if revision == "head" and found == head(version_dirs):
            return found, found
        with conn.begin():
            command.upgrade(alembic_config(conn, version_dirs), revision)
        after = current(conn)
        conn.rollback()
        return found, after


def ensure_schema(engine: Engine) -> bool:
    """What opening the database does: at head already (one cheap read), or upgraded now under the lock.
    True when this call changed the schema."""
    if _in_memory(engine):
        Base.metadata.create_all(engine)
        return True
    if current(engine) == head():
        return False
    before, after = upgrade(engine)
    if after != before:
        log.info("database schema upgraded from %s to %s", before or "nothing", after)
    return after != before
