"""The API under load: `uvicorn evaluation.load.server:create_bench_app --factory` in its own process group.

The server runs in a subprocess so the load generator does not share its GIL. The factory reads
`SHOPASSIST_BENCH_LLM`: `fake` (default) is `PacedFakeModel`, a grounded fake that streams a few
word pieces with a small delay, so everything but the model is measured at realistic stream shapes;
`embedded` builds the configured chat model (the bundled llama.cpp model by default).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.llm.base import ChatModel, GenerationOptions, Message
from assistant.llm.llama_server import free_port

BENCH_LLM = "SHOPASSIST_BENCH_LLM"
BENCH_TOKEN_MS = "SHOPASSIST_BENCH_TOKEN_MS"

# Raised for the bench only: one client address sends every shopper's requests. Product defaults stay.
BENCH_LIMITS = {
    "SHOPASSIST_API__RATE_VISITOR_PER_S": "1000",
    "SHOPASSIST_API__RATE_VISITOR_BURST": "1000",
    "SHOPASSIST_API__RATE_SITE_PER_S": "100000",
    "SHOPASSIST_API__RATE_SITE_BURST": "100000",
}


class PacedFakeModel(ChatModel):
    """Streams the first fact line of the prompt (grounded by construction) as word pieces, `token_ms` apart.

    Unlike assistant.llm.fake.FakeChatModel it keeps no call log, so a long soak does not grow memory."""

    name = "paced-fake"

    def __init__(self, token_ms: float = 5.0, max_pieces: int = 24) -> None:
        self.delay = max(token_ms, 0.0) / 1000.0
        self.max_pieces = max_pieces

    @staticmethod
    def _text(messages: Sequence[Message]) -> str:
        last = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        for line in last.splitlines():
            line = line.strip(" -*")
            if line and not line.startswith(":"):
                return line if line.endswith(".") else line + "."
        return "Here is what I found."

    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        text = self._text(messages)
        for word in options.stop:
            text = text.split(word, 1)[0]
        for piece in re.findall(r"\s*\S+", text)[: self.max_pieces]:
            if self.delay:
                time.sleep(self.delay)
            yield piece


def create_bench_app() -> Any:
    """uvicorn factory: the API app on the configured catalog with the bench's chat model."""
    from assistant.services import Assistant, build_services
    from assistant.settings import load_settings
    from ui.api.app import create_app

    cfg = load_settings()
    llm = os.environ.get(BENCH_LLM, "fake")
    model: Any = PacedFakeModel(float(os.environ.get(BENCH_TOKEN_MS, "5"))) if llm == "fake" else "auto"
    assistant = Assistant(build_services(cfg, chat_model=model))
    from ui.server import tune_for_serving

    tune_for_serving()
    return NameTheWorker(create_app(assistant, cfg))


class NameTheWorker:
    """ASGI wrapper: every response says which worker process served it (`X-Worker: <pid>`), so the bench can
    count requests per worker and see a restarted worker's replacement take its share."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.pid = str(os.getpid()).encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def named(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-worker", self.pid)]
            await send(message)

        await self.app(scope, receive, named)


def _exit_on_sigterm(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the bench process dies, even by SIGKILL (Linux only)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _tree_total(pid: int, measure: Callable[[Any], float]) -> float:
    """`measure(process)` summed over a process and all its descendants; 0 when the process is gone."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += measure(p)
    return total


