"""`shopassist bench ranking`: the learned ranker against retrieval-only orders on held-out queries.

On the query-disjoint test queries of the Home Depot judgements, each query's
judged products are re-ranked (a) by the ranker and (b) by dense cosine, BM25
and the retrieval layer's fusion; `retrieval_ndcg@10` is the best of (b).
RMSE is that of the served 1..3 grade (the regression head's, moved toward the
cross-encoder's on the ten best). `ndcg@10_without_cross_encoder` is the same
ranker with the cross-encoder switched off. `p95_ms` times `rank()` on
100-candidate lists (judged products topped up with other products, scores
computed the same way) for a user with a non-empty profile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from evaluation.datasets.errors import DatasetError
from evaluation.datasets.homedepot import LtrData, load_ltr_data, mean_ndcg, per_query_ndcg
from evaluation.embcache import EmbeddingCache
from evaluation.metrics import paired_bootstrap_ci, percentile
from ranking.cross_encoder import CrossEncoder
from ranking.events import EventType
from ranking.model import RankerModel
from ranking.profile import ProfileConfig, UserProfile, apply_event
from ranking.ranker import Ranker
from retrieval.embedding import Embedder


def _retrieval_orders(test: LtrData) -> dict[str, np.ndarray]:
    from retrieval.hybrid import FusionParams, fuse

    params = FusionParams.load()
    dense = np.concatenate([[c.dense_score for c in cs] for cs in test.candidates])
    bm25 = np.concatenate([[c.bm25_score for c in cs] for cs in test.candidates])
    fused = np.concatenate(
        [fuse(dense[sl], bm25[sl], params) for sl in test.group_slices()]
    )
    return {"dense": dense, "bm25": bm25, "fusion": fused}


def latency_p95(
    ranker: Ranker,
    test: LtrData,
    cache: EmbeddingCache,
    n_queries: int = 200,
    n_cands: int = 100,
    seed: int = 0,
) -> tuple[float, float]:
    """p95 milliseconds of `rank()` for 100 candidates and a user with history: wall clock and
    this thread's CPU time (the latter is what other jobs on a shared machine cannot inflate)."""
    rng = np.random.default_rng(seed)
    pool = [c for cs in test.candidates for c in cs]
    vecs = cache.embed([c.product.embedding_text() for c in pool])
    profile = UserProfile(user_id="bench")
    for j in rng.choice(len(pool), size=min(8, len(pool)), replace=False):
        apply_event(profile, EventType.CLICK, pool[j].product, time.time(), ProfileConfig(), vecs[j])
    times, cpu_times = [], []
    offsets = np.concatenate([[0], np.cumsum(test.groups)])
    picks = rng.choice(len(test.queries), size=min(n_queries, len(test.queries)), replace=False)
    for qi in picks:
        own = np.arange(offsets[qi], offsets[qi + 1])
        extra = rng.choice(len(pool), size=max(n_cands - len(own), 0), replace=False)
        rows = np.concatenate([own, extra])
        cands = [pool[j] for j in rows]
        pv = vecs[rows]
        t0, c0 = time.perf_counter(), time.thread_time()
        ranker.rank(test.queries[qi], cands, profile, product_vectors=pv)
        times.append((time.perf_counter() - t0) * 1000)
        cpu_times.append((time.thread_time() - c0) * 1000)
    return percentile(times, 95, ndigits=6) or 0.0, percentile(cpu_times, 95, ndigits=6) or 0.0


def _rank_test(ranker: Ranker, test: LtrData) -> tuple[np.ndarray, np.ndarray]:
    """The served score and the 1..3 grade of every judged test pair (no profile, no diversity)."""
    scores = np.zeros(len(test.y), dtype=np.float32)
    grades = np.zeros(len(test.y), dtype=np.float32)
    for q, cs, sl in zip(test.queries, test.candidates, test.group_slices(), strict=True):
        ranked = ranker.rank(q, cs, None, diversify=False, with_relevance=True)
        pos = {id(r.product): r for r in ranked}
        scores[sl] = [pos[id(c.product)].score for c in cs]
        grades[sl] = [pos[id(c.product)].relevance or 0.0 for c in cs]
    return scores, grades


def run(
    products_file: Path,
    labels_file: Path,
    embedder: Embedder,
    cache_dir: Path,
    model_path: Path | None = None,
    progress: bool = False,
    cross_encoder_path: Path | None = None,
    use_cross_encoder: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, float | int | str | list[float]]:
    model = RankerModel.load(model_path)
    data = load_ltr_data(products_file, labels_file, embedder, cache_dir, ("test",), progress)
    test = data.splits["test"]
    if not test.groups:
        raise DatasetError("no test queries in the labels file")
    if use_cross_encoder is None:  # as `Ranker`: tuned on the shipped model, so on for it or when named
        use_cross_encoder = cross_encoder_path is not None or model_path is None
    ce = CrossEncoder(cross_encoder_path) if use_cross_encoder else None
    ranker = Ranker(model, cross_encoder=ce, use_cross_encoder=use_cross_encoder)
    scores, grades = _rank_test(ranker, test)
    # the same ranker without its cross-encoder: what the head re-scoring adds
    scores_lgbm, _ = _rank_test(Ranker(model, use_cross_encoder=False), test) if ce else (scores, grades)
    orders = _retrieval_orders(test)
    baselines = {name: mean_ndcg(test, s) for name, s in orders.items()}
    best = max(baselines, key=baselines.__getitem__)
    gain_lo, gain_hi = paired_bootstrap_ci(per_query_ndcg(test, scores), per_query_ndcg(test, orders[best]))
    if log:
        log("retrieval-only nDCG@10: " + ", ".join(f"{k} {v:.4f}" for k, v in baselines.items()))
    p95, p95_cpu = latency_p95(ranker, test, EmbeddingCache(cache_dir, embedder))
    return {
        "ndcg@10": round(mean_ndcg(test, scores), 4),
        "rmse": round(float(np.sqrt(np.mean((grades - test.y) ** 2))), 4),
        "retrieval_ndcg@10": round(baselines[best], 4),
        "retrieval_order": best,
        # is the ranker's gain over that order more than query sampling noise? (paired bootstrap, 95 %)
        "gain_ci95": [round(gain_lo, 4), round(gain_hi, 4)],
        "random_order_ndcg@10": round(mean_ndcg(test, np.zeros(len(test.y), dtype=np.float32)), 4),
        "ndcg@10_without_cross_encoder": round(mean_ndcg(test, scores_lgbm), 4),
        "p95_ms": round(p95, 2),
        "p95_cpu_ms": round(p95_cpu, 2),
        "queries": len(test.groups),
        "pairs": len(test.y),
        "model_version": model.version,
        "cross_encoder": ce.version if ce else "off",
        "cross_encoder_backend": ce.backend if ce else "off",
    }
