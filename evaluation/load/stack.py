"""What the API under load stands on: its database and its vectors, as a deployment of that size has them.

- database: a temp SQLite file (default); `postgres`, a throw-away PostgreSQL server (durable
  settings: fsync on, as in production); or the URL of an existing database.
- vectors: one worker opens the catalog's persistent Chroma directory; several workers share a
  Chroma server (`chroma run`: the embedded client is not process-safe), started here unless a
  URL is given, and filled with `shopassist index` as an operator would.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.load.engines import ChromaServer, PostgresServer

Progress = Callable[[str], None]
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stack:
    database_url: str
    database: str  # sqlite | postgresql
    chroma_url: str = ""  # "" = the persistent directory in the data dir
    memory: dict[str, Callable[[], float]] = field(default_factory=dict)  # name -> RSS MB of that server
    cpu: dict[str, Callable[[], float]] = field(default_factory=dict)  # name -> CPU seconds it used so far

    @property
    def vectors(self) -> str:
        return "chroma-server" if self.chroma_url else "chroma-persistent"

    def rss_mb(self) -> dict[str, float]:
        return {f"rss_mb_{name}": probe() for name, probe in self.memory.items()}

    def cpu_s(self) -> dict[str, float]:
        return {name: probe() for name, probe in self.cpu.items()}


def fill_chroma(data_dir: Path, chroma_url: str, say: Progress, timeout_s: float = 1800.0) -> None:
    """`shopassist index` with SHOPASSIST_RETRIEVAL__CHROMA_URL: the demo catalog's vectors into the server
    (an upsert: a server that already has them re-embeds nothing)."""
    say(f"filling the Chroma server at {chroma_url} (shopassist index)")
    from assistant.store_profile import DEMO_PROFILE

    env = {**os.environ, "SHOPASSIST_CONFIG": str(DEMO_PROFILE), "SHOPASSIST_DATA_DIR": str(data_dir),
           "SHOPASSIST_RETRIEVAL__CHROMA_URL": chroma_url,
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    done = subprocess.run([sys.executable, "-m", "ui.cli", "index"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout_s, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"shopassist index into {chroma_url} failed: {(done.stderr or done.stdout)[-1500:]}")


@contextlib.contextmanager
def backing_services(*, workers: int, database: str, database_url: str, chroma_url: str, data_dir: Path,
                     tmp: Path, say: Progress) -> Iterator[Stack]:
    """Start what is missing, yield the stack, stop what was started (also on errors)."""
    with contextlib.ExitStack() as started:
        if database_url:
            stack = Stack(database_url, "postgresql" if database_url.startswith("postgres") else "sqlite")
        elif database == "postgres":
            say("starting a throw-away PostgreSQL server")
            pg = started.enter_context(PostgresServer(durable=True, max_connections=200))
            stack = Stack(pg.create_database("shopassist"), "postgresql", memory={"postgres": pg.rss_mb},
                          cpu={"postgres": pg.cpu_s})
        else:
            stack = Stack(f"sqlite:///{tmp / 'load.db'}", "sqlite")
        if chroma_url:
            stack.chroma_url = chroma_url
        elif workers > 1:
            say("starting a Chroma server (several workers cannot share the persistent directory)")
            chroma = started.enter_context(ChromaServer(tmp / "chroma", log_path=tmp / "chroma.log"))
            stack.chroma_url = chroma.url
            stack.memory["chroma"] = chroma.rss_mb
            stack.cpu["chroma"] = chroma.cpu_s
        if stack.chroma_url:
            fill_chroma(data_dir, stack.chroma_url, say)
        yield stack
