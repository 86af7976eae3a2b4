"""Throw-away servers of the real engines, for the load bench and the tests: PostgreSQL and Chroma.

    with PostgresServer() as pg:            # initdb + pg_ctl in a temp dir, 127.0.0.1:<free port>
        url = pg.create_database("shop")    # postgresql+psycopg://shop@127.0.0.1:PORT/shop
    with ChromaServer(path) as chroma:      # `chroma run --path PATH --port N`
        chroma.url                          # http://127.0.0.1:N

PostgreSQL comes from Debian's `postgresql` package (`scripts/setup.sh --dev` installs it); its
binaries live in /usr/lib/postgresql/<version>/bin, not on PATH. initdb refuses to run as root, so
as root the server runs as the `postgres` user in a temp dir that user owns. `durable=False` (the
tests) turns fsync off; the bench keeps PostgreSQL's defaults. Both servers are stopped and their
files deleted on exit; they listen on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evaluation.load.server import free_port, tree_cpu_s, tree_rss_mb

PG_USER = "shop"  # the superuser initdb creates (trust authentication on 127.0.0.1 only)


class EngineUnavailable(RuntimeError):
    """The engine's binaries are not installed here (the message says which package to install)."""


def postgres_bin_dir() -> Path:
    """Where initdb and pg_ctl are: $SHOPASSIST_PG_BIN, Debian's newest /usr/lib/postgresql/*/bin, or PATH."""
    env = os.environ.get("SHOPASSIST_PG_BIN")
    if env:
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise EngineUnavailable("PostgreSQL is not installed (initdb not found): `apt-get install postgresql`, "
                            "or run `scripts/setup.sh --dev` as root")


class PostgresServer:
    def __init__(self, *, durable: bool = False, max_connections: int = 300) -> None:
        self.bin = postgres_bin_dir()
        self.durable = durable
        self.max_connections = max_connections
        self.port = 0
        self.root: Path | None = None
        self._as: list[str] = []

    # ------------------------------------------------------------ lifecycle

    def _run(self, *args: str, timeout: float = 120.0) -> None:
        cmd = [*self._as, *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}): "
                               f"{(done.stderr or done.stdout).strip()[-800:]}\n{self.log_tail()}")

    def start(self) -> PostgresServer:
        self.root = Path(tempfile.mkdtemp(prefix="shopassist-pg-"))
        if os.geteuid() == 0:  # initdb refuses root: the server runs as the package's `postgres` user
            import pwd

            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        try:
            self._run(str(self.bin / "initdb"), "-D", str(self.root / "data"), "-U", PG_USER, "-A", "trust",
                      "-E", "UTF8", "--locale=C", "--no-sync")
            self.resume()
        except BaseException:
            self.stop()
            raise
        return self

    def resume(self) -> None:
        """Start the server process (again) on the same files and port."""
        assert self.root is not None
        options = [f"-p {self.port}", f"-k {self.root}", "-c listen_addresses=127.0.0.1",
                   f"-c max_connections={self.max_connections}", "-c shared_buffers=64MB"]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "-o", " ".join(options), "start")

    def pause(self) -> None:
        """Stop the server process (fast shutdown: sessions are cut), keeping its files: an outage."""
        if self.root is None or not (self.root / "data" / "postmaster.pid").exists():
            return
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "-t", "30", "stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            pid = self.pid()
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        """Stop the server (fast shutdown, then SIGKILL if it hangs) and delete its files."""
        if self.root is None:
            return
        self.pause()
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ use

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(f"host=127.0.0.1 port={self.port} user={PG_USER} dbname=postgres",
                               autocommit=True, connect_timeout=10)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`); returns its SQLAlchemy URL."""
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop it, disconnecting whoever still holds a connection (pools of finished tests)."""
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def pid(self) -> int | None:
        if self.root is None:
            return None
        try:
            return int((self.root / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def rss_mb(self) -> float:
        """Resident memory of the postmaster and its backends. Shared buffers count once per process that
        touched them, so this overstates; it is an upper bound."""
        pid = self.pid()
        return tree_rss_mb(pid) if pid else 0.0

    def cpu_s(self) -> float:
        pid = self.pid()
        return tree_cpu_s(pid) if pid else 0.0

    def log_tail(self, lines: int = 10) -> str:
        log = self.root / "server.log" if self.root else None
        if log is None or not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


class ChromaServer:
    """`chroma run` (the CLI of the chromadb package) on 127.0.0.1, the vector store several workers share."""

    def __init__(self, path: Path, port: int | None = None, log_path: Path | None = None) -> None:
        exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
        if not Path(exe).exists():
            raise EngineUnavailable("the chroma CLI is not installed (it comes with the chromadb package)")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cmd = [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(self.port)]
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 90.0) -> ChromaServer:
        import httpx

        log: Any = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        self.proc = subprocess.Popen(self.cmd, stdout=log, stderr=log, env=env, start_new_session=True)
        if log is not subprocess.DEVNULL:
            log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2, trust_env=False).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the Chroma server did not start within {timeout_s:.0f} s ({' '.join(self.cmd)})")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def rss_mb(self) -> float:
        return tree_rss_mb(self.proc.pid) if self.proc is not None else 0.0

    def cpu_s(self) -> float:
        return tree_cpu_s(self.proc.pid) if self.proc is not None else 0.0

    def __enter__(self) -> ChromaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
