"""The train -> bench pipeline end to end on a tiny Home Depot-shaped data set (fake embedder)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from evaluation import ranking as ranking_bench
from evaluation.datasets.homedepot import LtrData
from evaluation.training.cross_encoder import teacher_model, train_cross_encoder
from evaluation.training.ranker import train_ranker
from ranking.cross_encoder import CrossEncoderFile
from ranking.model import RankerModel
from retrieval.embedding import HashingEmbedder

NOUNS = ["drill", "hammer", "faucet", "paint", "ladder", "light", "saw", "tile", "hose", "fan"]
ADJ = ["cordless", "steel", "chrome", "white", "outdoor", "led", "circular", "ceramic", "garden", "ceiling"]


@pytest.fixture
def hd_files(tmp_path):
    products = tmp_path / "products.csv"
    labels = tmp_path / "labels.csv"
    with products.open("w", newline="", encoding="ISO-8859-1") as fh:
        w = csv.writer(fh)
        w.writerow(["product_uid", "product_title"])
        for i in range(100):
            w.writerow([100000 + i, f"Brand{i % 7} {ADJ[i % 10]} {NOUNS[(i // 10) % 10]} model {i}"])
    with labels.open("w", newline="", encoding="ISO-8859-1") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "product_uid", "search_term", "relevance"])
        row = 0
        for qi in range(300):
            adj, noun = ADJ[qi % 10], NOUNS[(qi * 3) % 10]
            query = f"{adj} {noun} {qi}"
            for k in range(6):
                i = (qi * 7 + k * 13) % 100
                title_adj, title_noun = ADJ[i % 10], NOUNS[(i // 10) % 10]
                rel = 1.0 + (title_noun == noun) * 1.5 + (title_adj == adj) * 0.5
                row += 1
                w.writerow([row, 100000 + i, query, f"{rel:.2f}"])
    return products, labels


def test_train_then_bench(tmp_path, hd_files):
    products, labels = hd_files
    out = tmp_path / "ranker.json.gz"
    model = train_ranker(products, labels, out, HashingEmbedder(64), tmp_path / "cache", progress=False,
                         log=lambda _m: None, threads=1)
    assert out.is_file() and out.stat().st_size < 3_000_000
    assert model.metadata["train_queries"] > 100 and model.version.startswith("hd-lgbm-")
    assert RankerModel.load(out).version == model.version
    result = ranking_bench.run(products, labels, HashingEmbedder(64), tmp_path / "cache", out)
    assert {"ndcg@10", "rmse", "retrieval_ndcg@10", "p95_ms"} <= set(result)
    assert float(result["ndcg@10"]) > 0.8 and float(result["rmse"]) < 0.5
    lo, hi = result["gain_ci95"]  # type: ignore[misc]
    gain = float(result["ndcg@10"]) - float(result["retrieval_ndcg@10"])  # type: ignore[arg-type]
    assert lo <= hi and lo - 0.002 <= gain <= hi + 0.002  # the interval is around the measured gain


@pytest.mark.slow
def test_train_cross_encoder_then_bench_with_it(tmp_path, hd_files):
    """The whole `train cross-encoder` path on a tiny judged set: teacher, teacher labels, student,
    blend tuned on dev on the int8 graph; then the bench serves it and reports what it adds."""
    products, labels = hd_files
    ranker_file = tmp_path / "ranker.json.gz"
    train_ranker(products, labels, ranker_file, HashingEmbedder(64), tmp_path / "cache", progress=False,
                 log=lambda _m: None, threads=1)
    out, teacher = tmp_path / "ce.npz", tmp_path / "teacher.npz"
    model = train_cross_encoder(products, labels, out, HashingEmbedder(64), tmp_path / "cache", teacher,
                                ranker_path=ranker_file, extra_per_query=2, epochs=0.2,
                                onnx_cache=tmp_path / "onnx", progress=False, log=lambda _m: None)
    assert out.is_file() and out.stat().st_size < 12_000_000 and teacher.is_file()
    meta = model.metadata
    assert model.version.startswith("hd-ce2-") and meta["layers"] == 2 and meta["backend"] == "onnx-int8"
    assert meta["train_pairs_unjudged"] > 0 and 0.0 <= meta["blend_weight"] <= 3.0
    assert meta["dev_ndcg@10"] >= meta["dev_ndcg@10_without"]  # weight 0 is on the grid
    assert CrossEncoderFile.load(teacher).layers == 6
    # a second run reuses the saved teacher instead of training it again
    again = teacher_model(teacher, LtrData(np.zeros((0, 1)), np.zeros(0), [], [], []), 0.2, 0, 1, False,
                          lambda _m: None)
    assert again.version == CrossEncoderFile.load(teacher).version
    result = ranking_bench.run(products, labels, HashingEmbedder(64), tmp_path / "cache", ranker_file,
                               cross_encoder_path=out)
    assert result["cross_encoder"] == model.version and "ndcg@10_without_cross_encoder" in result
