from __future__ import annotations

import numpy as np
import pytest

from retrieval.embedding import QUERY_BATCH, HashingEmbedder, SentenceTransformerEmbedder


def test_hashing_fake_is_deterministic_and_normalized() -> None:
    emb = HashingEmbedder(32)
    a = emb.embed(["red shoes", "red shoes", "blue kettle", ""])
    assert np.allclose(a[0], a[1]) and np.allclose(np.linalg.norm(a, axis=1), 1.0)
    assert float(a[0] @ a[2]) < 0.99
    assert emb.embed([]).shape == (0, 32)


@pytest.mark.slow
def test_query_fast_path_gives_the_same_vectors_as_encode(minilm: SentenceTransformerEmbedder) -> None:
    texts = ["is it waterproof?", "gold ring for women under 20000", "防水登山鞋 " * 60, "x"]
    assert len(texts) <= QUERY_BATCH
    fast = minilm.embed(texts)
    assert minilm._model is not None
    reference = minilm._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert fast.shape == (4, 384) and fast.dtype == np.float32
    assert np.allclose(np.sum(fast * reference, axis=1), 1.0, atol=1e-5)
    batch = minilm.embed(texts * 3)  # over QUERY_BATCH: the batched encode path
    assert np.allclose(np.sum(batch[:4] * reference, axis=1), 1.0, atol=1e-5)
