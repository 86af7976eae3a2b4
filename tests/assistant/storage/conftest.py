"""Fixtures for the storage tests: a fresh database of each backend (in-memory SQLite, PostgreSQL), and
ranking's small catalog for profiles."""

from __future__ import annotations

import pytest

from assistant.storage.engine import Database
from assistant.storage.profiles import ProfileStore
from assistant.storage.store import StateStore
from retrieval.catalog import Catalog
from retrieval.embedding import HashingEmbedder
from tests.ranking.conftest import FakeClock, catalog, clock, products

__all__ = ["catalog", "clock", "products"]  # ranking's fixtures: the same small catalog and clock


@pytest.fixture
def state(database_url: str, clock: FakeClock) -> StateStore:
    return StateStore(Database.open(database_url), clock)


@pytest.fixture
def store(database_url: str, catalog: Catalog, clock: FakeClock) -> ProfileStore:
    """Profiles over a fresh database, with a 32-dimensional interest vector."""
    embedder = HashingEmbedder(32)
    return ProfileStore(Database.open(database_url), catalog, embed=lambda p: embedder.embed([p.embedding_text()])[0],
                        clock=clock)
