"""The shopper's current need, and what a follow-up keeps or resets. Pure rules, no I/O.

A need is what a good shop assistant keeps in mind between two questions: the kind
of product, who it is for, the budget, brand, colour and other wishes. Each search
message is read (`NeedReading`, see `scene.need_reading`) and folded into it:

- new      no need yet: the message is the need.
- refine   the same product or none named ("in black?", "under 1000", "cheaper?",
           "just skmei", "show more", "any leather ones?"): everything is kept, what the
           message names replaces the old value (a colour replaces a colour); "cheaper"
           lowers the budget under the prices shown for this need, "pricier" raises it.
- switch   another kind of product ("now some running shoes", "换个话题，有没有太阳镜"):
           a fresh need from the message. Budget, brand, colour and wishes belonged to
           the old product and are dropped; who it is for is kept when it was a person
           ("boots for my wife" ... "and a watch") and the message names nobody else.
- restore  "back to the boots", "回到刚才的": the earlier need (the latest with that
           product, else the one before) comes back, with this message's changes on top.

The current need and up to `MAX_PAST` earlier ones live in `DialogueState`.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from retrieval.filters import QueryFilters

Change = Literal["new", "refine", "switch", "restore"]
MAX_PAST = 6


class Need(BaseModel):
    """What the shopper is looking for now."""

    product: str = Field(default="", description="the product as the shopper named it, in English (\"boots\")")
    wishes: list[str] = Field(default_factory=list, description="other words to search on (\"leather\", \"swift\")")
    filters: QueryFilters = Field(default_factory=QueryFilters,
                                  description="product types, who it is for, budget, brands, colours, rating...")
    for_person: bool = Field(default=False, description="who it is for was named as a person (\"my wife\")")
    shown_prices: list[float] = Field(default_factory=list, description="prices of the cards last shown for it")
    shown_ids: list[str] = Field(default_factory=list, description="the cards last shown for it")
    seen_ids: list[str] = Field(default_factory=list, description="every card shown for it (\"show me more\")")

    @property
    def query(self) -> str:
        """The words to search with (filters carry the rest)."""
        return " ".join([*self.wishes, self.product]).strip()

    def summary(self) -> str:
        """One line for people (the agent console): "boots · for women (a person) · under 2,000 · brown"."""
        f = self.filters
        parts = [self.query or "(anything)"]
        if f.audiences:
            parts.append("for " + "/".join(f.audiences) + (" (a person)" if self.for_person else ""))
        if f.min_price is not None and f.max_price is not None:
            parts.append(f"{f.min_price:,.0f}-{f.max_price:,.0f}")
        elif f.max_price is not None:
            parts.append(f"under {f.max_price:,.0f}")
        elif f.min_price is not None:
            parts.append(f"over {f.min_price:,.0f}")
        parts += [f"brand {b}" for b in f.brands] + list(f.colours)
        if f.min_rating is not None:
            parts.append(f"rated {f.min_rating:g}+")
        parts += [w for w, on in (("on sale", f.on_sale), ("in stock", f.in_stock)) if on]
        return " · ".join(parts)


class NeedReading(BaseModel):
    """What one message says about the need."""

    filters: QueryFilters = Field(default_factory=QueryFilters)
    product: str = Field(default="", description="the product words of the message, in English")
    wishes: list[str] = Field(default_factory=list)
    for_person: bool = False
    relative_price: Literal["cheaper", "pricier"] | None = None
    more: bool = Field(default=False, description="\"show me more\": same need, other products")
    restore: bool = Field(default=False, description="\"back to ...\": an earlier need")
    restore_first: bool = Field(default=False, description="\"the first thing\": the earliest need")
    add_brands: bool = Field(default=False, description="\"also puma\": brands are added, not replaced")
    names_self: bool = Field(default=False, description="\"for me\": the shopper, not the person before")
    is_request: bool = Field(default=False, description="nothing in it but a product request (scene routing)")

    @property
    def types(self) -> list[str]:
        return self.filters.types


class NeedUpdate(BaseModel):
    need: Need
    change: Change
    exclude_shown: bool = Field(default=False, description="cheaper / pricier / more: not the cards just shown")
    relative_price: Literal["cheaper", "pricier"] | None = None
    more: bool = False
    named: list[str] = Field(default_factory=list, description="what this message itself asked for (relax last)")


def same_family(old: Sequence[str], new: Sequence[str]) -> bool:
    """Whether two lists of type keys name the same kind of product ("runningshoe" is a "shoe")."""
    return any(a == b or a.endswith(b) or b.endswith(a) for a in old for b in new)


def update_need(
    current: Need | None,
    past: Sequence[Need],
    reading: NeedReading,
    *,
    shown_prices: Sequence[float] = (),
    fits: Callable[[Need, str], bool] | None = None,
) -> NeedUpdate:
    """The need after one message (see the module docstring for the rules).

    `shown_prices` are the prices last shown (used when the need has none of its own); `fits(need, word)`
    says whether a word describes products of that need ("leather" for boots), so a message with only
    such words refines instead of starting over."""
    need, change = _next(current, past, reading, shown_prices, fits)
    f = reading.filters
    named = [name for name, said in (("colour", f.colours), ("brand", f.brands), ("audience", f.audiences),
                                     ("type", f.types or f.mentions)) if said]
    asked_again = reading.more or reading.relative_price is not None
    return NeedUpdate(need=need, change=change, exclude_shown=asked_again and change in ("refine", "restore"),
                      relative_price=reading.relative_price, more=reading.more, named=named)


def _next(current: Need | None, past: Sequence[Need], reading: NeedReading, shown_prices: Sequence[float],
          fits: Callable[[Need, str], bool] | None) -> tuple[Need, Change]:
    if reading.restore and (current is not None or past):
        target = _earlier(current, past, reading)
        if target is not None:
            return _refine(target, reading, target.shown_prices), "restore"
    if current is None:
        return _fresh(reading, None), "new"
    prices = current.shown_prices or list(shown_prices)
    if reading.types:
        if same_family(current.filters.types, reading.types):
            return _refine(current, reading, prices), "refine"
        return _fresh(reading, current), "switch"
    new_words = [w for w in reading.wishes if w not in current.wishes]
    if (reading.more or reading.relative_price or not new_words
            or (fits is not None and all(fits(current, w) for w in new_words))):
        return _refine(current, reading, prices), "refine"
    return _fresh(reading, current), "switch"


def _earlier(current: Need | None, past: Sequence[Need], reading: NeedReading) -> Need | None:
    if reading.restore_first and past:
        return past[0]
    if reading.types:
        for need in reversed(past):
            if same_family(need.filters.types, reading.types):
                return need
        return None
    return past[-1] if past else None


def _fresh(reading: NeedReading, previous: Need | None) -> Need:
    filters = reading.filters.model_copy(deep=True)
    for_person = reading.for_person
    if previous is not None and previous.for_person and not filters.audiences and not reading.names_self:
        filters.audiences = list(previous.filters.audiences)  # the same person, another product
        for_person = True
    return Need(product=reading.product, wishes=list(reading.wishes), filters=filters, for_person=for_person)


def _refine(base: Need, reading: NeedReading, prices: Sequence[float]) -> Need:
    need = base.model_copy(deep=True)
    new = reading.filters
    f = need.filters
    if reading.types:
        f.types, f.mentions = list(new.types), list(new.mentions)
        need.product = reading.product or need.product
    need.wishes += [w for w in reading.wishes if w not in need.wishes]
    if new.audiences:
        f.audiences, need.for_person = list(new.audiences), reading.for_person
    elif reading.names_self and need.for_person:  # "and for me?": not the person shopped for before
        f.audiences, need.for_person = [], False
    if new.min_price is not None or new.max_price is not None:
        f.min_price, f.max_price = new.min_price, new.max_price
        f.price_currency = new.price_currency or f.price_currency
    if reading.relative_price and prices:  # below (above) both the middle and the average price shown
        middle = min(statistics.median(prices), statistics.fmean(prices)) if reading.relative_price == "cheaper" \
            else max(statistics.median(prices), statistics.fmean(prices))
        if reading.relative_price == "cheaper":
            f.max_price = round(middle - 0.01, 2) if f.max_price is None else min(f.max_price, round(middle - 0.01, 2))
        else:
            f.min_price = round(middle + 0.01, 2) if f.min_price is None else max(f.min_price, round(middle + 0.01, 2))
    if f.min_price is not None and f.max_price is not None and f.min_price > f.max_price:
        if reading.relative_price == "cheaper":
            f.min_price = None
        else:
            f.max_price = None
    if new.brands:
        f.brands = sorted({*f.brands, *new.brands}) if reading.add_brands else list(new.brands)
    if new.colours:
        f.colours = list(new.colours)
    if new.categories:
        f.categories = list(new.categories)
    if new.min_rating is not None:
        f.min_rating = new.min_rating
    f.on_sale = f.on_sale or new.on_sale
    f.in_stock = f.in_stock or new.in_stock
    f.audience_unknown_ok = False
    need.shown_prices, need.shown_ids, need.seen_ids = list(base.shown_prices), list(base.shown_ids), \
        list(base.seen_ids)
    return need
