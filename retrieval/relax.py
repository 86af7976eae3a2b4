"""When the filters leave nothing: loosen them one step at a time, and say which step was taken.

A shop assistant who has no brown boots under ₹2,000 says so and shows what is
closest, and never swaps the boots for something else without a word. The steps,
each counted on the index's masks before any search runs (a millisecond):

0. `shown_again`          products already shown may come back (asked for cheaper ones when the
                          cheapest were on screen already); otherwise this is the last step;
1. `audience_unlabelled`  also products whose catalog entry names no audience
                          (a mug "for my dad": mugs are for anyone);
2. `mention`              the words a title had to contain ("mobile" cover; "wallet" where no
                          product is called one);
3. `type_broadened`       a two-word product type to its head ("running shoes" -> shoes);
4. `colour`, `brand`      the colour, then the brand, is dropped;
5. `audience`             who it is for is dropped;
6. `type`                 the product type is dropped: only when the catalog has none of it at all.

The budget is never loosened: a shopper's budget is a limit, not a preference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from retrieval.filters import QueryFilters

if TYPE_CHECKING:
    from retrieval.index import CatalogIndex

ENOUGH = 1  # a step is taken only while nothing passes: one exact match beats five near ones


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


def relax(index: CatalogIndex, filters: QueryFilters, exclude_ids: set[str] | None = None,
          enough: int = ENOUGH, shown_again_first: bool = False) -> Relaxed:
    """`filters`, loosened only as far as needed for at least `enough` products (or any, at the last step).

    `exclude_ids` (products on screen) are kept out unless nothing else passes: then `shown_again` is a
    step, the first one when `shown_again_first` (a relative price asked for), else the last."""
    exclude = None
    if exclude_ids:
        exclude = np.zeros(len(index), dtype=bool)
        exclude[[index.position[p] for p in exclude_ids if p in index.position]] = True
    current = filters.model_copy(deep=True)
    out = Relaxed(current, matching=_count(index, current, exclude))

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

    def step(name: str, change: QueryFilters, dropped: list[str]) -> bool:
        n = _count(index, change, exclude)
        if n > out.matching or (n and out.matching == 0):
            out.filters, out.matching = change, n
            out.steps.append(name)
            out.dropped[name] = dropped
        return out.matching >= enough

    candidates: list[tuple[str, str, list[str]]] = [
        ("audience_unlabelled", "audience_unknown_ok", []),
        ("mention", "mentions", list(filters.mentions)),
        ("type_broadened", "types", list(filters.types)),
        ("colour", "colours", list(filters.colours)),
        ("brand", "brands", list(filters.brands)),
        ("audience", "audiences", list(filters.audiences)),
        ("type", "types", list(filters.types)),
    ]
    for name, attr, dropped in candidates:
        if not dropped and name != "audience_unlabelled":
            continue
        change = out.filters.model_copy(deep=True)
        if name == "audience_unlabelled":
            if not change.audiences:
                continue
            change.audience_unknown_ok = True
        elif name == "type_broadened":
            broader = list(dict.fromkeys(heads.get(k, k) for k in change.types))
            if broader == change.types:
                continue
            change.types = broader
        elif name == "type":
            if _count(index, QueryFilters(types=filters.types), None) > 0:
                continue  # the catalog has this product: never swap it for another one
            change.types, change.categories = [], []
        else:
            setattr(change, attr, [])
            if attr == "audiences":
                change.audience_unknown_ok = False
        if step(name, change, dropped):
            break
    if out.matching < enough:
        again()
    return out
