from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.catalog import Product
from retrieval.embedding import HashingEmbedder
from retrieval.index import CatalogIndex, CatalogIndexError, catalog_dir


def _products() -> list[Product]:
    return [
        Product(id="p1", title="red running shoe", brand="acme", category_path=["footwear"], price=900),
        Product(id="p2", title="blue rain jacket waterproof", brand="zeta", category_path=["clothing"], price=1400),
        Product(id="p3", title="steel analog watch", brand="tick", category_path=["watches"], price=2500),
    ]


def test_build_then_upsert_only_reembeds_changes(tmp_path: Path) -> None:
    emb = HashingEmbedder()
    index, stats = CatalogIndex.build(tmp_path, "shop", _products(), emb)
    assert (stats.added, stats.updated, stats.unchanged, stats.deleted) == (3, 0, 0, 0)
    assert len(index) == 3

    changed = _products()
    changed[0] = changed[0].model_copy(update={"price": 800.0})
    changed = [*changed[:2], Product(id="p4", title="gold ring", price=5000)]
    changed[1] = changed[1].model_copy(update={"title": "blue rain jacket waterproof hooded"})
    index, stats = CatalogIndex.build(tmp_path, "shop", changed, emb)
    # p1's price changed (facts refreshed, same vector), p2's title changed (re-embedded), p3 went, p4 came.
    assert (stats.added, stats.updated, stats.refreshed, stats.unchanged, stats.deleted) == (1, 1, 1, 0, 1)
    assert set(index.catalog.ids) == {"p1", "p2", "p4"}
    assert index.catalog["p1"].price == 800.0

    reopened = CatalogIndex.open(tmp_path, "shop", emb)
    assert reopened.store.count() == 3 and set(reopened.ids) == {"p1", "p2", "p4"}
    manifest = CatalogIndex.read_manifest(tmp_path, "shop")
    assert manifest["full_build"]["added"] == 3, "the timed first build is kept for the benchmark"


def test_keep_missing_keeps_products_absent_from_the_file(tmp_path: Path) -> None:
    emb = HashingEmbedder()
    CatalogIndex.build(tmp_path, "shop", _products(), emb)
    index, stats = CatalogIndex.build(tmp_path, "shop", _products()[:1], emb, delete_missing=False)
    assert stats.deleted == 0 and len(index) == 3


def test_missing_and_corrupt_indexes_name_the_rebuild_command(tmp_path: Path) -> None:
    emb = HashingEmbedder()
    with pytest.raises(CatalogIndexError, match="shopassist index --catalog nothing"):
        CatalogIndex.open(tmp_path, "nothing", emb)
    CatalogIndex.build(tmp_path, "shop", _products(), emb)
    products_file = catalog_dir(tmp_path, "shop") / "products.jsonl"
    good = products_file.read_text()
    products_file.write_text(good[: len(good) // 2])
    with pytest.raises(CatalogIndexError, match="corrupt"):
        CatalogIndex.open(tmp_path, "shop", emb)
    products_file.write_text(good)
    manifest = catalog_dir(tmp_path, "shop") / "manifest.json"
    meta = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**meta, "embedder": "something-else"}))
    with pytest.raises(CatalogIndexError, match="embedder"):
        CatalogIndex.open(tmp_path, "shop", emb)


def test_a_failed_ingest_leaves_the_index_unchanged(tmp_path: Path) -> None:
    emb = HashingEmbedder()
    CatalogIndex.build(tmp_path, "shop", _products(), emb)
    before = (catalog_dir(tmp_path, "shop") / "products.jsonl").read_text()
    with pytest.raises(CatalogIndexError, match="nothing was changed"):
        CatalogIndex.build(tmp_path, "shop", [], emb)
    assert (catalog_dir(tmp_path, "shop") / "products.jsonl").read_text() == before
    assert len(CatalogIndex.open(tmp_path, "shop", emb)) == 3


def test_vectorized_mask_is_the_python_predicate(demo_products: list[Product]) -> None:
    from retrieval.filters import QueryFilters

    index = CatalogIndex.in_memory(demo_products, HashingEmbedder())
    cases = [
        QueryFilters(max_price=1000),
        QueryFilters(min_price=500, max_price=2000, colours=["red", "black"]),
        QueryFilters(brands=["karatcraft"]),
        QueryFilters(categories=["footwear"], on_sale=True, in_stock=True),
        QueryFilters(min_rating=4.0, colours=["gold"]),
    ]
    for filters in cases:
        mask = index.mask(filters)
        assert mask is not None and mask.any(), filters
        assert mask.tolist() == [filters.matches(m) for m in index.metadata], filters
    assert index.mask(QueryFilters()) is None


@pytest.mark.slow
def test_a_chroma_server_holds_the_vectors_when_configured(tmp_path: Path, chroma_server: str) -> None:
    from retrieval.service import open_index
    from retrieval.store import ChromaProductStore

    emb = HashingEmbedder()
    store = ChromaProductStore.connect_http(chroma_server, "served")
    CatalogIndex.build(tmp_path, "served", _products(), emb, store=store)
    assert not (catalog_dir(tmp_path, "served") / "chroma").exists(), "no local vector directory"
    index = open_index(tmp_path, "served", emb, chroma_url=chroma_server)
    assert index.store.count() == 3 and len(index) == 3
