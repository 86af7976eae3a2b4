"""The dialogue checks on hand-made turns: each check passes on a right answer and fails on a wrong one."""

from __future__ import annotations

from typing import Any

import pytest

from evaluation.dialogues import facts
from evaluation.dialogues.authoring import dsl
from evaluation.dialogues.checks import Context, admits_unknown, judge, reply_language
from evaluation.dialogues.schema import Constraints
from evaluation.dialogues.transcript import TurnRecord, fold
from retrieval.catalog import Product


def product(pid: str, title: str, price: float, **kw: Any) -> Product:
    return Product(id=pid, title=title, price=price, stock=kw.pop("stock", 5), **kw)


CATALOG = {p.id: p for p in [
    product("w1", "rorlig rr-028 analog watch - for men, boys", 399, list_price=1099,
            category_path=["watches", "wrist watches"], attributes={"gender": "Men, Boys", "colour": "Black",
                                                                      "dial shape": "Round"}),
    product("w2", "t star uft analog watch - for boys", 399, category_path=["watches"],
            attributes={"gender": "Boys", "colour": "Black"}),
    product("w3", "titan 1639 analog watch - for boys, men", 1695, list_price=1795, rating=4.5, rating_count=10,
            category_path=["watches"], attributes={"gender": "Boys, Men", "colour": "Silver"}),
    product("m1", "akup love-music ceramic mug", 259, brand="akup", category_path=["kitchen dining", "coffee mugs"]),
    product("b1", "myesquire ceramic coffee burner pot", 245, category_path=["home decor festive needs"],
            attributes={"colour": "Brown"}),
    product("o1", "out of stock boots", 999, stock=0, category_path=["footwear"], attributes={"gender": "Women"}),
]}


def card(pid: str, position: int) -> dict[str, Any]:
    p = CATALOG[pid]
    return {"id": p.id, "position": position, "title": p.title, "price": p.price}


def turn(message: str = "msg", *, cards: tuple[str, ...] = (), text: str = "", scene: str = "search",
         cart: list[tuple[str, int]] | None = None, compared: tuple[str, ...] = (), handoff: bool = False,
         ) -> TurnRecord:
    return TurnRecord(message=message, scene=scene, cards=[card(c, i) for i, c in enumerate(cards, 1)], text=text,
                      cart=cart if cart is not None else [], compared=list(compared), handoff=handoff)


def verdict(check: Any, record: TurnRecord, earlier: tuple[TurnRecord, ...] = ()) -> bool:
    return judge(check, record, Context(catalog=CATALOG, earlier=[*earlier, record])).passed


def test_a_card_over_the_budget_fails_the_price_constraint() -> None:
    check = dsl.cards(1, max_price=500, **dsl.WATCH)
    assert verdict(check, turn(cards=("w1", "w2")))
    assert not verdict(check, turn(cards=("w1", "w3")))


def test_no_cards_fails_a_minimum_and_passes_no_cards() -> None:
    assert not verdict(dsl.cards(1, **dsl.WATCH), turn())
    assert verdict(dsl.no_cards(), turn())
    assert not verdict(dsl.no_cards(), turn(cards=("w1",)))


def test_for_men_rejects_boys_only_items() -> None:
    check = dsl.cards(1, **dsl.WATCH, audience="men")
    assert verdict(check, turn(cards=("w1", "w3")))
    assert not verdict(check, turn(cards=("w1", "w2")))


def test_coffee_is_a_product_word_here_not_a_colour() -> None:
    check = dsl.cards(1, **dsl.MUG)
    assert verdict(check, turn(cards=("m1",)))
    assert not verdict(check, turn(cards=("m1", "b1")))  # a brown coffee burner is not a mug


def test_brand_colour_stock_and_sale_constraints() -> None:
    assert facts.has_brand(CATALOG["w3"], ["titan"]) and not facts.has_brand(CATALOG["w1"], ["titan"])
    assert "grey" in facts.colour_families(CATALOG["w3"])
    assert facts.violations(CATALOG["o1"], Constraints(in_stock=True)) == ["out of stock"]
    assert facts.violations(CATALOG["w2"], Constraints(on_sale=True)) == ["not on sale"]
    assert verdict(dsl.cards(1, brand_any=["akup"]), turn(cards=("m1",)))
    assert not verdict(dsl.cards(1, colour="black"), turn(cards=("w3",)))


def test_cheaper_than_and_not_in_an_earlier_turn() -> None:
    first = turn(cards=("w3", "w1"))  # mean price 1047
    assert verdict(dsl.cards(1, cheaper_than_turn=1), turn(cards=("w2",)), (first,))
    assert not verdict(dsl.cards(1, cheaper_than_turn=1), turn(cards=("w3",)), (first,))
    assert not verdict(dsl.cards(1, not_in_turn=1), turn(cards=("w1", "w2")), (first,))


def test_cart_resolves_the_cheaper_of_the_compared_ones() -> None:
    search = turn(cards=("w3", "w1", "w2"))
    check = dsl.cart(dsl.ref(1, pick="cheapest", among=[1, 2]))
    assert verdict(check, turn(cart=[("w1", 1)]), (search,))
    assert not verdict(check, turn(cart=[("w1", 1), ("w3", 1)]), (search,))  # both added: wrong
    assert not verdict(check, turn(cart=[]), (search,))


