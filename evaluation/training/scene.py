"""Trains the scene model (`shopassist train scene`) from the examples in evaluation.datasets.scenes.

Steps: embed every text (cached by text when a cache dir is given), fit the
n-gram vectorizer, produce out-of-fold predictions to fit the out-of-scope
gate, then fit the final heads on all data. The product only loads the result
(scene.loader); it never trains.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from evaluation.datasets.scenes import TRAIN_FILE, Example, examples_digest, read_jsonl
from retrieval.embedding import Embedder, default_embedder
from scene.features import NgramVectorizer, dense_extras, normalize, stack
from scene.model import LinearHead, SceneModel
from scene.taxonomy import OUT_OF_SCOPE

Progress = Callable[[str, int], None]  # (stage description, percent done)


@dataclass(frozen=True)
class TrainConfig:
    tfidf_weight: float = 2.0
    c_scene: float = 4.0
    c_sub: float = 4.0
    c_binary: float = 2.0
    folds: int = 3
    centroids_per_scene: int = 12
    max_in_scope_loss: float = 0.005  # gate threshold: at most this share of in-scope OOF lost to out_of_scope
    max_features: int = 25000


def embed_cached(embedder: Embedder, texts: Sequence[str], cache_dir: Path | None,
                 progress: Progress | None = None) -> np.ndarray:
    """Embeddings of `texts`, reusing `cache_dir/emb-<name>.npz` across runs."""
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    cache: dict[str, np.ndarray] = {}
    path = cache_dir / f"emb-{embedder.name}.npz" if cache_dir else None
    if path and path.exists():
        z = np.load(path, allow_pickle=False)
        cache = dict(zip(z["keys"].tolist(), z["vecs"], strict=True))
    # sorted by length so each batch pads little (the embedding is most of the training time)
    missing = sorted({(k, t) for k, t in zip(keys, texts, strict=True) if k not in cache}, key=lambda kt: len(kt[1]))
    step = 256
    for start in range(0, len(missing), step):
        chunk = missing[start : start + step]
        vecs = embedder.embed([t for _, t in chunk])
        cache.update({k: v for (k, _), v in zip(chunk, vecs, strict=True)})
        if progress:
            progress("embedding", int(100 * min(len(missing), start + step) / max(1, len(missing))))
    if path and missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, keys=np.array(list(cache)), vecs=np.stack(list(cache.values())))
    return np.stack([cache[k] for k in keys]).astype(np.float32)


def _lr(c: float, balanced: bool = True) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=400, class_weight="balanced" if balanced else None, tol=1e-3)


def _head(model: LogisticRegression, d_dense: int) -> LinearHead:
    coef = np.asarray(model.coef_, dtype=np.float32)
    bias = np.asarray(model.intercept_, dtype=np.float32)
    classes = [str(c) for c in model.classes_]
    if len(classes) == 2 and coef.shape[0] == 1:  # sklearn keeps one row for two classes
        coef = np.vstack([np.zeros_like(coef), coef])
        bias = np.concatenate([np.zeros(1, dtype=np.float32), bias])
    return LinearHead(classes, coef[:, :d_dense], coef[:, d_dense:], bias)


def _centroids(emb: np.ndarray, labels: np.ndarray, per_scene: int) -> np.ndarray:
    cents = []
    for scene in sorted(set(labels.tolist())):
        if scene == OUT_OF_SCOPE:
            continue
        rows = emb[labels == scene]
        k = max(1, min(per_scene, len(rows) // 8))
        km = KMeans(n_clusters=k, n_init=1, random_state=0).fit(rows)
        c = km.cluster_centers_
        cents.append(c / np.linalg.norm(c, axis=1, keepdims=True))
    return np.vstack(cents).astype(np.float32)


def _gate_matrix(p_oos_scene: np.ndarray, p_oos_bin: np.ndarray, sim: np.ndarray, cov: np.ndarray,
                 cjk: np.ndarray) -> np.ndarray:
    return np.column_stack([p_oos_scene, p_oos_bin, sim, cov, cjk]).astype(np.float64)


def train(examples: Sequence[Example], embedder: Embedder, config: TrainConfig | None = None,
          cache_dir: Path | None = None, progress: Progress | None = None) -> SceneModel:
    cfg = config or TrainConfig()
    t0 = time.perf_counter()

    def report(stage: str, pct: int) -> None:
        if progress:
            progress(stage, pct)

    texts = [normalize(e.text) for e in examples]
    y = np.array([e.scene for e in examples])
    is_oos = (y == OUT_OF_SCOPE).astype(int)
    emb = embed_cached(embedder, texts, cache_dir, progress)
    vec = NgramVectorizer().fit(texts, max_features=cfg.max_features)
    tfidf, cov = vec.transform(texts)
    extras = dense_extras(texts)
    X = stack(emb, tfidf, extras, cfg.tfidf_weight)
    d_dense = emb.shape[1] + extras.shape[1]

    # out-of-fold outputs for the gate
    report("out-of-fold models", 0)
    oof_scene = np.zeros(len(texts))
    oof_bin = np.zeros(len(texts))
    oof_sim = np.zeros(len(texts))
    skf = StratifiedKFold(n_splits=cfg.folds, shuffle=True, random_state=0)
    for f, (tr, te) in enumerate(skf.split(texts, y)):
        m = _lr(cfg.c_scene).fit(X[tr], y[tr])
        oof_scene[te] = m.predict_proba(X[te])[:, list(m.classes_).index(OUT_OF_SCOPE)]
        b = _lr(cfg.c_binary).fit(X[tr], is_oos[tr])
        oof_bin[te] = b.predict_proba(X[te])[:, 1]
        cents = _centroids(emb[tr], y[tr], cfg.centroids_per_scene)
        oof_sim[te] = (emb[te] @ cents.T).max(axis=1)
        report("out-of-fold models", int(100 * (f + 1) / cfg.folds))
    G = _gate_matrix(oof_scene, oof_bin, oof_sim, cov, extras[:, 0])
    gate = LogisticRegression(C=1.0, class_weight="balanced", max_iter=200).fit(G, is_oos)
    gscore = gate.predict_proba(G)[:, 1]
    in_scores = np.sort(gscore[is_oos == 0])
    threshold = float(in_scores[int((1 - cfg.max_in_scope_loss) * (len(in_scores) - 1))]) + 1e-6
    threshold = min(max(threshold, 0.2), 0.9)

    report("final models", 0)
    scene_m = _lr(cfg.c_scene).fit(X, y)
    report("final models", 40)
    sup = np.array([e.sub_intent is not None and e.scene == "support" for e in examples])
    sub_m = _lr(cfg.c_sub).fit(X[sup], np.array([e.sub_intent for e in examples])[sup])
    report("final models", 70)
    bin_m = _lr(cfg.c_binary).fit(X, is_oos)
    cents = _centroids(emb, y, cfg.centroids_per_scene)
    report("final models", 100)
    oof_recall = float((gscore[is_oos == 1] >= threshold).mean())
    return SceneModel(
        embedder_name=embedder.name,
        vectorizer=vec,
        tfidf_weight=cfg.tfidf_weight,
        scene=_head(scene_m, d_dense),
        sub=_head(sub_m, d_dense),
        binary=_head(bin_m, d_dense),
        centroids=cents,
        gate_w=np.asarray(gate.coef_[0], dtype=np.float64),
        gate_b=float(gate.intercept_[0]),
        gate_threshold=threshold,
        meta={
            "train_sha1": examples_digest(examples),
            "examples": str(len(examples)),
            "vocab": str(vec.size),
            "train_seconds": f"{time.perf_counter() - t0:.1f}",
            "oof_oos_recall": f"{oof_recall:.3f}",
        },
    )


def tqdm_progress(show: bool) -> Progress | None:
    """A (stage, percent) callback drawing one tqdm bar per stage."""
    if not show:
        return None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(stage: str, pct: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=100, desc=f"scene model: {stage}", unit="%", file=sys.stderr, leave=True)
        bar.update(max(0, pct - bar.n))
        if pct >= 100:
            bar.close()

    return progress


def build_model(
    out: Path,
    embedder: Embedder | None = None,
    train_file: Path = TRAIN_FILE,
    cache_dir: Path | None = None,
    show_progress: bool = True,
) -> SceneModel:
    """Train on `train_file` and save to `out`."""
    examples = list(read_jsonl(train_file))
    model = train(examples, embedder or default_embedder(), cache_dir=cache_dir, progress=tqdm_progress(show_progress))
    model.save(out)
    return model
