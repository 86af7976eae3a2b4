"""One contract every ProductStore passes: the in-memory fake and the real Chroma."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from retrieval.store import ChromaProductStore, InMemoryProductStore, ProductStore


@pytest.fixture(params=["memory", "chroma", pytest.param("chroma-http", marks=pytest.mark.slow)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ProductStore]:
    if request.param == "memory":
        yield InMemoryProductStore()
    elif request.param == "chroma":
        yield ChromaProductStore.open_persistent(tmp_path / "chroma", "contract")
    else:
        url = request.getfixturevalue("chroma_server")
        yield ChromaProductStore.connect_http(url, f"contract-{request.node.name[-40:]}")


def _vectors() -> np.ndarray:
    v = np.array([[1, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _fill(store: ProductStore) -> None:
    metas = [
        {"price": 10.0, "brand": "acme", "on_sale": True, "content_hash": "h0"},
        {"price": 50.0, "brand": "acme", "on_sale": False, "content_hash": "h1"},
        {"price": 20.0, "brand": "zeta", "on_sale": True, "content_hash": "h2"},
        {"price": 99.0, "brand": "zeta", "on_sale": False, "content_hash": "h3"},
    ]
    store.upsert(["a", "b", "c", "d"], _vectors(), metas, ["a", "b", "c", "d"])


def test_query_returns_cosine_neighbours_best_first(store: ProductStore) -> None:
    _fill(store)
    hits = store.query(np.array([1, 0, 0, 0], dtype=np.float32), 2)
    assert [pid for pid, _ in hits] == ["a", "b"]
    assert hits[0][1] == pytest.approx(1.0, abs=1e-4) and hits[1][1] < hits[0][1]


def test_where_filters(store: ProductStore) -> None:
    _fill(store)
    q = np.array([1, 0, 0, 0], dtype=np.float32)
    where = {"$and": [{"price": {"$lte": 30.0}}, {"on_sale": True}]}
    assert {pid for pid, _ in store.query(q, 10, where=where)} == {"a", "c"}
    assert {pid for pid, _ in store.query(q, 10, where={"brand": {"$in": ["zeta"]}})} == {"c", "d"}


def test_upsert_replaces_and_delete_removes(store: ProductStore) -> None:
    _fill(store)
    store.upsert(["a"], np.array([[0, 0, 0, 1]], dtype=np.float32),
                 [{"price": 1.0, "brand": "acme", "on_sale": False, "content_hash": "new"}], ["a"])
    assert store.count() == 4
    assert store.content_hashes()["a"] == "new"
    assert store.query(np.array([0, 0, 0, 1], dtype=np.float32), 1)[0][0] == "a"
    store.delete(["a", "b"])
    assert store.count() == 2
    assert set(store.content_hashes()) == {"c", "d"}
    got = store.get_embeddings(["c", "zzz"])
    assert set(got) == {"c"} and np.allclose(got["c"], _vectors()[2], atol=1e-5)


def test_chroma_persists_across_clients(tmp_path: Path) -> None:
    first = ChromaProductStore.open_persistent(tmp_path / "chroma", "persist")
    _fill(first)
    del first
    again = ChromaProductStore.open_persistent(tmp_path / "chroma", "persist")
    assert again.count() == 4
