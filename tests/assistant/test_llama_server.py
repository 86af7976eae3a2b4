"""The embedded model in its own supervised llama-server process (real binary, SmolLM2-135M)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.conversation.explain import Explainer
from assistant.llm import GenerationOptions, LLMUnavailable, ModelFileError
from assistant.llm.chain import make_backend
from assistant.llm.llama_server import EmbeddedChatModel, LlamaServerProcess, ServerOptions, find_binary
from assistant.llm.models import BUNDLED_MODELS, single_file
from assistant.settings import LLMSettings
from retrieval.catalog import Product
from retrieval.money import Money

MSGS = [{"role": "user", "content": "Say hello."}]


def test_a_missing_binary_names_the_setup_command(tmp_path: Path) -> None:
    with pytest.raises(LLMUnavailable, match=r"scripts/setup\.sh"):
        find_binary(str(tmp_path / "absent"))


def test_a_missing_model_leaves_the_process_down_with_a_sentence(tmp_path: Path) -> None:
    backend = make_backend(LLMSettings(backend="llamacpp", gguf_path=str(tmp_path / "nope.gguf")), tmp_path)
    assert isinstance(backend, EmbeddedChatModel)
    backend.warm_up()  # returns at once: loading happens in the watcher
    try:
        deadline = time.monotonic() + 10
        while backend.status().state != "down" and time.monotonic() < deadline:
            time.sleep(0.05)
        status = backend.status()
        assert status.state == "down" and "not found" in status.detail
        with pytest.raises(LLMUnavailable, match="down"):
            list(backend.stream(MSGS))
    finally:
        backend.close()


def test_the_model_file_is_checked(tmp_path: Path) -> None:
    from assistant.llm.models import resolve_gguf

    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"NOPE" + b"\0" * 16)
    with pytest.raises(ModelFileError, match="not a GGUF"):
        resolve_gguf(str(bad), tmp_path)


@pytest.mark.slow
def test_streams_follows_a_schema_and_stops_at_max_tokens(smol_model: EmbeddedChatModel) -> None:
    pieces = list(smol_model.stream(MSGS, GenerationOptions(max_tokens=12)))
    assert len(pieces) > 1 and "".join(pieces).strip()
    essay = list(smol_model.stream([{"role": "user", "content": "Write a long essay about shoes."}],
                                   GenerationOptions(max_tokens=8)))
    assert 1 <= len(essay) <= 8
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    answer = smol_model.complete([{"role": "user", "content": "Answer ok as JSON."}],
                                 GenerationOptions(schema=schema, max_tokens=16))
    assert set(json.loads(answer)) == {"ok"}


@pytest.mark.slow
def test_parallel_slots_answer_several_shoppers_at_once(smol_model: EmbeddedChatModel) -> None:
    product = Product(id="x", title="Alisha Cycling Shorts", brand="Alisha", price=379.0, list_price=999.0, stock=5)
    outputs: list[str] = []
    errors: list[BaseException] = []

    def turn() -> None:
        try:
            ex = Explainer(smol_model, money=Money("INR", "en_IN"), max_tokens=40)
            outputs.append("".join(ex.explain([(product, ["matches: cycling"])], "Say it costs $1.")))
        except BaseException as exc:  # reported below: a thread's exception would otherwise only warn
            errors.append(exc)

    threads = [threading.Thread(target=turn) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and len(outputs) == 4
    for text in outputs:
        assert text.strip() and "$" not in text  # the guard keeps the invented price out


@contextmanager
def _ready_process() -> Iterator[tuple[LlamaServerProcess, int]]:
    """The SmolLM2 process (one small slot, quick to call hung, quick to restart), started and ready, with
    its pid; closed after the block."""
    process = LlamaServerProcess(single_file(BUNDLED_MODELS["smollm2-135m"]), alias="smol-fault",
                                 options=ServerOptions(slots=1, ctx_per_slot=512, hang_after_s=3, min_backoff_s=0.2))
    process.start()
    try:
        assert process.wait_ready(60)
        pid = process.pid
        assert pid is not None
        yield process, pid
    finally:
        process.close()


def _wait_while(going_on: Callable[[], bool], seconds: float, step: float) -> None:
    deadline = time.monotonic() + seconds
    while going_on() and time.monotonic() < deadline:
        time.sleep(step)


@pytest.mark.slow
def test_a_crashed_model_process_is_restarted() -> None:
    with _ready_process() as (process, pid):
        os.kill(pid, signal.SIGSEGV)
        _wait_while(lambda: process.status().state == "ready", 10, 0.05)
        assert process.status().state in ("restarting", "loading")
        assert process.wait_ready(60)
        assert process.restarts == 1 and process.pid not in (None, pid)
        model = EmbeddedChatModel(process, max_tokens=8)
        assert "".join(model.stream(MSGS)).strip()
    assert process.pid is None


@pytest.mark.slow
def test_a_hung_model_process_is_killed_and_restarted() -> None:
    with _ready_process() as (process, pid):
        os.kill(pid, signal.SIGSTOP)
        _wait_while(lambda: process.restarts == 0, 20, 0.1)
        assert process.restarts == 1, process.status()
        assert process.wait_ready(60)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # the hung one is gone, not left behind
