"""Recommend: from the shopper's profile and history; popular, well-rated picks for a new shopper."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from assistant.conversation.events import Event
from assistant.conversation.skills.base import Services, TurnContext
from assistant.conversation.skills.search import content_words
from assistant.conversation.skills.showing import Pick, fallback_reasons, rank_hits, show_picks
from retrieval.hybrid import QueryError


def popular_picks(services: Services, k: int, exclude: set[str], category: str = "") -> list[Pick]:
    """Cold start: the best-rated, most-discounted in-stock products, one per top category first."""
    idx = services.searcher.index
    order = np.argsort(-idx.prior, kind="stable")
    seen_cats: set[str] = set()
    first: list[Pick] = []
    rest: list[Pick] = []
    for pos in order[: max(400, k * 20)]:
        p = idx.catalog[idx.ids[int(pos)]]
        if p.id in exclude or not p.in_stock or (category and p.category.lower() != category):
            continue
        pick = Pick(p, ["popular pick", *fallback_reasons(p)])
        if p.category not in seen_cats:
            seen_cats.add(p.category)
            first.append(pick)
        else:
            rest.append(pick)
        if len(first) >= k:
            break
    return (first + rest)[:k]


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    profile = services.profile(ctx.user_id)
    slots = ctx.result.slots
    k = services.config.cards_per_turn
    asked = " ".join(content_words(slots.query))
    exclude = set(profile.recent[-10:]) if profile is not None else set()
    cold = profile is None or profile.is_cold
    if asked or not slots.filters.is_empty():
        query = asked or slots.query or ctx.message
    elif not cold and profile is not None:
        cats = [c for c, w in profile.top("categories", 2) if w > 0]
        brands = [b for b, w in profile.top("brands", 1) if w > 0]
        query = " ".join(cats + brands)
    else:
        query = ""
    picks: list[Pick] = []
    if query:
        try:
            response = services.searcher.search(query, k=services.config.candidates, filters=slots.filters,
                                                exclude_ids=exclude)
            picks = rank_hits(ctx, services, response.parsed.residual or query, response.hits, k)
            ctx.memory["last_query"] = response.parsed.residual or query
            ctx.memory["last_filters"] = response.filters.model_dump(exclude_defaults=True)
        except QueryError:
            picks = []
    if not picks:
        picks = popular_picks(services, k, exclude)
    if cold:
        note = ctx.t("New here? These are popular picks; like or add items and I'll learn your taste.",
                     "第一次来？这些是热门好物；点赞或加购后我会更懂您的喜好。")
        lead = ctx.t(f"Here are {len(picks)} popular picks to start with.", f"先为您推荐{len(picks)}件热门好物。")
    else:
        note = ""
        likes = ", ".join(c for c, _ in (profile.top("categories", 2) if profile else []))
        lead = ctx.t(
            f"Based on what you've liked{f' ({likes})' if likes else ''}, here are {len(picks)} picks.",
            f"根据您的喜好{f'（{likes}）' if likes else ''}，为您推荐{len(picks)}件商品。",
        )
    yield from show_picks(ctx, services, picks, lead, ctx.message, note=note)
