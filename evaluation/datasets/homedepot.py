"""Home Depot search relevance: products, graded judgements, and THE query split.

One reader and one split for every use of this data set (the ranking bench and the
retrieval bench, `train ranker`, `train cross-encoder`, `train fusion`, the scene sets):

- `read_judgements`: `id, product_uid, search_term, relevance` rows (ISO-8859-1, as Kaggle
  ships them); relevance is the mean of >= 3 raters on 1 (irrelevant) .. 3 (exact).
- `query_split`: 70/15/15 train/dev/test by md5 of the normalized query text (lower case,
  single spaces). Queries, never pairs, are split, so no test query is seen in training.
  The shipped ranker and cross-encoder were trained on `train` with early stopping and
  tuning on `dev`; `bench ranking` scores `test`. The retrieval bench tunes the fusion weight
  on `dev` (`train fusion`) and reports `ndcg@10_test_split` on `test`: the same queries the
  ranker never saw. (The shipped retrieval/fusion.json was tuned before this split was
  shared, on a sha1 fold; the next `train fusion` uses `dev`.)

Each judged (query, product) pair becomes one feature row of `LtrData`; rows are grouped by
query.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evaluation.datasets.errors import DatasetError, require_file
from evaluation.embcache import EmbeddingCache
from evaluation.metrics import ndcg_at
from ranking.features import RELEVANCE_FEATURES, Candidate, relevance_matrix
from retrieval.catalog import Product
from retrieval.embedding import Embedder
from retrieval.ingest import load_homedepot

SPLITS = ("train", "dev", "test")
ENCODING = "ISO-8859-1"


def normalize_query(text: str) -> str:
    return " ".join(text.split())


def query_split(query: str) -> str:
    """70/15/15 train/dev/test by a stable hash of the normalized query text."""
    h = int(hashlib.md5(normalize_query(query.lower()).encode("utf-8")).hexdigest()[:8], 16) % 100
    return "train" if h < 70 else ("dev" if h < 85 else "test")


@dataclass
class Judgement:
    """One judged pair. `search_term` is the query as typed (what the retrieval bench searches);
    `query` is its normalized form (features, grouping and the split)."""

    search_term: str
    product_id: str
    relevance: float
    query: str = field(init=False)

    def __post_init__(self) -> None:
        self.query = normalize_query(self.search_term)


def read_judgements(path: Path) -> list[Judgement]:
    """Every judged pair of the file, in file order."""
    path = require_file(path, "labels file")
    out: list[Judgement] = []
    with path.open(encoding=ENCODING, newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"product_uid", "search_term", "relevance"}
        if not need <= set(reader.fieldnames or []):
            raise DatasetError(f"{path.name}: expected columns {', '.join(sorted(need))}, got {reader.fieldnames}")
        for row in reader:
            try:
                rel = float(row["relevance"])
            except (TypeError, ValueError):
                continue
            term = (row["search_term"] or "").strip()
            if term:
                out.append(Judgement(term, str(row["product_uid"]).strip(), rel))
    if not out:
        raise DatasetError(f"{path.name}: no usable judgements")
    return out


def judged_by_term(judgements: Iterable[Judgement]) -> dict[str, dict[str, float]]:
    """search term (as typed) -> {product_uid: relevance} (a pair judged twice keeps the last grade)."""
    out: dict[str, dict[str, float]] = {}
    for j in judgements:
        out.setdefault(j.search_term, {})[j.product_id] = j.relevance
    return out


def read_products(path: Path, progress: Callable[[int], None] | None = None) -> dict[str, Product]:
    """`product_uid, product_title` through the catalog importer the product uses (`index --format homedepot`)."""
    require_file(path, "products file")
    products = {p.id: p for p in load_homedepot(path, progress=progress).products}
    if not products:
        raise DatasetError(f"no products in {path}")
    return products


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


@dataclass
class HomeDepotData:
    products: dict[str, Product]
    splits: dict[str, LtrData]


def load_ltr_data(
    products_file: Path,
    labels_file: Path,
    embedder: Embedder,
    cache_dir: Path,
    splits: tuple[str, ...] = SPLITS,
    progress: bool = False,
) -> HomeDepotData:
    """Products, BM25 over all of them (as the live search computes it) and per-split features."""
    from retrieval.lexical import BM25Index

    products = read_products(products_file)
    judgements = read_judgements(labels_file)
    ids = list(products)
    index = BM25Index.build(ids, [products[i].search_text() for i in ids])
    cache = EmbeddingCache(cache_dir, embedder)
    data = build_splits(judgements, products, cache, index.score, splits=splits, progress=progress)
    return HomeDepotData(products, data)


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
        vals.append(ndcg_at(y[order], k) or 0.0)
    return np.asarray(vals, dtype=np.float64)


def mean_ndcg(data: LtrData, scores: np.ndarray, k: int = 10) -> float:
    """Mean nDCG@k over queries whose judged products are not all equally irrelevant."""
    vals = per_query_ndcg(data, scores, k)
    return float(np.mean(vals)) if len(vals) else 0.0
