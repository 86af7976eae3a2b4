"""Rate limits hold for all workers together: 4 uvicorn workers on one database admit, between them, no more
than the configured rate plus one burst (per-worker buckets would admit up to 4 times that)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.store_profile import DEMO_PROFILE
from evaluation.load.server import free_port

RATE, BURST, WORKERS, SECONDS, THREADS = 2.0, 5, 4, 4.0, 8
ROOT = Path(__file__).resolve().parents[2]


def _serve(database_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "SHOPASSIST_CONFIG": str(DEMO_PROFILE),
           "SHOPASSIST_DATABASE_URL": database_url, "SHOPASSIST_API__RATE_SITE_PER_S": str(RATE),
           "SHOPASSIST_API__RATE_SITE_BURST": str(BURST), "SHOPASSIST_API__RATE_VISITOR_PER_S": "1000",
           "SHOPASSIST_API__RATE_VISITOR_BURST": "1000", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "tests.ui.limits_app:create", "--factory",
                             "--workers", str(WORKERS), "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    return proc, f"http://127.0.0.1:{port}"


def _all_workers_up(base: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 120.0) -> None:
    """Until every worker has answered (a worker still building its app accepts no connection)."""
    seen: set[str] = set()
    deadline = time.monotonic() + timeout_s
    while len(seen) < WORKERS:
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
        try:
            with httpx.Client(trust_env=False, timeout=5) as client:  # a new connection each time
                seen.add(client.get(f"{base}/healthz").headers["x-worker"])
        except httpx.HTTPError:
            time.sleep(0.2)


def _burst(base: str, stop_at: float, results: list[tuple[int, str]], lock: threading.Lock, n: int) -> None:
    # "Connection: close": a new connection per request, so the kernel spreads them over the workers
    headers = {"X-Site-Key": "pk_demo", "X-Visitor-Id": f"burst-{n}", "Connection": "close"}
    with httpx.Client(trust_env=False, timeout=10) as client:
        while time.monotonic() < stop_at:
            try:
                r = client.post(f"{base}/v1/conversations", headers=headers)
            except httpx.HTTPError as exc:
                r = httpx.Response(599, text=type(exc).__name__)
            with lock:
                results.append((r.status_code, r.headers.get("x-worker", "")))


@pytest.mark.slow
def test_four_workers_admit_no_more_than_the_rate_plus_one_burst(empty_database_url: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'limits.db'}" if empty_database_url.startswith("sqlite") else empty_database_url
    proc, base = _serve(url, tmp_path / "server.log")
    try:
        _all_workers_up(base, proc, tmp_path / "server.log")
        results: list[tuple[int, str]] = []
        lock = threading.Lock()
        started = time.monotonic()
        threads = [threading.Thread(target=_burst, args=(base, started + SECONDS, results, lock, i))
                   for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.monotonic() - started  # the window requests were admitted in, at most
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    admitted = [w for code, w in results if code == 201]
    codes = {code for code, _ in results}
    assert codes <= {201, 429}, results
    print(f"{len(results)} requests in {elapsed:.1f} s, {len(admitted)} admitted by "
          f"{len(set(admitted))} workers (limit {BURST + RATE * elapsed:.1f})")
    assert len(admitted) <= BURST + RATE * elapsed, (len(admitted), elapsed, len(results))
    assert len(admitted) >= BURST  # the first burst goes through: the limit is the rate, not a refusal
    assert len({w for _, w in results}) >= 2, "the burst reached one worker only"
    assert len(results) > 2 * (BURST + RATE * elapsed)  # offered far more than the limit
