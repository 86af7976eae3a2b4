"""The metrics every benchmark reports, written once.

- `ndcg_at` / `recall_at`: graded relevance as the Home Depot judgements give it (1 = irrelevant
  .. 3 = exact), gain = relevance - 1 (linear), so a list of irrelevant products scores 0.
- `rank_metrics`: HR@k and nDCG@k of one target item per user from its 0-based rank
  (next-item recommendation; one relevant item, so nDCG is 1 / log2(rank + 2)).
- `percentile`: latency percentiles of every bench and of the load bench's summary.
- `paired_bootstrap_ci`: is a gain over a baseline more than query sampling noise?
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np

ArrayLike = Sequence[float] | np.ndarray


def ndcg_at(relevance_in_order: ArrayLike, k: int = 10, judged: Iterable[float] | None = None) -> float | None:
    """nDCG@k of a ranked list given each position's relevance (gain = relevance - 1).

    The ideal order is built from `judged` (every judged relevance of the query, so relevant
    products the list missed count against it) or, without it, from the list itself (a
    re-ranking of the judged products). None when the ideal list has no gain: the query cannot
    be scored.
    """
    gains = np.maximum(np.asarray(relevance_in_order, dtype=np.float64) - 1.0, 0.0)
    pool = gains if judged is None else np.maximum(np.fromiter(judged, dtype=np.float64) - 1.0, 0.0)
    ideal_gains = np.sort(pool)[::-1][:k]  # the best k of everything judged, not of the list's first k
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = float((ideal_gains * discounts[: len(ideal_gains)]).sum())
    if ideal <= 0:
        return None
    top = gains[:k]
    return float((top * discounts[: len(top)]).sum()) / ideal


def recall_at(ranked: Sequence[str], relevant: Collection[str], k: int = 100) -> float | None:
    """Share of `relevant` ids within the first `k` of `ranked`; None when nothing is relevant."""
    if not relevant:
        return None
    return len(set(relevant) & set(ranked[:k])) / len(relevant)


def rank_metrics(ranks: np.ndarray, k: int = 10) -> tuple[float, float]:
    """Sums of HR@k and nDCG@k over targets at 0-based `ranks` (one relevant item each)."""
    ranks = np.asarray(ranks)
    inside = ranks < k
    return float(inside.sum()), float((1.0 / np.log2(ranks[inside] + 2)).sum())


def mean(values: ArrayLike) -> float:
    """The mean, 0.0 for no values (a bench with nothing to score reports 0, not NaN)."""
    return float(np.mean(values)) if len(values) else 0.0


def percentile(values: ArrayLike, q: float, ndigits: int = 2) -> float | None:
    """The q-th percentile (linear interpolation, as numpy), rounded; None for no values."""
    if not len(values):
        return None
    return round(float(np.percentile(values, q)), ndigits)


def paired_bootstrap_ci(a: ArrayLike, b: ArrayLike, rounds: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95 % bootstrap interval of mean(a - b) over queries (paired: the same queries resampled for both)."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if not len(diff):
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(rounds, len(diff)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))
