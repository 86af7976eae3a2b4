from __future__ import annotations

import numpy as np
import pytest

from retrieval.catalog import Product
from retrieval.embedding import HashingEmbedder
from retrieval.filters import QueryFilters
from retrieval.hybrid import FusionParams, HybridSearcher, QueryError, fuse
from retrieval.index import CatalogIndex


@pytest.fixture(scope="module")
def demo_searcher(demo_products: list[Product]) -> HybridSearcher:
    return HybridSearcher(CatalogIndex.in_memory(demo_products, HashingEmbedder(128), name="demo"),
                          store_currency="INR", fx_to_store={"USD": 83.0})  # the demo store's


def test_price_ceiling_and_category_are_hard_constraints(demo_searcher: HybridSearcher) -> None:
    response = demo_searcher.search("analog watch for men under 1000", k=20)
    assert response.filters.max_price == 1000 and response.filters.categories == ["watches"]
    assert response.hits, "there are cheap men's watches in the demo store"
    for hit in response.hits:
        assert 0 < hit.product.price <= 1000
        assert hit.product.category == "watches"


def test_usd_budget_is_converted_to_the_store_currency(demo_searcher: HybridSearcher) -> None:
    response = demo_searcher.search("shoes under $15", k=20)
    assert response.filters.max_price == pytest.approx(15 * 83.0)
    assert all(h.product.price <= 15 * 83.0 for h in response.hits)


def test_filter_only_queries_browse_matching_products(demo_searcher: HybridSearcher) -> None:
    response = demo_searcher.search("on sale under 300", k=10)
    assert response.hits and all(h.product.on_sale and h.product.price <= 300 for h in response.hits)
    assert any("popular" in n for n in response.notes)


def test_impossible_filters_say_so(demo_searcher: HybridSearcher) -> None:
    response = demo_searcher.search("watch under 1 rupee", k=10)
    assert response.hits == [] and "no product matches these filters" in response.notes


def test_exclude_ids_and_explicit_filters(demo_searcher: HybridSearcher) -> None:
    first = demo_searcher.search("gold ring", k=3)
    shown = {h.product.id for h in first.hits}
    second = demo_searcher.search("gold ring", k=3, exclude_ids=shown)
    assert not shown & {h.product.id for h in second.hits}
    cheaper = demo_searcher.search("gold ring", k=5, filters=QueryFilters(max_price=20000))
    assert all(h.product.price <= 20000 for h in cheaper.hits)


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x07\x1b", "\n\t"])
def test_empty_queries_are_rejected_clearly(demo_searcher: HybridSearcher, bad: str) -> None:
    with pytest.raises(QueryError, match="empty"):
        demo_searcher.search(bad)


def test_huge_and_odd_queries_still_answer(demo_searcher: HybridSearcher) -> None:
    huge = demo_searcher.search("red shoes " * 10_000, k=5)
    assert len(huge.query) <= 1000 and huge.hits
    assert demo_searcher.search("🙂 shoes ✨", k=3).hits
    assert demo_searcher.search("red\x00shoes", k=3).hits


def test_modes_rank_by_their_own_score(demo_searcher: HybridSearcher) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        hits = demo_searcher.search("women's kurta", k=10, mode=mode).hits
        scores = [h.score for h in hits]
        assert hits and scores == sorted(scores, reverse=True), mode


def test_fusion_is_a_weighted_combination_of_normalized_scores() -> None:
    dense = np.array([0.9, 0.5, 0.1], dtype=np.float32)
    bm25 = np.array([0.0, 10.0, 5.0], dtype=np.float32)
    fused = fuse(dense, bm25, FusionParams(dense_weight=0.5, bm25_norm="max", dense_norm="raw"))
    assert np.allclose(fused, [0.45, 0.75, 0.3])
    only_dense = fuse(dense, bm25, FusionParams(dense_weight=1.0))
    assert np.argmax(only_dense) == 0


def test_catalogs_without_prices_ignore_price_filters() -> None:
    products = [Product(id=str(i), title=t, price=0.0) for i, t in enumerate(["deck paint", "wood stain"])]
    searcher = HybridSearcher(CatalogIndex.in_memory(products, HashingEmbedder()))
    response = searcher.search("deck paint under $50", k=5)
    assert response.hits and response.hits[0].product.title == "deck paint"
    assert any("no prices" in n for n in response.notes)


def test_score_products_for_reranking(demo_searcher: HybridSearcher) -> None:
    ids = [h.product.id for h in demo_searcher.search("gold ring", k=5).hits] + ["unknown-id"]
    scores = demo_searcher.score_products("gold ring", ids)
    assert scores.shape == (6,) and np.isneginf(scores[-1]) and np.all(np.isfinite(scores[:-1]))


@pytest.mark.slow
def test_real_minilm_and_chroma_find_relevant_products(tmp_path, minilm, demo_products) -> None:
    index, _ = CatalogIndex.build(tmp_path, "demo", demo_products, minilm)
    searcher = HybridSearcher(index)
    hits = searcher.search("wrist watch for men", k=5).hits
    assert sum("watch" in h.product.title for h in hits) >= 4
    hits = searcher.search("sunglasses under 500", k=3).hits
    assert hits and all("sunglasses" in h.product.title and h.product.price <= 500 for h in hits)


def test_filtered_dense_side_is_exact_over_the_filtered_rows(demo_products: list[Product]) -> None:
    """With filters, the dense side scores every row that passes them (the `where` predicate, as a mask)
    instead of asking the vector store's approximate filtered search; unfiltered queries use the store."""
    index = CatalogIndex.in_memory(demo_products, HashingEmbedder(128), name="exact")
    asked: list[object] = []
    real_query = index.store.query

    def spy(embedding, k, where=None):  # type: ignore[no-untyped-def]
        asked.append(where)
        return real_query(embedding, k, where=where)

    index.store.query = spy  # type: ignore[method-assign]
    searcher = HybridSearcher(index)
    pool = searcher.candidates("watch for men under 1000", mode="dense", k=10)
    assert asked == [] and len(pool.positions)
    mask = index.mask(pool.parsed.filters)
    assert mask is not None and all(mask[p] for p in pool.positions)
    q = index.embedder.embed([pool.parsed.residual])[0]
    allowed = np.flatnonzero(mask)
    best = allowed[np.argsort(-(index.vectors[allowed] @ q))[: len(pool.positions)]]
    assert set(best.tolist()) == set(pool.positions.tolist())  # the exact top rows, none missed
    searcher.candidates("analog watch", mode="dense", parse=False, k=10)  # no filters read from the text
    assert asked == [None]  # no filters: the vector store answers
