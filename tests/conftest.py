"""Shared fixtures: real models load once per session; data files come from the shared data folder
(evaluation.paths: $SHOPASSIST_SHARED_DATA, else ../shared/data beside the checkout)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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


# ------------------------------------------------------------------ databases: SQLite and PostgreSQL

REQUIRE_POSTGRES = "SHOPASSIST_REQUIRE_POSTGRES"  # set by scripts/test.sh: CI fails instead of skipping


@pytest.fixture(scope="session")
def pg_server():
    """One throw-away PostgreSQL server (Debian's package, initdb in a temp dir) for the whole session."""
    from evaluation.load.engines import EngineUnavailable, PostgresServer

    try:
        server = PostgresServer().start()
    except EngineUnavailable as exc:
        if os.environ.get(REQUIRE_POSTGRES) == "1":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server) -> str:
    """A database migrated to head once; each test gets a copy (CREATE DATABASE ... TEMPLATE, ~0.2 s)."""
    from assistant.storage.engine import Database

    pg_server.create_database("shop_template")
    Database.open(pg_server.url("shop_template")).engine.dispose()  # no connection may stay on a template
    return "shop_template"


def fresh_pg_database(request: pytest.FixtureRequest, template: str | None) -> Iterator[str]:
    server = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name, template=template)
    yield url
    server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The storage contract's backends: in-memory SQLite, and a fresh PostgreSQL database at head."""
    if request.param == "sqlite":
        yield "sqlite://"
    else:
        yield from fresh_pg_database(request, request.getfixturevalue("pg_template"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        yield from fresh_pg_database(request, None)
