"""Leave-last-out next-item benchmark on the Amazon sequence sets (full ranking over all items).

Protocol (as in S3-Rec): per user, the last item is the test target and the
second-to-last the validation target (evaluation.datasets.amazon); the model is
fitted only on items before the target, ranks every item in the catalog (no sampled
negatives), and already seen items are excluded. HR@10 and NDCG@10 average over all users.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from evaluation.datasets.amazon import SequenceData, leave_last_out
from evaluation.metrics import rank_metrics
from ranking.sequential import SeqKNNConfig, SequentialKNN


def evaluate(
    model: SequentialKNN,
    histories: Sequence[Sequence[int]],
    targets: Sequence[int],
    k: int = 10,
    batch: int = 2048,
    progress: Callable[[int], None] | None = None,
) -> tuple[float, float]:
    """HR@k and NDCG@k of ranking every item; ties broken against the target (pessimistic)."""
    hits = 0.0
    ndcg = 0.0
    for start in range(0, len(histories), batch):
        hs = histories[start : start + batch]
        ts = np.asarray(targets[start : start + batch])
        scores = model.score(hs)
        target_scores = scores[np.arange(len(ts)), ts]
        rank = (scores >= target_scores[:, None]).sum(axis=1) - 1  # 0-based, ties count against us
        rank = np.where(np.isfinite(target_scores), rank, model.n_items)
        batch_hits, batch_ndcg = rank_metrics(rank, k)
        hits += batch_hits
        ndcg += batch_ndcg
        if progress:
            progress(len(hs))
    n = max(len(histories), 1)
    return hits / n, ndcg / n


def run(
    data: SequenceData,
    config: SeqKNNConfig | None = None,
    stage: str = "test",
    progress: Callable[[int], None] | None = None,
) -> dict[str, float | int]:
    """Fit on every user's items before the target, then evaluate: the benchmark's JSON fields."""
    t0 = time.perf_counter()
    histories, targets = leave_last_out(data, stage)
    model = SequentialKNN(data.n_items, config).fit(histories, data.item_attributes)
    hr, ndcg = evaluate(model, histories, targets, progress=progress)
    return {
        "hr@10": round(hr, 4),
        "ndcg@10": round(ndcg, 4),
        "users": len(histories),
        "seconds": round(time.perf_counter() - t0, 1),
    }
