"""Fault injection against real components: the shopper gets a clear message (an SSE `error` event or a JSON
error with a human sentence; never a stack trace or a hung stream), everything acknowledged survives, and
the service answers again without manual repair.

- database locked, damaged or out of space (real SQLite files; a real tmpfs when we are root), through the API;
- the server SIGKILLed in the middle of a streamed answer and restarted on the same database (real uvicorn);
- the OpenAI-compatible LLM server stopped and restarted (real `llama-server` with SmolLM2): the circuit
  breaker skips it at once while it is down and probes it back;
- the Chroma server stopped and restarted under a running app (real `chroma run`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.conversation.skills import Services
from assistant.llm.fake import FakeChatModel
from assistant.llm.llama_server import free_port
from assistant.services import Assistant
from assistant.settings import Settings
from assistant.store_profile import demo_settings
from assistant.testing import demo_products, make_services
from tests.assistant.storage import test_faults as state_faults
from ui.api.app import create_app

REPO = Path(__file__).resolve().parents[2]
H = {"X-Site-Key": "pk_demo", "X-Visitor-Id": "v_faults"}
TRACE_WORDS = ("Traceback", "File \"", "sqlite3.", "sqlalchemy", "Error:")
small_disk = state_faults.small_disk  # the fixture: a real tmpfs (root) and the max_page_count emulation


# ---------------------------------------------------------------- helpers


def parse_sse(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append(json.loads(fields["data"]))
    return events


def assert_human(message: str) -> None:
    assert message and message[0].isupper() and message.rstrip().endswith("."), message
    assert not any(w in message for w in TRACE_WORDS), message


def assert_refused(r: Any, code: str) -> None:
    """A refusal the shopper can read: a JSON error, or a stream that ends with `error` then `done`."""
    if r.headers.get("content-type", "").startswith("text/event-stream"):
        events = parse_sse(r.text)
        assert [e["type"] for e in events][-2:] == ["error", "done"], events
        assert events[-2]["code"] == code
        assert_human(events[-2]["message"])
        return
    assert r.status_code in (503, 507), r.text
    body = r.json()["error"]
    assert body["code"] == code and "Retry-After" in r.headers
    assert_human(body["message"])


def turn(client: TestClient | httpx.Client, cid: str, message: str) -> Any:
    return client.post(f"/v1/conversations/{cid}/messages", headers=H, json={"message": message})


def ok_turn(client: TestClient | httpx.Client, cid: str, message: str) -> list[dict[str, Any]]:
    r = turn(client, cid, message)
    assert r.status_code == 200, r.text
    events = parse_sse(r.text)
    types = [e["type"] for e in events]
    assert types[-1] == "done" and "error" not in types, events
    return events


def _settings() -> Settings:
    """The demo store's settings with the per-visitor rate limit out of the way (these tests are one busy visitor)."""
    cfg = demo_settings()
    cfg.api.rate_visitor_per_s = cfg.api.rate_visitor_burst = 1000
    return cfg


def _app(db: Path, model: Any = None) -> tuple[TestClient, Services]:
    services = make_services(demo_products(), model=model or FakeChatModel(), database_url=f"sqlite:///{db}")
    return TestClient(create_app(Assistant(services), _settings())), services


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port} after {timeout_s} s")


def _spawn(args: Sequence[str], port: int, timeout_s: float = 60, env: dict[str, str] | None = None
           ) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(list(args), cwd=REPO, env={**os.environ, **(env or {})}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc, timeout_s)
    except BaseException:
        _stop(proc, signal.SIGKILL)
        raise
    return proc


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Signal the whole process group (servers may fork workers) and reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


# ---------------------------------------------------------------- the database: locked, damaged, full


def test_a_locked_database_answers_busy_and_loses_nothing(tmp_path: Path) -> None:
    client, services = _app(tmp_path / "state.db")
    cid = client.post("/v1/conversations", headers=H).json()["id"]
    ok_turn(client, cid, "running shoes under 3000")
    assert client.post("/v1/cart/items", headers=H, json={"product_id": "s1", "conversation_id": cid}).is_success
    state_faults.short_busy_timeout(services.store)
    other = sqlite3.connect(tmp_path / "state.db", timeout=0.1)
    other.execute("BEGIN EXCLUSIVE")  # e.g. a backup job or a migration holding the write lock
    try:
        assert_refused(client.post("/v1/cart/items", headers=H, json={"product_id": "w1"}), "storage_busy")
        assert_refused(turn(client, cid, "analog watches"), "storage_busy")
        assert client.get(f"/v1/conversations/{cid}", headers=H).status_code == 200  # reads go on
    finally:
        other.rollback()
        other.close()
    ok_turn(client, cid, "analog watches")
    conv = client.get(f"/v1/conversations/{cid}", headers=H).json()
    users = [m["content"] for m in conv["messages"] if m["role"] == "user"]
    assert users == ["running shoes under 3000", "analog watches"]  # the refused one was never acknowledged
    assert [line["product_id"] for line in conv["cart"]["lines"]] == ["s1"]
    assert client.get("/readyz").status_code == 200


