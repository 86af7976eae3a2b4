"""One catalog's on-disk search index: products, Chroma vectors, and what is derived from them.

Layout under `<data_dir>/catalogs/<name>/`:
    products.jsonl   the normalized catalog (source of truth for cards and facts)
    chroma/          the Chroma persistent collection (vectors + filter metadata)
    hashes.json      id -> content hash of what the vector store holds: lets a sync skip reading
                     every product's metadata back from Chroma (removed while the store is being
                     changed, so after an interrupted run the store's own hashes are read instead)
    manifest.json    counts, embedder name and build time; written last

The BM25 index, the filter metadata arrays and the in-memory vector matrix are
rebuilt from those at open. Re-ingesting is an upsert: only products whose
embedded text changed are re-embedded; a product whose price, stock or
variants changed keeps its vector and gets its stored facts and filter
metadata refreshed; removed ones can be deleted.
`products.jsonl` and `manifest.json` are replaced atomically, so a failed run
leaves the previous index readable.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from retrieval.catalog import Catalog, Product, text_fingerprint
from retrieval.embedding import Embedder
from retrieval.errors import UserError
from retrieval.filters import QueryFilters, Vocabulary, product_filter_metadata
from retrieval.lexical import BM25Index
from retrieval.product_words import WordIndex, brand_of_title
from retrieval.store import ChromaProductStore, InMemoryProductStore, ProductStore, StoreError

MANIFEST_VERSION = 1
HASHES_FILE = "hashes.json"


def embed_documents(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Catalog texts through the embedder's document path when it has one (MiniLM: int8 batches),
    else its plain `embed`; query vectors always come from `embed`."""
    method = getattr(embedder, "embed_documents", None)
    return np.asarray(method(texts) if method is not None else embedder.embed(texts), dtype=np.float32)


class CatalogIndexError(UserError, RuntimeError):
    """The index is missing or unreadable; the message says which command rebuilds it."""




