"""A text -> vector cache on disk so benchmarks and training embed each text once.

MiniLM encodes roughly 360 texts/s on 2 cores; the Home Depot judgements need
about 45k titles and 9k queries, so caching turns minutes into milliseconds on
every later run. The cache is keyed by the embedder name and the exact text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.embedding import Embedder


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Append-only cache of normalized vectors in one `.npz` per embedder."""

    def __init__(self, directory: Path, embedder: Embedder) -> None:
        self.embedder = embedder
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"emb-{embedder.name}-{embedder.dim}.npz"
        self._index: dict[str, int] = {}
        self._vectors = np.zeros((0, embedder.dim), dtype=np.float32)
        if self.path.exists():
            try:
                data = np.load(self.path, allow_pickle=False)
                keys = [str(k) for k in data["keys"]]
                self._vectors = np.asarray(data["vectors"], dtype=np.float32)
                self._index = {k: i for i, k in enumerate(keys)}
            except (OSError, ValueError, KeyError):
                self._index, self._vectors = {}, np.zeros((0, embedder.dim), dtype=np.float32)

    def embed(self, texts: Sequence[str], batch: int = 2048, progress: bool = False) -> np.ndarray:
        """Vectors for `texts` (rows in order); missing ones are embedded and saved."""
        missing = sorted({t for t in texts if _key(t) not in self._index})
        if missing:
            chunks = range(0, len(missing), batch)
            if progress:
                from tqdm import tqdm

                chunks = tqdm(chunks, desc="embedding", unit="batch")
            for start in chunks:
                part = missing[start : start + batch]
                vecs = np.asarray(self.embedder.embed(part), dtype=np.float32)
                base = len(self._vectors)
                self._vectors = np.vstack([self._vectors, vecs])
                for i, t in enumerate(part):
                    self._index[_key(t)] = base + i
                self._save()
        rows = [self._index[_key(t)] for t in texts]
        return self._vectors[rows] if rows else np.zeros((0, self.embedder.dim), dtype=np.float32)

    def _save(self) -> None:
        keys = np.array(sorted(self._index, key=self._index.__getitem__))
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=self._vectors)
        tmp.replace(self.path)
