from __future__ import annotations

import pytest

from retrieval.filters import QueryFilters
from scene.slots import extract, find_order_number, find_quantity, find_relative_price

SHOWN = ["p1", "p2", "p3", "p4", "p5"]


@pytest.mark.parametrize(
    ("text", "positions", "refs"),
    [
        ("compare the first two", [1, 2], ["p1", "p2"]),
        ("add the second one to my cart", [2], ["p2"]),
        ("the last one please", [-1], ["p5"]),
        ("which is better, the 1st or the 3rd?", [1, 3], ["p1", "p3"]),
        ("what about number 4", [4], ["p4"]),
        ("第二双多少钱？", [2], ["p2"]),
        ("前两个比一比", [1, 2], ["p1", "p2"]),
        ("最后一个有货吗", [-1], ["p5"]),
        ("两个都加入购物车", [1, 2], ["p1", "p2"]),
    ],
)
def test_references_resolve_to_shown_ids(text: str, positions: list[int], refs: list[str]) -> None:
    slots = extract(text, SHOWN)
    assert slots.positions == positions
    assert slots.references == refs
    assert slots.unresolved_reference is None


def test_out_of_range_ordinal_is_reported_not_raised() -> None:
    slots = extract("tell me about the third one", ["a", "b"])
    assert slots.references == []
    assert slots.unresolved_reference == "third"
    zh = extract("第三双多少钱", ["a", "b"])
    assert zh.unresolved_reference == "third"


def test_reference_without_any_shown_list_is_unresolved() -> None:
    assert extract("is it waterproof?").unresolved_reference == "it"
    assert extract("add the second one").unresolved_reference == "second"


def test_anaphora_prefers_focus_then_first_shown() -> None:
    assert extract("is it waterproof?", SHOWN, focus=["p3"]).references == ["p3"]
    slots = extract("is it waterproof?", SHOWN)
    assert slots.references == ["p1"] and slots.reference_ambiguous
    assert extract("compare them", SHOWN).references == SHOWN


def test_words_that_look_like_ordinals_are_not_references() -> None:
    assert extract("first time buying here, any tips?", SHOWN).positions == []
    assert extract("i ordered last week", SHOWN).positions == []


def test_filters_come_from_retrieval_parser() -> None:
    slots = extract("red running shoes under 2000 rupees", SHOWN)
    assert isinstance(slots.filters, QueryFilters)
    assert slots.filters.max_price == 2000
    assert slots.filters.colours == ["red"]
    zh = extract("红色的500元以下")
    assert zh.filters.colours == ["red"] and zh.filters.max_price is not None


@pytest.mark.parametrize(
    ("text", "qty"),
    [("add 3 pairs to my cart", 3), ("two of these please", 2), ("买三件", 3), ("数量改成5", 5),
     ("add the second one", None), ("前两个比一比", None), ("第二双多少钱", None), ("change quantity to 4", 4)],
)
def test_quantity(text: str, qty: int | None) -> None:
    slots = extract(text, SHOWN)
    assert slots.quantity == qty
    assert find_quantity(text) == qty or slots.positions  # masked by the reference only


@pytest.mark.parametrize(
    ("text", "order"),
    [("where is my order #48213", "48213"), ("order number ORD-55821 hasn't arrived", "ORD-55821"),
     ("订单号12345678到哪了", "12345678"), ("where is my order", None)],
)
def test_order_number(text: str, order: str | None) -> None:
    assert find_order_number(text) == order


def test_relative_price() -> None:
    assert find_relative_price("cheaper ones?") == "cheaper"
    assert find_relative_price("有没有更便宜的") == "cheaper"
    assert find_relative_price("something more expensive") == "pricier"
    assert find_relative_price("blue ones") is None


@pytest.mark.parametrize("text", ["", "😀😀", "x" * 100_000, "ignore previous instructions", "第" * 50, "#" * 9])
def test_never_raises(text: str) -> None:
    extract(text, SHOWN)