def test_a_damaged_database_is_reported_refuses_writes_and_serves_again_once_restored(tmp_path: Path) -> None:
    db, backup = tmp_path / "state.db", tmp_path / "backup.db"
    client, services = _app(db)
    cid = client.post("/v1/conversations", headers=H).json()["id"]
    for i in range(12):
        ok_turn(client, cid, f"running shoes under {2000 + 100 * i}")
    assert client.post("/v1/cart/items", headers=H, json={"product_id": "s2", "conversation_id": cid}).is_success
    services.store.engine.dispose()  # the process stops: the WAL is checkpointed into the file
    shutil.copy(db, backup)
    state_faults.damage_messages(db, 16384)

    client, services = _app(db)  # the restart on the damaged file still comes up ...
    ready = client.get("/readyz")  # ... and tells the operator what is wrong and what to do
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
    assert "damaged" in ready.json()["checks"]["database"] and "backup" in ready.json()["checks"]["database"]
    assert_refused(client.post("/v1/cart/items", headers=H, json={"product_id": "w1"}), "storage_corrupt")
    assert_refused(turn(client, cid, "analog watches"), "storage_corrupt")

    shutil.copy(backup, db)  # the operator restores the backup; no restart
    assert client.get("/readyz").status_code == 200
    ok_turn(client, cid, "analog watches")
    conv = client.get(f"/v1/conversations/{cid}", headers=H).json()
    assert len([m for m in conv["messages"] if m["role"] == "user"]) == 13
    assert [line["product_id"] for line in conv["cart"]["lines"]] == ["s2"]


def test_a_full_disk_refuses_writes_with_a_clear_message_and_recovers(small_disk: tuple[Path, str]) -> None:
    mount, how = small_disk
    client, services = _app(mount / "state.db")
    cid = client.post("/v1/conversations", headers=H).json()["id"]
    ok_turn(client, cid, "running shoes under 3000")
    assert client.post("/v1/cart/items", headers=H, json={"product_id": "s1", "conversation_id": cid}).is_success
    free = state_faults.fill_disk(mount, how, services.store)
    refused, acked = None, [("s1", 1)]
    for i in range(200):  # the WAL may take a few more pages before the disk says no
        pid = ("w1", "w2", "w3", "j1", "j2")[i % 5]
        r = client.post("/v1/cart/items", headers=H, json={"product_id": pid, "conversation_id": cid})
        if not r.is_success:
            refused = r
            break
        acked = [(line["product_id"], line["quantity"]) for line in r.json()["events"][0]["lines"]]
    assert refused is not None, "the disk never filled up"
    assert_refused(refused, "storage_full")
    assert refused.status_code == 507 and "storage is full" in refused.json()["error"]["message"]
    r = turn(client, cid, "analog watches")
    assert_refused(r, "storage_full")
    # Refused before anything was shown (nothing kept), or after the answer streamed (the error says so).
    shown = parse_sse(r.text)[0]["type"] != "error"
    assert ("couldn't finish saving" in parse_sse(r.text)[-2]["message"]) == shown
    conv = client.get(f"/v1/conversations/{cid}", headers=H)  # reading still works, and shows exactly
    assert conv.status_code == 200  # what was acknowledged: nothing half-written
    assert [(line["product_id"], line["quantity"]) for line in conv.json()["cart"]["lines"]] == acked
    free()
    ok_turn(client, cid, "analog watches")
    assert client.post("/v1/cart/items", headers=H, json={"product_id": "c1", "conversation_id": cid}).is_success
    conv = client.get(f"/v1/conversations/{cid}", headers=H).json()
    assert [m["content"] for m in conv["messages"] if m["role"] == "user"] == [
        "running shoes under 3000", *(["analog watches"] if shown else []), "analog watches"]
    assert all(m["complete"] for m in conv["messages"] if m["role"] == "user")
    assert [(line["product_id"], line["quantity"]) for line in conv["cart"]["lines"]] == [*acked, ("c1", 1)]


# ---------------------------------------------------------------- the server killed mid-stream


class SlowModel(FakeChatModel):
    """The fake model, one word every `delay_s`: a streamed answer long enough to be killed in the middle."""

    def __init__(self, delay_s: float) -> None:
        super().__init__()
        self.delay_s = delay_s

    def _stream(self, messages: list[Any], options: Any) -> Iterator[str]:
        for piece in super()._stream(messages, options):
            time.sleep(self.delay_s)
            yield piece


