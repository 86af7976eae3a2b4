"""When the filters leave nothing: loosen them one step at a time, and say which step was taken.

A shop assistant who has no brown boots under 2,000 says so and shows what is
closest, and never swaps the boots for something else without a word. The steps,
each counted on the index's masks before any search runs (a millisecond):

0. `shown_again`          products already shown may come back (asked for cheaper ones when the
                          cheapest were on screen already); otherwise this is the last step;
1. `audience_unlabelled`  also products whose catalog entry names no audience
                          (a mug "for my dad": mugs are for anyone);
2. `colour`, `brand`      the colour, then the brand, is dropped: what the product is matters more;
3. `mention`              the words a title had to contain ("mobile" cover; "wallet" where no
                          product is called one);
4. `type_broadened`       a two-word product type to its head ("running shoes" -> shoes), in the
                          department the product is sold in (bags with handbags, not car bags);
5. `type_mentioned`       products whose titles mention the product's words without being sold as
                          one ("nail polish" in a lipstick combo);
6. `department`           other products of that department (black clutches when no handbag is black);
7. `audience`             who it is for is dropped;
8. `type`                 the product type is dropped: only when the catalog has none of it at all.

What the shopper's latest message asked for itself (`protect`: "any in black?") is loosened
after the rest, so the new wish is kept and an older, less specific one gives way.

The budget is never loosened: a shopper's budget is a limit, not a preference.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from retrieval.filters import QueryFilters

if TYPE_CHECKING:
    from retrieval.index import CatalogIndex

ENOUGH = 1  # a step is taken only while nothing passes: one exact match beats five near ones
DEPARTMENT_SHARE = 0.2


@dataclass
class Relaxed:
    filters: QueryFilters
    steps: list[str] = field(default_factory=list)  # the names above, in the order taken
    dropped: dict[str, list[str]] = field(default_factory=dict)  # step -> the values it gave up
    matching: int = 0
    keep_out_shown: bool = True  # False after `shown_again`: products on screen may be shown


def _count(index: CatalogIndex, filters: QueryFilters, exclude: np.ndarray | None) -> int:
    mask = index.mask(filters)
    if mask is None:
        return len(index) - (int(exclude.sum()) if exclude is not None else 0)
    if exclude is not None:
        mask = mask & ~exclude
    return int(mask.sum())


_STEPS = ("audience_unlabelled", "colour", "brand", "mention", "type_broadened", "type_mentioned", "department",
          "audience", "type")
_GUARDS = {"colour": "colour", "brand": "brand", "audience": "audience", "audience_unlabelled": "audience",
           "mention": "type", "type_broadened": "type", "type_mentioned": "type", "department": "type"}


def _departments(index: CatalogIndex, types: Sequence[str]) -> list[str]:
    """Top-level categories most products of these types are sold in (a stray mis-filed one is not one)."""
    rows = np.flatnonzero(index.words.type_mask(types))
    counts = Counter(str(index.metadata[i].get("category", "")) for i in rows)
    return sorted(c for c, n in counts.items() if c and n >= max(2, DEPARTMENT_SHARE * len(rows)))


def _loosened(filters: QueryFilters, steps: set[str], heads: dict[str, str], type_words: Sequence[str] = (),
              departments: Sequence[str] = ()) -> QueryFilters:
    """`filters` with the named steps taken."""
    out = filters.model_copy(deep=True)
    if "audience_unlabelled" in steps:
        out.audience_unknown_ok = True
    if "colour" in steps:
        out.colours = []
    if "brand" in steps:
        out.brands = []
    if "mention" in steps:
        out.mentions = []
    if "type_broadened" in steps:
        out.types = list(dict.fromkeys(heads.get(k, k) for k in out.types))
    if steps & {"type_broadened", "department"} and departments and not out.categories:
        out.categories = list(departments)
    if "type_mentioned" in steps:
        out.types, out.mentions = [], list(dict.fromkeys([*out.mentions, *type_words]))
    if "department" in steps:
        out.types = []
    if "audience" in steps:
        out.audiences, out.audience_unknown_ok = [], False
    if "type" in steps:
        out.types, out.categories = [], []
    return out


def relax(index: CatalogIndex, filters: QueryFilters, exclude_ids: set[str] | None = None,
          enough: int = ENOUGH, shown_again_first: bool = False, protect: Set[str] = frozenset(),
          type_words: Sequence[str] = (), keep: Set[str] = frozenset()) -> Relaxed:
    """`filters`, loosened only as far as needed for at least `enough` products (or any, at the last step).

    The fewest steps that let enough products pass are taken (one, else two, else all), earlier steps
    first: only what has to go goes.
    `exclude_ids` (products on screen) are kept out unless nothing else passes: then `shown_again` is a
    step, the first one when `shown_again_first` (a relative price asked for), else the last. Steps named
    in `keep` are never taken."""
    exclude = None
    if exclude_ids:
        exclude = np.zeros(len(index), dtype=bool)
        exclude[[index.position[p] for p in exclude_ids if p in index.position]] = True
    out = Relaxed(filters.model_copy(deep=True), matching=_count(index, filters, exclude))

    def again() -> None:
        nonlocal exclude
        n = _count(index, out.filters, None)
        if exclude is not None and n > out.matching:
            out.matching, exclude, out.keep_out_shown = n, None, False
            out.steps.append("shown_again")

    if out.matching < enough and shown_again_first:
        again()
    if out.matching >= enough or not (filters.types or filters.audiences or filters.mentions):
        if out.matching < enough:
            again()
        return out
    heads = index.vocabulary.types.head_of
    departments = _departments(index, filters.types) if filters.types else []
    values = {"colour": filters.colours, "brand": filters.brands, "mention": filters.mentions,
              "type_broadened": [k for k in filters.types if heads.get(k, k) != k], "audience": filters.audiences,
              "audience_unlabelled": filters.audiences, "type": filters.types,
              "type_mentioned": list(type_words) if filters.types else [], "department": departments}
    possible = [s for s in _STEPS if values[s] and _GUARDS.get(s) not in protect and s not in keep]
    possible += [s for s in _STEPS if values[s] and _GUARDS.get(s) in protect and s not in keep]
    if "type" in possible and _count(index, QueryFilters(types=filters.types), None) > 0:
        possible.remove("type")  # the catalog has this product: never swap it for another one

    def enough_with(steps: Sequence[str]) -> bool:
        return _count(index, _loosened(filters, set(steps), heads, type_words, departments), exclude) >= enough

    # the fewest steps that suffice, earlier steps preferred: one step, then two, then all in order
    taken = next((list(c) for size in (1, 2) for c in itertools.combinations(possible, size) if enough_with(c)),
                 list(possible))
    loosened = _loosened(filters, set(taken), heads, type_words, departments)
    n = _count(index, loosened, exclude)
    if n > out.matching:
        out.filters, out.matching = loosened, n
        out.steps += taken
        out.dropped.update({s: list(values[s]) for s in taken})
    if out.matching < enough:
        again()
    return out
