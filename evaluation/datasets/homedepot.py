"""The Home Depot relevance judgements as learning-to-rank data (query-disjoint splits).

Each judged (query, product) pair becomes one feature row; rows are grouped by
query. Queries, never pairs, are split into train/dev/test by a stable hash of
the query text, so no test query is seen in training.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluation.training.embcache import EmbeddingCache
from ranking.errors import RankingInputError
from ranking.features import RELEVANCE_FEATURES, Candidate, relevance_matrix
from retrieval.catalog import Product

SPLITS = ("train", "dev", "test")


def query_split(query: str) -> str:
    """70/15/15 train/dev/test by a stable hash of the normalized query text."""
    h = int(hashlib.md5(" ".join(query.lower().split()).encode("utf-8")).hexdigest()[:8], 16) % 100
    return "train" if h < 70 else ("dev" if h < 85 else "test")


@dataclass
class Judgement:
    query: str
    product_id: str
    relevance: float


def read_labels(path: Path) -> list[Judgement]:
    """`id, product_uid, search_term, relevance` rows (ISO-8859-1, as Kaggle ships them)."""
    if not path.is_file():
        raise RankingInputError(f"labels file not found: {path}")
    out: list[Judgement] = []
    with path.open(encoding="ISO-8859-1", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"product_uid", "search_term", "relevance"}
        if not need <= set(reader.fieldnames or []):
            raise RankingInputError(f"{path}: expected columns {sorted(need)}, got {reader.fieldnames}")
        for row in reader:
            try:
                rel = float(row["relevance"])
            except ValueError:
                continue
            query = " ".join(row["search_term"].split())
            if query:
                out.append(Judgement(query, row["product_uid"].strip(), rel))
    if not out:
        raise RankingInputError(f"no judgements in {path}")
    return out


@dataclass
class LtrData:
    """Feature rows of one split, grouped by query (rows of a query are contiguous)."""

    X: np.ndarray
    y: np.ndarray
    groups: list[int]
    queries: list[str]
    candidates: list[list[Candidate]]

    def group_slices(self) -> list[slice]:
        out, start = [], 0
        for g in self.groups:
            out.append(slice(start, start + g))
            start += g
        return out


def build_splits(
    judgements: Sequence[Judgement],
    products: dict[str, Product],
    cache: EmbeddingCache,
    bm25: Callable[[str, list[str]], np.ndarray],
    splits: Sequence[str] = SPLITS,
    progress: bool = False,
) -> dict[str, LtrData]:
    """Features for every judged pair in the requested splits (dense via the cache, BM25 via `bm25`)."""
    by_query: dict[str, list[Judgement]] = {}
    for j in judgements:
        if j.product_id in products and query_split(j.query) in splits:
            by_query.setdefault(j.query, []).append(j)
    queries = sorted(by_query)
    q_vecs = cache.embed(queries, progress=progress)
    q_row = {q: i for i, q in enumerate(queries)}
    ids = sorted({j.product_id for js in by_query.values() for j in js})
    t_vecs = cache.embed([products[i].embedding_text() for i in ids], progress=progress)
    t_row = {pid: i for i, pid in enumerate(ids)}
    parts: dict[str, tuple[list[np.ndarray], list[float], list[int], list[str], list[list[Candidate]]]] = {
        s: ([], [], [], [], []) for s in splits
    }
    iterator: Sequence[str] = queries
    if progress:
        from tqdm import tqdm

        iterator = tqdm(queries, desc="features", unit="query")
    for q in iterator:
        js = by_query[q]
        pids = [j.product_id for j in js]
        dense = t_vecs[[t_row[p] for p in pids]] @ q_vecs[q_row[q]]
        bm = bm25(q, pids)
        cands = [Candidate(products[p], float(d), float(b)) for p, d, b in zip(pids, dense, bm, strict=True)]
        X, y, groups, qs, cs = parts[query_split(q)]
        X.append(relevance_matrix(q, cands))
        y.extend(j.relevance for j in js)
        groups.append(len(js))
        qs.append(q)
        cs.append(cands)
    out: dict[str, LtrData] = {}
    for s, (X, y, groups, qs, cs) in parts.items():
        matrix = np.vstack(X) if X else np.zeros((0, len(RELEVANCE_FEATURES)), dtype=np.float32)
        out[s] = LtrData(matrix, np.asarray(y, dtype=np.float32), groups, qs, cs)
    return out


def ndcg_at(rels_in_order: Sequence[float] | np.ndarray, k: int = 10) -> float:
    """nDCG@k with gain = relevance - 1 (1 = irrelevant .. 3 = exact), linear gains."""
    gains = np.maximum(np.asarray(rels_in_order, dtype=np.float64) - 1.0, 0.0)
    discounts = 1.0 / np.log2(np.arange(2, min(k, len(gains)) + 2))
    dcg = float((gains[:k] * discounts).sum())
    ideal = float((np.sort(gains)[::-1][:k] * discounts).sum())
    return dcg / ideal if ideal > 0 else 0.0


def mean_ndcg(data: LtrData, scores: np.ndarray, k: int = 10) -> float:
    """Mean nDCG@k over queries whose judged products are not all equally irrelevant."""
    vals = per_query_ndcg(data, scores, k)
    return float(np.mean(vals)) if len(vals) else 0.0


def per_query_ndcg(data: LtrData, scores: np.ndarray, k: int = 10) -> np.ndarray:
    """nDCG@k of each query whose judged products are not all equally irrelevant (in query order)."""
    vals = []
    rng = np.random.default_rng(0)
    for sl in data.group_slices():
        y = data.y[sl]
        if np.all(y <= 1.0):
            continue
        # ties are broken at random, never by file order (which correlates with product age)
        perm = rng.permutation(len(y))
        order = perm[np.argsort(-scores[sl][perm], kind="stable")]
        vals.append(ndcg_at(y[order], k))
    return np.asarray(vals, dtype=np.float64)


def paired_gain_ci(a: np.ndarray, b: np.ndarray, rounds: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95 % bootstrap interval of mean(a - b) over queries (paired: the same queries resampled for both)."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if not len(diff):
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(rounds, len(diff)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))
