"""Product questions ("is it waterproof?", "第二双多少钱？"), answered from that product's catalog facts only.

The answer is decided by code: a matching attribute, a catalog field (price,
rating, stock, brand, discount) or a description sentence that names the asked
feature. When the catalog says nothing about it, the shopper hears "I don't
know" instead of a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.conversation.events import Event
from assistant.conversation.grounding import format_inr
from assistant.conversation.skills.base import (
    Services,
    TurnContext,
    referenced_products,
    say,
    unresolved_reference_text,
)
from retrieval.catalog import Product

# question words -> attribute keys / catalog fields they ask about
TOPICS: dict[str, tuple[str, ...]] = {
    "price": ("price", "cost", "how much", "expensive", "多少钱", "价格", "价钱", "贵"),
    "discount": ("discount", "sale", "offer", "deal", "折扣", "优惠", "打折"),
    "rating": ("rating", "rated", "reviews", "stars", "good", "评分", "评价", "好评"),
    "stock": ("stock", "available", "availability", "ship", "有货", "库存", "现货"),
    "brand": ("brand", "who makes", "made by", "品牌", "牌子"),
    "colour": ("colour", "color", "颜色"),
    "material": ("material", "fabric", "made of", "cotton", "leather", "材质", "面料", "材料"),
    "size": ("size", "sizes", "fit", "尺码", "尺寸", "大小"),
    "water_resistant": ("waterproof", "water resistant", "water-resistant", "water proof", "防水"),
    "warranty": ("warranty", "guarantee", "保修", "质保"),
    "gender": ("men", "women", "unisex", "boys", "girls", "男", "女"),
    "weight": ("weight", "heavy", "light", "重量", "重"),
}
_STOP = {"is", "it", "the", "a", "an", "this", "that", "does", "do", "have", "has", "what", "which", "of", "for",
         "one", "first", "second", "third", "how", "are", "they", "can", "i", "with", "in", "to", "and", "its",
         "there", "any", "about", "tell", "me", "come", "comes", "last", "product", "item"}


def find_topic(question: str) -> str | None:
    low = question.lower()
    best: tuple[int, str] | None = None
    for topic, words in TOPICS.items():
        for w in words:
            m = re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) if w.isascii() else (w in low and
                                                                                           re.search(re.escape(w), low))
            if m and (best is None or len(w) > best[0]):
                best = (len(w), topic)
    return best[1] if best else None


def _attribute(product: Product, topic: str) -> tuple[str, str] | None:
    keys = [k for k in product.attributes if topic in k or k in topic or topic.replace("_", " ") in k]
    if topic == "water_resistant":
        keys += [k for k in product.attributes if "water" in k]
    for key in keys:
        return key, product.attributes[key]
    return None


def _description_sentence(product: Product, words: list[str]) -> str | None:
    for sentence in re.split(r"(?<=[.!?])\s+", product.description):
        low = sentence.lower()
        if words and all(w in low for w in words):
            return sentence.strip()[:300]
    return None


def _quote(sentence: str, zh: bool) -> str:
    return f"商品描述中写道：“{sentence}”" if zh else f"The product description says: \u201c{sentence}\u201d"


def answer(product: Product, question: str, language: str = "en") -> tuple[str, bool]:
    """(answer text, known). `known` is False when the catalog does not say."""
    zh = language == "zh"
    name = product.title
    topic = find_topic(question)
    if topic == "price":
        extra = (f"（原价{format_inr(product.list_price)}，优惠{product.discount_pct:g}%）" if zh else
                 f" ({product.discount_pct:g}% off {format_inr(product.list_price)})") if (
            product.on_sale and product.list_price) else ""
        return (f"{name}售价{format_inr(product.price)}{extra}。" if zh
                else f"{name} costs {format_inr(product.price)}{extra}."), True
    if topic == "discount":
        if product.on_sale and product.list_price:
            return (f"有，{name}优惠{product.discount_pct:g}%，原价{format_inr(product.list_price)}，"
                    f"现价{format_inr(product.price)}。" if zh else
                    f"Yes: {name} is {product.discount_pct:g}% off, {format_inr(product.price)} instead of "
                    f"{format_inr(product.list_price)}."), True
        return (f"{name}目前没有折扣，售价{format_inr(product.price)}。" if zh
                else f"{name} has no discount right now; it costs {format_inr(product.price)}."), True
    if topic == "rating":
        if product.rating is None:
            return (f"{name}还没有评分。" if zh else f"{name} has no ratings yet."), True
        return (f"{name}评分{product.rating:g}/5（{product.rating_count}人评价）。" if zh else
                f"{name} is rated {product.rating:g}/5 by {product.rating_count} shoppers."), True
    if topic == "stock":
        return ((f"{name}有货。" if product.in_stock else f"{name}目前缺货。") if zh else
                (f"Yes, {name} is in stock." if product.in_stock else f"{name} is out of stock right now.")), True
    if topic == "brand" and product.brand:
        return (f"{name}的品牌是{product.brand}。" if zh else f"{name} is made by {product.brand}."), True
    if topic:
        attr = _attribute(product, topic)
        if attr:
            key, value = attr
            label = key.replace("_", " ")
            return (f"根据商品信息，{name}的{label}：{value}。" if zh
                    else f"According to the catalog, {name} has {label}: {value}."), True
        words = [w for w in TOPICS[topic] if w.isascii() and " " not in w][:1]
        sentence = _description_sentence(product, words) if words else None
        if sentence:
            return _quote(sentence, zh), True
    else:
        words = [w for w in re.findall(r"[a-z]{3,}", question.lower()) if w not in _STOP]
        attr_hits = [(k, v) for k, v in product.attributes.items() if any(w in k.lower() for w in words)]
        if attr_hits:
            key, value = attr_hits[0]
            return (f"根据商品信息，{name}的{key}：{value}。" if zh
                    else f"According to the catalog, {name} has {key}: {value}."), True
        sentence = _description_sentence(product, words[:2])
        if sentence:
            return _quote(sentence, zh), True
    return (f"我不知道：商品信息里没有提到这一点（{name}）。需要的话我可以帮您转人工客服。" if zh else
            f"I don't know: the catalog doesn't say that about {name}. I can connect you with a person "
            "if you need to be sure."), False


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    problem = unresolved_reference_text(ctx)
    if problem:
        yield from say(problem)
        return
    products = referenced_products(ctx, services, default_first=1)
    if not products:
        yield from say(ctx.t("Which product do you mean? Search for something first, then ask about it "
                             "(e.g. \u201cis the second one waterproof?\u201d).",
                             "您问的是哪件商品？请先搜索，再问具体问题（比如“第二个防水吗？”）。"))
        return
    ctx.state.focus = [p.id for p in products]
    for i, product in enumerate(products[:3]):
        text, _known = answer(product, ctx.message, ctx.language)
        yield from say(("\n\n" if i else "") + text)
