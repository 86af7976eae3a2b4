"""`shopassist train ranker --from-events`: learn the ranker from what shoppers did, promote it if not worse.

1. Load the logged impressions (features as served, positions, feedback) from the database.
2. Split by day: the last `holdout_days` days are held out for the comparison, the rest trains.
3. Check the logged positions (clicks must fall with position) and estimate the examination
   propensities (randomized arm if there is one, else EM), see `evaluation.learning.propensity`.
4. Train LambdaMART on the IPS-debiased relevance of each (query, product) (`evaluation.learning.train`).
5. Compare it with the served model on the held-out days (IPS-DCG, paired bootstrap over shoppers).
6. Promote it (the registry switches the served file atomically, the previous one is kept) only when the
   rule in `evaluation.learning.offline.decide` says so; record the decision and the figures in the
   database (`rk_promotions`, shown in the console's Insights tab) either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from assistant.storage.store import StateStore
from evaluation.learning.logs import load_logged
from evaluation.learning.offline import compare, decide
from evaluation.learning.propensity import estimate, position_bias_check
from evaluation.learning.train import aggregate, train_model
from ranking.model import RankerModel
from ranking.registry import ModelRegistry
from retrieval.errors import UserError

MAX_POSITION = 5


class NotEnoughLogs(UserError):
    """Too little logged behaviour to train from."""


@dataclass
class RetrainResult:
    promoted: bool
    reason: str
    candidate: str
    current: str
    model_path: str
    figures: dict[str, Any]


def _item_ids(query: np.ndarray, product: np.ndarray) -> np.ndarray:
    keys = {k: i for i, k in enumerate(dict.fromkeys(zip(query.tolist(), product.tolist(), strict=True)))}
    return np.asarray([keys[k] for k in zip(query.tolist(), product.tolist(), strict=True)], dtype=np.int64)


def retrain_from_events(store: StateStore, registry: ModelRegistry, holdout_days: int = 2, promote: bool = True,
                        seed: int = 7, log: Callable[[str], None] = print) -> RetrainResult:
    logs = load_logged(store.engine)
    days = logs.days
    if len(days) < holdout_days + 1 or len(logs) < 200:
        raise NotEnoughLogs(f"need logged cards on at least {holdout_days + 1} days and 200 cards "
                            f"(have {len(logs)} on {len(days)} days); run the assistant (or `shopassist simulate`) "
                            "longer")
    held = np.isin(logs.day, days[-holdout_days:])
    train, test = logs.subset(~held), logs.subset(held)
    positions_ok, positions_why = position_bias_check(logs.position, logs.click)
    prop = estimate(train.position, train.click, train.random_arm, _item_ids(train.query, train.product),
                    MAX_POSITION)
    log(f"{len(train)} training cards on {len(days) - holdout_days} days, {len(test)} held out; "
        f"propensities ({prop.method}): {np.round(prop.theta, 3).tolist()}; {positions_why}")
    data = aggregate(train, prop)
    if len(data.groups) < 10:
        raise NotEnoughLogs(f"only {len(data.groups)} queries with feedback to learn from (need 10)")
    candidate = train_model(data, version_tag=days[-1].replace("-", ""), seed=seed)
    current_path = registry.current_path()
    current = RankerModel.load(current_path)
    comparison = compare(test, prop, candidate, current)
    promoted, reason = decide(comparison, positions_ok, positions_why)
    figures = {
        "propensity_method": prop.method, "propensity_detail": prop.detail,
        "theta": [round(float(t), 4) for t in prop.theta],
        "train_cards": len(train), "held_out_cards": len(test), "train_days": len(days) - holdout_days,
        "held_out_days": holdout_days, "train_queries": len(data.groups),
        **{f"ips_dcg_{k}": round(v, 5) if isinstance(v, float) else v for k, v in asdict(comparison).items()
           if k != "figures"},
    }
    model_path = ""
    if promoted and promote:
        model_path = str(registry.promote(candidate))
    elif promoted:
        reason = reason.replace("promoted:", "would be promoted (dry run):", 1)
        promoted = False
    store.insights.record_promotion(candidate.version, current.version, promoted, reason, figures, model_path)
    log(reason)
    return RetrainResult(promoted, reason, candidate.version, current.version, model_path, figures)
