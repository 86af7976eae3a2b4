"""Propensities, IPS training, the offline comparison, the promotion rule and the model registry, on synthetic
logs whose truth is known."""

from __future__ import annotations

import numpy as np

from evaluation.learning.logs import Logged
from evaluation.learning.offline import compare, decide
from evaluation.learning.propensity import em, position_bias_check, randomized
from evaluation.learning.train import aggregate, train_model
from ranking.features import RELEVANCE_FEATURES
from ranking.model import RankerModel, default_model_path
from ranking.registry import ModelRegistry

THETA = np.array([1.0, 0.5, 1 / 3, 0.25, 0.2])


def synthetic_logs(lists: int = 3000, seed: int = 0, random_share: float = 0.5) -> tuple[Logged, np.ndarray]:
    """Queries with 12 products each; relevance is a function of feature 6 (overlap); five shown per list,
    in random order (random arm) or by a noisy logging ranker; clicks follow the position-based model."""
    rng = np.random.default_rng(seed)
    n_queries, per_query, width = 60, 12, len(RELEVANCE_FEATURES)
    X_items = rng.normal(size=(n_queries, per_query, width)).astype(np.float32)
    rel = 1 / (1 + np.exp(-3 * X_items[:, :, 6]))  # the truth a ranker can learn
    cols: dict[str, list] = {k: [] for k in ("turn", "user", "day", "query", "product", "position", "random_arm",
                                            "X", "click", "cart", "like", "dislike")}
    for t in range(lists):
        q = int(rng.integers(n_queries))
        is_random = rng.random() < random_share
        order = rng.permutation(per_query) if is_random else np.argsort(-(X_items[q, :, 2]
                                                                          + rng.normal(size=per_query)))
        for pos, item in enumerate(order[:5], 1):
            clicked = rng.random() < THETA[pos - 1] * 0.6 * rel[q, item]
            cols["turn"].append(t)
            cols["user"].append(f"u{t % 300}")
            cols["day"].append(f"2025-01-{1 + t * 6 // lists:02d}")
            cols["query"].append(f"q{q}")
            cols["product"].append(f"p{item}")
            cols["position"].append(pos)
            cols["random_arm"].append(is_random)
            cols["X"].append(X_items[q, item])
            cols["click"].append(int(clicked))
            cols["cart"].append(int(clicked and rng.random() < 0.4 * rel[q, item]))
            cols["like"].append(0)
            cols["dislike"].append(0)
    logs = Logged(**{k: np.asarray(v, dtype=object if k in ("user", "day", "query", "product") else None)
                     for k, v in cols.items()})
    return logs, rel


def test_both_propensity_estimators_recover_the_examination_curve() -> None:
    logs, _ = synthetic_logs()
    rand = randomized(logs.position, logs.click, logs.random_arm, 5)
    assert rand is not None and rand.method == "randomized"
    assert np.allclose(rand.theta, THETA, atol=0.12)
    items = np.unique(logs.query.astype(str) + "|" + logs.product.astype(str), return_inverse=True)[1]
    fitted = em(logs.position, logs.click, items, 5)
    assert fitted.theta[0] == 1.0 and np.all(np.diff(fitted.theta) <= 0) and fitted.theta[-1] < 0.6
    assert randomized(logs.position, logs.click, np.zeros(len(logs), bool), 5) is None  # no random arm


def test_position_check_passes_real_logs_and_refuses_shuffled_positions() -> None:
    logs, _ = synthetic_logs()
    assert position_bias_check(logs.position, logs.click)[0]
    shuffled = np.random.default_rng(1).permutation(logs.position)
    ok, why = position_bias_check(shuffled, logs.click)
    assert not ok and "cannot be trusted" in why


def test_a_model_learned_from_debiased_clicks_beats_the_shipped_one_offline_and_is_promoted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    logs, _ = synthetic_logs()
    held = logs.day >= "2025-01-05"
    train, test = logs.subset(~held), logs.subset(held)
    prop = randomized(train.position, train.click, train.random_arm, 5)
    assert prop is not None
    data = aggregate(train, prop)
    assert len(data.groups) >= 50
    candidate = train_model(data, "test")
    shipped = RankerModel.load(default_model_path())
    result = compare(test, prop, candidate, shipped)
    assert result.candidate > result.current and result.gain_low > 0
    promoted, why = decide(result, True, "ok")
    assert promoted and why.startswith("promoted")
    assert not decide(result, False, "positions shuffled")[0]
    registry = ModelRegistry(tmp_path / "ranker")
    assert registry.served_path() is None and registry.current_path() == default_model_path()
    path = registry.promote(candidate)
    assert registry.served_path() == path and RankerModel.load(path).version == candidate.version
    second = registry.promote(train_model(data, "again", seed=3))
    assert registry.previous_path() == path and registry.served_path() == second
    assert registry.rollback() == path and path.is_file() and second.is_file()
