"""Policies in several languages, answers that quote the sentence stating the asked fact, follow-ups
read with the open support topic, order numbers next to Chinese text and orders in the shopper's language."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from assistant.store_profile import DEMO_DIR
from assistant.support.answer import SupportAnswerer, SupportTopic
from assistant.support.index import PolicyIndex
from assistant.support.order_sources.file import FileOrderSource
from assistant.support.orders import Order, OrderBook, OrderLine, describe_order, order_numbers
from assistant.support.policies import load_policies, load_translations
from assistant.support.text import acronyms, asked_kind, expand_acronyms, stem, words
from retrieval.embedding import HashingEmbedder
from retrieval.money import Money

EUR = Money("EUR", "en_IE")
TODAY = date(2026, 3, 10)

EN = """# 1. Shipping

## 1.1 Shipping costs
Shipping is free on orders of €60 or more. Below €60 a €4.90 delivery charge applies. Parcels travel with TrackPost.

## 1.2 Delivery times
Parcels arrive in 2 to 4 working days. Islands take up to 9 working days.

# 2. Returns

## 2.1 Return period
You can send an item back within 21 days of delivery if it is unworn. Sale items can be exchanged but not refunded.

## 2.2 Cash on delivery
Cash on delivery costs €3 extra and is available up to €500.
"""

ZH = """# 1. 配送

## 1.1 运费
订单满€60免运费。不满€60收取€4.90的配送费。包裹由TrackPost运送。

## 1.2 配送时间
包裹在2到4个工作日内送达。岛屿地区最长需要9个工作日。

# 2. 退货

## 2.1 退货期限
未穿过的商品可在送达后21天内退回。促销商品可以换货但不能退款。

