"""The promotion skill lists a store's live coupons with their terms, finds the ones for the asked category
through the catalog's category tree, answers follow-ups about the coupon in focus, in English and Chinese.

The store here is not the demo store: Swedish kronor, its own coupons (one expired, one not started yet)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.conversation.events import Event
from assistant.conversation.skills import promotion
from assistant.conversation.turn import Conversation
from assistant.promotions import Coupon
from assistant.promotions.offers import CouponWords, category_zh, live_coupons, render_date
from assistant.promotions.question import named_codes, read_question
from assistant.promotions.scope import Scope, asked_scope, coupons_for
from assistant.testing import make_services, store_settings
from retrieval.catalog import Product
from retrieval.money import Money

NOW = datetime(2026, 11, 23, tzinfo=UTC)
SEK = Money("SEK", "sv_SE")
COUPONS = """
[[coupon]]
code = "HELLO5"
kind = "percent"
value = 5
max_discount = 50
first_order_only = true

[[coupon]]
code = "BOOTS20"
kind = "percent"
value = 20
max_discount = 200
min_basket = 500
categories = ["shoes"]
expires = 2027-03-01T00:00:00Z

[[coupon]]
code = "KAFFE30"
kind = "flat"
value = 30
categories = ["kitchen"]

[[coupon]]
code = "OLD50"
kind = "flat"
value = 50
expires = 2026-01-01T00:00:00Z

