"""Product questions ("is it waterproof?", "第二双多少钱？"), answered from that product's catalog facts only.

The answer is decided by code: a matching attribute, a catalog field (price,
rating, stock, brand, discount) or a description sentence that names the asked
feature. When the catalog says nothing about it, the shopper hears "I don't
know" instead of a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.conversation.attributes import Vocabulary, catalog_vocabulary, match_attribute, zh_label
from assistant.conversation.events import Event
from assistant.conversation.referents import card_label, resolve
from assistant.conversation.skills import which
from assistant.conversation.skills.base import Services, TurnContext, say
from assistant.insights.trace import LISTING_SILENT
from retrieval.catalog import Product
from retrieval.money import Money
from scene.mentions import asks_which, is_bare, parse_mention

LAST_QUESTION = "last_product_question"  # memory key: what "what about the second?" asks again
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
    "weight": ("weight", "heavy", "lightweight", "重量", "多重"),
}
_STOP = {"is", "it", "the", "a", "an", "this", "that", "does", "do", "have", "has", "what", "which", "of", "for",
         "one", "first", "second", "third", "how", "are", "they", "can", "i", "with", "in", "to", "and", "its",
         "there", "any", "about", "tell", "me", "come", "comes", "last", "product", "item"}


_NOT_PRICE = re.compile(r"\bhow\s+much\b(?=.*\b(?:hold|holds|carry|fit|store|water|liquid|weigh|weighs)\b)", re.I)


def find_topic(question: str) -> str | None:
    low = _NOT_PRICE.sub(" ", question.lower())  # "how much does it hold / weigh" is no price question
    best: tuple[int, str] | None = None
    for topic, words in TOPICS.items():
        for w in words:
            m = re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) if w.isascii() else (w in low and
                                                                                           re.search(re.escape(w), low))
            if m and (best is None or len(w) > best[0]):
                best = (len(w), topic)
    return best[1] if best else None


def _description_sentence(product: Product, words: list[str]) -> str | None:
    for sentence in re.split(r"(?<=[.!?])\s+", product.description):
        low = sentence.lower()
        if words and all(w in low for w in words):
            return sentence.strip()[:300]
    return None


def _quote(sentence: str, zh: bool) -> str:
    return f"商品描述中写道：“{sentence}”" if zh else f"The product description says: \u201c{sentence}\u201d"


def answer(product: Product, question: str, language: str = "en", vocab: Vocabulary | None = None, *,
           money: Money) -> tuple[str, bool]:
    """(answer text, known). `known` is False when the catalog does not say."""
    zh = language == "zh"
    name = product.title
    topic = find_topic(question)
    if topic == "price":
        extra = (f"（原价{money(product.list_price)}，优惠{product.discount_pct:g}%）" if zh else
                 f" ({product.discount_pct:g}% off {money(product.list_price)})") if (
            product.on_sale and product.list_price) else ""
        return (f"{name}售价{money(product.price)}{extra}。" if zh
                else f"{name} costs {money(product.price)}{extra}."), True
    if topic == "discount":
        if product.on_sale and product.list_price:
            return (f"有，{name}优惠{product.discount_pct:g}%，原价{money(product.list_price)}，"
                    f"现价{money(product.price)}。" if zh else
                    f"Yes: {name} is {product.discount_pct:g}% off, {money(product.price)} instead of "
                    f"{money(product.list_price)}."), True
        return (f"{name}目前没有折扣，售价{money(product.price)}。" if zh
                else f"{name} has no discount right now; it costs {money(product.price)}."), True
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
    return attribute_answer(product, question, language, vocab, topic)


# topic -> the catalog key words it asks about
_TOPIC_KEYS = {"colour": "color", "material": "material", "size": "size", "water_resistant": "water resistant",
               "warranty": "warranty", "gender": "gender ideal", "weight": "weight"}


def attribute_answer(product: Product, question: str, language: str = "en", vocab: Vocabulary | None = None,
                     topic: str | None = None) -> tuple[str, bool]:
    """The asked attribute's catalog value; "I don't know" naming the attribute when the listing lacks it
    (never another attribute's value); a description sentence naming the asked words; else "I don't know"."""
    zh = language == "zh"
    name = product.title
    vocab = vocab or Vocabulary.of(product.attributes)
    found = match_attribute(question, product.attributes, vocab, _TOPIC_KEYS.get(topic or "", ""))
    if found is not None and found.keys:
        facts = [(k, product.attributes[k]) for k in found.keys]
        value = facts[0][1].strip().lower()
        if len(facts) == 1 and value in ("yes", "no"):  # "is it microwave safe?" -> "No: ..."
            key, shown = facts[0]
            return (f"{'是' if value == 'yes' else '否'}。根据商品信息，{name}的{zh_label(key)}：{shown}。" if zh
                    else f"{shown}. According to the catalog, {name} has {key.replace('_', ' ')}: {shown}."), True
        if zh:
            return "根据商品信息，" + "；".join(f"{name}的{zh_label(k)}：{v}" for k, v in facts) + "。", True
        return ("According to the catalog, " + name + " has "
                + "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in facts) + "."), True
    if found is not None and found.missing:
        label = found.missing.replace("_", " ")
        sentence = _description_sentence(product, sorted(w for w in found.asked if len(w) > 2))
        text = (f"我不知道：商品信息里没有注明{name}的{zh_label(found.missing)}。" if zh
                else f"I don't know: the catalog doesn't list {label} for {name}.")
        if sentence:
            text += " " + _quote(sentence, zh)
        elif found.related:
            key = found.related[0]
            text += (f"它列出的{zh_label(key)}是：{product.attributes[key]}。" if zh
                     else f" It does list {key.replace('_', ' ')}: {product.attributes[key]}.")
        offer = " 需要的话我可以帮您转人工客服。" if zh else " I can connect you with a person if you need to be sure."
        return text + offer, False
    words = [w for w in re.findall(r"[a-z]{3,}", question.lower()) if w not in _STOP]
    if topic in TOPICS:
        words = [w for w in TOPICS[topic] if w.isascii() and " " not in w][:1] or words
    sentence = _description_sentence(product, words[:2])
    if sentence:
        return _quote(sentence, zh), True
    return (f"我不知道：商品信息里没有提到这一点（{name}）。需要的话我可以帮您转人工客服。" if zh else
            f"I don't know: the catalog doesn't say that about {name}. I can connect you with a person "
            "if you need to be sure."), False


WHY = re.compile(r"^\s*(?:and\s+|so\s+|but\s+)?why\b|\bwhy\s+(?:the|this|that|did\s+you|would|is|recommend)\b"
                 r"|为什么|为啥|凭什么", re.I)
_WHY_KEYS = ("colour", "material", "type", "occasion", "pattern", "gender", "water_resistant")


def why_answer(product: Product, label: str, language: str = "en", *, money: Money) -> str:
    """"why the second one?": the catalog facts that speak for it (price, discount, rating, brand, specs)."""
    zh = language == "zh"
    parts = [(f"售价{money(product.price)}" if zh else f"it costs {money(product.price)}")
             + ((f"（原价{money(product.list_price)}，优惠{product.discount_pct:g}%）" if zh else
                 f", {product.discount_pct:g}% off {money(product.list_price)}")
                if product.on_sale and product.list_price else "")]
    if product.rating is not None:
        count = product.rating_count
        parts.append((f"评分{product.rating:g}/5" + (f"（{count}人评价）" if count else "")) if zh
                     else f"rated {product.rating:g}/5" + (f" by {count} shoppers" if count else ""))
    if product.brand:
        parts.append(f"品牌{product.brand}" if zh else f"brand {product.brand}")
    for key in [k for k in _WHY_KEYS if product.attributes.get(k)][:3]:
        value = product.attributes[key]
        parts.append(f"{zh_label(key)}：{value}" if zh else f"{key.replace('_', ' ')}: {value}")
    return (f"{label}：" + "；".join(parts) + "。") if zh else (f"{label}: " + "; ".join(parts) + ".")


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    mention = parse_mention(ctx.message)
    if mention.kind == "extreme" and (asks_which(ctx.message) or is_bare(ctx.message)):
        yield from which.answer(ctx, services, mention)  # "which one is the cheapest?"
        return
    res = resolve(ctx, services, "ask", mention)
    if not res.ok:
        yield from say(res.message or ctx.t(
            "Which product do you mean? Search for something first, then ask about it "
            "(e.g. \u201cis the second one waterproof?\u201d).",
            "您问的是哪件商品？请先搜索，再问具体问题（比如“第二个防水吗？”）。"))
        return
    products = res.products[:3]
    ctx.state.refs.focus_on([p.id for p in products])
    vocab = catalog_vocabulary(services.catalog)
    question = ctx.message
    if find_topic(question) is None and match_attribute(question, {}, vocab) is None and is_bare(question):
        question = str(ctx.memory.get(LAST_QUESTION) or question)  # "what about the second?": the same question
    else:
        ctx.memory[LAST_QUESTION] = question
    if WHY.search(ctx.message):
        for i, product in enumerate(products):
            yield from say(("\n\n" if i else "") + why_answer(product, card_label(ctx, product), ctx.language,
                                                                money=services.config.money))
        return
    for i, product in enumerate(products):
        text, known = answer(product, question, ctx.language, vocab, money=services.config.money)
        if not known:
            ctx.trace.unanswered = LISTING_SILENT
        yield from say(("\n\n" if i else "") + text)