def _cpu_seconds(process: Any) -> float:
    t = process.cpu_times()
    return float(t.user + t.system)


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process and its children (workers, PostgreSQL's backends) used so far."""
    return _tree_total(pid, _cpu_seconds)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children together, in MiB."""
    return round(_tree_total(pid, lambda p: p.memory_info().rss) / 2**20, 1)


@contextmanager
def serve_in_thread(app: Any, startup_s: float = 20.0) -> Iterator[str]:
    """An ASGI app served by uvicorn on a free loopback port in a thread (no subprocess) for the block:
    yields the base URL once uvicorn accepts connections, stops the server afterwards."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_s
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError(f"uvicorn did not start within {startup_s:g} s")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class ServerProcess:
    """`with ServerProcess(...) as srv:` a uvicorn subprocess on 127.0.0.1:`srv.port`, killed (whole process
    group) on exit. Its stderr goes to `log_path` so a startup failure can be shown."""

    def __init__(self, *, data_dir: Path, database_url: str, llm: str = "fake", workers: int = 1,
                 token_ms: float = 5.0, log_path: Path | None = None,
                 extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        from assistant.store_profile import DEMO_PROFILE

        # the scripted shoppers ask about the demo store's products and orders: it runs on the demo profile
        env = {**os.environ, **BENCH_LIMITS, "SHOPASSIST_CONFIG": str(DEMO_PROFILE),
               "SHOPASSIST_DATA_DIR": str(data_dir), "SHOPASSIST_DATABASE_URL": database_url, BENCH_LLM: llm,
               BENCH_TOKEN_MS: str(token_ms),
               "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
               "ANONYMIZED_TELEMETRY": "False", "SHOPASSIST_LOG_LEVEL": "WARNING", **(extra_env or {})}
        if llm != "fake":
            env.setdefault("SHOPASSIST_LLM__BACKEND", "llamacpp")
        if workers > 1:  # as deployed with a worker per core: one scoring thread each, no oversubscription
            env.setdefault("SHOPASSIST_RANKING__CROSS_ENCODER_THREADS", "1")
        self.cmd = [sys.executable, "-m", "uvicorn", "evaluation.load.server:create_bench_app", "--factory",
                    "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(max(1, workers)),
                    "--log-level", "warning", "--no-access-log"]
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: Any = subprocess.DEVNULL
        self._old_term: Any = None

    def __enter__(self) -> ServerProcess:
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self._log = log
        if threading.current_thread() is threading.main_thread():
            # `kill` of the bench runs the cleanup too (Ctrl-C already does, as KeyboardInterrupt)
            self._old_term = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=log, stderr=log, start_new_session=True,
                                     cwd=Path(__file__).resolve().parents[2], preexec_fn=_die_with_parent)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._old_term is not None:
            signal.signal(signal.SIGTERM, self._old_term)
            self._old_term = None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tracebacks(self) -> int:
        """Tracebacks the server logged so far (failed workers, failed requests)."""
        if self.log_path is None or not self.log_path.exists():
            return 0
        return self.log_path.read_bytes().count(b"Traceback (most recent call last)")

    def alive(self) -> bool:
        """Running, and no worker failed (uvicorn's supervisor keeps restarting workers that fail to start)."""
        return self.running() and self.tracebacks() == 0

    def rss_mb(self) -> float:
        """Resident memory of the server and its workers together."""
        return tree_rss_mb(self.proc.pid) if self.proc is not None else 0.0

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the server and its workers used so far: cost per turn without the
        noise of whatever else the machine runs."""
        return tree_cpu_s(self.proc.pid) if self.proc is not None else 0.0

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (children of its supervisor started by multiprocessing's spawn)."""
        import psutil

        if self.proc is None:
            return []
        try:
            children = psutil.Process(self.proc.pid).children()
        except psutil.Error:
            return []
        pids = []
        for child in children:
            with contextlib.suppress(psutil.Error):
                if "spawn_main" in " ".join(child.cmdline()):
                    pids.append(child.pid)
        return sorted(pids)

    def restart_worker(self, timeout_s: float = 300.0) -> dict[str, Any]:
        """A rolling restart of one worker: SIGTERM (it finishes the requests it has, then exits) and
        uvicorn's supervisor starts a replacement. Returns when the replacement process exists."""
        before = self.worker_pids()
        if len(before) < 2:
            return {"restarted": False, "reason": "needs 2 or more workers"}
        victim = before[0]
        t0 = time.monotonic()
        os.kill(victim, signal.SIGTERM)
        out: dict[str, Any] = {"restarted": True, "worker_pid": victim}
        while time.monotonic() - t0 < timeout_s:
            now = self.worker_pids()
            if victim not in now and "exited_after_s" not in out:
                out["exited_after_s"] = round(time.monotonic() - t0, 2)
            fresh = [p for p in now if p not in before]
            if fresh:
                out.update(replacement_pid=fresh[0], replacement_started_after_s=round(time.monotonic() - t0, 2))
                return out
            time.sleep(0.1)
        out["replacement_started_after_s"] = None
        return out

    def log_tail(self, lines: int = 15) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL to whatever is left (workers included) after a grace period."""
        proc = self.proc
        if proc is not None:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=10.0)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    pass
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5.0)
        if self._log is not subprocess.DEVNULL:
            self._log.close()
            self._log = subprocess.DEVNULL
        self.proc = None
