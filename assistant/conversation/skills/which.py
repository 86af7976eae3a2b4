"""Answers to "which one is the cheapest?", "which of these has the biggest discount?", "哪个评分最高？".

The pick is made among the products in view (assistant.conversation.referents) with the catalog's
facts, and becomes the focus: "add that one" then adds exactly that product.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.conversation.events import Event
from assistant.conversation.referents import card_label, fact_text, resolve
from assistant.conversation.skills.base import Services, TurnContext, say
from scene.mentions import Mention

_SAYS = {
    "price_asc": ("is the cheapest", "最便宜"),
    "price_desc": ("is the most expensive", "最贵"),
    "discount": ("has the biggest discount", "折扣最大"),
    "rating": ("is the best rated", "评分最高"),
    "popularity": ("has the most ratings", "评价最多"),
    "weight_asc": ("is the lightest", "最轻"),
    "weight_desc": ("is the heaviest", "最重"),
}


def answer(ctx: TurnContext, services: Services, mention: Mention) -> Iterator[Event]:
    """One sentence naming the pick and the fact that decided it; the pick becomes the focus."""
    res = resolve(ctx, services, "ask", mention)
    if not res.ok or not res.products or mention.ordering is None:
        yield from say(res.message or ctx.t("Search for something first, then ask me which one fits best.",
                                            "请先搜索商品，再问我哪一件最合适。"))
        return
    winner = res.products[0]
    n = len(res.candidates)
    en, zh = _SAYS[mention.ordering]
    fact = fact_text(ctx, services, winner, mention.ordering)
    label = card_label(ctx, winner)
    ctx.state.refs.focus_on([winner.id])
    yield from say(ctx.t(
        f"Of these {n}, {label} {en} ({fact}). Say \u201cadd it\u201d to put it in your cart.",
        f"这{n}件里，{label}{zh}（{fact}）。说“加入购物车”即可加购。"))
