"""Product types, audiences and title brands read against a catalog, in the shopper's words (EN and ZH)."""

from __future__ import annotations

import pytest

from retrieval.audience import fits, product_audiences, read_audience
from retrieval.embedding import HashingEmbedder
from retrieval.filters import QueryFilters, Vocabulary, product_filter_metadata
from retrieval.index import CatalogIndex
from retrieval.product_types import compact, singular
from retrieval.query_parser import parse_query
from retrieval.relax import relax
from retrieval.store import where_matches
from tests.shop_words import shop_products


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.from_products(shop_products())


@pytest.fixture(scope="module")
def index() -> CatalogIndex:
    return CatalogIndex.in_memory(shop_products(), HashingEmbedder())


def f(text: str, vocab: Vocabulary) -> QueryFilters:
    return parse_query(text, vocab).filters


@pytest.mark.parametrize(("word", "one"), [("watches", "watch"), ("bellies", "belly"), ("dress", "dress"),
                                           ("shoes", "shoe"), ("boxes", "box"), ("glasses", "glass")])
def test_singular(word: str, one: str) -> None:
    assert singular(word) == one


def test_spellings_of_one_product_are_one_key() -> None:
    assert compact("handbags") == compact("Hand Bags") == compact("hand-bag") == "handbag"


@pytest.mark.parametrize(
    ("text", "types", "colours"),
    [
        ("coffee mug", ["coffeemug"], []),  # a colour word inside a product name is not a colour
        ("a coffee mug for my office", ["coffeemug"], []),
        ("black boots", ["boot"], ["black"]),
        ("any BROWN boots?", ["boot"], ["brown"]),
        ("running shoes for men", ["runningshoe"], []),
        ("handbags", ["handbag"], []),
        ("a hand bag in pink", ["handbag"], ["pink"]),
        ("watch box", [], []),  # the head decides: a box (one product, no type of its own), not a watch
        ("wrist wacth", ["watch"], []),  # a swapped letter is still a watch
        ("boots or necklaces", ["boot", "necklace"], []),
        ("马克杯", ["mug"], []),
        ("女士靴子", ["boot"], []),
        ("想给女儿买条裙子", ["skirt", "dress"], []),  # 裙子 is either
        ("口红", ["lipstick"], []),  # lipstick: 红 inside a product word is not red
        ("红色的连衣裙", ["dress"], ["red"]),
    ],
)
def test_product_types_and_colours(text: str, types: list[str], colours: list[str], vocab: Vocabulary) -> None:
    got = f(text, vocab)
    assert got.types == types
    assert got.colours == colours


@pytest.mark.parametrize("text", ["a gift for my dad", "something casual", "i need help", "sneakers"])
def test_words_that_are_not_product_types(text: str, vocab: Vocabulary) -> None:
    assert f(text, vocab).types == []


def test_modifiers_and_purpose_words_are_not_types(vocab: Vocabulary) -> None:
    assert "casual" not in vocab.types and "coffee" not in vocab.types and "gift" not in vocab.types
    assert "mug" in vocab.types and "boot" in vocab.types


@pytest.mark.parametrize(
    ("text", "wanted", "person"),
    [
        ("a watch for my husband", ["men"], True),
        ("running shoes for men", ["men"], False),
        ("womens boots", ["women"], False),
        ("boots for my wife under 2000", ["women"], True),
        ("digital watch for a 10 year old boy", ["boys"], True),
        ("i want to get my son a watch", ["boys"], True),
        ("dress for my daughter", ["girls"], True),
        ("something for him", ["men"], True),
        ("gents watch", ["men"], False),
        ("toys for my kids", ["kids"], True),
        ("给我老公买块手表", ["men"], True),
        ("想给女儿买条裙子", ["girls"], True),
        ("女士靴子", ["women"], False),
        ("男士手表，不要儿童款", ["men"], False),  # "not for kids" excludes, it does not ask for kids
        ("宝宝的鞋", ["baby"], False),
    ],
)
def test_who_the_shopper_buys_for(text: str, wanted: list[str], person: bool) -> None:
    reading = read_audience(text)
    assert reading.wanted == wanted
    assert reading.person is person


def test_not_for_kids_is_an_exclusion() -> None:
    assert read_audience("watches for men, not for kids").excluded == ["kids"]


def test_catalog_audiences(vocab: Vocabulary) -> None:
    products = {p.id: p for p in shop_products()}
    assert product_audiences(products["w1"]) == {"men", "boys"}
    assert product_audiences(products["w7"]) == {"unisex"}
    assert product_audiences(products["m1"]) == frozenset()
    men, boys = product_audiences(products["w6"]), product_audiences(products["w3"])
    assert fits(men, ["men"]) and not fits(boys, ["men"])  # "for men" keeps boys' watches out
    assert fits(boys, ["kids"]) and fits(product_audiences(products["w7"]), ["women"])
    assert not fits(frozenset(), ["men"]) and fits(frozenset(), ["men"], unknown_ok=True)


def test_brands_only_in_titles_and_brand_restrictions(vocab: Vocabulary) -> None:
    assert "skmei" in vocab.brands and "allen solly" in vocab.brands
    assert f("just skmei pls", vocab).brands == ["skmei"]  # "just" is not a brand
    assert f("only allen solly please", vocab).brands == ["allen solly"]


def test_type_and_audience_filters_agree_everywhere(index: CatalogIndex) -> None:
    cases = [
        QueryFilters(types=["watch"], audiences=["men"]),
        QueryFilters(types=["boot"], colours=["brown"]),
        QueryFilters(types=["runningshoe"], audiences=["kids"]),
        QueryFilters(types=["coffeemug"], audiences=["men"], audience_unknown_ok=True),
        QueryFilters(audiences=["women"], max_price=1000),
    ]
    metas = [product_filter_metadata(p) for p in shop_products()]
    for filters in cases:
        python_side = [filters.matches(m) for m in metas]
        chroma_side = [where_matches(filters.to_chroma_where(), m) for m in metas]
        mask = index.mask(filters)
        assert mask is not None
        assert python_side == chroma_side == [bool(mask[index.position[p.id]]) for p in shop_products()]
        assert any(python_side), filters


def test_mentions_filter_on_title_words(index: CatalogIndex) -> None:
    filters = QueryFilters(mentions=["lipstick"])
    ids = [index.ids[i] for i in range(len(index)) if index.mask(filters)[i]]  # type: ignore[index]
    assert sorted(ids) == ["l1", "l2"]
    assert [p.id for p in shop_products() if filters.matches(product_filter_metadata(p))] == ["l1", "l2"]


def test_relaxation_says_what_it_loosened_and_keeps_the_product(index: CatalogIndex) -> None:
    # no pink boots: the colour goes, the boots stay
    out = relax(index, QueryFilters(types=["boot"], colours=["pink"], audiences=["women"]))
    assert out.steps == ["colour"] and out.filters.types == ["boot"] and out.matching == 3
    # mugs name no audience: a mug for dad is any mug, with no word about it
    out = relax(index, QueryFilters(types=["coffeemug"], audiences=["men"]))
    assert out.steps == ["audience_unlabelled"] and out.matching == 3
    # the budget is a limit, never loosened
    out = relax(index, QueryFilters(types=["ring"], max_price=100))
    assert out.matching == 0 and out.filters.max_price == 100
    # a two-word type widens to its head before anything is dropped
    out = relax(index, QueryFilters(types=["runningshoe"], colours=["black"]))
    assert out.steps[0] in ("type_broadened", "colour")
    assert out.filters.types
