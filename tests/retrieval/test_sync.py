"""Incremental sync: re-importing a changed export redoes only what changed."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding import HashingEmbedder
from retrieval.hybrid import HybridSearcher
from retrieval.importers import import_catalog
from retrieval.index import HASHES_FILE, CatalogIndex, catalog_dir

DATA = Path(__file__).parent / "data"


class CountingEmbedder:
    """The hashing fake, counting the texts it embeds: the proof that nothing was re-embedded."""

    def __init__(self, inner: HashingEmbedder) -> None:
        self.inner, self.name, self.dim, self.texts = inner, inner.name, inner.dim, 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.embed(texts)


def _edited_export(tmp_path: Path, edit: dict[tuple[str, str], str], drop: str = "") -> Path:
    """A copy of the legacy Shopify fixture with cells changed ((Variant SKU, column) -> value) and a product
    (handle) removed."""
    with (DATA / "shopify_legacy.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    sku, handle_col = header.index("Variant SKU"), header.index("Handle")
    out = [header]
    for row in rows[1:]:
        if row[handle_col] == drop:
            continue
        for (target, column), value in edit.items():
            if row[sku] == target:
                row[header.index(column)] = value
        out.append(row)
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(out)
    return path


def _sync(tmp_path: Path, export: Path, embedder: CountingEmbedder) -> tuple[CatalogIndex, int, object]:
    before = embedder.texts
    products = import_catalog(export, currency="USD").products
    index, stats = CatalogIndex.build(tmp_path / "data", "shop", products, embedder)
    return index, embedder.texts - before, stats


def test_a_price_or_stock_change_is_applied_without_re_embedding(tmp_path: Path) -> None:
    embedder = CountingEmbedder(HashingEmbedder())
    index, embedded, _ = _sync(tmp_path, DATA / "shopify_legacy.csv", embedder)
    assert embedded == 3
    query = "remy clip-in under $80"
    before = HybridSearcher(index, store_currency="USD").search(query).hits
    assert "clip-in-hair-extensions" not in {h.product.id for h in before}, "89.00 is over the budget"
    cheaper = _edited_export(tmp_path, {("HX-16-JB", "Variant Price"): "79.00",
                                        ("HX-16-HB", "Variant Inventory Qty"): "6",
                                        ("SCR-01", "Variant Price"): "1.49"})
    index, embedded, stats = _sync(tmp_path, cheaper, embedder)
    assert embedded == 0, "price and stock are not in the embedded text"
    assert (stats.refreshed, stats.updated, stats.unchanged, stats.added) == (2, 0, 1, 0)  # type: ignore[attr-defined]
    hair = index.catalog["clip-in-hair-extensions"]
    assert hair.price == 79.0 and hair.variants[1].stock == 6 and index.catalog["satin-scrunchie"].price == 1.49
    searcher = HybridSearcher(index, store_currency="USD")
    ids = [h.product.id for h in searcher.search(query, k=5).hits]
    assert ids[0] == "clip-in-hair-extensions" and "tape-in-extensions" not in ids
    # The vector store's filter metadata follows: its where-clause agrees with the new price.
    stored = index.store.query(index.vectors[index.position["clip-in-hair-extensions"]], 1,
                               where={"price": {"$lte": 80.0}})
    assert stored and stored[0][0] == "clip-in-hair-extensions"
    reopened = CatalogIndex.open(tmp_path / "data", "shop", embedder)
    assert reopened.catalog["clip-in-hair-extensions"].price == 79.0


def test_deleted_products_disappear_and_changed_texts_are_re_embedded(tmp_path: Path) -> None:
    embedder = CountingEmbedder(HashingEmbedder())
    _sync(tmp_path, DATA / "shopify_legacy.csv", embedder)
    searcher = HybridSearcher(CatalogIndex.open(tmp_path / "data", "shop", embedder), store_currency="USD")
    assert "satin-scrunchie" in {h.product.id for h in searcher.search("satin scrunchie", k=3).hits}
    changed = _edited_export(tmp_path, {("TP-18", "Title"): "Seamless Tape-In Extensions"}, drop="satin-scrunchie")
    index, embedded, stats = _sync(tmp_path, changed, embedder)
    assert embedded == 1 and (stats.updated, stats.deleted) == (1, 1)  # type: ignore[attr-defined]
    hits = HybridSearcher(index, store_currency="USD").search("satin scrunchie", k=3).hits
    assert "satin-scrunchie" not in {h.product.id for h in hits}
    assert index.store.count() == 2 and "satin-scrunchie" not in index.catalog
    assert index.catalog["tape-in-extensions"].title == "Seamless Tape-In Extensions"


def test_the_hashes_file_spares_reading_the_store_and_is_never_trusted_blindly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = CountingEmbedder(HashingEmbedder())
    products = import_catalog(DATA / "shopify_legacy.csv", currency="USD").products
    CatalogIndex.build(tmp_path, "shop", products, embedder)
    hashes = catalog_dir(tmp_path, "shop") / HASHES_FILE
    assert hashes.exists()
    from retrieval.store import ChromaProductStore

    reads: list[int] = []
    original = ChromaProductStore.content_hashes

    def counted(self: ChromaProductStore) -> dict[str, str]:
        reads.append(1)
        return original(self)

    monkeypatch.setattr(ChromaProductStore, "content_hashes", counted)
    _, stats = CatalogIndex.build(tmp_path, "shop", products, embedder)
    assert reads == [] and stats.unchanged == 3
    hashes.write_text('{"count": 99, "hashes": {}}')  # disagrees with the store: read the store instead
    _, stats = CatalogIndex.build(tmp_path, "shop", products, embedder)
    assert reads == [1] and stats.unchanged == 3
    hashes.unlink()  # as after an interrupted run
    _, stats = CatalogIndex.build(tmp_path, "shop", products, embedder)
    assert reads == [1, 1] and stats.unchanged == 3 and embedder.texts == 3