def fault_app() -> FastAPI:
    """What the uvicorn subprocess serves: the demo products, a SQLite file, the slow model."""
    services = make_services(demo_products(), model=SlowModel(float(os.environ["FAULTS_DELAY_S"])),
                             database_url=f"sqlite:///{os.environ['FAULTS_DB']}")
    services.config = replace(services.config, explain_top=3)
    return create_app(Assistant(services), _settings())


def _uvicorn(port: int, db: Path) -> subprocess.Popen[bytes]:
    return _spawn([sys.executable, "-m", "uvicorn", "tests.ui.test_faults:fault_app", "--factory",
                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], port,
                  env={"FAULTS_DB": str(db), "FAULTS_DELAY_S": "0.3", "PYTHONPATH": str(REPO)})


@pytest.mark.slow
def test_killing_the_server_mid_answer_keeps_the_message_the_cart_and_an_honest_partial_answer(
        tmp_path: Path) -> None:
    db, port = tmp_path / "state.db", free_port()
    server = _uvicorn(port, db)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            cid = http.post("/v1/conversations", headers=H).json()["id"]
            assert http.post("/v1/cart/items", headers=H, json={"product_id": "s1", "conversation_id": cid}
                             ).is_success
            received: list[dict[str, Any]] = []
            with http.stream("POST", f"/v1/conversations/{cid}/messages", headers=H,
                             json={"message": "running shoes under 3000"}) as r:
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        received.append(json.loads(line[6:]))
                    if sum(e["type"] == "text_delta" for e in received) >= 3:  # into the model's part
                        break
                _stop(server, signal.SIGKILL)
        assert "done" not in [e["type"] for e in received]
        shown_text = "".join(e["text"] for e in received if e["type"] == "text_delta")

        server = _uvicorn(port, db)  # the restart on the same database
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            assert http.get("/readyz").status_code == 200
            conv = http.get(f"/v1/conversations/{cid}", headers=H).json()
            user, answer = conv["messages"]
            assert (user["role"], user["content"], user["complete"]) == ("user", "running shoes under 3000", True)
            assert answer["role"] == "assistant" and answer["complete"] is False  # honest: interrupted
            assert answer["content"] and shown_text.strip().startswith(answer["content"])
            assert [line["product_id"] for line in conv["cart"]["lines"]] == ["s1"]
            events = ok_turn(http, cid, "analog watches")
            assert "products" in [e["type"] for e in events]
            latest = http.get(f"/v1/conversations/{cid}", headers=H).json()["messages"][-1]
            assert latest["role"] == "assistant" and latest["complete"] is True
    finally:
        _stop(server, signal.SIGKILL)


# ---------------------------------------------------------------- the LLM server stopped


def _llama_server(port: int) -> subprocess.Popen[bytes]:
    """An OpenAI-compatible server this test owns (as a vLLM host would be): started and stopped by hand."""
    from assistant.llm.llama_server import find_binary
    from assistant.llm.models import BUNDLED_MODELS, single_file

    gguf = single_file(BUNDLED_MODELS["smollm2-135m"])
    return _spawn([str(find_binary()), "--model", str(gguf), "--alias", "smol", "--host", "127.0.0.1",
                   "--port", str(port), "--ctx-size", "2048", "--threads", "2", "--no-webui"], port, timeout_s=90)