[[coupon]]
code = "SOON25"
kind = "flat"
value = 25
starts = 2027-06-01T00:00:00Z
"""


def _products() -> list[Product]:
    def p(pid: str, title: str, path: list[str], price: float, list_price: float | None = None) -> Product:
        return Product(id=pid, title=title, brand="Nordsko" if path[0] == "shoes" else "Hemma", category_path=path,
                       price=price, list_price=list_price, rating=4.2, rating_count=12, stock=4)
    return [
        p("b1", "Leather Winter Boots", ["shoes", "boots"], 600, 900),
        p("b2", "Suede Ankle Boots", ["shoes", "boots"], 300, 450),
        p("b3", "Trail Running Shoes", ["shoes", "sports shoes"], 800),
        p("m1", "Stoneware Coffee Mug", ["kitchen", "mugs"], 120, 150),
        p("m2", "Enamel Camping Mug", ["kitchen", "mugs"], 90),
        p("g1", "Steel Garden Spade", ["garden", "garden tools"], 250, 300),
        p("g2", "Garden Pruning Shears", ["garden", "garden tools"], 199),
    ]


def _services(tmp_path: Path, coupons: str | None = COUPONS):  # type: ignore[no-untyped-def]
    extra = {}
    if coupons is not None:
        (tmp_path / "promotions.toml").write_text(coupons, encoding="utf-8")
        extra["promotions"] = str(tmp_path / "promotions.toml")
    services = make_services(_products(), settings=store_settings("SEK", "sv_SE", **extra))
    services.now = lambda: NOW
    return services


def _text(events: Sequence[Event]) -> str:
    return "".join(getattr(e, "text", "") for e in events if e.type == "text_delta")


def ask(conv: Conversation, text: str, language: str = "en") -> str:
    """One turn straight to the promotion skill (whatever the scene model would route), recorded like a turn."""
    result = conv.services.detector.detect(text, conv.state)
    ctx = conv._context(text, result, language)
    events = list(promotion.run(ctx, conv.services))
    conv._after_turn(ctx, result, "promotion", text)
    return _text(events)


@pytest.fixture
def conv(tmp_path: Path) -> Conversation:
    return Conversation.start(_services(tmp_path), "shopper")


def test_the_list_names_every_live_coupon_with_its_terms_in_the_store_currency(conv: Conversation) -> None:
    text = ask(conv, "what coupons do you have?")
    assert all(code in text for code in ("HELLO5", "BOOTS20", "KAFFE30"))
    assert "OLD50" not in text and "SOON25" not in text  # expired, not started
    assert f"saves at most {SEK(200)}" in text and f"{SEK(500)} or more" in text
    assert "first order" in text and render_date(datetime(2027, 3, 1, tzinfo=UTC), SEK, False) in text
    assert "₹" not in text and "Add items to your cart" in text
    assert conv.state.coupons == ["HELLO5", "BOOTS20", "KAFFE30"]


def test_the_list_in_chinese_uses_the_chinese_templates(conv: Conversation) -> None:
    text = ask(conv, "有什么优惠券？", "zh")
    assert f"满{SEK(500)}享20%优惠" in text and f"最高优惠{SEK(200)}" in text
    assert "仅限首单" in text and "适用品类：鞋子" in text and f"立减{SEK(30)}" in text
    assert "适用品类：kitchen" in text  # no Chinese word for it in the term tables: the catalog's own name
    assert "2027年3月1日" in text and "OLD50" not in text


def test_with_a_cart_it_names_the_best_coupon_and_what_is_missing(conv: Conversation) -> None:
    conv.services.store.carts.add("shopper", "b2", 1)  # 300 kr of shoes: BOOTS20 needs 200 kr more
    conv.services.store.carts.add("shopper", "m1", 1)
    text = ask(conv, "any coupons I can use?")
    assert f"For your cart, KAFFE30 saves the most: {SEK(30)}." in text  # HELLO5 would save 5% of 420 kr: 21 kr
    assert f"Add {SEK(200)} more of shoes to use BOOTS20." in text


def test_a_category_question_finds_its_coupons_through_the_category_tree(conv: Conversation) -> None:
    text = ask(conv, "any coupons for boots?")  # "boots" is a product type under the "shoes" category
    assert "BOOTS20" in text and "KAFFE30" not in text and "HELLO5" in text  # HELLO5: valid on any order
    assert conv.state.coupons == ["BOOTS20"]
    text = ask(conv, "what's the max discount with that?")
    assert text == f"BOOTS20 saves at most {SEK(200)} (20% off)."
    assert ask(conv, "and the minimum?") == f"BOOTS20 needs {SEK(500)} or more of shoes in the cart."
    assert "BOOTS20 is valid until" in ask(conv, "when does it expire?")


def test_a_category_without_its_own_coupon_says_so_and_names_the_general_ones(conv: Conversation) -> None:
    text = ask(conv, "any promo code for garden tools?")
    assert text.startswith("No coupon is just for garden") and "HELLO5" in text and "BOOTS20" not in text


def test_the_promotion_event_carries_the_terms_the_answer_names(conv: Conversation) -> None:
    result = conv.services.detector.detect("what is the cap on BOOTS20?", conv.state)
    events = list(promotion.run(conv._context("what is the cap on BOOTS20?", result, "en"), conv.services))
    facts = " ".join(f for e in events if e.type == "promotion" for f in e.facts)
    assert SEK(200) in facts and SEK(500) in facts and "BOOTS20" in _text(events)


def test_a_named_code_that_expired_or_has_not_started_says_when(conv: Conversation) -> None:
    assert "OLD50 ended on" in ask(conv, "is OLD50 still valid?")
    assert "SOON25 starts on" in ask(conv, "can I use SOON25?")


def test_a_store_without_coupons_says_so(tmp_path: Path) -> None:
    conv = Conversation.start(_services(tmp_path, None), "shopper")
    text = ask(conv, "any coupons?")
    assert text.startswith("This store has no coupons right now.")


def test_a_store_whose_coupons_all_ended_says_none_is_running(tmp_path: Path) -> None:
    only_old = COUPONS.split("[[coupon]]\ncode = \"OLD50\"")[1]
    conv = Conversation.start(_services(tmp_path, "[[coupon]]\ncode = \"OLD50\"" + only_old), "shopper")
    text = ask(conv, "any deals?")
    assert text.startswith("There are no coupons running right now.") and "OLD50" not in text


# ---------------------------------------------------------------- the parts


def test_scope_reaches_top_level_categories_from_types_and_tree_nodes() -> None:
    products = _products()
    assert asked_scope("coupons for boots?", products, types=["boot"]) == Scope(frozenset({"shoes"}))
    assert asked_scope("anything for garden tools", products).categories == {"garden"}
    assert asked_scope("coupons?", products) == Scope()
    coupon = Coupon("X", "", "flat", 5, categories=("Garden",))
    assert coupons_for(Scope(frozenset({"garden"})), [coupon], products) == [coupon]
    assert coupons_for(Scope(frozenset({"shoes"})), [coupon], products) == []


def test_category_names_in_chinese_come_from_the_term_tables() -> None:
    assert category_zh("watches") == "手表" and category_zh("jewellery") == "首饰"
    assert category_zh("garden tools and sheds") == "garden tools and sheds"


def test_questions_about_one_coupon_are_read_by_term() -> None:
    assert read_question("max discount with that?").aspects == ("cap",)
    assert read_question("最低消费是多少？").aspects == ("minimum",)
    assert read_question("can I stack two coupons?").policy == ("combine",)
    assert read_question("any other coupons?").lists and not read_question("when does it expire?").lists
    coupons = [Coupon("SAVE5", "", "flat", 5)]
    assert named_codes("is save5 still on?", coupons) == coupons and named_codes("save 5", coupons) == []


def test_coupon_words_render_every_condition_from_data() -> None:
    usd = Money("USD", "en_US")
    c = Coupon("TEN", "ignored free text", "percent", 10, max_discount=25, min_basket=80, categories=("lamps",),
               expires=datetime(2027, 1, 5, tzinfo=UTC))
    assert CouponWords(c, usd, False).line() == ("TEN: 10% off lamps; needs $80 or more of those in the cart; "
                                                "saves at most $25; ends January 5, 2027.")
    assert CouponWords(c, usd, True).line() == ("TEN：满$80享10%优惠，最高优惠$25，适用品类：lamps，"
                                               "有效期至2027年1月5日。")
    assert [x.code for x in live_coupons([c], datetime(2027, 2, 1, tzinfo=UTC))] == []