## 2.2 货到付款
货到付款需额外支付€3，订单金额不超过€500可用。
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("policies")
    (root / "policies.md").write_text(EN, encoding="utf-8")
    (root / "zh").mkdir()
    (root / "zh" / "policies.md").write_text(ZH, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def index(folder: Path) -> PolicyIndex:
    return PolicyIndex.from_folder(HashingEmbedder(), folder)


def book() -> OrderBook:
    orders = [
        Order("OR-5501", "kim", "delivered", (OrderLine("Wool Scarf", 1, 39.0),), date(2026, 2, 20),
              delivered_on=date(2026, 3, 1), courier="TrackPost", tracking_url="https://t.example/TP5501"),
        Order("OR-5502", "kim", "shipped", (OrderLine("Rain Jacket", 1, 120.0), OrderLine("Cap", 2, 15.0)),
              date(2026, 3, 8), promised_on=date(2026, 3, 12), courier="TrackPost",
              tracking_url="https://t.example/TP5502"),
        Order("OR-5503", "lee", "placed", (OrderLine("Boots", 1, 90.0),), date(2026, 3, 9)),
    ]
    return OrderBook(FileOrderSource(orders), EUR, today=TODAY, return_days=21, number_pattern=r"\bOR-?\d{4}\b")


def answerer(index: PolicyIndex) -> SupportAnswerer:
    return SupportAnswerer(index, orders=book(), money=EUR, store="Test shop")


def text_of(ans: SupportAnswerer, message: str, **kw: object) -> tuple[str, SupportAnswerer]:
    return ans.answer(message, user_id="kim", **kw).text, ans  # type: ignore[arg-type]


def test_translations_sit_beside_the_default_language_with_the_same_numbers(folder: Path) -> None:
    en = load_policies(folder)
    zh = load_translations(folder)["zh"]
    assert [s.id for s in en] == [s.id for s in zh] == ["1.1", "1.2", "2.1", "2.2"]
    assert all(s.language == "zh" for s in zh) and zh[0].citation == "政策 §1.1 运费"


def test_name_dot_language_files_are_translations_too(tmp_path: Path) -> None:
    (tmp_path / "terms.md").write_text(EN, encoding="utf-8")
    (tmp_path / "terms.zh.md").write_text(ZH, encoding="utf-8")
    assert len(load_policies(tmp_path)) == 4 and len(load_translations(tmp_path)["zh"]) == 4


def test_the_demo_store_has_every_section_in_chinese_with_the_same_numbers() -> None:
    folder = (DEMO_DIR / "policies").resolve()
    en = load_policies(folder)
    zh = {s.id: s for s in load_translations(folder)["zh"]}
    assert [s.id for s in en] == list(zh)
    money = re.compile(r"₹\d[\d,]*\d|₹\d")
    amount = re.compile(r"₹\d[\d,]*\d|₹\d|\d+")
    for s in en:  # the same amounts and numbers in both languages
        assert set(money.findall(s.text)) == set(money.findall(zh[s.id].text)), s.id
        assert set(amount.findall(s.text)) <= set(amount.findall(zh[s.id].text)) | {"1"}, s.id


def test_words_stem_english_and_segment_chinese() -> None:
    assert stem("delivered") == stem("delivery") == "deliver" and stem("cancelled") == stem("cancel")
    assert "退货" in words("我想退货") and "the" not in words("the refund")


def test_asked_kind() -> None:
    assert asked_kind("how long does it take") == asked_kind("几天能到") == "duration"
    assert asked_kind("is there a fee") == asked_kind("手续费多少") == "amount"
    assert asked_kind("can I return sale items") == "condition" and asked_kind("tell me about returns") == ""


def test_initialisms_of_the_policies_own_phrases() -> None:
    table = acronyms([EN])
    assert table["cod"] == "cash on delivery"
    assert "cash on delivery" in expand_acronyms("COD extra?", table)


def test_the_sentence_stating_the_asked_fact_leads(index: PolicyIndex) -> None:
    ans = answerer(index)
    plan = ans.plan("what is the delivery charge below the free shipping amount?", language="en")
    assert plan.section.id == "1.1" and "€4.90" in plan.lead
    plan = ans.plan("how many days until my parcel arrives?", language="en")
    assert plan.section.id == "1.2" and "2 to 4 working days" in plan.lead


def test_a_chinese_question_quotes_the_chinese_policy_and_cites_the_same_section(index: PolicyIndex) -> None:
    ans = answerer(index)
    plan = ans.plan("退货期限是几天？", language="zh")
    assert plan.section.id == "2.1" and plan.section.language == "zh"
    assert "21天" in plan.lead and plan.citation.startswith("（来源：政策 §2.1")


def test_a_store_without_the_shoppers_language_frames_the_quoted_original(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "policies.md").write_text(EN, encoding="utf-8")
    ans = SupportAnswerer(PolicyIndex.from_folder(HashingEmbedder(), tmp_path), money=EUR)
    plan = ans.plan("货到付款 COD 多少钱", language="zh")
    assert plan.lead.startswith("本店的政策没有中文版") and plan.section.language == ""
    assert "Cash on delivery costs €3 extra" in plan.fallback


def test_a_follow_up_keeps_the_open_topic(index: PolicyIndex) -> None:
    ans = answerer(index)
    first = ans.plan("is shipping free?", language="en")
    follow = ans.plan("and to the islands?", language="en", topic=first.topic())
    assert first.section.id == "1.1" and follow.section.id in ("1.1", "1.2")
    times = ans.plan("how long does delivery take?", language="en")
    again = ans.plan("and islands?", language="en", topic=times.topic())
    assert again.section.id == "1.2" and "9 working days" in again.fallback


def test_order_numbers_are_found_next_to_chinese_characters() -> None:
    pattern = r"\bOR-?\d{4}\b"
    assert order_numbers("我的订单OR-5502到哪了", pattern) == ["OR-5502"]
    assert order_numbers("sorry, not OR-5501, I meant OR-5502", pattern) == ["OR-5501", "OR-5502"]
    assert order_numbers("no number here", pattern) == [] and order_numbers("x", "(") == []
    assert book().find_order_id("sorry, not OR-5501, I meant OR-5502") == "OR-5502"


def test_order_status_in_chinese_uses_the_datas_numbers(index: PolicyIndex) -> None:
    order = book().get("OR-5502")
    assert order is not None
    text = describe_order(order, EUR, "zh")
    assert "已发货" in text and "TrackPost" in text and "TP5502" in text and "Rain Jacket" in text
    assert EUR(150.0) in text
    zh = answerer(index).answer("订单OR-5502到哪了", user_id="kim", language="zh").text
    assert "已发货" in zh and "OR-5502" in zh


def test_follow_ups_about_the_order_in_focus(index: PolicyIndex) -> None:
    ans = answerer(index)
    first = ans.plan("status of OR-5502 please", user_id="kim", language="en")
    topic = first.topic()
    assert topic.order == "OR-5502"
    total = ans.plan("how much was the total?", user_id="kim", language="en", topic=topic)
    assert total.lead.startswith(f"The total of order OR-5502 is {EUR(150.0)}")
    when = ans.plan("when will it arrive?", user_id="kim", language="en", topic=topic)
    assert "expected by 2026-03-12" in when.lead
    delivered = SupportTopic("status of OR-5501", "1.1", "OR-5501")
    back = ans.plan("can I still return it?", user_id="kim", language="en", topic=delivered)
    assert "still inside the 21-day return window" in back.lead and back.section.id == "2.1"
    moved = ans.plan("sorry, I meant OR-5501", user_id="kim", language="en", topic=topic)
    assert moved.order is not None and moved.order.order is not None and moved.order.order.order_id == "OR-5501"


def test_someone_elses_order_is_refused_without_leaking_it(index: PolicyIndex) -> None:
    ans = answerer(index)
    for lang in ("en", "zh"):
        text = ans.answer("where is OR-5503", user_id="kim", language=lang).text
        assert "Boots" not in text and ("can't find" in text or "找不到" in text)


def test_a_damaged_item_without_an_order_asks_for_its_number(index: PolicyIndex) -> None:
    text = answerer(index).answer("my scarf arrived damaged, can I return it?", user_id="kim", language="en").text
    assert "21 days" in text and "order number" in text


def test_shoppers_words_reach_the_policy_words() -> None:
    from assistant.support.text import expand_shopper_words

    assert "return" in expand_shopper_words("if it doesn't fit can i send it back?")
    assert "damaged" in expand_shopper_words("my lamp arrived cracked")
    assert "refund" in expand_shopper_words("when do I get my money back")
    assert "配送时间" in expand_shopper_words("发货要多久？")
    assert "损坏" in expand_shopper_words("收到的杯子碎了")
    assert expand_shopper_words("what is your warranty") == "what is your warranty"  # nothing to add
