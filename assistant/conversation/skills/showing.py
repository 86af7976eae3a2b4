"""Shared by search and recommend: rank candidates for the shopper, emit cards, then explain.

Retrieval and ranking run before the model is called, so the cards reach the
shopper in retrieval + ranking time; the model's words stream after them.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.conversation.events import Event, ProductCard, ProductsEvent, TextDeltaEvent
from assistant.conversation.explain import Explainer
from assistant.conversation.skills import zh
from assistant.conversation.skills.base import Services, TurnContext, say
from assistant.insights.record import features_blob
from ranking.features import Candidate, relevance_matrix
from retrieval.catalog import Product
from retrieval.money import Money

log = logging.getLogger(__name__)
_warned = False


@dataclass
class Pick:
    product: Product
    reasons: list[str] = field(default_factory=list)


def fallback_reasons(product: Product) -> list[str]:
    """Reasons from catalog facts alone, used when the learned ranker is unavailable."""
    out = []
    if product.rating is not None and product.rating >= 4.0:
        out.append(f"rated {product.rating:.1f}")
    if product.discount_pct >= 5:
        out.append(f"{product.discount_pct:.0f}% off")
    return out


def rank_hits(
    ctx: TurnContext,
    services: Services,
    query: str,
    hits: Sequence[Any],
    k: int,
    budget: tuple[float | None, float | None] | None = None,
) -> list[Pick]:
    """The shopper's top-k of `hits`: the learned order, or retrieval order when the ranker is missing or fails
    or the shopper's experiment arm asks for it (`ranker=retrieval`), or a shuffle (`ranker=random`)."""
    global _warned
    if not hits:
        return []
    treatment = ctx.trace.treatment
    picks: list[Pick] | None = None
    if services.ranker is not None and treatment.ranker == "learned":
        profile = services.profile(ctx.user_id)
        try:
            vectors = services.vectors_for([h.product for h in hits])
            kwargs: dict[str, Any] = {"k": k, "product_vectors": vectors}
            if budget and any(v is not None for v in budget):
                kwargs["budget"] = budget
            if not treatment.diversity:
                kwargs["diversify"] = False
            ranked = services.ranker.rank(query, list(hits), profile, **kwargs)
            picks = _in_stock_first([Pick(r.product, list(r.reasons)) for r in ranked])[:k]
        except Exception as exc:  # missing model file, bad candidate: fall back to retrieval order
            if not _warned:
                log.warning("ranker unavailable, showing retrieval order: %s", exc)
                _warned = True
    if picks is None:
        ordered = list(hits)
        if treatment.ranker == "random":
            random.Random(f"{ctx.conversation_id}|{query}|{ctx.message}").shuffle(ordered)
        picks = _in_stock_first([Pick(h.product, fallback_reasons(h.product)) for h in ordered])[:k]
    trace_ranking(ctx, query, hits, picks)
    return picks


def trace_ranking(ctx: TurnContext, query: str, hits: Sequence[Any], picks: Sequence[Pick]) -> None:
    """Note the ranked query and the relevance features of the shown products (computed over the whole
    candidate list, as the ranker saw them) for the owner's log, from which the ranker can be retrained."""
    ctx.trace.rank_query = query
    try:
        cands = [Candidate(h.product, float(h.dense_score), float(h.bm25_score)) for h in hits]
        X = relevance_matrix(query, cands)
    except (AttributeError, TypeError, ValueError):  # hits without retrieval scores: nothing to learn from
        return
    rows = {c.product.id: i for i, c in enumerate(cands)}
    ctx.trace.features.update({p.product.id: features_blob(X[rows[p.product.id]]) for p in picks
                               if p.product.id in rows})


def _in_stock_first(picks: list[Pick]) -> list[Pick]:
    """Out-of-stock products stay visible (shoppers ask about them) but never above available ones."""
    return [p for p in picks if p.product.in_stock] + [p for p in picks if not p.product.in_stock]


def why_line(pick: Pick, language: str) -> str:
    reasons = [r for r in pick.reasons if r]
    if not reasons:
        return "最符合您的需求" if language == "zh" else "closest match to your request"
    if language == "zh":
        return " · ".join(zh.reason(r) for r in reasons[:3])
    text = " · ".join(reasons[:3])
    return text[:1].upper() + text[1:]


def cards_event(picks: Sequence[Pick], language: str, filters: Sequence[str] = (), note: str = "", *,
                money: Money) -> ProductsEvent:
    return ProductsEvent(
        cards=tuple(ProductCard.of(p.product, i, why_line(p, language), money) for i, p in enumerate(picks, 1)),
        filters=tuple(zh.chip(c) for c in filters) if language == "zh" else tuple(filters),
        note=note,
    )


def show_picks(
    ctx: TurnContext,
    services: Services,
    picks: Sequence[Pick],
    lead: str,
    request: str,
    filters: Sequence[str] = (),
    note: str = "",
) -> Iterator[Event]:
    """Cards, a template lead sentence, then the model's grounded explanation of the top picks."""
    ctx.shown = [p.product for p in picks]
    yield cards_event(picks, ctx.language, filters, note, money=services.config.money)
    yield from say(lead)
    if not picks:
        return
    explainer = Explainer(services.model, money=services.config.money, known_brands=services.known_brands,
                          store=services.config.store_name)
    for i, pick in enumerate(picks[: max(ctx.trace.treatment.explain_top(services.config.explain_top), 0)]):
        yield TextDeltaEvent(text="\n\n" + (f"**{i + 1}.** " if len(picks) > 1 else ""))
        for piece in explainer.explain_one(pick.product, pick.reasons, request, ctx.language):
            yield TextDeltaEvent(text=piece)
        ctx.record_generation(explainer.stats[-1].report, explainer.stats[-1].ttft_s)
        if explainer.stats and explainer.stats[-1].error:
            explainer.model = None  # the backend failed once: templates for the rest of the turn
