"""Compare: a table of the referenced products' real catalog attributes, and a fact-based verdict."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.conversation.events import ComparisonEvent, Event
from assistant.conversation.grounding import format_inr
from assistant.conversation.skills.base import (
    Services,
    TurnContext,
    referenced_products,
    say,
    unresolved_reference_text,
)
from retrieval.catalog import CANONICAL_ATTRIBUTES, Product

MAX_ATTRIBUTE_ROWS = 8


def comparison_rows(products: Sequence[Product], language: str = "en") -> list[tuple[str, tuple[str, ...]]]:
    zh = language == "zh"
    dash = "—"
    rows: list[tuple[str, tuple[str, ...]]] = [
        ("价格" if zh else "Price", tuple(format_inr(p.price) for p in products)),
        ("原价" if zh else "List price",
         tuple(format_inr(p.list_price) if p.list_price and p.on_sale else dash for p in products)),
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


def verdict(products: Sequence[Product], language: str = "en") -> str:
    zh = language == "zh"
    names = {p.id: f"[{i}] {p.title[:60]}" for i, p in enumerate(products, 1)}
    parts: list[str] = []
    cheapest = min(products, key=lambda p: p.price)
    if len({p.price for p in products}) > 1:
        parts.append(f"{names[cheapest.id]}最便宜（{format_inr(cheapest.price)}）" if zh
                     else f"{names[cheapest.id]} is the cheapest at {format_inr(cheapest.price)}")
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


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    problem = unresolved_reference_text(ctx)
    if problem:
        yield from say(problem)
        return
    products = referenced_products(ctx, services)
    if len(products) < 2:
        products = [p for pid in ctx.state.last_shown[:2] if (p := services.product(pid))]
    if len(products) < 2:
        yield from say(ctx.t("Show me at least two products first, then ask me to compare them "
                             "(e.g. \u201ccompare the first two\u201d).",
                             "请先搜索至少两件商品，再让我比较（比如“比较前两个”）。"))
        return
    products = products[:4]
    text = verdict(products, ctx.language)
    ctx.state.focus = [p.id for p in products]
    yield ComparisonEvent(
        product_ids=tuple(p.id for p in products),
        titles=tuple(p.title for p in products),
        rows=tuple(comparison_rows(products, ctx.language)),
        verdict=text,
    )
    yield from say(text)
