"""The state store under database faults, on real SQLite files: a lock held by another connection, a
damaged file, a full disk. Each failure is one `StorageError` with a sentence for the shopper; nothing
that was acknowledged is lost, and writes resume by themselves once the cause is gone."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from assistant.storage.store import StateStore, StorageBusy, StorageCorrupt, StorageFull, classify


def _filled(path: Path, messages: int = 300) -> tuple[StateStore, str]:
    store = StateStore.from_url(f"sqlite:///{path}")
    conv = store.create_conversation("asha")
    for i in range(messages):
        store.add_message(conv.id, "user", f"message {i} " + "x" * 200)
    store.add_to_cart("asha", "p1", 2)
    return store, conv.id


def short_busy_timeout(store: StateStore, ms: int = 300) -> None:
    """Tests wait 0.3 s for a lock instead of the production 5 s (runs after the engine's own pragmas)."""
    @event.listens_for(store.engine, "connect")
    def _pragma(dbapi_conn, _record) -> None:
        dbapi_conn.execute(f"PRAGMA busy_timeout={ms}")
    store.engine.dispose()


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
            store.add_to_cart("asha", "p2")
        assert "try again" in caught.value.message and "lock" in caught.value.reason
        assert store.cart("asha") == [("p1", 2)]  # WAL: reads go on while a writer holds the lock
    finally:
        other.rollback()
        other.close()
    assert store.add_to_cart("asha", "p2") == 1
    assert store.cart("asha") == [("p1", 2), ("p2", 1)]
    assert len(store.messages(cid)) == 3 and store.health() == (True, "ok")


def test_a_damaged_file_refuses_writes_keeps_data_and_serves_again_once_restored(tmp_path: Path) -> None:
    db, backup = tmp_path / "state.db", tmp_path / "backup.db"
    store, cid = _filled(db)
    store.engine.dispose()  # checkpoint: everything is in the main file
    shutil.copy(db, backup)
    with db.open("r+b") as f:  # overwrite two pages in the middle of the messages table
        f.seek(db.stat().st_size // 2)
        f.write(b"\xa5" * 8192)
    damaged_sha = _sha(db)

    reopened = StateStore.from_url(f"sqlite:///{db}")  # a restart on the damaged file
    ok, reason = reopened.health()
    assert not ok and "damaged" in reason and "backup" in reason
    with pytest.raises(StorageCorrupt) as caught:
        reopened.add_to_cart("asha", "p2")
    assert "nothing was saved" in caught.value.message and "Traceback" not in caught.value.message
    with pytest.raises(StorageCorrupt):
        reopened.messages(cid)  # a read that meets the damage is the same clear error
    assert _sha(db) == damaged_sha  # never repaired or wiped behind the operator's back

    shutil.copy(backup, db)  # the operator restores last night's copy; no restart
    assert reopened.health() == (True, "ok")
    assert reopened.add_to_cart("asha", "p2") == 1
    assert reopened.cart("asha") == [("p1", 2), ("p2", 1)] and len(reopened.messages(cid)) == 300


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
            store.add_message(cid, "user", f"more {i} " + "y" * 2000)
    assert "storage is full" in caught.value.message and "free space" in caught.value.reason
    written = len(store.messages(cid))  # reads still work
    assert store.cart("asha") == [("p1", 2)]
    free()
    store.add_message(cid, "user", "after the disk was freed")
    assert len(store.messages(cid)) == written + 1 and store.messages(cid)[-1].content == "after the disk was freed"


def test_classify_leaves_bugs_alone() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    assert classify(IntegrityError("insert", {}, Exception("UNIQUE constraint failed"))) is None
    assert isinstance(classify(OperationalError("x", {}, Exception("database is locked"))), StorageBusy)
    assert isinstance(classify(OperationalError("x", {}, Exception("database or disk is full"))), StorageFull)
