"""Products with variants: the shown-price rule, filters over variants, and the on-disk catalog."""

from __future__ import annotations

from pathlib import Path

from retrieval.catalog import Product, Variant
from retrieval.embedding import HashingEmbedder
from retrieval.filters import QueryFilters, product_filter_metadata
from retrieval.hybrid import HybridSearcher
from retrieval.index import CatalogIndex
from retrieval.query_parser import parse_query


def _tee() -> Product:
    return Product(
        id="tee", title="organic cotton tee", brand="northwind", category_path=["clothing"], price=0,
        currency="USD", attributes={"size": "S, M, L", "colour": "Forest Green"},
        variants=[
            Variant(id="tee-s", options={"Size": "S", "Colour": "Forest Green"}, price=24.99, stock=5),
            Variant(id="tee-m", options={"Size": "M", "Colour": "Forest Green"}, price=19.99, list_price=29.99,
                    stock=0, in_stock=False),
            Variant(id="tee-l", options={"Size": "L", "Colour": "Forest Green"}, price=26.99, list_price=30.0,
                    stock=7),
        ],
    )


def _dress() -> Product:
    return Product(
        id="dress", title="wrap dress", brand="linea", category_path=["clothing"], price=0, currency="USD",
        attributes={"colour": "Red, Navy", "size": "M, XL"},
        variants=[
            Variant(id="dress-red-m", options={"Color": "Red", "Talla": "M"}, price=59.0, stock=0, in_stock=False),
            Variant(id="dress-navy-xl", options={"Color": "Navy", "Talla": "XL"}, price=64.5, stock=2),
        ],
    )


def _sold_out() -> Product:
    return Product(id="cap", title="wool cap", category_path=["clothing"], price=0, currency="USD",
                   variants=[Variant(id="cap-1", options={"Size": "One size"}, price=15.0, stock=0, in_stock=False),
                             Variant(id="cap-2", options={"Size": "XL"}, price=12.0, list_price=18.0, stock=0,
                                     in_stock=False)])


def _plain() -> Product:
    return Product(id="mug", title="white mug", category_path=["kitchen"], price=8.5, currency="USD", stock=3)


def test_shown_price_is_the_lowest_price_among_variants_in_stock() -> None:
    tee = _tee()
    # M is cheaper but sold out: S's 24.99 is what a shopper can pay now; S has no compare-at price.
    assert (tee.price, tee.list_price, tee.price_max, tee.stock, tee.in_stock) == (24.99, None, 26.99, 12, True)
    cap = _sold_out()
    # Nothing in stock: the lowest price over all variants, with that variant's compare-at price.
    assert (cap.price, cap.list_price, cap.discount_pct, cap.in_stock) == (12.0, 18.0, 33.0, False)
    plain = _plain()
    assert (plain.price, plain.in_stock, plain.price_max, plain.variants) == (8.5, True, 8.5, [])
    assert tee.variants[2].title == "L / Forest Green"


def test_variants_survive_the_on_disk_catalog(tmp_path: Path) -> None:
    emb = HashingEmbedder()
    products = [_tee(), _dress(), _sold_out(), _plain()]
    CatalogIndex.build(tmp_path, "shop", products, emb)
    reopened = CatalogIndex.open(tmp_path, "shop", emb)
    assert [reopened.catalog[p.id] for p in products] == products
    assert reopened.catalog["tee"].variants[1].list_price == 29.99


def test_size_words_become_a_filter() -> None:
    parsed = parse_query("red wrap dress size M under $70", store_currency="USD")
    assert parsed.filters.sizes == ["m"] and parsed.filters.colours == ["red"] and parsed.filters.max_price == 70
    assert "size" not in parsed.residual and "dress" in parsed.residual
    assert parse_query("conjunto talla 6-12 meses").filters.sizes == ["6-12m"]
    assert parse_query("running shoes in size 10.5").filters.sizes == ["10.5"]
    assert parse_query("hoodie size large").filters.sizes == ["l"]
    assert parse_query("queen size bed frame").filters.sizes == [], "'size' alone is not a size filter"
    assert "size: m" in parse_query("tee size medium").filters.describe()


def test_filters_consider_every_variant() -> None:
    index = CatalogIndex.in_memory([_tee(), _dress(), _sold_out(), _plain()], HashingEmbedder())

    def passing(filters: QueryFilters) -> set[str]:
        mask = index.mask(filters)
        assert mask is not None
        assert mask.tolist() == [filters.matches(m) for m in index.metadata], "vectorized == python predicate"
        return {pid for pid, keep in zip(index.ids, mask, strict=True) if keep}

    assert passing(QueryFilters(sizes=["m"])) == {"tee", "dress"}, "the size of any variant (Talla is size)"
    assert passing(QueryFilters(sizes=["onesize"])) == {"cap"}
    assert passing(QueryFilters(colours=["blue"])) == {"dress"}, "navy is blue, from the dress's navy variant"
    assert passing(QueryFilters(colours=["green"])) == {"tee"}
    assert passing(QueryFilters(max_price=25)) == {"tee", "cap", "mug"}
    assert passing(QueryFilters(min_price=26)) == {"tee", "dress"}, "the tee's L costs 26.99"
    assert passing(QueryFilters(min_price=60, max_price=70)) == {"dress"}
    assert passing(QueryFilters(min_price=30, max_price=60)) == set(), "the dress's 59.00 variant is sold out"
    assert passing(QueryFilters(in_stock=True)) == {"tee", "dress", "mug"}
    assert passing(QueryFilters(on_sale=True)) == {"cap"}


def test_filter_metadata_of_a_variant_product() -> None:
    meta = product_filter_metadata(_dress())
    assert meta["colour_red"] and meta["colour_blue"] and meta["size_m"] and meta["size_xl"]
    assert (meta["price"], meta["price_max"], meta["in_stock"]) == (64.5, 64.5, True)


def test_search_returns_products_with_their_variants() -> None:
    index = CatalogIndex.in_memory([_tee(), _dress(), _sold_out(), _plain()], HashingEmbedder())
    response = HybridSearcher(index, store_currency="USD").search("cotton tee size L", k=3)
    assert response.filters.sizes == ["l"]
    assert [h.product.id for h in response.hits] == ["tee"]
    assert len(response.hits[0].product.variants) == 3
