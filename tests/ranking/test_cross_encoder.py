"""The head re-scoring cross-encoder: blend arithmetic, the weights file, the ranker seam, the real model."""

from __future__ import annotations

import numpy as np
import pytest

from ranking.cross_encoder import (
    PROBE_PAIRS,
    CrossEncoder,
    CrossEncoderFile,
    is_english,
    rescore_head,
)
from ranking.errors import ModelFileError
from ranking.features import Candidate
from ranking.ranker import Ranker
from retrieval.catalog import Product


def test_rescore_head_reorders_the_head_and_never_lifts_unread_rows_past_it():
    base = np.array([3.0, 2.5, 2.0, 1.9, 0.5], dtype=np.float32)
    head = np.array([0, 1, 2])
    grades = np.array([1.2, 2.9, 2.0])  # the cross-encoder prefers row 1, dislikes row 0
    out = rescore_head(base, head, grades, mean=2.0, std=0.5, weight=1.0)
    # z = (-1.6, 1.8, 0): the head becomes 1, 2, 0; unread rows get the lowest z and keep their order
    assert list(np.argsort(-out)) == [1, 2, 0, 3, 4]
    assert np.allclose(rescore_head(base, head, grades, 2.0, 0.5, 0.0), base)  # weight 0 = no change


def test_is_english_gate():
    assert is_english("cordless drill 18v") and is_english("café table")
    assert not is_english("我想买一双防水的登山鞋") and not is_english("123") and not is_english("")


def _weights_file(tmp_path, **meta):
    weights = {"head.weight": np.arange(6, dtype=np.float32).reshape(1, 6) / 7, "head.bias": np.ones(1)}
    f = CrossEncoderFile(weights, {"layers": 2, "version": "test-ce", **meta})
    path = tmp_path / "ce.npz"
    f.save(path)
    return f, path


def test_weights_file_round_trip_and_fingerprint(tmp_path):
    f, path = _weights_file(tmp_path, blend_weight=0.7)
    back = CrossEncoderFile.load(path)
    assert back.version == "test-ce" and back.metadata["blend_weight"] == 0.7
    assert np.allclose(back.weights["head.weight"], f.weights["head.weight"], atol=1e-3)  # stored as fp16
    retuned = CrossEncoderFile(back.weights, {**back.metadata, "blend_weight": 1.5})
    assert retuned.fingerprint() == back.fingerprint()  # retuning the blend does not re-export the graph


