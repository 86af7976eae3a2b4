"""Shared fixtures: real models load once per session; data files come from the shared data folder
(evaluation.paths: $SHOPASSIST_SHARED_DATA, else ../shared/data beside the checkout)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evaluation.paths import shared_data_dir

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SHARED_DATA = shared_data_dir()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"public data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def minilm():
    """The real all-MiniLM-L6-v2 from the installed package, loaded once."""
    from retrieval.embedding import default_embedder

    embedder = default_embedder()
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def demo_products():
    from retrieval.ingest import load_demo_catalog

    return list(load_demo_catalog())


@pytest.fixture(scope="session")
def smol_process():
    """One supervised llama-server with SmolLM2-135M (the fast real-model fixture) for the whole session."""
    from assistant.llm.llama_server import LlamaServerProcess, ServerOptions
    from assistant.llm.models import BUNDLED_MODELS, single_file

    process = LlamaServerProcess(single_file(BUNDLED_MODELS["smollm2-135m"]), alias="smollm2-135m",
                                 options=ServerOptions(slots=4, ctx_per_slot=1024))
    process.start()
    assert process.wait_ready(120), process.status()
    yield process
    process.close()


@pytest.fixture(scope="session")
def smol_model(smol_process):
    """The real model through the same client as production (`EmbeddedChatModel`), no middleware."""
    from assistant.llm.llama_server import EmbeddedChatModel

    return EmbeddedChatModel(smol_process, max_tokens=48, timeout_s=60)
