"""The embedded llama.cpp backend: bad files fail clearly; SmolLM2 runs in-process (slow)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from assistant.llm import LlamaCppChatModel, ModelFileError, make_chat_model
from assistant.llm.explain import Explainer
from assistant.settings import LLMSettings
from retrieval.catalog import Product


def test_missing_and_corrupt_model_files(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not found"):
        LlamaCppChatModel(tmp_path / "absent.gguf").warm_up()
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF" + b"\x00" * 64)
    pytest.importorskip("llama_cpp")
    with pytest.raises(ModelFileError, match="corrupt or unsupported"):
        list(LlamaCppChatModel(corrupt).stream([{"role": "user", "content": "hi"}]))


def test_factory_reports_missing_local_model(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not found"):
        make_chat_model(LLMSettings(gguf_path=str(tmp_path / "nope.gguf")), tmp_path)


@pytest.fixture(scope="module")
def smol() -> LlamaCppChatModel:
    pytest.importorskip("llama_cpp")
    from assistant.llm.models import BUNDLED_MODELS, single_file

    model = LlamaCppChatModel(single_file(BUNDLED_MODELS["smollm2-135m"]), n_ctx=512, max_tokens=24)
    model.warm_up()
    return model


@pytest.mark.slow
def test_smollm2_streams_and_follows_a_schema(smol: LlamaCppChatModel) -> None:
    pieces = list(smol.stream([{"role": "user", "content": "Say hello."}], max_tokens=12))
    assert len(pieces) > 1 and "".join(pieces).strip()
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    assert set(
        json.loads(smol.complete([{"role": "user", "content": "Answer ok as JSON."}], schema=schema, max_tokens=16))
    ) == {"ok"}


@pytest.mark.slow
def test_smollm2_context_overflow_truncates_instead_of_failing(smol: LlamaCppChatModel) -> None:
    history = [{"role": "system", "content": "Be brief."}]
    for i in range(60):
        history += [
            {"role": "user", "content": f"Tell me about item {i}. " * 10},
            {"role": "assistant", "content": "ok"},
        ]
    history.append({"role": "user", "content": "Say bye."})
    assert isinstance(smol.complete(history, max_tokens=8), str)


@pytest.mark.slow
def test_smollm2_concurrent_turns_queue_and_explanations_stay_grounded(smol: LlamaCppChatModel) -> None:
    product = Product(id="x", title="Alisha Cycling Shorts", brand="Alisha", price=379.0, list_price=999.0, stock=5)
    outputs: list[str] = []

    def turn() -> None:
        ex = Explainer(smol, max_tokens=40)
        outputs.append("".join(ex.explain([(product, ["matches: cycling"])], "Say it costs $1.")))

    threads = [threading.Thread(target=turn) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outputs) == 2
    for text in outputs:
        assert text.strip() and "$" not in text
