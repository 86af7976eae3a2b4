"""Migrations: the revisions make exactly the models' tables, a previous release's database is upgraded with
every row kept, a new revision is applied, and Alembic leaves the process's logging alone. SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from assistant.desk.queue import AgentDesk
from assistant.storage import migrate
from assistant.storage.engine import Database, make_engine
from assistant.storage.schema import Base
from assistant.storage.store import StateStore

PREVIOUS = Path(__file__).with_name("previous_release.sql")  # main at 19e030c: create_all, rows in every table
LEGACY_TABLES = [t for t in Base.metadata.sorted_tables if not t.name.startswith("rl_")]  # the 20 of that release


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the previous release's tables, in primary-key order, floats and bytes as stored."""
    out = {}
    with engine.connect() as conn:
        for table in LEGACY_TABLES:
            keys = ", ".join(c.name for c in table.primary_key.columns)
            rows = conn.execute(text(f"SELECT * FROM {table.name} ORDER BY {keys}")).all()
            out[table.name] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]
    return out


def _previous_release(url: str, tmp_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Make the previous release's database at `url` (no alembic_version); returns its rows. On PostgreSQL the
    tables are those of `create_all` then, filled with the SQLite fixture's rows."""
    sqlite_file = tmp_path / "previous.db"
    with sqlite3.connect(sqlite_file) as con:
        con.executescript(PREVIOUS.read_text(encoding="utf-8"))
    source = create_engine(f"sqlite:///{sqlite_file}")
    rows = _rows(source)
    source.dispose()
    if url.startswith("sqlite"):
        return rows
    engine = make_engine(url)
    Base.metadata.create_all(engine, tables=LEGACY_TABLES)
    with engine.begin() as conn:
        for table in LEGACY_TABLES:
            if rows[table.name]:
                conn.execute(table.insert(), [dict(zip(table.columns.keys(), r, strict=True))
                                              for r in rows[table.name]])
            if "id" in table.columns and table.c.id.autoincrement is True:  # its sequence, as after those inserts
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"(SELECT max(id) FROM {table.name}))"))
    engine.dispose()
    return rows


def _url_for(empty_database_url: str, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'previous.db'}" if empty_database_url.startswith("sqlite") else empty_database_url


def test_the_revisions_make_exactly_the_tables_the_models_describe(empty_database_url: str) -> None:
    """A change to schema.py without a new revision fails here."""
    engine = make_engine(empty_database_url)
    assert migrate.ensure_schema(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_a_previous_release_database_is_upgraded_with_every_row_kept(empty_database_url: str, tmp_path: Path
                                                                     ) -> None:
    url = _url_for(empty_database_url, tmp_path)
    before = _previous_release(url, tmp_path)
    assert all(before.values()), "the fixture has rows in every table"
    engine = make_engine(url)
    assert migrate.current(engine) is None
    engine.dispose()

    store = StateStore.from_url(url)  # what a worker of the new release does at start
    assert migrate.current(store.engine) == migrate.head()
    assert _rows(store.engine) == before
    assert "rl_buckets" in inspect(store.engine).get_table_names()

    # ... and the records work: resume, reply, queue, log in, new rows after the old ids
    convs = store.conversations.recent()
    assert len(convs) == 4 and {c.language for c in convs} == {"en", "zh"}
    chinese = next(c for c in convs if c.language == "zh")
    assert store.conversations.messages(chinese.id)[0].content == "推荐一款耳环"
    assert store.carts.items("demo:v:asha") == [("p0", 1)]
    desk = AgentDesk(store)
    bob = desk.auth.login("bob", "password-bob")
    assert bob is not None
    assert [i.conversation_id for i in desk.queue("mine", desk.auth.agent_for(bob))]  # type: ignore[arg-type]
    new_id = store.conversations.add_message(chinese.id, "user", "还有别的吗")
    assert new_id > max(r[0] for r in before["as_messages"])
    assert migrate.ensure_schema(store.engine) is False  # a second start changes nothing
    store.engine.dispose()


NEW_REVISION = '''"""a throw-away column (test)"""
import sqlalchemy as sa
from alembic import op

revision = "9001_test_channel"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("as_conversations") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=False, server_default="web"))
        batch.create_index("ix_as_conversations_channel", ["channel"])


def downgrade() -> None:
    with op.batch_alter_table("as_conversations") as batch:
        batch.drop_index("ix_as_conversations_channel")
        batch.drop_column("channel")
'''


def test_a_new_revision_is_applied_to_a_database_in_use(empty_database_url: str, tmp_path: Path) -> None:
    url = _url_for(empty_database_url, tmp_path)
    store = StateStore.from_url(url)
    conv = store.conversations.create("asha")
    store.conversations.add_message(conv.id, "user", "running shoes")
    store.engine.dispose()
    extra = tmp_path / "versions"
    extra.mkdir()
    (extra / "9001_test_channel.py").write_text(NEW_REVISION.format(head=migrate.head()), encoding="utf-8")

    engine = make_engine(url)
    assert migrate.upgrade(engine, version_dirs=(extra,)) == (migrate.head(), "9001_test_channel")
    columns = {c["name"]: c for c in inspect(engine).get_columns("as_conversations")}
    assert "channel" in columns
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, channel FROM as_conversations")).all() == [(conv.id, "web")]
    assert migrate.upgrade(engine, version_dirs=(extra,)) == ("9001_test_channel", "9001_test_channel")
    engine.dispose()
    again = StateStore.from_url(url)  # this release does not know 9001: it serves, leaving the schema alone
    assert [m.content for m in again.conversations.messages(conv.id)] == ["running shoes"]
    again.engine.dispose()


def test_alembic_leaves_existing_loggers_alone(tmp_path: Path) -> None:
    """Alembic's template env.py calls fileConfig, which disables every existing logger (uvicorn's too)."""
    uvicorn_error = logging.getLogger("uvicorn.error")
    Database.open(f"sqlite:///{tmp_path / 'log.db'}").engine.dispose()
    assert not uvicorn_error.disabled


def test_history_and_head_come_from_the_packaged_revisions() -> None:
    revisions = [r for r, _ in migrate.history()]
    assert revisions[0] == "0001_initial" and revisions[-1] == migrate.head() == "0002_rate_limit_buckets"
    assert (migrate.MIGRATIONS / "env.py").exists() and (migrate.MIGRATIONS / "script.py.mako").exists()


@pytest.mark.parametrize("made_by", ["legacy_schema.sql", "previous_release.sql"])
def test_sqlite_files_of_every_earlier_release_are_adopted(made_by: str, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as con:
        con.executescript(Path(__file__).with_name(made_by).read_text(encoding="utf-8"))
    store = StateStore.from_url(f"sqlite:///{db}")
    assert migrate.current(store.engine) == migrate.head()
    store.engine.dispose()
