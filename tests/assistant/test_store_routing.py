"""The store teaches the scene detector its service words and order numbers (assistant.services.teach_detector)."""

from __future__ import annotations

from assistant.testing import demo_products, make_services
from scene.state import DialogueState, Turn
from scene.support_words import stem


def test_the_demo_store_teaches_its_policy_words_and_order_numbers() -> None:
    services = make_services(demo_products())
    detector = services.detector
    assert detector.order_pattern is not None  # type: ignore[attr-defined]
    store_words = detector.lexicon.store_words  # type: ignore[attr-defined]
    assert stem("upi") in store_words and stem("password") in store_words
    assert not store_words & {stem(w) for w in ("shoes", "watch", "price", "cart", "coupon")}
    # one helper for routing and for the lookup: an order number right after Chinese text is found by both
    assert services.orders is not None
    assert services.orders.find_order_id("我的订单SA-100232到哪了") == "SA-100232"
    assert detector.detect("查一下订单SA-100231").scene == "support"


def test_a_payment_follow_up_stays_in_the_support_thread() -> None:
    services = make_services(demo_products())
    state = DialogueState(turns=[Turn(text="how long do refunds take", scene="support", sub_intent="track_refund")])
    result = services.detector.detect("and UPI?", state)
    assert result.scene == "support" and result.sub_intent == "track_refund"


def test_a_chinese_service_word_hiding_a_product_word_is_no_product_request() -> None:
    services = make_services(demo_products())
    assert services.detector.detect("包邮吗").scene == "support"  # 包 of 包邮 (free shipping) is no bag
