"""`shopassist bench sync`: a full index build against the sync of a feed where 1 % of products changed.

The sync itself is product code (`retrieval.index.CatalogIndex.build`); this measures it.

The catalog is the Home Depot titles file (54,667 products). It has no prices or
stock, so the benchmark gives every product a deterministic synthetic price (with
cents) and stock level, and writes that catalog as a feed (a CSV read through the
mapped importer, as a store's file would be). Then:

1. full build: read the feed and index it from scratch with the real embedder;
2. the changed feed: `change_pct` % of products get a new price and stock level,
   `titles` other products a new title, `deletions` others are gone;
3. sync: read the changed feed and index it over the first build.

It reports both times, how many texts were embedded each time (counted at the
embedder), and checks that the sync did what it should: only retitled products
were re-embedded, new prices are served, deleted products no longer come back
from search, and a retitled product is found by its new words.
"""

from __future__ import annotations

import csv
import hashlib
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.catalog import Product
from retrieval.embedding import Embedder, default_embedder
from retrieval.hybrid import HybridSearcher
from retrieval.index import CatalogIndex, UpdateStats, embed_documents
from retrieval.ingest import load_homedepot
from retrieval.service import index_catalog, read_catalog_file

FEED_MAPPING = {"id": "id", "title": "title", "price": "price", "stock": "stock"}
CATALOG = "sync-bench"


class CountingEmbedder:
    """An embedder that counts the texts it embeds (the benchmark's and the tests' proof of no re-embedding)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.embed(texts)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return embed_documents(self.inner, list(texts))


def synthetic_price(product_id: str) -> float:
    """A stable price with cents (0.99 .. 499.99) for catalogs that list none."""
    h = int(hashlib.sha256(product_id.encode("utf-8")).hexdigest()[:8], 16)
    return round(0.99 + (h % 49900) / 100.0, 2)


def write_feed(path: Path, rows: Sequence[tuple[str, str, float, int]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "price", "stock"])
        writer.writerows((pid, title, f"{price:.2f}", stock) for pid, title, price, stock in rows)


@dataclass
class Changes:
    """What the benchmark changed in the second feed."""

    rows: list[tuple[str, str, float, int]]
    repriced: list[str]
    retitled: list[str]
    deleted: list[str]


def change_feed(
    rows: list[tuple[str, str, float, int]], change_pct: float, titles: int, deletions: int, seed: int = 7
) -> Changes:
    """`change_pct` % of rows get a new price and stock; `titles` others a new title; `deletions` others go."""
    rng = random.Random(seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    n_price = max(1, round(len(rows) * change_pct / 100.0))
    repriced = set(order[:n_price])
    retitled = set(order[n_price : n_price + titles])
    deleted = set(order[n_price + titles : n_price + titles + deletions])
    out: list[tuple[str, str, float, int]] = []
    for i, (pid, title, price, stock) in enumerate(rows):
        if i in deleted:
            continue
        if i in repriced:
            price, stock = round(price * 0.9, 2) or 0.5, (stock + 7) % 41
        if i in retitled:
            title = f"{title} heavy duty refurbished edition"
        out.append((pid, title, price, stock))
    return Changes(out, [rows[i][0] for i in sorted(repriced)], [rows[i][0] for i in sorted(retitled)],
                   [rows[i][0] for i in sorted(deleted)])


def run_sync_bench(
    products_csv: Path,
    *,
    embedder: Embedder | None = None,
    change_pct: float = 1.0,
    titles: int = 10,
    deletions: int = 10,
    limit: int = 0,
    work_dir: Path | None = None,
) -> dict[str, Any]:
    """Time a full build and a 1 % sync of the Home Depot catalog; one JSON-ready dict."""
    base = load_homedepot(products_csv).products
    if limit:
        base = base[:limit]
    rows = [(p.id, p.title, synthetic_price(p.id), p.stock) for p in base]
    counting = CountingEmbedder(embedder or default_embedder())
    warm_up = getattr(counting.inner, "warm_up", None)
    if warm_up is not None:
        warm_up()  # loading the model is not part of either timing
    with tempfile.TemporaryDirectory(prefix="sync-bench-", dir=work_dir) as tmp:
        root = Path(tmp)
        first_feed, second_feed = root / "feed.csv", root / "feed-changed.csv"
        write_feed(first_feed, rows)
        full, full_stats = _import_and_index(first_feed, root, counting)
        changes = change_feed(rows, change_pct, titles, deletions)
        write_feed(second_feed, changes.rows)
        sync, sync_stats = _import_and_index(second_feed, root, counting)
        index = CatalogIndex.open(root / "data", CATALOG, counting)
        checks = _checks(index, changes, {pid: title for pid, title, _, _ in rows})
    return {
        "catalog": str(products_csv),
        "products": len(rows),
        "embedder": counting.name,
        "changes": {"price_and_stock": len(changes.repriced), "titles": len(changes.retitled),
                    "deleted": len(changes.deleted), "change_pct": change_pct},
        "full_build": {**full, **_stats(full_stats)},
        "sync": {**sync, **_stats(sync_stats)},
        "speedup": round(full["seconds"] / sync["seconds"], 1) if sync["seconds"] else None,
        "checks": checks,
    }


def _import_and_index(feed: Path, root: Path, counting: CountingEmbedder) -> tuple[dict[str, Any], UpdateStats]:
    before = counting.texts
    started = time.perf_counter()
    report = read_catalog_file(feed, "mapped", FEED_MAPPING, "USD")
    read_s = time.perf_counter() - started
    _, stats = index_catalog(root / "data", CATALOG, report, counting)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "read_seconds": round(read_s, 2),
            "texts_embedded": counting.texts - before}, stats


def _stats(stats: UpdateStats) -> dict[str, Any]:
    return {"added": stats.added, "reembedded": stats.updated, "refreshed": stats.refreshed,
            "unchanged": stats.unchanged, "deleted": stats.deleted, "embed_seconds": round(stats.embed_seconds, 2)}


def _checks(index: CatalogIndex, changes: Changes, old_titles: dict[str, str]) -> dict[str, bool]:
    """What a shopper would notice: new prices and stock served, deleted products no longer found by their
    own title, retitled products found by their new words."""
    searcher = HybridSearcher(index, store_currency="USD")
    feed = {pid: (price, stock) for pid, _, price, stock in changes.rows}
    new_titles = {pid: title for pid, title, _, _ in changes.rows}

    def found(pid: str, title: str) -> bool:
        return any(h.product.id == pid for h in searcher.search(title, k=10).hits)

    return {
        "new_prices_and_stock_served": all(_served(index.catalog.get(pid), feed[pid]) for pid in changes.repriced),
        "deleted_gone_from_search": not any(found(pid, old_titles[pid]) for pid in changes.deleted[:5]),
        "retitled_found_by_new_title": all(found(pid, new_titles[pid]) for pid in changes.retitled[:5]),
    }


def _served(product: Product | None, fact: tuple[float, int]) -> bool:
    return product is not None and product.price == fact[0] and product.stock == fact[1]
