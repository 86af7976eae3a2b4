"""From the shopper's message to products: fold it into the need, loosen filters that leave nothing, search.

Search and recommend both come here, so "running shoes for men" is understood the
same way whichever scene it was routed to. The need after the turn goes into
`ctx.need_update`; the conversation stores it in the dialogue state when the turn
ends (with the prices of the cards shown for it, which "cheaper?" is measured against).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.conversation.skills.base import Services, TurnContext
from retrieval.hybrid import QueryError, SearchResponse
from retrieval.relax import Relaxed, relax
from scene.need import Need, NeedReading, NeedUpdate, update_need
from scene.need_reading import read_need
from scene.slots import extract

NEAR = 0.8  # without the product type, a card scores at least this share of the best one


@dataclass
class Found:
    update: NeedUpdate
    query: str
    response: SearchResponse | None = None
    relaxed: Relaxed | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def need(self) -> Need:
        return self.update.need


def reading(ctx: TurnContext, services: Services, text: str | None = None) -> NeedReading:
    """This message's `NeedReading` (the detector's, or read here for `text` or when the detector gave none)."""
    if text is None and ctx.result.slots.need is not None:
        return ctx.result.slots.need
    vocab = services.searcher.index.vocabulary
    words = text if text is not None else ctx.message
    slots = extract(words, vocab=vocab) if text is not None else ctx.result.slots
    return read_need(words, slots, vocab)


def word_fits(services: Services) -> Callable[[Need, str], bool]:
    """Whether a word describes products of a need ("leather" boots exist): the catalog decides."""
    index = services.searcher.index

    def fits(need: Need, word: str) -> bool:
        hits = index.bm25.scores(word) > 0
        if need.filters.types:
            hits &= index.words.type_mask(need.filters.types)
        return bool(np.any(hits))

    return fits


def plan(ctx: TurnContext, services: Services, read: NeedReading | None = None) -> NeedUpdate:
    """The need after this message (`scene.need.update_need`)."""
    return update_need(
        ctx.state.need,
        ctx.state.past_needs,
        read or reading(ctx, services),
        shown_prices=ctx.state.last_shown_prices,
        fits=word_fits(services),
    )


def find(ctx: TurnContext, services: Services, update: NeedUpdate, k: int) -> Found:
    """Search the catalog for `update.need`: never a card already shown when the shopper asked for others."""
    ctx.need_update = update
    need = update.need
    exclude = set(need.seen_ids or ctx.state.last_shown) if update.exclude_shown else set()
    relaxed = relax(services.searcher.index, need.filters, exclude, shown_again_first=update.relative_price is not None,
                    protect=set(update.named), type_words=need.product.split())
    if not relaxed.keep_out_shown:
        exclude = set()
    found = Found(update=update, query=need.query, relaxed=relaxed)
    try:
        if need.query:
            found.response = services.searcher.search(need.query, k=k, filters=relaxed.filters, parse=False,
                                                      exclude_ids=exclude)
        else:  # budget, colour or sale alone: the parser reads them from the message, popular matches first
            found.response = services.searcher.search(ctx.message, k=k, filters=relaxed.filters, exclude_ids=exclude)
    except QueryError as exc:
        found.error = str(exc)
    if found.response is not None and {"department", "type"} & set(relaxed.steps) and found.response.hits:
        # the product itself was let go: only what is close to it, not the rest of the department padding
        best = found.response.hits[0].score
        found.response.hits = [h for h in found.response.hits if h.score >= NEAR * best]
    return found


_AUDIENCE_ZH = {"men": "男士", "women": "女士", "boys": "男孩", "girls": "女孩", "kids": "儿童", "baby": "婴儿"}


def relaxation_note(ctx: TurnContext, found: Found) -> str:
    """One sentence per loosened filter, so the shopper knows what the cards do not match."""
    relaxed = found.relaxed
    if relaxed is None:
        return ""
    product = found.need.product or found.need.query
    out: list[str] = []
    for name in relaxed.steps:
        dropped = relaxed.dropped.get(name, [])
        values = ", ".join(dropped)
        if name == "shown_again" and found.update.relative_price is None:
            out.append(ctx.t(f"That's everything I have for \u201c{product}\u201d; here it is again.",
                             f"“{product}”就这些了，再给您看一下。"))
        elif name == "shown_again":
            cheaper = found.update.relative_price != "pricier"
            out.append(ctx.t("Nothing I haven't shown you yet is " + ("cheaper" if cheaper else "pricier")
                             + ", so these are the " + ("lowest" if cheaper else "highest") + "-priced ones.",
                             "没有更" + ("便宜" if cheaper else "贵") + "的新款了，这些是价格最"
                             + ("低" if cheaper else "高") + "的几件。"))
        elif name == "department":
            out.append(ctx.t(f"I found no \u201c{product}\u201d like that; these are similar products from the "
                             "same department.", f"没有这样的“{product}”，这些是同类目下的相似商品。"))
        elif name == "type_mentioned":
            out.append(ctx.t(f"These include \u201c{product}\u201d as part of a set or combo.",
                             f"这些商品包含“{product}”（套装或组合）。"))
        elif name == "mention" and not found.need.filters.types:
            out.append(ctx.t(f"I found nothing called \u201c{values}\u201d; these are the closest matches.",
                             f"没有找到“{values}”，这些是最接近的商品。"))
        elif name in ("type_broadened", "mention"):
            out.append(ctx.t(f"I found no exact \u201c{product}\u201d, so these are the closest kinds.",
                             f"没有完全符合“{product}”的商品，这些是最接近的款式。"))
        elif name == "colour":
            out.append(ctx.t(f"Nothing in {values} matched, so these come in other colours.",
                             f"没有{values}的，这些是其他颜色的。"))
        elif name == "brand":
            out.append(ctx.t(f"Nothing from {values} matched, so these are from other brands.",
                             f"没有{values}的商品，这些是其他品牌的。"))
        elif name == "audience":
            zh = "、".join(_AUDIENCE_ZH.get(a, a) for a in dropped)
            out.append(ctx.t(f"None of these is labelled for {values}; they are the closest matches.",
                             f"没有标明适合{zh}的商品，这些是最接近的。"))
        elif name == "type":
            out.append(ctx.t(f"I don't have any \u201c{product}\u201d; these are the closest matches.",
                             f"店里没有“{product}”，这些是最接近的商品。"))
    return " ".join(out)