def test_cart_quantities_and_picks() -> None:
    search = turn(cards=("w1", "w3"))
    assert verdict(dsl.cart((dsl.ref(1, 2), 3)), turn(cart=[("w3", 3)]), (search,))
    assert not verdict(dsl.cart((dsl.ref(1, 2), 3)), turn(cart=[("w3", 1)]), (search,))
    assert verdict(dsl.cart(dsl.ref(1, pick="priciest")), turn(cart=[("w3", 1)]), (search,))
    assert verdict(dsl.cart(dsl.ref(1, pick="biggest_discount")), turn(cart=[("w1", 1)]), (search,))


def test_an_out_of_stock_product_is_expected_absent_from_the_cart() -> None:
    search = turn(cards=("o1",))
    check = dsl.cart(dsl.ref(1, 1))
    assert verdict(check, turn(cart=[]), (search,))
    assert not verdict(check, turn(cart=[("o1", 1)]), (search,))


def test_a_reference_past_what_was_shown_fails_with_a_reason() -> None:
    result = judge(dsl.cart(dsl.ref(1, 3)), turn(cart=[]), Context(CATALOG, [turn(cards=("w1",)), turn()]))
    assert not result.passed and "showed 1 products" in result.got


def test_language_ignores_quoted_titles_and_codes_but_not_english_sentences() -> None:
    assert reply_language("已将1件rorlig rr-028 analog watch - for men, boys加入购物车。",
                          [CATALOG["w1"].title]) == "zh"
    policy_then_zh = ("We are sorry when something goes wrong. Describe the problem in chat or by email with your "
                      "order number; a complaint gets a ticket and a reply within 48 hours. 已为您转接人工客服。")
    assert reply_language(policy_then_zh) == "en"
    assert reply_language("使用优惠券WELCOME10可节省₹200。") == "zh"
    assert reply_language("Use WELCOME10 to save ₹200.") == "en"
    lang_check = dsl.lang("zh")
    assert not verdict(lang_check, turn(text="Shipping is free on orders of ₹499 or more.", scene="support"))


def test_says_never_says_cites_and_admits_unknown() -> None:
    text = "Shipping is free on orders of ₹499 or more; below that ₹40 applies.\n\n(Source: Policy §2.3 Shipping)"
    assert verdict(dsl.says("₹40", ["₹499", "499 rupees"]), turn(text=text))
    assert not verdict(dsl.says("₹99"), turn(text=text))
    assert verdict(dsl.never("₹50"), turn(text=text))
    assert not verdict(dsl.never("₹40"), turn(text=text))
    assert verdict(dsl.cites("2.3", "2.1"), turn(text=text))
    assert not verdict(dsl.cites("3.1"), turn(text=text))
    assert verdict(dsl.says("₹1,099"), turn(text="costs ₹1099"))  # thousands separators do not matter
    assert admits_unknown("I don't know: the catalog doesn't say that.") and admits_unknown("我不知道")
    assert not admits_unknown("It is waterproof.")


def test_states_spec_needs_the_catalog_value_or_an_admission() -> None:
    search = turn(cards=("w1",))
    dial = dsl.spec(dsl.ref(1, 1), "dial shape")
    assert verdict(dial, turn(text="It has a Round dial."), (search,))
    assert not verdict(dial, turn(text="I don't know."), (search,))
    bluetooth = dsl.spec(dsl.ref(1, 1), "bluetooth")
    assert verdict(bluetooth, turn(text="I don't know: the catalog doesn't say."), (search,))
    assert not verdict(bluetooth, turn(text="Yes, it has Bluetooth 5.0."), (search,))


def test_compared_and_handoff_and_scene() -> None:
    search = turn(cards=("w1", "w2", "w3"))
    check = dsl.compared(dsl.ref(1, 1), dsl.ref(1, 3))
    assert verdict(check, turn(compared=("w3", "w1"), scene="compare"), (search,))
    assert not verdict(check, turn(compared=("w1", "w2"), scene="compare"), (search,))
    assert verdict(dsl.handoff(False), turn()) and not verdict(dsl.handoff(False), turn(handoff=True))
    assert not verdict(dsl.scene("support"), turn(scene="chitchat"))


def test_explanations_need_a_fact_of_the_product_not_praise_or_other_titles() -> None:
    checks = dsl.explains(1)
    good = turn("watches", cards=("w1",), text="rorlig rr-028 costs ₹399, 64% off ₹1,099.")
    vague = turn("watches", cards=("w1",), text="A perfect choice for style lovers!")
    assert all(verdict(c, good) for c in checks)
    assert not all(verdict(c, vague) for c in checks)
    other_title = turn("why the first?", text="titan 1639 analog watch - for boys, men is the cheapest.")
    why = dsl.explains(product=dsl.ref(1, 1))[0]
    assert not verdict(why, other_title, (turn(cards=("w1", "w3")),))


def test_events_fold_into_a_turn_record() -> None:
    record = fold("hi", [
        {"type": "scene", "scene": "search"},
        {"type": "products", "cards": [card("w1", 1)]},
        {"type": "text_delta", "text": "Here "},
        {"type": "text_delta", "text": "you go."},
        {"type": "handoff", "ticket_id": 3},
        {"type": "error", "code": "internal", "message": "Oops."},
    ])
    assert record.scene == "search" and record.card_ids == ["w1"] and record.handoff
    assert record.text == "Here you go.\nOops." and record.errors == ["internal"]


@pytest.mark.parametrize("bad", [
    {"turn": 2, "position": 1, "pick": "cheapest"},
    {"id": "x", "turn": 1},
    {},
])
def test_product_refs_are_one_thing(bad: dict[str, Any]) -> None:
    from evaluation.dialogues.schema import ProductRef

    with pytest.raises(ValueError):
        ProductRef.model_validate(bad)
