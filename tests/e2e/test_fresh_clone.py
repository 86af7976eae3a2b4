"""The README's main command on a fresh clone: `bash scripts/run.sh` sets up its own .venv (the runtime
path, not --dev), checks the machine with `shopassist doctor`, starts, and the chat answers with cards.

It may use the warm pip cache and the cached portable llama-server build (as a second install on the same
machine would), never this checkout's .venv.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from assistant.llm.llama_server import free_port

REPO = Path(__file__).resolve().parents[2]


def _copy_tracked_files(dest: Path) -> None:
    """What a clone holds: the tracked files of this checkout (with their uncommitted edits), no .venv."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        src = REPO / name
        if src.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(src.read_bytes())
            target.chmod(src.stat().st_mode)


@pytest.mark.slow
def test_run_sh_on_a_fresh_clone_answers_the_chat_with_cards(tmp_path: Path) -> None:
    clone, data = tmp_path / "clone", tmp_path / "data"
    _copy_tracked_files(clone)
    assert not (clone / ".venv").exists()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPASSIST_", "VIRTUAL_ENV"))}
    env.update(SHOPASSIST_DATA_DIR=str(data), PATH=os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p))
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(["bash", "scripts/run.sh", "--port", str(port)], cwd=clone, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 1500  # a pip install from the warm cache, the demo index, the model
        while True:
            assert proc.poll() is None, f"run.sh exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(1)
        output = log_path.read_text()
        assert (clone / ".venv" / "bin" / "llama-server").exists()
        assert "OK   model:" in output  # doctor's one-token smoke test ran before the server started
        assert httpx.get(f"http://127.0.0.1:{port}/chat/", timeout=30).status_code == 200

        from gradio_client import Client

        client = Client(f"http://127.0.0.1:{port}/chat/", verbose=False)
        result = client.predict("analog watch for men", "fresh-shopper", "", api_name="/ask")
        kinds = [e["type"] for e in result["events"]]
        assert kinds[-1] == "done" and "error" not in kinds
        cards = next(e for e in result["events"] if e["type"] == "products")["cards"]
        assert cards and all(c["title"] and c["price"] > 0 for c in cards)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