@dataclass
class UpdateStats:
    """What an upsert did: `updated` products were re-embedded (their text changed), `refreshed` ones only
    had their facts and metadata rewritten (price, stock, variants) with the vector they had."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    refreshed: int = 0

    @property
    def embedded(self) -> int:
        return self.added + self.updated

    @property
    def products_per_s(self) -> float:
        done = self.added + self.updated + self.refreshed + self.unchanged
        return done / self.seconds if self.seconds > 0 else 0.0


def catalog_dir(data_dir: Path, name: str) -> Path:
    return Path(data_dir) / "catalogs" / name


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class CatalogIndex:
    """A searchable catalog: products by id, vectors in a `ProductStore`, BM25, filter masks."""

    def __init__(self, catalog: Catalog, store: ProductStore, embedder: Embedder, vectors: np.ndarray) -> None:
        self.catalog = catalog
        self.store = store
        self.embedder = embedder
        self.ids: list[str] = catalog.ids
        self.position = {pid: i for i, pid in enumerate(self.ids)}
        self.vectors = vectors  # (n, dim), rows in `ids` order, L2-normalized
        self.metadata = [product_filter_metadata(p) for p in catalog]
        self.vocabulary = Vocabulary.from_products(catalog)
        for meta in self.metadata:  # a brand named only at the start of the title filters like a brand field
            if not meta.get("brand"):
                meta["brand"] = brand_of_title(str(meta.get("title", "")), self.vocabulary.brands)
        self._columns = self._build_columns()
        self.bm25 = BM25Index.build(self.ids, [p.search_text() for p in catalog])
        self.words = WordIndex.build(self.metadata)  # product types and audiences
        products = list(catalog)
        self.capabilities = {
            "price": any(p.price > 0 for p in products),
            "rating": any(p.rating for p in products),
            "discount": any(p.on_sale for p in products),
        }
        # Popularity prior for filter-only browsing and ties: rating, then discount.
        self.prior = np.array(
            [float(m.get("rating", 0.0)) / 5.0 + float(m.get("discount_pct", 0.0)) / 500.0 for m in self.metadata],
            dtype=np.float32,
        )

    def __len__(self) -> int:
        return len(self.ids)

    def mask(self, filters: QueryFilters) -> np.ndarray | None:
        """Boolean array in `ids` order of products passing `filters` (None: no filter).

        Vectorized over columns built once at open: the same predicate as
        `QueryFilters.matches`, in a millisecond on 55k products.
        """
        if filters.is_empty():
            return None
        cols = self._columns
        keep = np.ones(len(self.ids), dtype=bool)
        if filters.min_price is not None or filters.max_price is not None:
            keep &= cols["price"] > 0
        if filters.min_price is not None:
            keep &= cols["price_max"] >= filters.min_price
        if filters.max_price is not None:
            keep &= cols["price"] <= filters.max_price
        if filters.brands:
            keep &= np.isin(cols["brand"], filters.brands)
        if filters.categories:
            keep &= np.isin(cols["category"], filters.categories)
        if filters.colours:
            any_colour = np.zeros(len(self.ids), dtype=bool)
            for colour in filters.colours:
                any_colour |= cols.get(f"colour_{colour}", np.zeros(len(self.ids), dtype=bool))
            keep &= any_colour
        if filters.sizes:
            any_size = np.zeros(len(self.ids), dtype=bool)
            for size in filters.sizes:
                any_size |= cols.get(f"size_{size}", np.zeros(len(self.ids), dtype=bool))
            keep &= any_size
        if filters.min_rating is not None:
            keep &= cols["rating"] >= filters.min_rating
        if filters.on_sale:
            keep &= cols["on_sale"]
        if filters.in_stock:
            keep &= cols["in_stock"]
        words = self.words.mask(filters)
        if words is not None:
            keep &= words
        return keep

    def _build_columns(self) -> dict[str, np.ndarray]:
        meta = self.metadata
        cols: dict[str, np.ndarray] = {
            "price": np.array([float(m.get("price", 0.0)) for m in meta], dtype=np.float64),
            "price_max": np.array([float(m.get("price_max", m.get("price", 0.0))) for m in meta], dtype=np.float64),
            "rating": np.array([float(m.get("rating", 0.0)) for m in meta], dtype=np.float64),
            "brand": np.array([str(m.get("brand", "")) for m in meta], dtype=object),
            "category": np.array([str(m.get("category", "")) for m in meta], dtype=object),
            "on_sale": np.array([bool(m.get("on_sale", False)) for m in meta], dtype=bool),
            "in_stock": np.array([bool(m.get("in_stock", False)) for m in meta], dtype=bool),
        }
        for key in {k for m in meta for k in m if k.startswith(("colour_", "size_"))}:
            cols[key] = np.array([bool(m.get(key, False)) for m in meta], dtype=bool)
        return cols

    # ------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        data_dir: Path,
        name: str,
        products: Sequence[Product],
        embedder: Embedder,
        *,
        delete_missing: bool = True,
        progress: Callable[[int], None] | None = None,
        batch_size: int = 2048,
        store: ProductStore | None = None,
    ) -> tuple[CatalogIndex, UpdateStats]:
        """Create or upsert the index of catalog `name` from `products` (vectors in `store`, default
        the persistent Chroma directory beside the catalog)."""
        if not products:
            raise CatalogIndexError("no valid products to index; nothing was changed")
        started = time.perf_counter()
        root = catalog_dir(data_dir, name)
        root.mkdir(parents=True, exist_ok=True)
        store = store or ChromaProductStore.open_persistent(root / "chroma", name)
        stats = UpdateStats()
        existing = _stored_hashes(root, store)
        (root / HASHES_FILE).unlink(missing_ok=True)  # from here on the store may differ from the file
        new_ids = {p.id for p in products}
        to_embed: list[Product] = []
        to_refresh: list[Product] = []
        for p in products:
            old = existing.get(p.id)
            new = p.content_hash()
            if old is None:
                stats.added += 1
                to_embed.append(p)
            elif old == new:
                stats.unchanged += 1
                if progress:
                    progress(1)
            elif text_fingerprint(old) == text_fingerprint(new):
                to_refresh.append(p)
            else:
                stats.updated += 1
                to_embed.append(p)
        lost = _refresh_facts(store, to_refresh, batch_size, progress)
        stats.refreshed, stats.updated = len(to_refresh) - len(lost), stats.updated + len(lost)
        to_embed += lost
        # Chunks are embedded while the previous chunk is written to the store (one writer
        # thread): the vector store's inserts overlap the encoder instead of following it.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-writer") as writer:
            pending: Future[None] | None = None
            for start in range(0, len(to_embed), batch_size):
                chunk = to_embed[start : start + batch_size]
                t0 = time.perf_counter()
                vectors = embed_documents(embedder, [p.embedding_text() for p in chunk])
                stats.embed_seconds += time.perf_counter() - t0
                if pending is not None:
                    pending.result()
                pending = writer.submit(
                    store.upsert,
                    [p.id for p in chunk],
                    vectors,
                    [product_filter_metadata(p) for p in chunk],
                    [p.search_text() for p in chunk],
                )
                if progress:
                    progress(len(chunk))
            if pending is not None:
                pending.result()
        removed = [pid for pid in existing if pid not in new_ids]
        if delete_missing and removed:
            store.delete(removed)
            stats.deleted = len(removed)
        kept = list(products)
        if not delete_missing and removed:
            old_catalog = _read_products(root / "products.jsonl") if (root / "products.jsonl").exists() else None
            if old_catalog is not None:
                kept += [p for p in old_catalog if p.id in set(removed)]
        catalog = Catalog(kept, name=name)
        _atomic_write(root / "products.jsonl", catalog.to_jsonl())
        hashes = {pid: h for pid, h in existing.items() if not delete_missing or pid in new_ids}
        hashes.update((p.id, p.content_hash()) for p in products)
        _atomic_write(root / HASHES_FILE, json.dumps({"count": store.count(), "hashes": hashes}))
        stats.seconds = time.perf_counter() - started
        previous: dict[str, Any] = {}
        if (root / "manifest.json").exists():
            try:
                previous = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                previous = {}
        update = dict(stats.__dict__)
        update["products_per_s"] = stats.products_per_s
        fresh = stats.added and not (stats.unchanged or stats.refreshed or stats.updated)
        full_build = update if fresh else previous.get("full_build")
        manifest = {
            "full_build": full_build,
            "version": MANIFEST_VERSION,
            "name": name,
            "products": len(catalog),
            "embedder": embedder.name,
            "dim": embedder.dim,
            "built_at": time.time(),
            "last_update": update,
        }
        _atomic_write(root / "manifest.json", json.dumps(manifest, indent=2))
        return cls._with_vectors(catalog, root, name, embedder, store), stats

    # ------------------------------------------------------------ opening

    @staticmethod
    def read_manifest(data_dir: Path, name: str) -> dict[str, Any]:
        path = catalog_dir(data_dir, name) / "manifest.json"
        return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}

    @classmethod
    def open(
        cls, data_dir: Path, name: str, embedder: Embedder, *, store: ProductStore | None = None
    ) -> CatalogIndex:
        root = catalog_dir(data_dir, name)
        rebuild = f"run `shopassist index --catalog {name}` to (re)build it"
        manifest_path = root / "manifest.json"
        if not manifest_path.exists():
            raise CatalogIndexError(f"no index for catalog {name!r} under {root}: {rebuild}")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            if manifest.get("version") != MANIFEST_VERSION:
                raise ValueError(f"manifest version {manifest.get('version')}")
            if manifest.get("embedder") != embedder.name:
                raise ValueError(f"built with embedder {manifest.get('embedder')!r}, not {embedder.name!r}")
            catalog = _read_products(root / "products.jsonl", name)
        except (OSError, ValueError, ValidationError) as exc:
            raise CatalogIndexError(f"the index of catalog {name!r} is corrupt ({str(exc)[:120]}): {rebuild}") from exc
        return cls._with_vectors(catalog, root, name, embedder, store)

    @classmethod
    def _with_vectors(
        cls, catalog: Catalog, root: Path, name: str, embedder: Embedder, store: ProductStore | None
    ) -> CatalogIndex:
        """The index of `catalog` with its vectors read from the store (every product must have one)."""
        rebuild = f"run `shopassist index --catalog {name}` to (re)build it"
        try:
            store = store or ChromaProductStore.open_persistent(root / "chroma", name)
            stored_ids, matrix = store.all_embeddings()  # type: ignore[attr-defined]
        except (StoreError, Exception) as exc:
            raise CatalogIndexError(
                f"the vector index of catalog {name!r} is unreadable ({str(exc)[:120]}): {rebuild}"
            ) from exc
        by_id = {pid: i for i, pid in enumerate(stored_ids)}
        missing = [pid for pid in catalog.ids if pid not in by_id]
        if missing:
            raise CatalogIndexError(
                f"the index of catalog {name!r} lacks vectors for {len(missing)} products: {rebuild}"
            )
        vectors = matrix[[by_id[pid] for pid in catalog.ids]]
        return cls(catalog, store, embedder, vectors)

    @classmethod
    def in_memory(cls, products: Sequence[Product], embedder: Embedder, name: str = "test") -> CatalogIndex:
        """An index held only in memory, with the fake store: for tests and throwaway catalogs."""
        store = InMemoryProductStore()
        catalog = Catalog(products, name=name)
        vectors = embed_documents(embedder, [p.embedding_text() for p in catalog]) if len(catalog) else np.zeros((0, 1))
        store.upsert(catalog.ids, vectors, [product_filter_metadata(p) for p in catalog], [""] * len(catalog))
        return cls(catalog, store, embedder, np.asarray(vectors, dtype=np.float32))


def _stored_hashes(root: Path, store: ProductStore) -> dict[str, str]:
    """id -> content hash of every product in the vector store: from `hashes.json` when it is there and
    agrees with the store's count, else read back from the store (slow: every product's metadata)."""
    try:
        saved = json.loads((root / HASHES_FILE).read_text(encoding="utf-8"))
        if isinstance(saved, dict) and saved.get("count") == store.count() == len(saved.get("hashes", {})):
            return {str(k): str(v) for k, v in saved["hashes"].items()}
    except (OSError, ValueError):
        pass
    return store.content_hashes()


def _refresh_facts(
    store: ProductStore, products: list[Product], batch_size: int, progress: Callable[[int], None] | None
) -> list[Product]:
    """Rewrite the metadata of products whose facts changed but whose embedded text did not, with the
    vectors the store already holds; returns the products the store had no vector for (to embed)."""
    lost: list[Product] = []
    for start in range(0, len(products), batch_size):
        chunk = products[start : start + batch_size]
        kept = store.get_embeddings([p.id for p in chunk])
        lost += [p for p in chunk if p.id not in kept]
        chunk = [p for p in chunk if p.id in kept]
        if chunk:
            store.upsert(
                [p.id for p in chunk],
                np.stack([kept[p.id] for p in chunk]),
                [product_filter_metadata(p) for p in chunk],
                [p.search_text() for p in chunk],
            )
        if progress:
            progress(len(chunk))
    return lost


def _read_products(path: Path, name: str = "catalog") -> Catalog:
    rows: list[dict[str, Any]] = []
    with path.open("r", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
    return Catalog.from_dicts(rows, name=name)


def remove_index(data_dir: Path, name: str) -> bool:
    root = catalog_dir(data_dir, name)
    if root.exists():
        shutil.rmtree(root)
        return True
    return False