def test_missing_corrupt_or_foreign_weights_name_the_rebuild_command(tmp_path):
    with pytest.raises(ModelFileError, match="shopassist train cross-encoder"):
        CrossEncoderFile.load(tmp_path / "nope.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(ModelFileError, match=r"unreadable.*shopassist train cross-encoder"):
        CrossEncoderFile.load(bad)
    _, wrong = _weights_file(tmp_path, layers=12)
    with pytest.raises(ModelFileError, match="MiniLM cross-encoder layers"):
        CrossEncoderFile.load(wrong)
    other = tmp_path / "other.npz"
    np.savez(other, __meta__=np.array('{"format": "something-else"}'))
    with pytest.raises(ModelFileError, match="unknown format"):
        CrossEncoderFile.load(other)


class TitleLengthCrossEncoder:
    """Stands in for the network: prefers short titles, and records what it was asked."""

    top_k = 2
    weight = 5.0
    calls: list[tuple[str, list[str]]]

    def __init__(self) -> None:
        self.calls = []

    def score(self, query: str, titles: list[str]) -> np.ndarray:
        self.calls.append((query, list(titles)))
        return np.array([3.0 - len(t) / 100 for t in titles], dtype=np.float32)

    def rescore(self, base: np.ndarray, head: np.ndarray, grades: np.ndarray) -> np.ndarray:
        return rescore_head(base, head, grades, 2.5, 0.1, self.weight)

    def blend_grade(self, regressor_grade: np.ndarray, grades: np.ndarray) -> np.ndarray:
        return np.clip(grades, 1, 3).astype(np.float32)


def test_ranker_rescores_only_the_head_of_english_queries(tiny_model, products):
    assert not Ranker(tiny_model).use_cross_encoder  # not tuned on this model: off unless asked for
    fake = TitleLengthCrossEncoder()
    ranker = Ranker(tiny_model, cross_encoder=fake)  # type: ignore[arg-type]
    cands = [Candidate(p, 0.5, 1.0) for p in products[:8]]
    without = Ranker(tiny_model).rank("red running shoes", cands, None, diversify=False)
    ranked = ranker.rank("red running shoes", cands, None, diversify=False, with_relevance=True)
    assert len(fake.calls) == 1 and len(fake.calls[0][1]) == 2  # top_k titles only
    head_titles = set(fake.calls[0][1])
    assert head_titles == {r.product.title for r in without[:2]}  # the head as the ranker saw it
    assert {r.product.title for r in ranked[:2]} == head_titles  # unread rows stay behind the head
    assert all(r.relevance is not None for r in ranked)
    ranker.rank("红色跑鞋", cands, None)
    assert len(fake.calls) == 1  # not English: no call


@pytest.mark.slow
def test_shipped_cross_encoder_on_int8_onnx_matches_torch_and_reads_relevance(tmp_path):
    ce = CrossEncoder(cache_dir=tmp_path)
    assert ce.backend == "onnx-int8" and ce.version.startswith("hd-ce2-")
    assert ce.weight > 0 and ce.top_k == 10 and ce.file.metadata["dev_ndcg@10"] > ce.file.metadata[
        "dev_ndcg@10_without"]
    queries = [q for q, _ in PROBE_PAIRS]
    titles = [t for _, t in PROBE_PAIRS]
    onnx = np.array([ce.score(q, [t])[0] for q, t in zip(queries, titles, strict=True)])
    exact = ce._score_torch(queries, titles)
    assert np.max(np.abs(onnx - exact)) < 0.15
    drill = ce.score("cordless drill", [
        "RYOBI ONE+ 18V Cordless 1/2 in. Drill/Driver Kit",
        "RYOBI ONE+ 18V Lithium-Ion 4.0 Ah Battery",
        "Glacier Bay 36 in. Vanity in White",
    ])
    assert drill[0] > drill[1] > drill[2] and drill[0] - drill[1] > 0.3
    # a second instance reuses the exported graph
    assert CrossEncoder(cache_dir=tmp_path).backend == "onnx-int8"
    assert len(list(tmp_path.glob("cross-encoder-*-int8.onnx"))) == 1


@pytest.mark.slow
def test_shipped_ranker_reads_the_head_with_the_cross_encoder():
    ranker = Ranker()
    assert ranker.use_cross_encoder and ranker.cross_encoder is not None
    titles = ["RYOBI ONE+ 18V Lithium-Ion 4.0 Ah Battery for cordless drill",
              "RYOBI ONE+ 18V Cordless 1/2 in. Drill/Driver Kit",
              "RYOBI ONE+ 18V Lithium-Ion 4.0 Ah Battery",
              "Glacier Bay 36 in. Vanity in White",
              "DEWALT 20-Volt MAX Cordless Drill/Driver Kit"]
    cands = [Candidate(Product(id=str(i), title=t, price=99.0), 0.6, 5.0) for i, t in enumerate(titles)]
    words_only = Ranker(use_cross_encoder=False).rank("cordless drill", cands, None, diversify=False)
    assert "Battery" in words_only[0].product.title  # the accessory that names the query wins on words
    ranked = ranker.rank("cordless drill", cands, None, diversify=False, with_relevance=True)
    assert ranked[0].product.title.endswith("Drill/Driver Kit")  # read together, a drill wins
    assert ranked[-1].product.title.startswith("Glacier Bay")

def test_a_failing_cross_encoder_keeps_the_rankers_order(tiny_model, products, caplog):
    class Broken(TitleLengthCrossEncoder):
        def score(self, query: str, titles: list[str]) -> np.ndarray:
            raise RuntimeError("onnx session died")

    cands = [Candidate(p, 0.5, 1.0) for p in products[:8]]
    want = [r.product.id for r in Ranker(tiny_model).rank("red running shoes", cands, None)]
    got = Ranker(tiny_model, cross_encoder=Broken()).rank("red running shoes", cands, None)  # type: ignore[arg-type]
    assert [r.product.id for r in got] == want
    assert "cross-encoder failed (RuntimeError: onnx session died)" in caplog.text


@pytest.mark.slow
def test_app_ranker_follows_settings_and_survives_a_missing_cross_encoder(monkeypatch, tmp_path, caplog):
    from assistant import services as app_factory
    from assistant.settings import RankingSettings
    from ranking import cross_encoder

    on = app_factory._ranker(RankingSettings(cross_encoder_threads=1), tmp_path)
    assert on.cross_encoder is not None and on.cross_encoder.backend == "onnx-int8"
    assert on.cross_encoder._threads == 1
    assert app_factory._ranker(RankingSettings(cross_encoder=False), tmp_path).cross_encoder is None
    monkeypatch.setattr(cross_encoder, "default_path", lambda: tmp_path / "gone.npz")
    degraded = app_factory._ranker(RankingSettings(), tmp_path)
    assert degraded is not None and degraded.cross_encoder is None  # LightGBM order still served
    assert "the cross-encoder is off" in caplog.text and "shopassist train cross-encoder" in caplog.text
