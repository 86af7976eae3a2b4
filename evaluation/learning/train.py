"""A ranker from debiased behaviour: aggregate IPS relevance per (query, product), then LambdaMART.

Per impression, the shopper's feedback is `click + cart + 0.5 * like - 0.5 * dislike`, divided by the
examination propensity of the position it was shown at (`propensity`). Its mean over every impression
of the same (query, product) is an unbiased estimate of how good that product is for that query under
the position-based model; grouping impressions this way also averages away most of the noise of single
IPS-weighted clicks. Queries become LambdaMART groups, the estimates are cut into grades 0..6, and the
features are the logged ones (`ranking.features.RELEVANCE_FEATURES`, as the ranker saw them), so the new
model plugs into `ranking.ranker.Ranker` unchanged. A regressor on the same estimates gives the 1..3
relevance grade the model file also carries.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import lightgbm as lgb
import numpy as np

from evaluation.learning.logs import Logged
from evaluation.learning.propensity import Propensities
from ranking.features import RELEVANCE_FEATURES
from ranking.model import RankerModel

GRADES = 6
PARAMS: dict[str, object] = {
    "objective": "lambdarank", "metric": "ndcg", "eval_at": [5], "learning_rate": 0.05, "num_leaves": 15,
    "min_data_in_leaf": 10, "feature_fraction": 0.9, "bagging_fraction": 0.9, "bagging_freq": 1,
    "label_gain": list(range(GRADES + 1)), "num_threads": 2, "verbose": -1, "seed": 7,
}
REG_PARAMS: dict[str, object] = {"objective": "regression", "learning_rate": 0.05, "num_leaves": 15,
                                 "min_data_in_leaf": 10, "num_threads": 2, "verbose": -1, "seed": 7}


def feedback(logs: Logged) -> np.ndarray:
    return logs.click + logs.cart + 0.5 * logs.like - 0.5 * logs.dislike


@dataclass
class Aggregated:
    X: np.ndarray
    relevance: np.ndarray  # IPS estimate per (query, product)
    impressions: np.ndarray
    groups: list[int]  # sizes, queries in order
    queries: list[str]


def aggregate(logs: Logged, prop: Propensities, min_products: int = 3) -> Aggregated:
    ips = feedback(logs) * prop.weight(logs.position)
    by_pair: dict[tuple[str, str], list[int]] = {}
    for n, key in enumerate(zip(logs.query.tolist(), logs.product.tolist(), strict=True)):
        by_pair.setdefault(key, []).append(n)
    by_query: dict[str, list[tuple[str, list[int]]]] = {}
    for (q, p), rows in by_pair.items():
        by_query.setdefault(q, []).append((p, rows))
    X, rel, imp, groups, queries = [], [], [], [], []
    for q in sorted(by_query):
        items = by_query[q]
        values = [float(ips[rows].mean()) for _, rows in items]
        if len(items) < min_products or max(values) <= 0:
            continue
        for (_, rows), value in zip(items, values, strict=True):
            X.append(logs.X[rows].mean(axis=0))
            rel.append(value)
            imp.append(len(rows))
        groups.append(len(items))
        queries.append(q)
    width = len(RELEVANCE_FEATURES)
    return Aggregated(np.asarray(X, dtype=np.float32).reshape(-1, width), np.asarray(rel), np.asarray(imp),
                      groups, queries)


def grades(relevance: np.ndarray) -> np.ndarray:
    positive = relevance[relevance > 0]
    top = float(np.percentile(positive, 95)) if len(positive) else 1.0
    return np.clip(np.rint(GRADES * np.maximum(relevance, 0) / max(top, 1e-9)), 0, GRADES).astype(np.int32)


def _split(data: Aggregated, seed: int) -> tuple[np.ndarray, list[int], np.ndarray, list[int]]:
    """Rows and group sizes of a train part and a validation part (a fifth of the queries)."""
    rng = np.random.default_rng(seed)
    val = rng.random(len(data.groups)) < 0.2
    starts = np.concatenate([[0], np.cumsum(data.groups)])
    tr_rows: list[int] = []
    va_rows: list[int] = []
    tr_g: list[int] = []
    va_g: list[int] = []
    for g, size in enumerate(data.groups):
        rows = list(range(int(starts[g]), int(starts[g + 1])))
        (va_rows if val[g] else tr_rows).extend(rows)
        (va_g if val[g] else tr_g).append(size)
    return np.asarray(tr_rows, dtype=np.int64), tr_g, np.asarray(va_rows, dtype=np.int64), va_g


def train_model(data: Aggregated, version_tag: str, seed: int = 7, max_rounds: int = 400) -> RankerModel:
    names = list(RELEVANCE_FEATURES)
    y = grades(data.relevance)
    tr, tr_g, va, va_g = _split(data, seed)
    if not va_g:
        tr, tr_g, va, va_g = tr, tr_g, tr, tr_g
    d_tr = lgb.Dataset(data.X[tr], y[tr], group=tr_g, feature_name=names)
    d_va = lgb.Dataset(data.X[va], y[va], group=va_g, reference=d_tr)
    ranker = lgb.train({**PARAMS, "seed": seed}, d_tr, num_boost_round=max_rounds, valid_sets=[d_va],
                       callbacks=[lgb.early_stopping(40, verbose=False)])
    target = 1.0 + 2.0 * y / GRADES  # the model file's 1..3 grade scale
    regressor = lgb.train({**REG_PARAMS, "seed": seed},
                          lgb.Dataset(data.X, target, weight=np.sqrt(data.impressions), feature_name=names),
                          num_boost_round=max(50, ranker.best_iteration or 50))
    ranker = lgb.Booster(model_str=ranker.model_to_string(num_iteration=ranker.best_iteration or None))
    scores = np.asarray(ranker.predict(data.X, num_threads=1))
    digest = hashlib.sha1(ranker.model_to_string().encode()).hexdigest()[:8]
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return RankerModel(ranker, regressor, version=f"events-{version_tag}-{stamp}-{digest}", metadata={
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "source": "shopper events (IPS)",
        "order_by": "ranker", "ranker_std": round(float(np.std(scores)) or 1.0, 5), "order_std": 1.0,
        "train_queries": len(data.groups), "train_pairs": len(data.relevance),
        "ranker_rounds": int(ranker.current_iteration()), "lightgbm": lgb.__version__,
    })
