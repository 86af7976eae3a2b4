"""The state store under database faults, on real SQLite files: a lock held by another connection, a
damaged file, a full disk. Each failure is one `StorageError` with a sentence for the shopper; nothing
that was acknowledged is lost, and writes resume by themselves once the cause is gone."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from assistant.storage.errors import StorageBusy, StorageCorrupt, StorageFull, classify
from assistant.storage.store import StateStore


def _filled(path: Path, messages: int = 300) -> tuple[StateStore, str]:
    store = StateStore.from_url(f"sqlite:///{path}")
    conv = store.conversations.create("asha")
    for i in range(messages):
        store.conversations.add_message(conv.id, "user", f"message {i} " + "x" * 200)
    store.carts.add("asha", "p1", 2)
    return store, conv.id


def short_busy_timeout(store: StateStore, ms: int = 300) -> None:
    """Tests wait 0.3 s for a lock instead of the production 5 s (runs after the engine's own pragmas)."""
    @event.listens_for(store.engine, "connect")
    def _pragma(dbapi_conn, _record) -> None:
        dbapi_conn.execute(f"PRAGMA busy_timeout={ms}")
    store.engine.dispose()


def damage_messages(db: Path, nbytes: int) -> None:
    """Overwrite `nbytes` in the middle of the messages table's pages (where SQLite's `dbstat` tells; else the
    middle of the file), leaving the schema pages readable so the store still opens."""
    offset = db.stat().st_size // 2
    with contextlib.closing(sqlite3.connect(db)) as con:
        try:
            pages = [p for (p,) in con.execute("SELECT pageno FROM dbstat WHERE name = 'as_messages' ORDER BY pageno")]
            page_size = con.execute("PRAGMA page_size").fetchone()[0]
        except sqlite3.OperationalError:  # built without the dbstat table
            pages = []
    if pages:
        offset = (pages[len(pages) // 2] - 1) * page_size
    with db.open("r+b") as f:
        f.seek(offset)
        f.write(b"\xa5" * nbytes)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_lock_held_elsewhere_is_busy_and_writes_resume_after_release(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    store, cid = _filled(db, messages=3)
    short_busy_timeout(store)
    other = sqlite3.connect(db, timeout=0.1)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageBusy) as caught:
            store.carts.add("asha", "p2")
        assert "try again" in caught.value.message and "lock" in caught.value.reason
        assert store.carts.items("asha") == [("p1", 2)]  # WAL: reads go on while a writer holds the lock
    finally:
        other.rollback()
        other.close()
    assert store.carts.add("asha", "p2") == 1
    assert store.carts.items("asha") == [("p1", 2), ("p2", 1)]
    assert len(store.conversations.messages(cid)) == 3 and store.health() == (True, "ok")


def test_a_damaged_file_refuses_writes_keeps_data_and_serves_again_once_restored(tmp_path: Path) -> None:
    db, backup = tmp_path / "state.db", tmp_path / "backup.db"
    store, cid = _filled(db)
    store.engine.dispose()  # checkpoint: everything is in the main file
    shutil.copy(db, backup)
    damage_messages(db, 8192)  # two pages in the middle of the messages table
    damaged_sha = _sha(db)

    reopened = StateStore.from_url(f"sqlite:///{db}")  # a restart on the damaged file
    ok, reason = reopened.health()
    assert not ok and "damaged" in reason and "backup" in reason
    with pytest.raises(StorageCorrupt) as caught:
        reopened.carts.add("asha", "p2")
    assert "nothing was saved" in caught.value.message and "Traceback" not in caught.value.message
    with pytest.raises(StorageCorrupt):
        reopened.conversations.messages(cid)  # a read that meets the damage is the same clear error
    assert _sha(db) == damaged_sha  # never repaired or wiped behind the operator's back

    shutil.copy(backup, db)  # the operator restores last night's copy; no restart
    assert reopened.health() == (True, "ok")
    assert reopened.carts.add("asha", "p2") == 1
    assert reopened.carts.items("asha") == [("p1", 2), ("p2", 1)] and len(reopened.conversations.messages(cid)) == 300


def test_a_file_that_is_not_a_database_is_refused_at_start_untouched(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    store, _ = _filled(db, messages=2)
    store.engine.dispose()
    with db.open("r+b") as f:
        f.write(b"\0" * 100)  # the header
    before = _sha(db)
    with pytest.raises(StorageCorrupt, match="damaged and was left untouched"):
        StateStore.from_url(f"sqlite:///{db}")
    assert _sha(db) == before


@pytest.fixture(params=["tmpfs", "max_page_count"])
def small_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real 2 MB tmpfs (needs root), and the same SQLITE_FULL emulated through `max_page_count`."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if request.param == "max_page_count":
        yield mount, "max_page_count"
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                             capture_output=True, check=False).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a tmpfs here (not root); the max_page_count variant covers it")
    try:
        yield mount, "tmpfs"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_disk(mount: Path, how: str, store: StateStore) -> Callable[[], None]:
    """Use up the space (a filler file on the tmpfs, or cap the database at its current size); returns `free`."""
    if how == "tmpfs":
        filler = mount / "filler"
        with filler.open("wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        return filler.unlink

    def cap(dbapi_conn, _record) -> None:
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    def free() -> None:
        event.remove(store.engine, "connect", cap)
        store.engine.dispose()

    event.listen(store.engine, "connect", cap)
    store.engine.dispose()
    return free


def test_a_full_disk_refuses_writes_clearly_keeps_reads_and_recovers(small_disk: tuple[Path, str]) -> None:
    mount, how = small_disk
    store, cid = _filled(mount / "state.db", messages=5)
    free = fill_disk(mount, how, store)
    with pytest.raises(StorageFull) as caught:
        for i in range(200):  # the WAL may still have a little room
            store.conversations.add_message(cid, "user", f"more {i} " + "y" * 2000)
    assert "storage is full" in caught.value.message and "free space" in caught.value.reason
    written = len(store.conversations.messages(cid))  # reads still work
    assert store.carts.items("asha") == [("p1", 2)]
    free()
    store.conversations.add_message(cid, "user", "after the disk was freed")
    after = store.conversations.messages(cid)
    assert len(after) == written + 1 and after[-1].content == "after the disk was freed"


def test_classify_leaves_bugs_alone() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    assert classify(IntegrityError("insert", {}, Exception("UNIQUE constraint failed"))) is None
    assert isinstance(classify(OperationalError("x", {}, Exception("database is locked"))), StorageBusy)
    assert isinstance(classify(OperationalError("x", {}, Exception("database or disk is full"))), StorageFull)
