"""Routing by reference: words about the products in view decide over the scene model.

The scene model reads one message; it cannot know that "第三个也要" ("the third one too") follows a cart
add, or that "the other one" answers "Which one?". With products in view:

- a cart change about them ("i'll take the cheaper one", "两个都要", "make the second one 3", "再来一个"
  right after a cart change) goes to the cart;
- a short reply naming products right after the cart asked "Which one?" goes to the cart, and one right
  after a product question ("what about the second?", "第二个呢") asks the same question about it;
- a question whose answer is one of them ("which is the cheapest?", "what about the lightest?"), a
  question about a card by number ("what's the discount on the first one?"; "that" in "max discount with
  that?" may be a coupon, so only card numbers count there) and "why the second one?" go to product_qa.
"""

from __future__ import annotations

import re

from assistant.conversation.skills.product_qa import WHY, find_topic
from scene.mentions import (
    asks_about_one_in_view,
    cart_verb,
    is_bare,
    is_question,
    parse_mention,
    wants_cart_change,
)

_COUPONS = re.compile(r"\b(coupons?|promo\s?codes?|vouchers?|codes?)\b|优惠券|折扣码|优惠码", re.I)
_COMPARING = re.compile(r"\b(?:compare|comparison|vs\.?|versus|difference|better|than)\b"
                        r"|比较|对比|比一比|区别|哪个好|更好", re.I)
_SHORT_WORDS = 8
_SHORT_CJK = 14


def _short(text: str) -> bool:
    return len(text.split()) <= _SHORT_WORDS and len(re.findall(r"[\u3400-\u9fff]", text)) <= _SHORT_CJK


def referring_scene(text: str, scene: str, previous_scene: str | None, cart_asked: bool) -> str | None:
    """The scene the references in `text` call for, or None to keep the scene model's."""
    if scene in ("support", "handoff"):
        return None
    if scene != "cart" and wants_cart_change(text, previous_scene):
        return "cart"
    mention = parse_mention(text)
    if cart_asked and mention.kind != "none" and not is_question(text) and _short(text):
        return "cart" if scene != "cart" else None
    if previous_scene == "product_qa" and is_bare(text):
        return "product_qa"  # "what about the second?", "第二个呢": the same question about another product
    if (scene == "cart" and mention.kind == "positions" and len(mention.positions) >= 2 and _COMPARING.search(text)
            and cart_verb(text) is None):
        return "compare"  # "2 vs 3?"
    if scene == "cart":
        return None
    if (scene == "compare" and mention.kind == "positions" and len(mention.positions) == 1
            and find_topic(text) is not None and not _COMPARING.search(text)):
        return "product_qa"  # "is the second one for men or women": one product, one question
    if scene in ("compare", "search", "recommend", "chitchat", "out_of_scope") and WHY.search(text) and (
            mention.kind in ("positions", "it", "extreme") and len(mention.positions) <= 1):
        return "product_qa"  # "why the second one?": the facts that speak for that product
    if scene in ("search", "recommend", "chitchat", "out_of_scope", "promotion") and (
            asks_about_one_in_view(text)
            or (mention.kind == "extreme" and mention.standalone and not mention.comparative and is_bare(text))):
        return "product_qa"  # "which is the cheapest?", "the one with the highest rating please"
    if (scene in ("promotion", "chitchat", "out_of_scope") and mention.kind == "positions"
            and find_topic(text) is not None and not _COUPONS.search(text)):
        return "product_qa"  # "so what's the discount on the first one really?"
    return None
