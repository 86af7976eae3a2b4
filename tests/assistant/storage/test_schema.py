"""One schema for every table: named constraints, the names existing databases have, safe creation."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from assistant.desk.queue import AgentDesk
from assistant.storage.engine import Database
from assistant.storage.schema import Base, create_schema
from assistant.storage.status import ConversationStatus
from assistant.storage.store import StateStore

LEGACY = Path(__file__).with_name("legacy_schema.sql")  # made by the code before one schema owned every table


def test_every_table_is_on_the_one_metadata_with_named_constraints() -> None:
    tables = Base.metadata.tables
    # conversations, the desk, profiles; the owner's insights and experiments (assistant.storage.insights_schema)
    assert {t[:3] for t in tables} == {"as_", "ag_", "rk_", "in_", "ex_"} and len(tables) == 20
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
             for t in insp.get_table_names()}
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


def test_creating_the_schema_survives_another_worker_creating_it_first(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers starting on one new database: ours loses the check-then-CREATE race once."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'race.db'}")
    real = Base.metadata.create_all
    calls = []

    def racing(bind: Any) -> None:
        calls.append(1)
        real(bind)  # the other worker wins ... (and our retry then finds the tables there)
        if len(calls) == 1:
            raise OperationalError("CREATE TABLE as_conversations", {}, Exception("table already exists"))

    monkeypatch.setattr(Base.metadata, "create_all", racing)
    create_schema(engine)
    assert len(calls) == 2 and "as_conversations" in inspect(engine).get_table_names()

    def broken(bind: Any) -> None:
        raise OperationalError("CREATE TABLE x", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Base.metadata, "create_all", broken)
    with pytest.raises(OperationalError):  # other failures are not retried away
        create_schema(engine)


def _open_when_released(url: str, barrier: Any) -> None:
    barrier.wait(timeout=60)  # all at the CREATEs at once
    AgentDesk(StateStore.from_url(url))


def test_workers_opening_one_new_database_together_all_start(tmp_path: Path) -> None:
    """uvicorn workers start at once on a new SQLite file: none may fail because another created a table
    between its check and its CREATE, or held the file's lock for a moment (seen in `bench load`)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    barrier = ctx.Barrier(6)
    procs = [ctx.Process(target=_open_when_released, args=(url, barrier)) for _ in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=90)
    assert [p.exitcode for p in procs] == [0] * 6
    assert AgentDesk(StateStore.from_url(url)).auth.create_agent("ana", "pw-123456").name == "ana"
