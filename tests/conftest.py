"""Shared fixtures: real models load once per session; data files come from ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SHOPASSIST_SHARED_DATA", REPO.parent / "shared" / "data"))


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
