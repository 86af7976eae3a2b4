from __future__ import annotations

import pytest

from retrieval.catalog import Product
from retrieval.filters import QueryFilters, Vocabulary, product_filter_metadata
from retrieval.money import Money
from retrieval.query_parser import parse_query
from retrieval.store import where_matches

DEMO_FX = {"INR": 1.0, "USD": 83.0, "EUR": 90.0, "CNY": 11.5, "GBP": 105.0}  # the demo profile's rates


@pytest.mark.parametrize(
    ("text", "expected", "residual"),
    [
        ("waterproof jacket under 1500", {"max_price": 1500.0}, "waterproof jacket"),
        ("shoes below 1000 rupees", {"max_price": 1000.0, "price_currency": "INR"}, "shoes"),
        ("mugs between 200 and 400", {"min_price": 200.0, "max_price": 400.0}, "mugs"),
        ("a watch over ₹2,000", {"min_price": 2000.0, "price_currency": "INR"}, "a watch"),
        ("phones 1.5k to 3k", {"min_price": 1500.0, "max_price": 3000.0}, "phones"),
        ("bags 500 or less", {"max_price": 500.0}, "bags"),
        ("我想买一双500元以下的鞋", {"max_price": 5750.0, "price_currency": "CNY"}, None),
        ("100到200元的手表", {"min_price": 1150.0, "max_price": 2300.0, "price_currency": "CNY"}, None),
        ("coat under $150", {"max_price": 12450.0, "price_currency": "USD"}, "coat"),
    ],
)
def test_price_phrases_become_store_currency_ranges(text: str, expected: dict, residual: str | None) -> None:
    parsed = parse_query(text, store_currency="INR", fx_to_store=DEMO_FX)
    got = parsed.filters.model_dump(exclude_defaults=True)
    for key, value in expected.items():
        assert got[key] == value, (text, got)
    if residual is not None:
        assert parsed.residual == residual


@pytest.mark.parametrize("text", ["2x4 under 8 ft", "1/2 inch pipe", "drill 18 v", "paint 5 gal", "size 10 shoes"])
def test_sizes_and_units_are_not_prices(text: str) -> None:
    filters = parse_query(text).filters
    assert filters.min_price is None and filters.max_price is None, text


def test_rating_sale_stock_and_colour() -> None:
    f = parse_query("top rated red sneakers on sale in stock").filters
    assert f.min_rating == 4.0 and f.on_sale and f.in_stock and f.colours == ["red"]
    assert parse_query("watches rated 4.5 stars and up").filters.min_rating == 4.5
    assert parse_query("4星以上的手表 打折").filters.on_sale


def test_brand_and_category_come_from_the_catalog_vocabulary(demo_products: list[Product]) -> None:
    vocab = Vocabulary.from_products(demo_products)
    f = parse_query("karatcraft gold ring", vocab).filters
    assert f.brands == ["karatcraft"]
    shoes = parse_query("shoes for men", vocab).filters
    assert shoes.categories == ["footwear"]
    assert shoes.types == ["shoe"] and shoes.audiences == ["men"]  # also read: a need applies them (scene.need)
    assert parse_query("手表", vocab).filters.categories == ["watches"]
    # Everyday words that happen to be a brand somewhere are not hard filters.
    assert "fashion" not in vocab.brands


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "🙂🙂", "x" * 100_000, "under under $", "between and"])
def test_never_raises(text: str) -> None:
    parsed = parse_query(text)
    assert isinstance(parsed.filters, QueryFilters)


def test_chroma_where_clause_and_python_predicate_agree(demo_products: list[Product]) -> None:
    cases = [
        QueryFilters(max_price=1000),
        QueryFilters(min_price=500, max_price=2000, colours=["red", "black"]),
        QueryFilters(brands=["karatcraft"], min_rating=0),
        QueryFilters(categories=["footwear"], on_sale=True, in_stock=True),
        QueryFilters(min_rating=4.0),
    ]
    metas = [product_filter_metadata(p) for p in demo_products]
    for filters in cases:
        where = filters.to_chroma_where()
        python_side = [filters.matches(m) for m in metas]
        chroma_side = [where_matches(where, m) for m in metas]
        assert python_side == chroma_side, filters
        assert any(python_side), f"case matches nothing, so it proves nothing: {filters}"


def test_unknown_price_never_fits_a_budget() -> None:
    p = Product(id="x", title="mystery box", price=0.0)
    assert not QueryFilters(max_price=100).matches(product_filter_metadata(p))


def test_describe_and_merge() -> None:
    base = QueryFilters(max_price=1500, colours=["red"])
    follow_up = QueryFilters(max_price=1000)
    merged = base.merged(follow_up)
    assert merged.max_price == 1000 and merged.colours == ["red"]
    assert merged.describe(Money("INR", "en_IN")) == ["under ₹1,000", "colour: red"]
    assert merged.describe(Money("SEK", "sv_SE")) == ["under 1\u00a0000\u00a0kr", "colour: red"]
    assert merged.describe() == ["under 1,000", "colour: red"]  # no store format: the bare number


@pytest.mark.parametrize(
    ("text", "store", "fx", "max_price", "noted"),
    [
        ("coat under $600", "USD", {}, 600.0, False),  # the store's own currency is taken as typed
        ("jacka under 1500 kr", "SEK", {}, 1500.0, False),
        ("coat under ₹5000", "USD", DEMO_FX, 60.24, False),  # rates against a common base
        ("coat under $10", "INR", {"USD": 83.0}, 830.0, False),  # rates in store units
        ("coat under 100 euros", "SEK", {}, None, True),  # no rate: not guessed, said
    ],
)
def test_amounts_in_and_out_of_the_store_currency(text: str, store: str, fx: dict, max_price: float | None,
                                                  noted: bool) -> None:
    parsed = parse_query(text, store_currency=store, fx_to_store=fx)
    assert parsed.filters.max_price == max_price and bool(parsed.notes) == noted


@pytest.mark.parametrize(
    ("text", "residual"),
    [
        ("我想买一双防水的登山鞋", "waterproof hiking shoes"),
        ("500元以下的红色连衣裙", "red dress"),
        ("puma 运动鞋", "puma sports shoes"),
    ],
)
def test_chinese_product_words_are_searched_in_english(text: str, residual: str) -> None:
    assert parse_query(text).residual == residual
