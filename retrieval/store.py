"""Vector storage of product embeddings behind the `ProductStore` protocol.

The default is a Chroma persistent collection per catalog, cosine space, with
our own embeddings passed in (never Chroma's default embedding function, which
downloads a model). `ChromaProductStore.connect_http` is the same contract
against a Chroma server, for several API workers. `InMemoryProductStore` is the
deterministic fake; one contract test suite runs against both.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from retrieval.errors import UserError

log = logging.getLogger(__name__)

Metadata = Mapping[str, str | int | float | bool]


class StoreError(UserError, RuntimeError):
    """The vector store is missing, corrupt or unreachable."""


@runtime_checkable
class ProductStore(Protocol):
    def upsert(
        self, ids: Sequence[str], embeddings: np.ndarray, metadatas: Sequence[Metadata], documents: Sequence[str]
    ) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def query(self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Nearest products as (id, cosine similarity), best first."""
        ...

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]: ...

    def content_hashes(self) -> dict[str, str]:
        """id -> `content_hash` metadata of every stored product (for upserts)."""
        ...

    def count(self) -> int: ...


def _batches(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


class ChromaProductStore:
    """A Chroma collection holding one catalog's product vectors."""

    def __init__(self, client: Any, collection: str) -> None:
        self._client = client
        self._name = _collection_name(collection)
        try:
            self._col = client.get_or_create_collection(
                name=self._name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine", "ef_construction": 100, "ef_search": 150}},
            )
        except Exception as exc:
            raise StoreError(f"cannot open the vector collection {collection!r}: {_one_line(exc)}") from exc

    @classmethod
    def open_persistent(cls, path: Path, collection: str) -> ChromaProductStore:
        import chromadb

        try:
            client = chromadb.PersistentClient(
                path=str(path), settings=chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
            )
        except Exception as exc:
            raise StoreError(f"cannot open the vector index at {path}: {_one_line(exc)}") from exc
        return cls(client, collection)

    @classmethod
    def connect_http(cls, url: str, collection: str) -> ChromaProductStore:
        """A Chroma server (`chroma run --path DIR`), for several worker processes."""
        from urllib.parse import urlparse

        import chromadb

        parsed = urlparse(url)
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=chromadb.Settings(anonymized_telemetry=False),
            )
        except Exception as exc:
            raise StoreError(f"cannot reach the Chroma server at {url}: {_one_line(exc)}") from exc
        return cls(client, collection)

    def upsert(
        self, ids: Sequence[str], embeddings: np.ndarray, metadatas: Sequence[Metadata], documents: Sequence[str]
    ) -> None:
        for part in _batches(len(ids), 2000):
            self._col.upsert(
                ids=list(ids[part]),
                embeddings=np.asarray(embeddings[part], dtype=np.float32),
                metadatas=[dict(m) for m in metadatas[part]],
                documents=list(documents[part]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for part in _batches(len(ids), 2000):
            self._col.delete(ids=list(ids[part]))

    def query(self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        if k <= 0:
            return []
        vector = np.asarray(embedding, dtype=np.float32).reshape(1, -1)
        try:
            res = self._col.query(query_embeddings=vector, n_results=k, where=where, include=["distances"])
        except Exception as first:
            # A Chroma server that was restarted or re-indexed may hold the collection under a new id:
            # look it up by name again once (the HTTP client itself reconnects on its own).
            try:
                self._col = self._client.get_collection(name=self._name, embedding_function=None)
                res = self._col.query(query_embeddings=vector, n_results=k, where=where, include=["distances"])
            except Exception as exc:
                raise StoreError(f"vector query failed: {_one_line(exc)}") from first
        ids = res["ids"][0]
        distances = (res.get("distances") or [[]])[0]
        return [(pid, 1.0 - float(d)) for pid, d in zip(ids, distances, strict=False)]

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        res = self._col.get(ids=list(ids), include=["embeddings"])
        embs = res.get("embeddings")
        if embs is None:
            return {}
        return {pid: np.asarray(e, dtype=np.float32) for pid, e in zip(res["ids"], embs, strict=False)}

    def content_hashes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        total = self.count()
        for offset in range(0, total, 5000):
            res = self._col.get(include=["metadatas"], limit=5000, offset=offset)
            for pid, meta in zip(res["ids"], res.get("metadatas") or [], strict=False):
                out[pid] = str((meta or {}).get("content_hash", ""))
        return out

    def all_embeddings(self) -> tuple[list[str], np.ndarray]:
        """Every stored (id, vector), for exact re-scoring in memory."""
        ids: list[str] = []
        chunks: list[np.ndarray] = []
        total = self.count()
        for offset in range(0, total, 5000):
            res = self._col.get(include=["embeddings"], limit=5000, offset=offset)
            ids += res["ids"]
            chunks.append(np.asarray(res["embeddings"], dtype=np.float32))
        matrix = np.concatenate(chunks) if chunks else np.zeros((0, 0), dtype=np.float32)
        return ids, matrix

    def count(self) -> int:
        return int(self._col.count())


def _collection_name(name: str) -> str:
    """Chroma names are 3-512 chars of [a-zA-Z0-9._-], starting and ending alphanumeric."""
    import re

    clean = re.sub(r"[^a-zA-Z0-9._-]", "-", name).strip("-._") or "catalog"
    return f"products-{clean}"[:512]


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


# ---------------------------------------------------------------- fake


def where_matches(where: Mapping[str, Any] | None, meta: Mapping[str, Any]) -> bool:
    """Evaluate a Chroma `where` clause against one metadata dict (the subset we emit)."""
    if not where:
        return True
    for key, cond in where.items():
        if key == "$and":
            if not all(where_matches(c, meta) for c in cond):
                return False
            continue
        if key == "$or":
            if not any(where_matches(c, meta) for c in cond):
                return False
            continue
        value = meta.get(key)
        if not isinstance(cond, dict):
            cond = {"$eq": cond}
        for op, target in cond.items():
            if value is None:
                return False
            ok = {
                "$eq": lambda v, t: v == t,
                "$ne": lambda v, t: v != t,
                "$gt": lambda v, t: v > t,
                "$gte": lambda v, t: v >= t,
                "$lt": lambda v, t: v < t,
                "$lte": lambda v, t: v <= t,
                "$in": lambda v, t: v in t,
                "$nin": lambda v, t: v not in t,
            }[op](value, target)
            if not ok:
                return False
    return True


class InMemoryProductStore:
    """Brute-force cosine search over a dict: the fake for unit tests."""

    def __init__(self) -> None:
        self._vectors: dict[str, np.ndarray] = {}
        self._meta: dict[str, dict[str, Any]] = {}

    def upsert(
        self, ids: Sequence[str], embeddings: np.ndarray, metadatas: Sequence[Metadata], documents: Sequence[str]
    ) -> None:
        for pid, vec, meta in zip(ids, embeddings, metadatas, strict=True):
            norm = float(np.linalg.norm(vec)) or 1.0
            self._vectors[pid] = np.asarray(vec, dtype=np.float32) / norm
            self._meta[pid] = dict(meta)

    def delete(self, ids: Sequence[str]) -> None:
        for pid in ids:
            self._vectors.pop(pid, None)
            self._meta.pop(pid, None)

    def query(self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        q = np.asarray(embedding, dtype=np.float32)
        q = q / (float(np.linalg.norm(q)) or 1.0)
        scored = [
            (pid, float(vec @ q)) for pid, vec in self._vectors.items() if where_matches(where, self._meta[pid])
        ]
        scored.sort(key=lambda x: -x[1])
        return scored[: max(k, 0)]

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {pid: self._vectors[pid] for pid in ids if pid in self._vectors}

    def content_hashes(self) -> dict[str, str]:
        return {pid: str(m.get("content_hash", "")) for pid, m in self._meta.items()}

    def all_embeddings(self) -> tuple[list[str], np.ndarray]:
        ids = list(self._vectors)
        if not ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        return ids, np.stack([self._vectors[i] for i in ids])

    def count(self) -> int:
        return len(self._vectors)
