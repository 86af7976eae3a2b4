"""Train the shipped ranker on the Home Depot judgements (`shopassist train ranker`).

LambdaMART (LightGBM `lambdarank`) for the order and a LightGBM regressor for
the 1..3 grade, both on `RELEVANCE_FEATURES`, trained on the train queries with
early stopping on the dev queries of the one Home Depot split
(evaluation.datasets.homedepot.query_split). The test queries are left for
`shopassist bench ranking`. A few minutes on 2 cores once titles are
embedded (the embedding cache makes re-runs fast).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import lightgbm as lgb
import numpy as np

from evaluation.datasets.errors import DatasetError
from evaluation.datasets.homedepot import LtrData, load_ltr_data, mean_ndcg
from ranking.features import RELEVANCE_FEATURES
from ranking.model import RankerModel
from retrieval.embedding import Embedder

MODEL_VERSION_PREFIX = "hd-lgbm"

RANKER_PARAMS: dict[str, object] = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "eval_at": [10],
    "learning_rate": 0.02,
    "num_leaves": 31,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambdarank_truncation_level": 20,
    "label_gain": [g / 3 for g in range(7)],  # linear in relevance - 1, as the benchmark's nDCG
    "num_threads": 2,
    "verbose": -1,
    "seed": 7,
}
REGRESSOR_PARAMS: dict[str, object] = {
    "objective": "regression",
    "metric": "rmse",
    "learning_rate": 0.03,
    "num_leaves": 63,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 2,
    "verbose": -1,
    "seed": 7,
}


def grade_labels(y: np.ndarray) -> np.ndarray:
    """Map mean ratings 1..3 (means of 3 raters, steps of 1/3) to integer grades 0..6 for lambdarank."""
    return np.clip(np.rint((y - 1.0) * 3.0), 0, 6).astype(np.int32)


def fit(
    train: LtrData,
    dev: LtrData,
    log: Callable[[str], None] = print,
    max_rounds: int = 1500,
    threads: int = 2,
) -> tuple[lgb.Booster, lgb.Booster, dict[str, float | int | str]]:
    names = list(RELEVANCE_FEATURES)
    d_train = lgb.Dataset(train.X, grade_labels(train.y), group=train.groups, feature_name=names)
    d_dev = lgb.Dataset(dev.X, grade_labels(dev.y), group=dev.groups, reference=d_train)
    ranker = lgb.train(
        {**RANKER_PARAMS, "num_threads": threads},
        d_train,
        num_boost_round=max_rounds,
        valid_sets=[d_dev],
        callbacks=[lgb.early_stopping(200, verbose=False)],
    )
    r_train = lgb.Dataset(train.X, train.y, feature_name=names)
    r_dev = lgb.Dataset(dev.X, dev.y, reference=r_train)
    regressor = lgb.train(
        {**REGRESSOR_PARAMS, "num_threads": threads},
        r_train,
        num_boost_round=max_rounds * 2,
        valid_sets=[r_dev],
        callbacks=[lgb.early_stopping(200, verbose=False)],
    )
    dev_rank = np.asarray(ranker.predict(dev.X, num_iteration=ranker.best_iteration))
    dev_reg = np.clip(np.asarray(regressor.predict(dev.X, num_iteration=regressor.best_iteration)), 1, 3)
    # Which order to serve: the ranker, the regressor, or their standardized sum (chosen on dev).
    rank_std, reg_std = float(np.std(dev_rank)) or 1.0, float(np.std(dev_reg)) or 1.0
    orders = {
        "ranker": dev_rank / rank_std,
        "regressor": dev_reg / reg_std,
        "mix": dev_rank / rank_std + dev_reg / reg_std,
    }
    ndcgs = {name: mean_ndcg(dev, scores) for name, scores in orders.items()}
    # Prefer the mix (it carries the regressor's deeper trees, sturdier on unseen candidate lists)
    # unless a single model is better on dev by more than noise.
    best = max(ndcgs, key=ndcgs.__getitem__)
    order_by = best if ndcgs[best] > ndcgs["mix"] + 0.001 else "mix"
    metrics: dict[str, float | int | str] = {
        "dev_ndcg@10": round(ndcgs[order_by], 4),
        **{f"dev_ndcg@10_{k}": round(v, 4) for k, v in ndcgs.items()},
        "dev_rmse": round(float(np.sqrt(np.mean((dev_reg - dev.y) ** 2))), 4),
        "ranker_rounds": int(ranker.best_iteration),
        "regressor_rounds": int(regressor.best_iteration),
        "order_by": order_by,
        "ranker_std": round(rank_std, 5),
        "regressor_std": round(reg_std, 5),
        "order_std": round(float(np.std(orders[order_by])) or 1.0, 5),
    }
    log(f"dev nDCG@10 {ndcgs}  dev RMSE {metrics['dev_rmse']}  serving order: {order_by}")
    return ranker, regressor, metrics


def train_ranker(
    products_file: Path,
    labels_file: Path,
    out: Path,
    embedder: Embedder,
    cache_dir: Path,
    progress: bool = True,
    log: Callable[[str], None] = print,
    threads: int = 2,
) -> RankerModel:
    """Build features, fit both boosters, save the versioned model file; returns the model."""
    t0 = time.perf_counter()
    data = load_ltr_data(products_file, labels_file, embedder, cache_dir, ("train", "dev"), progress)
    train, dev = data.splits["train"], data.splits["dev"]
    if not train.groups or not dev.groups:
        raise DatasetError("not enough judged queries to train (need train and dev queries)")
    ranker, regressor, metrics = fit(train, dev, log, threads=threads)
    # Keep only the trees early stopping chose, so the shipped file is small.
    ranker = lgb.Booster(model_str=ranker.model_to_string(num_iteration=ranker.best_iteration))
    regressor = lgb.Booster(model_str=regressor.model_to_string(num_iteration=regressor.best_iteration))
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    digest = hashlib.sha1((ranker.model_to_string() + regressor.model_to_string()).encode()).hexdigest()[:8]
    model = RankerModel(
        ranker,
        regressor,
        version=f"{MODEL_VERSION_PREFIX}-{stamp}-{digest}",
        metadata={
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "data": {"products": products_file.name, "labels": labels_file.name},
            "split": "query-disjoint md5(query) % 100: <70 train, <85 dev, else test",
            "train_queries": len(train.groups),
            "train_pairs": len(train.y),
            "dev_queries": len(dev.groups),
            "embedder": embedder.name,
            "lightgbm": lgb.__version__,
            "seconds": round(time.perf_counter() - t0, 1),
            **metrics,
        },
    )
    model.save(out)
    log(f"saved {out} ({out.stat().st_size // 1024} KB), version {model.version}")
    return model