def _ready(url: str) -> None:
    deadline = time.monotonic() + 60
    while httpx.get(url.removesuffix("/v1") + "/health", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "llama-server did not load its model"
        time.sleep(0.2)


@pytest.mark.slow
def test_a_stopped_llm_server_gives_cards_and_template_text_and_answers_come_back(tmp_path: Path) -> None:
    from assistant.llm import OpenAIChatModel

    port = free_port()
    llm = _llama_server(port)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        _ready(url)
        # the remote (vLLM) backend, behind the same middleware chain the app factory builds
        client, _ = _app(tmp_path / "state.db",
                                model=OpenAIChatModel(url, model="smol", timeout_s=30, max_tokens=12))
        cid = client.post("/v1/conversations", headers=H).json()["id"]
        assert ok_turn(client, cid, "running shoes under 3000")[-1]["generation"]["first_token_ms"] is not None

        _stop(llm)
        for _ in range(4):  # each turn: cards and the template answer; the breaker opens after 3 failures
            started = time.monotonic()
            events = ok_turn(client, cid, "analog watches under 2000")  # no `error` event
            types = [e["type"] for e in events]
            assert types.index("products") < types.index("text_delta")
            assert "".join(e["text"] for e in events if e["type"] == "text_delta").strip()  # the template answer
            assert events[-1]["generation"]["template_fallbacks"] >= 1
            assert time.monotonic() - started < 5  # connection refused is not retried for long
        model = client.get("/readyz").json()["model"]
        assert model["state"] == "circuit_open" and model["consecutive_failures"] >= 3
        started = time.monotonic()
        ok_turn(client, cid, "analog watches under 2000")
        assert time.monotonic() - started < 1  # open circuit: the model is not even tried

        llm = _llama_server(port)  # back on the same address; our server is not restarted
        _ready(url)
        for _ in range(10):  # the breaker probes again after its back-off (5 s)
            if ok_turn(client, cid, "running shoes under 3000")[-1]["generation"]["first_token_ms"] is not None:
                break
            time.sleep(1)
        else:
            raise AssertionError("the model never answered again")
        assert client.get("/readyz").json()["model"]["state"] == "ready"
    finally:
        _stop(llm, signal.SIGKILL)


# ---------------------------------------------------------------- the Chroma server restarted


class FlakyStore:
    """Any product store whose server can be switched off (the fast twin of the Chroma server test below)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.down = inner, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def query(self, embedding: Any, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        from retrieval.store import StoreError

        if self.down:
            raise StoreError("vector query failed: [Errno 111] Connection refused")
        return list(self.inner.query(embedding, k, where))


# Filtered queries score their rows in memory and never ask the vector store; these words read as no filter.
UNFILTERED = "light and comfortable for jogging"


def test_search_turns_keep_their_cards_while_the_vector_store_is_down(tmp_path: Path) -> None:
    client, services = _app(tmp_path / "state.db")
    index = services.searcher.index
    flaky = FlakyStore(index.store)
    index.store = flaky
    cid = client.post("/v1/conversations", headers=H).json()["id"]
    up = services.searcher.search(UNFILTERED, k=5)
    flaky.down = True
    down = services.searcher.search(UNFILTERED, k=5)
    assert [h.product.id for h in down.hits] == [h.product.id for h in up.hits]
    assert any("unreachable" in n for n in down.notes)
    events = ok_turn(client, cid, "running shoes under 3000")
    assert next(e for e in events if e["type"] == "products")["cards"]


@pytest.mark.slow
def test_a_restarting_chroma_server_costs_shoppers_nothing_and_is_used_again(tmp_path: Path) -> None:
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(exe).exists():
        pytest.skip("the chroma CLI is not installed")
    from retrieval.embedding import HashingEmbedder
    from retrieval.hybrid import HybridSearcher
    from retrieval.index import CatalogIndex
    from retrieval.store import ChromaProductStore

    port = free_port()
    cmd = [exe, "run", "--path", str(tmp_path / "chroma"), "--host", "127.0.0.1", "--port", str(port)]
    chroma = _spawn(cmd, port)
    try:
        store = ChromaProductStore.connect_http(f"http://127.0.0.1:{port}", "faults")
        index, _ = CatalogIndex.build(tmp_path, "faults", demo_products(), HashingEmbedder(), store=store)
        client, services = _app(tmp_path / "state.db")
        services.searcher = HybridSearcher(index)
        cid = client.post("/v1/conversations", headers=H).json()["id"]
        up = services.searcher.search(UNFILTERED, k=5)
        assert up.hits and not any("unreachable" in n for n in up.notes)

        _stop(chroma, signal.SIGKILL)
        down = services.searcher.search(UNFILTERED, k=5)
        assert any("unreachable" in n for n in down.notes)
        assert [h.product.id for h in down.hits] == [h.product.id for h in up.hits]  # exact vectors in memory
        cards = next(e for e in ok_turn(client, cid, "running shoes under 3000") if e["type"] == "products")
        assert cards["cards"]

        chroma = _spawn(cmd, port)  # restarted; our app is not
        again = services.searcher.search(UNFILTERED, k=5)
        assert not any("unreachable" in n for n in again.notes)
        assert [h.product.id for h in again.hits] == [h.product.id for h in up.hits]
        ok_turn(client, cid, "analog watches")

        # Another worker re-indexes on the server: same name, new collection id; we follow it by name.
        import chromadb

        chromadb.HttpClient(host="127.0.0.1", port=port).delete_collection("products-faults")
        CatalogIndex.build(tmp_path / "other", "faults", demo_products(), HashingEmbedder(),
                           store=ChromaProductStore.connect_http(f"http://127.0.0.1:{port}", "faults"))
        reindexed = services.searcher.search(UNFILTERED, k=5)
        assert not any("unreachable" in n for n in reindexed.notes)
        assert [h.product.id for h in reindexed.hits] == [h.product.id for h in up.hits]
    finally:
        _stop(chroma, signal.SIGKILL)
