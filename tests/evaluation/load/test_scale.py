"""The bench past one box: acknowledged records are checked against the database, a worker restarted under load
loses nothing it acknowledged (SQLite and PostgreSQL), and, marked slow, the whole bench with 2 workers on a
throw-away PostgreSQL and a Chroma server it starts and fills."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.storage.store import StateStore
from evaluation.load.client import LoadPlan, run_load
from evaluation.load.server import ServerProcess
from evaluation.load.stats import Record, summarize
from evaluation.load.verify import SITE_ID, lost_records

REPO = Path(__file__).resolve().parents[3]
DATA_DIR = Path(os.environ.get("SHOPASSIST_TEST_DATA_DIR", REPO / "var" / "test-data"))


def test_lost_records_counts_what_the_database_lacks(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = StateStore.from_url(url)
    conv = store.conversations.create(f"{SITE_ID}:v:v1")
    store.conversations.add_message(conv.id, "user", "running shoes")
    store.conversations.add_message(conv.id, "assistant", "Here.", complete=True)
    store.carts.add(f"{SITE_ID}:v:v1", "p1")
    store.engine.dispose()
    records = [
        Record(0, "turn", "running  shoes", 1.0, visitor="v1", conversation_id=conv.id),  # stored (spaces cleaned)
        Record(0, "turn", "analog watch", 1.0, visitor="v1", conversation_id=conv.id),  # acknowledged, missing
        Record(0, "turn", "jeans", 1.0, visitor="v1", conversation_id=conv.id, error="timeout"),  # not acknowledged
        Record(0, "cart", "add p1", 1.0, visitor="v1", conversation_id=conv.id, product_id="p1"),
        Record(0, "cart", "add p2", 1.0, visitor="v1", conversation_id=conv.id, product_id="p2"),
    ]
    assert lost_records(url, records) == {"acknowledged_turns": 2, "acknowledged_cart_adds": 2, "lost_messages": 1,
                                          "lost_answers": 1, "lost_cart_lines": 1, "cart_lines_short": 0}


def _serves(base_url: str, worker: str, timeout_s: float = 120.0) -> bool:
    """Whether `worker` answers a request within `timeout_s` (a new connection each try: the kernel hands it to
    a worker waiting in accept, so a worker that is up gets one soon)."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with httpx.Client(trust_env=False, timeout=5) as client:
                if client.get(f"{base_url}/healthz").headers.get("x-worker") == worker:
                    return True
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    return False


def _restart_when(srv: ServerProcess, records: list[Record], turns: int, into: dict[str, Any]) -> threading.Thread:
    def run() -> None:
        while sum(1 for r in list(records) if r.kind == "turn") < turns:
            time.sleep(0.02)
        into.update(srv.restart_worker(timeout_s=60))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
def test_a_worker_restarted_under_load_loses_nothing_it_acknowledged(empty_database_url: str, tmp_path: Path
                                                                    ) -> None:
    """SIGTERM one of 2 uvicorn workers a quarter of the way in (uvicorn starts a replacement): every message,
    answer and cart line a shopper saw acknowledged is in the database afterwards, and the replacement serves."""
    url = f"sqlite:///{tmp_path / 'state.db'}" if empty_database_url.startswith("sqlite") else empty_database_url
    srv = ServerProcess(data_dir=tmp_path, database_url=url, workers=2, log_path=tmp_path / "server.log",
                        extra_env={"PYTHONPATH": str(REPO)})
    srv.cmd[srv.cmd.index("evaluation.load.server:create_bench_app")] = "tests.ui.limits_app:create"  # fakes
    records: list[Record] = []
    restart: dict[str, Any] = {}
    with srv:
        from evaluation.load.client import wait_ready

        wait_ready(srv.base_url, 120, alive=srv.alive)
        while len(srv.worker_pids()) < 2:
            time.sleep(0.1)
        restarter = _restart_when(srv, records, 30, restart)
        run = run_load(srv.base_url, LoadPlan(shoppers=6, turns=40, max_seconds=60, timeout_s=20, keepalive=False),
                       records)
        restarter.join(timeout=90)
        replacement_serves = _serves(srv.base_url, str(restart.get("replacement_pid")))
        assert srv.alive(), srv.log_tail()
    summary = summarize(run)
    assert restart.get("restarted") and restart.get("replacement_pid"), restart
    lost = lost_records(url, records)
    assert lost["acknowledged_turns"] >= 200 and lost["acknowledged_cart_adds"] > 0, lost
    assert lost["lost_messages"] == lost["lost_answers"] == lost["lost_cart_lines"] == 0, lost
    assert summary["errors"] <= 2, summary["error_kinds"]  # a request racing the worker's exit, at most
    assert str(restart["worker_pid"]) in {r.worker for r in records if r.error is None}  # it had its share
    assert replacement_serves, restart  # ... and uvicorn's replacement took over


@pytest.mark.slow
@pytest.mark.postgres
def test_bench_load_with_workers_on_postgresql_and_a_chroma_server(pg_server: Any) -> None:
    """`bench load --workers 2 --database postgres --restart-worker` on the real assistant: the bench starts its
    own PostgreSQL and Chroma server, fills Chroma with `shopassist index`, and nothing acknowledged is lost."""
    if not (DATA_DIR / "catalogs" / "demo").exists():
        pytest.skip(f"no demo index under {DATA_DIR}")
    from evaluation.load.bench import LoadOptions, run_bench

    said: list[str] = []
    r = run_bench(LoadOptions(data_dir=DATA_DIR, shoppers=4, turns=8, max_seconds=60, timeout_s=30, startup_s=300,
                              workers=2, database="postgres", restart_worker=True), progress=said.append)
    assert r["database"] == "postgresql" and r["vectors"] == "chroma-server", r
    assert any("shopassist index" in s for s in said)
    assert r["turns_ok"] == 32 and r["rss_mb_postgres"] > 0 and r["rss_mb_chroma"] > 0
    assert r["restart"]["restarted"], r["restart"]
    a = r["acknowledged"]
    assert a["acknowledged_turns"] == 32 and a["lost_messages"] == a["lost_answers"] == a["lost_cart_lines"] == 0
    assert r["errors"] <= 1, r["error_kinds"]
    assert len(r["requests_per_worker"]) >= 2 and len(r["loadavg_start"]) == 3
