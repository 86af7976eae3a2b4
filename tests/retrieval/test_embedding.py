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


@pytest.mark.slow
def test_the_shared_embedder_runs_on_onnx_with_torchs_vectors(minilm: SentenceTransformerEmbedder) -> None:
    assert minilm.backend == "onnx"  # onnx + onnxruntime are core dependencies: the fast path is the default
    texts = ["waterproof jacket under 1500", "我想买一双防水的登山鞋", "a", "Simpson Strong-Tie 12-Gauge Angle " * 40]
    torch_vectors = minilm._encode_query(texts)  # the torch forward pass, for reference
    for vectors in (minilm.embed(texts), minilm.embed(texts * 5)[:4]):  # query session, then the batch session
        assert vectors.dtype == np.float32 and vectors.shape == (4, 384)
        assert np.min(np.sum(vectors * torch_vectors, axis=1)) > 0.9999


@pytest.mark.slow
def test_onnx_export_is_cached_and_a_damaged_cache_file_is_rebuilt(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    first.warm_up()
    files = list(tmp_path.glob("*.onnx"))
    assert first.backend == "onnx" and len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    again = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    again.warm_up()
    assert again.backend == "onnx" and files[0].stat().st_mtime_ns == stamp  # reused, not exported again
    files[0].write_bytes(b"not an onnx graph")
    damaged = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    damaged.warm_up()  # falls back to torch for this process and deletes the bad file ...
    assert damaged.backend == "torch" and np.allclose(np.linalg.norm(damaged.embed(["shoes"]), axis=1), 1.0)
    fresh = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    fresh.warm_up()  # ... so the next start exports it again
    assert fresh.backend == "onnx"


@pytest.mark.slow
def test_runtime_torch_never_tries_onnx_and_bad_runtime_names_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="runtime"):
        SentenceTransformerEmbedder(runtime="gpu")
    plain = SentenceTransformerEmbedder(runtime="torch", onnx_cache=tmp_path)
    plain.warm_up()
    assert plain.backend == "torch" and not list(tmp_path.iterdir())  # nothing exported


@pytest.mark.slow
def test_catalog_documents_may_run_on_int8_while_queries_stay_exact(tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts = ["Simpson Strong-Tie 12-Gauge Angle", "BEHR Premium Textured DeckOver 1-gal. Tugboat Coating",
             "Alisha Solid Women's Cycling Shorts", "防水登山鞋", "a"] * 3
    exact_only = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    exact = exact_only.embed_documents(texts)  # without int8_documents: the same as `embed`
    assert np.allclose(exact, exact_only.embed(texts), atol=1e-6)
    fast = SentenceTransformerEmbedder(onnx_cache=tmp_path, int8_documents=True)
    docs = fast.embed_documents(texts)
    assert fast._onnx.documents_precision == "int8" and list(tmp_path.glob("*-int8.onnx"))
    cosines = np.sum(docs * exact, axis=1)
    assert cosines.min() > 0.97 and cosines.max() < 0.99999  # close to, but not, the exact vectors
    assert np.allclose(fast.embed(texts), exact, atol=1e-5)  # queries (and model training) stay exact
