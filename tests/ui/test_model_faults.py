"""The embedded model crashes or hangs in the middle of an answer (real uvicorn, real llama-server).

The web server keeps serving, the shopper in flight gets the cards and a template answer, the model
process is restarted by its supervisor, and the next answer is the model's again.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from assistant.llm.llama_server import EmbeddedChatModel, LlamaServerProcess, ServerOptions, free_port
from assistant.llm.models import BUNDLED_MODELS, single_file
from assistant.services import Assistant
from assistant.testing import demo_products, make_services
from tests.ui.test_faults import H, _settings, _spawn, _stop, ok_turn
from ui.api.app import create_app

REPO = Path(__file__).resolve().parents[2]


def model_fault_app() -> FastAPI:
    """What the uvicorn subprocess serves: demo products and SmolLM2 in a supervised llama-server."""
    process = LlamaServerProcess(single_file(BUNDLED_MODELS["smollm2-135m"]), alias="smollm2-135m",
                                 options=ServerOptions(slots=2, ctx_per_slot=1024, hang_after_s=4, min_backoff_s=0.5))
    model = EmbeddedChatModel(process, max_tokens=64, timeout_s=30)
    model.warm_up()
    services = make_services(demo_products(), model=model,
                             database_url=f"sqlite:///{os.environ['MODEL_FAULTS_DB']}")
    return create_app(Assistant(services), _settings())


def _model(http: httpx.Client) -> dict[str, Any]:
    return dict(http.get("/readyz").json()["model"])


def _wait_model_ready(http: httpx.Client, restarts: int, timeout_s: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        model = _model(http)
        if model["state"] == "ready" and model["restarts"] >= restarts:
            return model
        time.sleep(0.2)
    raise AssertionError(f"the model did not come back: {_model(http)}")


def _pid(model: dict[str, Any]) -> int:
    return int(model["detail"].removeprefix("pid "))


def _stream_and_signal(http: httpx.Client, cid: str, pid: int, sig: signal.Signals) -> list[dict[str, Any]]:
    """A turn whose model process gets `sig` as soon as the cards have reached the shopper."""
    events: list[dict[str, Any]] = []
    with http.stream("POST", f"/v1/conversations/{cid}/messages", headers=H,
                     json={"message": "running shoes under 3000"}) as r:
        for line in r.iter_lines():
            if not line.startswith("data: "):
                continue
            events.append(json.loads(line[6:]))
            if events[-1]["type"] == "products":
                os.kill(pid, sig)
    return events


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    port = free_port()
    proc = _spawn([sys.executable, "-m", "uvicorn", "tests.ui.test_model_faults:model_fault_app", "--factory",
                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], port, timeout_s=120,
                  env={"MODEL_FAULTS_DB": str(tmp_path / "state.db"), "PYTHONPATH": str(REPO)})
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            yield http
    finally:
        _stop(proc, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGSTOP], ids=["crash", "hang"])
def test_a_model_crash_or_hang_mid_answer_leaves_the_server_serving(server: httpx.Client,
                                                                     sig: signal.Signals) -> None:
    http = server
    model = _wait_model_ready(http, 0)
    cid = http.post("/v1/conversations", headers=H).json()["id"]
    first = ok_turn(http, cid, "analog watches")
    assert first[-1]["generation"]["first_token_ms"] is not None  # the model answered before the fault

    events = _stream_and_signal(http, cid, _pid(model), sig)
    types = [e["type"] for e in events]
    assert types[-1] == "done" and "error" not in types, events
    assert types.index("products") < types.index("text_delta")
    assert events[-1]["generation"]["template_fallbacks"] >= 1  # the facts, not a broken half-answer
    assert "₹" in "".join(e["text"] for e in events if e["type"] == "text_delta")
    assert http.get("/healthz").status_code == 200

    back = _wait_model_ready(http, 1)
    assert _pid(back) != _pid(model)
    if sig == signal.SIGSTOP:
        with pytest.raises(ProcessLookupError):
            os.kill(_pid(model), 0)  # the hung process was killed, not left behind
    for _ in range(4):  # the circuit breaker may still be waiting out its back-off
        done = ok_turn(http, cid, "analog watches")[-1]
        if done["generation"]["first_token_ms"] is not None:
            break
        time.sleep(2)
    assert done["generation"]["first_token_ms"] is not None  # the next answer is the model's again
