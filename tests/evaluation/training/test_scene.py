"""Training and persistence on a tiny set with the hashing embedder (seconds, no real model)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from evaluation.datasets.scenes import Example
from evaluation.training.scene import TrainConfig, embed_cached, train
from retrieval.embedding import HashingEmbedder
from scene.detector import SceneDetector
from scene.model import ModelError, SceneModel

TINY = {
    "search": ["i want running shoes", "show me red dresses", "looking for a laptop bag", "我想买跑鞋",
               "有没有红色的裙子", "need a coffee maker", "find hiking boots", "帮我找笔记本电脑包"],
    "cart": ["add it to my cart", "put the second one in my cart", "remove it from my cart", "加入购物车",
             "清空购物车", "checkout now", "show my cart", "把它加到购物车"],
    "support": ["where is my order", "i want a refund", "track my package", "我要退款", "订单到哪了",
                "cancel my order", "change my shipping address", "怎么修改收货地址"],
    "out_of_scope": ["what is the weather today", "book a flight to paris", "tell me the news", "今天天气怎么样",
                     "帮我订机票", "what's the capital of peru", "set an alarm", "播放音乐"],
}
SUBS = {"where is my order": "track_order", "track my package": "track_order", "订单到哪了": "track_order"}


def _examples() -> list[Example]:
    return [
        Example(t, scene, SUBS.get(t, "get_refund") if scene == "support" else None)
        for scene, texts in TINY.items()
        for t in texts
    ]


@pytest.fixture(scope="module")
def tiny_model() -> SceneModel:
    cfg = TrainConfig(folds=2, centroids_per_scene=2, max_features=2000)
    return train(_examples(), HashingEmbedder(), cfg, cache_dir=None)


def test_training_learns_the_tiny_set(tiny_model: SceneModel) -> None:
    detector = SceneDetector(tiny_model, HashingEmbedder())
    assert detector.detect("find hiking boots").scene == "search"
    assert detector.detect("加入购物车").scene == "cart"
    r = detector.detect("where is my order")
    assert r.scene == "support" and r.sub_intent == "track_order"
    assert 0.2 <= tiny_model.gate_threshold <= 0.9


def test_save_load_round_trip(tiny_model: SceneModel, tmp_path: Path) -> None:
    path = tiny_model.save(tmp_path / "m.npz.gz")
    loaded = SceneModel.load(path)
    emb = HashingEmbedder().embed(["where is my refund"])[0]
    a, b = tiny_model.predict("where is my refund", emb), loaded.predict("where is my refund", emb)
    assert a.sub_intent == b.sub_intent
    assert np.allclose(list(a.scene_probs.values()), list(b.scene_probs.values()), atol=1e-2)
    assert loaded.meta == tiny_model.meta and loaded.embedder_name == "hashing-64"


def test_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz.gz"
    with gzip.open(bad, "wb") as fh:
        fh.write(b"not a model")
    with pytest.raises(ModelError, match="shopassist train scene"):
        SceneModel.load(bad)
    with pytest.raises(ModelError):
        SceneModel.load(tmp_path / "missing.npz.gz")


def test_embedding_cache_is_reused(tmp_path: Path) -> None:
    class Counting(HashingEmbedder):
        calls = 0

        def embed(self, texts):
            Counting.calls += len(texts)
            return super().embed(texts)

    emb = Counting()
    first = embed_cached(emb, ["a b", "c d", "a b"], tmp_path)
    again = embed_cached(emb, ["c d", "a b"], tmp_path)
    assert Counting.calls == 2
    assert np.allclose(first[1], again[0])
