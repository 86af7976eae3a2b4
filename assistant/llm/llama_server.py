"""The embedded model in its own supervised process: llama.cpp's `llama-server`.

Why a process of its own: a native crash in the model (a segfault in a CPU kernel, an
out-of-memory kill) or a hang must never take the web server and every shopper on it
down. The server also gives what an in-process model cannot: parallel slots with
continuous batching, so several shoppers' answers are decoded together, and a prompt
cache per slot, so the shared system prompt is not re-read for every answer.

`LlamaServerProcess` starts the binary that `scripts/build_llama_server.sh` built
(portable CPU flags) on a free port of 127.0.0.1 with a random API key, and a watcher
thread keeps it alive:

- the process exits (crash, OOM kill): it is started again after a back-off;
- `/health` stops answering for `hang_after_s` while the process lives (a hang, SIGSTOP):
  it is killed and started again;
- loading never blocks the caller: `status()` says `loading` until `/health` is ok, and
  the circuit breaker skips the model (cards + template answers) until then.

`EmbeddedChatModel` is the `ChatModel` over it: the same OpenAI-compatible client as vLLM.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from assistant.llm.base import ChatModel, GenerationOptions, Message, ModelStatus
from assistant.llm.errors import LLMError, LLMUnavailable
from assistant.llm.openai_backend import OpenAIChatModel

log = logging.getLogger(__name__)

BINARY_NAME = "llama-server"
LOG_MAX_BYTES = 4 << 20


def find_binary(explicit: str = "") -> Path:
    """The llama-server to run: the setting, else next to this Python (the .venv), else on PATH."""
    if explicit:  # a configured path is used as given, never silently replaced
        candidates = [Path(explicit).expanduser()]
    else:
        candidates = [Path(sys.executable).parent / BINARY_NAME]
        on_path = shutil.which(BINARY_NAME)
        if on_path:
            candidates.append(Path(on_path))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    where = explicit or str(Path(sys.executable).parent / BINARY_NAME)
    raise LLMUnavailable(f"llama-server not found at {where}: run `bash scripts/setup.sh` (it builds it), "
                         "or set SHOPASSIST_LLM__SERVER_BINARY")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the model process gets SIGKILL when the thread that started it ends (the web server
    killed with -9 included), so a crashed server never leaves a model eating the CPU."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass(frozen=True)
class ServerOptions:
    slots: int = 4
    ctx_per_slot: int = 2048
    threads: int = 2
    host: str = "127.0.0.1"
    health_interval_s: float = 1.0
    health_timeout_s: float = 2.5
    hang_after_s: float = 8.0
    load_timeout_s: float = 300.0
    min_backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    restart: bool = True  # False: a crash ends the watcher (the doctor's one-shot smoke test)
    extra_args: tuple[str, ...] = field(default_factory=tuple)


class LlamaServerProcess:
    """One supervised llama-server. `start()` returns at once; the watcher does the rest."""

    def __init__(
        self,
        model_path: Callable[[], Path] | Path,
        *,
        binary: Path | None = None,
        options: ServerOptions | None = None,
        log_path: Path | None = None,
        alias: str = "embedded",
    ) -> None:
        self._model_path = model_path
        self._binary = binary
        self.options = options or ServerOptions()
        self.log_path = log_path
        self.alias = alias
        self.api_key = secrets.token_urlsafe(24)
        self._proc: subprocess.Popen[bytes] | None = None
        self._port = 0
        self._state = "down"
        self._detail = "not started"
        self._restarts = 0
        self._ready_since: float | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- public

    @property
    def url(self) -> str:
        return f"http://{self.options.host}:{self._port}/v1"

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    @property
    def restarts(self) -> int:
        return self._restarts

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._state, self._detail = "loading", "starting the model process"
            self._thread = threading.Thread(target=self._watch, name="llama-server-watch", daemon=True)
            self._thread.start()

    def wait_ready(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._state == "ready":
                return True
            if self._stop.is_set():
                return False
            time.sleep(0.05)
        return self._state == "ready"

    def status(self) -> ModelStatus:
        return ModelStatus(f"llama-server:{self.alias}", self._state, self._detail, self._restarts)

    def report_failure(self) -> None:
        """A call failed at the transport level: check the process now instead of at the next tick."""
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        self._kill()
        self._state, self._detail = "down", "stopped"

    # ---------------------------------------------------------------- watcher

    def _watch(self) -> None:
        backoff = self.options.min_backoff_s
        last_ok = time.monotonic()
        started_at = 0.0
        while not self._stop.is_set():
            proc = self._proc
            if proc is None:
                try:
                    self._spawn()
                except LLMError as exc:  # no binary, no model file: say so, try again later
                    self._state, self._detail = "down", str(exc)
                    log.warning("model process not started: %s", exc)
                    self._sleep(self.options.max_backoff_s)
                    continue
                started_at = last_ok = time.monotonic()
                continue
            code = proc.poll()
            if code is not None:
                self._proc = None
                why = f"killed by signal {-code}" if code < 0 else f"exited with code {code}"
                if not self.options.restart:
                    self._state, self._detail = "down", f"model process {why}"
                    self._stop.set()
                    return
                self._restarts += 1
                self._state, self._detail = "restarting", f"model process {why}; restarting"
                log.error("model process %s; restarting in %.0f s (log: %s)", why, backoff, self.log_path)
                self._sleep(backoff)
                backoff = min(backoff * 2, self.options.max_backoff_s)
                continue
            health = self._health()
            now = time.monotonic()
            if health == "ok":
                if self._state != "ready":
                    log.info("model process ready on %s (pid %s)", self.url, proc.pid)
                    self._ready_since = now
                self._state, self._detail = "ready", f"pid {proc.pid}"
                last_ok = now
                if self._ready_since is not None and now - self._ready_since > 60:
                    backoff = self.options.min_backoff_s  # stable again: forget past crashes
            elif health == "loading" and self._state != "ready":
                if now - started_at > self.options.load_timeout_s:
                    self._restart(proc, f"model still loading after {self.options.load_timeout_s:.0f} s")
                    continue
            elif self._state == "ready" and now - last_ok > self.options.hang_after_s:
                self._restart(proc, f"model process stopped answering for {self.options.hang_after_s:.0f} s")
                continue
            elif self._state != "ready" and now - started_at > self.options.load_timeout_s:
                self._restart(proc, "model process never answered its health check")
                continue
            self._sleep(self.options.health_interval_s)

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _restart(self, proc: subprocess.Popen[bytes], why: str) -> None:
        log.error("%s; killing pid %s and restarting", why, proc.pid)
        self._state, self._detail = "restarting", why
        self._kill()
        self._restarts += 1

    def _spawn(self) -> None:
        binary = self._binary or find_binary()
        model = self._model_path() if callable(self._model_path) else self._model_path
        opts = self.options
        self._port = free_port(opts.host)
        args = [
            str(binary), "--model", str(model), "--alias", self.alias,
            "--host", opts.host, "--port", str(self._port), "--api-key", self.api_key,
            "--ctx-size", str(opts.ctx_per_slot * opts.slots), "--parallel", str(opts.slots),
            "--threads", str(opts.threads), "--threads-batch", str(opts.threads),
            "--cont-batching", "--cache-prompt", "--no-webui", *opts.extra_args,
        ]
        out = self._open_log()
        log.info("starting the model process: %s", " ".join(a if a != self.api_key else "***" for a in args))
        self._state, self._detail = "loading", f"loading {Path(model).name}"
        self._proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        if not isinstance(out, int):
            out.close()

    def _open_log(self) -> IO[bytes] | int:
        if self.log_path is None:
            return subprocess.DEVNULL
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            mode = "wb" if self.log_path.exists() and self.log_path.stat().st_size > LOG_MAX_BYTES else "ab"
            return self.log_path.open(mode)
        except OSError as exc:
            log.warning("model log %s not writable (%s); discarding it", self.log_path, exc)
            return subprocess.DEVNULL

    def _health(self) -> str:
        """ok | loading | error: `GET /health` answers 200 once the model is loaded, 503 while loading."""
        import httpx

        try:
            resp = httpx.get(f"http://{self.options.host}:{self._port}/health", timeout=self.options.health_timeout_s)
        except httpx.HTTPError:
            return "error"
        if resp.status_code == 200:
            return "ok"
        return "loading" if resp.status_code == 503 else "error"

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.kill()  # SIGKILL also ends a stopped (SIGSTOP) process
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


class EmbeddedChatModel(ChatModel):
    """The bundled model behind a supervised `LlamaServerProcess`, through the OpenAI-compatible client."""

    def __init__(
        self,
        process: LlamaServerProcess,
        *,
        max_tokens: int = 256,
        temperature: float = 0.2,
        timeout_s: float = 30.0,
    ) -> None:
        self.process = process
        self.name = f"embedded:{process.alias}"
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.timeout_s = timeout_s
        self._client: OpenAIChatModel | None = None

    @property
    def supports_schema(self) -> bool:
        return True

    def _client_for(self, url: str) -> OpenAIChatModel:
        client = self._client
        if client is None or client.base_url != url.rstrip("/"):
            client = OpenAIChatModel(
                url, api_key=self.process.api_key, model=self.process.alias, timeout_s=self.timeout_s,
                max_retries=0, max_tokens=self.max_tokens, temperature=self.temperature,
                n_ctx=self.process.options.ctx_per_slot, schema_mode="json_schema",
            )
            self._client = client
        return client

    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        status = self.process.status()
        if status.state != "ready":
            raise LLMUnavailable(f"the embedded model is {status.state} ({status.detail})")
        try:
            yield from self._client_for(self.process.url).stream(messages, options)
        except LLMUnavailable:
            self.process.report_failure()
            raise

    def warm_up(self) -> None:
        self.process.start()

    def status(self) -> ModelStatus:
        return self.process.status()

    def wait_ready(self, timeout_s: float) -> bool:
        self.process.start()
        return self.process.wait_ready(timeout_s)

    def close(self) -> None:
        self.process.close()
