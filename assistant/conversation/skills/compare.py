"""Compare: a table of the referenced products' real catalog attributes, and a fact-based verdict."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.conversation.events import ComparisonEvent, Event
from assistant.conversation.referents import NOTHING_IN_VIEW, card_label, resolve
from assistant.conversation.skills import which
from assistant.conversation.skills.base import Services, TurnContext, say
from retrieval.catalog import CANONICAL_ATTRIBUTES, Product
from retrieval.money import Money
from scene.mentions import Mention, asks_which, parse_extreme, parse_mention

MAX_ATTRIBUTE_ROWS = 8
MAX_COMPARED = 4


def comparison_rows(products: Sequence[Product], language: str = "en", *,
                    money: Money) -> list[tuple[str, tuple[str, ...]]]:
    zh = language == "zh"
    dash = "—"
    rows: list[tuple[str, tuple[str, ...]]] = [
        ("价格" if zh else "Price", tuple(money(p.price) for p in products)),
        ("原价" if zh else "List price",
         tuple(money(p.list_price) if p.list_price and p.on_sale else dash for p in products)),
        ("折扣" if zh else "Discount", tuple(f"{p.discount_pct:g}%" if p.on_sale else dash for p in products)),
        ("评分" if zh else "Rating",
         tuple(f"{p.rating:g}/5 ({p.rating_count})" if p.rating is not None else dash for p in products)),
        ("品牌" if zh else "Brand", tuple(p.brand or dash for p in products)),
        ("库存" if zh else "In stock", tuple(("有货" if zh else "yes") if p.in_stock else ("缺货" if zh else "no")
                                             for p in products)),
    ]
    keys: list[str] = [k for k in CANONICAL_ATTRIBUTES if any(k in p.attributes for p in products)]
    for p in products:
        keys += [k for k in p.attributes if k not in keys]
    for key in keys[:MAX_ATTRIBUTE_ROWS]:
        rows.append((key.replace("_", " ").capitalize(), tuple(p.attributes.get(key, dash)[:60] for p in products)))
    return rows


def verdict(products: Sequence[Product], language: str = "en", labels: Sequence[str] = (), *, money: Money) -> str:
    """`labels`: how to name each product (card numbers, "#3 <title>"); "[i] <title>" by default."""
    zh = language == "zh"
    names = {p.id: (labels[i - 1] if len(labels) >= i else f"[{i}] {p.title[:60]}") for i, p in enumerate(products, 1)}
    parts: list[str] = []
    cheapest = min(products, key=lambda p: p.price)
    if len({p.price for p in products}) > 1:
        parts.append(f"{names[cheapest.id]}最便宜（{money(cheapest.price)}）" if zh
                     else f"{names[cheapest.id]} is the cheapest at {money(cheapest.price)}")
    rated = [p for p in products if p.rating is not None]
    if len(rated) >= 2 and len({p.rating for p in rated}) > 1:
        best = max(rated, key=lambda p: (p.rating or 0, p.rating_count))
        parts.append(f"{names[best.id]}评分最高（{best.rating:g}/5）" if zh
                     else f"{names[best.id]} has the best rating ({best.rating:g}/5)")
    on_sale = [p for p in products if p.on_sale]
    if on_sale:
        deal = max(on_sale, key=lambda p: p.discount_pct)
        parts.append(f"{names[deal.id]}折扣最大（{deal.discount_pct:g}%）" if zh
                     else f"{names[deal.id]} has the biggest discount ({deal.discount_pct:g}% off)")
    out = [p for p in products if not p.in_stock]
    if out:
        parts.append("、".join(names[p.id] for p in out) + "目前缺货" if zh
                     else ", ".join(names[p.id] for p in out) + " is out of stock right now")
    if not parts:
        return "两者在价格和评分上相同。" if zh else "They are the same on price and rating."
    return ("；".join(parts) + "。") if zh else ("; ".join(parts) + ".")


def _compared(ctx: TurnContext, services: Services, mention: Mention) -> list[Product]:
    """The products to compare: what the words name ("the first two", "1 and 3", "both", "them"), with the
    focus added to a single named one ("compare it with the second"), else the focus, else the first two."""
    res = resolve(ctx, services, "compare", mention)
    products = res.products if res.ok else []
    extreme = parse_extreme(ctx.message) if mention.kind == "positions" else None
    if extreme is not None:  # "compare the cheapest and the second"
        pick = resolve(ctx, services, "compare", extreme)
        products = list(dict.fromkeys(pick.products + products)) if pick.ok else products
    if len(products) == 1 and mention.kind == "positions":
        focus = [p for pid in ctx.state.focus if (p := services.product(pid)) is not None and p != products[0]]
        products = focus[:1] + products if len(focus) == 1 else products
    if len(products) < 2:
        products = [p for pid in ctx.state.last_shown[:2] if (p := services.product(pid))]
    return products[:MAX_COMPARED]


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    mention = parse_mention(ctx.message)
    if mention.kind == "extreme" and asks_which(ctx.message):
        yield from which.answer(ctx, services, mention)  # "which of these has the biggest discount?"
        return
    if mention.kind == "positions":
        res = resolve(ctx, services, "compare", mention)
        if res.status == "unresolved":
            yield from say(res.message)
            return
    products = _compared(ctx, services, mention)
    if not products and not ctx.state.focus:
        yield from say(NOTHING_IN_VIEW[ctx.zh])
        return
    if len(products) < 2:
        yield from say(ctx.t("Show me at least two products first, then ask me to compare them "
                             "(e.g. \u201ccompare the first two\u201d).",
                             "请先搜索至少两件商品，再让我比较（比如“比较前两个”）。"))
        return
    money = services.config.money
    text = verdict(products, ctx.language, [card_label(ctx, p)[:70] for p in products], money=money)
    ctx.state.refs.show_comparison([p.id for p in products])
    yield ComparisonEvent(
        product_ids=tuple(p.id for p in products),
        titles=tuple(p.title for p in products),
        rows=tuple(comparison_rows(products, ctx.language, money=money)),
        verdict=text,
    )
    yield from say(text)
