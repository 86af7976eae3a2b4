"""One schema for every table: named constraints, the names existing databases have, workers starting together."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import inspect

from assistant.desk.queue import AgentDesk
from assistant.storage.engine import Database
from assistant.storage.schema import Base
from assistant.storage.status import ConversationStatus
from assistant.storage.store import StateStore

LEGACY = Path(__file__).with_name("legacy_schema.sql")  # made by the code before one schema owned every table


def test_every_table_is_on_the_one_metadata_with_named_constraints() -> None:
    tables = Base.metadata.tables
    # conversations, the desk, profiles; the owner's insights and experiments (assistant.storage.insights_schema);
    # the rate-limit buckets every worker shares
    assert {t[:3] for t in tables} == {"as_", "ag_", "rk_", "in_", "ex_", "rl_"} and len(tables) == 21
    for table in tables.values():
        for constraint in table.constraints:
            assert constraint.name, f"{table.name}: unnamed {type(constraint).__name__}"


def _shape(db_path: Path) -> dict[str, Any]:
    """Tables, columns (name, type, nullable), indexes and foreign keys, without constraint names."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{db_path}")
    insp = inspect(engine)
    shape = {t: ([(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)],
                 sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(t)),
                 sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(t)),
                 insp.get_pk_constraint(t)["constrained_columns"])
             for t in insp.get_table_names() if t not in ("alembic_version", "rl_buckets")}  # added since
    engine.dispose()
    return shape


def _legacy_db(path: Path) -> Path:
    with sqlite3.connect(path) as con:
        con.executescript(LEGACY.read_text())
    return path


def test_new_databases_have_the_tables_columns_and_indexes_existing_ones_have(tmp_path: Path) -> None:
    Database.open(f"sqlite:///{tmp_path / 'new.db'}").engine.dispose()
    new, old = _shape(tmp_path / "new.db"), _shape(_legacy_db(tmp_path / "old.db"))
    assert {t: v for t, v in new.items() if t in old} == old
    assert {t[:3] for t in set(new) - set(old)} == {"in_", "ex_", "rk_"}  # the owner's view, added beside them


def test_a_database_made_before_keeps_working(tmp_path: Path) -> None:
    db = _legacy_db(tmp_path / "old.db")
    with sqlite3.connect(db) as con:
        con.execute("INSERT INTO as_conversations VALUES ('c1', 'asha', 'resolved', 'en', '{}', 1.0, 1.0)")
        con.execute("INSERT INTO as_handoffs VALUES (1, 'c1', 'asha', 'sizing', 'closed', 1.0)")
    store = StateStore.from_url(f"sqlite:///{db}")
    assert store.conversations.get("c1").status is ConversationStatus.RESOLVED  # type: ignore[union-attr]
    store.carts.add("asha", "p1")
    assert store.handoffs.open("c1", "asha", "again") == (2, 1)
    desk = AgentDesk(store)
    alice = desk.auth.create_agent("alice", "password1")
    desk.take_over("c1", alice)
    assert [i.conversation_id for i in desk.queue("mine", alice)] == ["c1"]


def _open_when_released(url: str, barrier: Any, upgraded: Any) -> None:
    from assistant.storage import migrate

    real = migrate.upgrade

    def counted(*args: Any, **kwargs: Any) -> Any:
        before, after = real(*args, **kwargs)
        if before != after:
            with upgraded.get_lock():
                upgraded.value += 1
        return before, after

    migrate.upgrade = counted  # type: ignore[assignment]
    barrier.wait(timeout=60)  # all at the schema check at once
    AgentDesk(StateStore.from_url(url))


def test_workers_opening_one_new_database_together_all_start_and_one_upgrades(empty_database_url: str) -> None:
    """uvicorn workers start at once on a new database: none may fail because another is creating the tables
    or held the file's lock for a moment (seen in `bench load`), and the migrations run exactly once."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    url = empty_database_url
    barrier = ctx.Barrier(6)
    upgraded = ctx.Value("i", 0)
    procs = [ctx.Process(target=_open_when_released, args=(url, barrier, upgraded)) for _ in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=90)
    assert [p.exitcode for p in procs] == [0] * 6
    assert upgraded.value == 1
    store = StateStore.from_url(url)
    assert AgentDesk(store).auth.create_agent("ana", "pw-123456").name == "ana"
    store.engine.dispose()


def test_two_workers_adding_the_same_line_at_once_both_count(empty_database_url: str) -> None:
    """A double-clicked "add to cart" reaches two workers: an upsert, not a check-then-INSERT that loses one."""
    from concurrent.futures import ThreadPoolExecutor

    stores = [StateStore.from_url(empty_database_url) for _ in range(4)]  # a pool each, as 4 workers have
    with ThreadPoolExecutor(8) as pool:
        quantities = list(pool.map(lambda i: stores[i % 4].carts.add("asha", "p1"), range(16)))
    assert sorted(quantities) == list(range(1, 17)) and stores[0].carts.items("asha") == [("p1", 16)]
    for s in stores:
        s.engine.dispose()
