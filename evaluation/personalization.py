"""Leave-last-out next-item benchmark on the Amazon sequence sets (full ranking over all items).

Protocol (as in S3-Rec): per user, the last item is the test target and the
second-to-last the validation target; the model is fitted only on items before
the target, ranks every item in the catalog (no sampled negatives), and already
seen items are excluded. HR@10 and NDCG@10 average over all users.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ranking.errors import RankingInputError
from ranking.sequential import SeqKNNConfig, SequentialKNN


@dataclass(frozen=True)
class SequenceData:
    sequences: list[list[int]]  # item ids re-indexed to 0..n_items-1
    n_items: int
    item_attributes: dict[int, list[int]]


def load_sequences(sequences_file: Path, attributes_file: Path | None = None) -> SequenceData:
    """Read `user item1 item2 ...` lines and an optional item -> attribute ids JSON."""
    if not sequences_file.is_file():
        raise RankingInputError(f"sequences file not found: {sequences_file}")
    raw: list[list[str]] = []
    with sequences_file.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 2:
                raise RankingInputError(f"{sequences_file}:{lineno}: expected 'user item1 item2 ...'")
            raw.append(parts[1:])
    if not raw:
        raise RankingInputError(f"no sequences in {sequences_file}")
    index: dict[str, int] = {}
    sequences = [[index.setdefault(t, len(index)) for t in items] for items in raw]
    attrs: dict[int, list[int]] = {}
    if attributes_file is not None:
        if not attributes_file.is_file():
            raise RankingInputError(f"attributes file not found: {attributes_file}")
        try:
            data = json.loads(attributes_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RankingInputError(f"attributes file is not valid JSON: {attributes_file}: {exc}") from exc
        if not isinstance(data, dict):
            raise RankingInputError(f"attributes file must map item id -> attribute ids: {attributes_file}")
        for key, values in data.items():
            if key in index and isinstance(values, list):
                attrs[index[key]] = [int(v) for v in values]
    return SequenceData(sequences=sequences, n_items=len(index), item_attributes=attrs)


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
        inside = rank < k
        hits += float(inside.sum())
        ndcg += float((1.0 / np.log2(rank[inside] + 2)).sum())
        if progress:
            progress(len(hs))
    n = max(len(histories), 1)
    return hits / n, ndcg / n


def split(data: SequenceData, stage: str) -> tuple[list[list[int]], list[int]]:
    """Histories and targets: `test` = last item, `valid` = second-to-last. Users need >= 3 items."""
    cut = 1 if stage == "test" else 2
    users = [s for s in data.sequences if len(s) > cut]
    return [s[:-cut] for s in users], [s[-cut] for s in users]


def run(
    data: SequenceData,
    config: SeqKNNConfig | None = None,
    stage: str = "test",
    progress: Callable[[int], None] | None = None,
) -> dict[str, float | int]:
    """Fit on every user's items before the target, then evaluate: the benchmark's JSON fields."""
    t0 = time.perf_counter()
    histories, targets = split(data, stage)
    model = SequentialKNN(data.n_items, config).fit(histories, data.item_attributes)
    hr, ndcg = evaluate(model, histories, targets, progress=progress)
    return {
        "hr@10": round(hr, 4),
        "ndcg@10": round(ndcg, 4),
        "users": len(histories),
        "seconds": round(time.perf_counter() - t0, 1),
    }
