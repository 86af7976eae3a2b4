"""Search: hybrid retrieval under the filters read from the words, personalized ranking, explanations.

Follow-ups refine the previous search ("cheaper ones?", "any in blue?", "show
more"): the last query and filters live in the conversation's memory. A request
too broad to search well ("a gift") gets one clarifying question; the answer is
searched together with the original request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from assistant.conversation.events import Event
from assistant.conversation.skills import zh
from assistant.conversation.skills.base import Services, TurnContext, say
from assistant.conversation.skills.showing import rank_hits, show_picks
from assistant.insights.trace import NO_RESULTS
from retrieval.filters import QueryFilters
from retrieval.hybrid import QueryError
from retrieval.money import Money, marker_regex

_FOLLOWUP_WORDS = {
    "ones", "one", "any", "show", "me", "more", "some", "those", "these", "them", "in", "with", "please",
    "instead", "what", "about", "how", "cheaper", "pricier", "other", "options", "else", "also", "do", "you",
    "have", "got", "only", "a", "bit", "little", "less", "expensive", "under", "below", "over", "the", "and",
    "or", "is", "are", "there", "something", "similar", "like", "that", "this", "again", "but", "colour",
    "color", "budget", "price", "lower", "higher", "rated", "rating", "sale", "on", "discount",
}
_MORE = re.compile(r"\b(show|see|any)\s+(me\s+)?(more|others|other ones|something else)\b|换一批|更多|还有别的", re.I)
_BROAD = re.compile(
    r"^\s*(i\s+(want|need)\s+(to\s+buy\s+)?|looking\s+for\s+|find\s+me\s+|buy\s+)?(a|an|some|any)?\s*"
    r"(gift|present|something|anything|stuff|things?|products?|items?)"
    r"(\s+(for\s+)?(him|her|me|someone|somebody|a friend|my\s+\w+|mom|dad))?\s*[.!?]*\s*$"
    r"|^\s*(我想)?(买|送)?(个|点)?(礼物|东西)\s*[。！？]*\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+|[\u3400-\u9fff]+", re.IGNORECASE)


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _FOLLOWUP_WORDS]


def is_too_broad(ctx: TurnContext) -> bool:
    slots = ctx.result.slots
    return bool(_BROAD.match(ctx.message)) and slots.filters.is_empty()


def _is_refinement(ctx: TurnContext) -> bool:
    if not ctx.memory.get("last_query"):
        return False
    slots = ctx.result.slots
    if ctx.result.reason.startswith("context:refinement") or slots.relative_price or _MORE.search(ctx.message):
        return True
    return not content_words(slots.query)


def plan_query(ctx: TurnContext) -> tuple[str, QueryFilters, set[str]]:
    """(query text, filters, ids to exclude) for this turn."""
    slots = ctx.result.slots
    if ctx.memory.get("clarify_for"):
        base = str(ctx.memory.pop("clarify_for"))
        return f"{base} {ctx.message}", slots.filters, set()
    if _is_refinement(ctx):
        last = QueryFilters.model_validate(ctx.memory.get("last_filters") or {})
        merged = last.merged(slots.filters)
        exclude = set(ctx.state.last_shown) if (slots.relative_price or _MORE.search(ctx.message)) else set()
        return str(ctx.memory["last_query"]), merged, exclude
    return (slots.query or ctx.message), slots.filters, set()


@lru_cache(maxsize=8)
def _amount(money: Money) -> re.Pattern[str]:
    """An amount with a currency marker (any currency's) or a percentage."""
    marks, num = marker_regex(money.markers), r"\d[\d,.\u00a0\u202f]*"
    return re.compile(rf"(?:{marks})\s*{num}|{num}\s*(?:%|percent\b|{marks})", re.IGNORECASE)


def _label(query: str, money: Money) -> str:
    """The query as quoted back to the shopper, without money amounts or percentages: read back, a planted
    "$1" or "100%" would look like the store's own price (the chips show the parsed budget)."""
    return " ".join(_amount(money).sub(" ", query).split()) or query


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    money = services.config.money
    if is_too_broad(ctx) and not ctx.memory.get("clarified"):
        ctx.memory["clarify_for"] = ctx.message
        ctx.memory["clarified"] = True
        example = money(services.example_budget)
        yield from say(ctx.t(
            "Happy to help! Who is it for, and roughly what budget? For example: "
            f"\"a watch for my dad under {example}\" or \"earrings for my sister\".",
            f"很乐意帮忙！是送给谁的？预算大概多少？比如：“给爸爸的手表，{example}以内”。",
        ))
        return
    ctx.memory.pop("clarified", None)
    query, filters, exclude = plan_query(ctx)
    try:
        response = services.searcher.search(query, k=services.config.candidates, filters=filters, exclude_ids=exclude)
    except QueryError as exc:
        yield from say(str(exc))
        return
    ctx.memory["last_query"] = response.parsed.residual or query
    ctx.memory["last_filters"] = response.filters.model_dump(exclude_defaults=True)
    chips = response.filters.describe(money)
    budget = (response.filters.min_price, response.filters.max_price)
    picks = rank_hits(ctx, services, response.parsed.residual or query, response.hits,
                      services.config.cards_per_turn, budget)
    if not picks:
        ctx.shown = []
        ctx.trace.unanswered = NO_RESULTS
        yield from say(ctx.t(
            "I couldn't find products matching that"
            + (f" ({', '.join(chips)})" if chips else "")
            + ". Try fewer words or a wider price range.",
            "没有找到符合条件的商品" + (f"（{'，'.join(zh.chip(c) for c in chips)}）" if chips else "")
            + "。试试换个说法或放宽价格范围。",
        ))
        return
    label = _label(response.parsed.residual or query, money)
    chip_text = f" ({', '.join(chips)})" if chips else ""
    lead = ctx.t(
        f"Here are {len(picks)} picks for \u201c{label}\u201d{chip_text}.",
        f"为您找到{len(picks)}件“{label}”相关商品" + (f"（{'，'.join(zh.chip(c) for c in chips)}）" if chips else "")
        + "。",
    )
    yield from show_picks(ctx, services, picks, lead + _unconverted_budget(ctx, response.filters, money), ctx.message,
                          chips)


def _unconverted_budget(ctx: TurnContext, filters: QueryFilters, money: Money) -> str:
    """A budget typed in another currency that the store has no rate for is left out: say so, never guess."""
    cur = filters.price_currency
    if not cur or cur == money.currency or filters.min_price is not None or filters.max_price is not None:
        return ""
    return ctx.t(f" Prices here are in {money.name}, so I left out the budget in {cur}.",
                 f"本店以{money.name}（{money.symbol}）标价，无法换算{cur}预算，已忽略预算。")
