"""Product-type and audience filters: read from the shopper's words, stored as product metadata, applied
the same way by the index's mask, `QueryFilters.matches` and Chroma `where` clauses.

Metadata keys: `type_<key>` (True for each of the product's type keys, see
`retrieval.product_types`), `aud_<group>` (True for each group it is for, see
`retrieval.audience`) or `aud_none` when the catalog names no audience.

`mentions` (words a product's title, category, brand or attributes must contain: "mobile" in a
"mobile cover", "wallet" where the catalog has no product called one) are checked on
the text itself, in memory; a Chroma `where` clause cannot say "contains", so it leaves
them to the index's mask, which every filtered search uses.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from retrieval.audience import AUDIENCES, fits, product_audiences, read_audience
from retrieval.catalog import CANONICAL_ATTRIBUTES, Product
from retrieval.product_types import TypeMatch, TypeVocabulary, product_type_keys
from retrieval.zh_terms import has_cjk, segments

if TYPE_CHECKING:
    from retrieval.filters import QueryFilters

_GROUPS = ("men", "women", "boys", "girls", "baby", "unisex")
_FOR_WORD = re.compile(r"\bfor\s+[\w-]+")


@functools.lru_cache(maxsize=1)
def colour_tokens() -> frozenset[str]:
    """Single English colour words ("black", "coffee"): never the head of a product type."""
    from retrieval.filters import COLOUR_WORDS

    return frozenset(w for words in COLOUR_WORDS.values() for w in words if w.isascii() and " " not in w)


def product_metadata(product: Product) -> dict[str, bool | str]:
    meta: dict[str, bool | str] = {f"type_{k}": True for k in product_type_keys(product, colour_tokens())}
    described = " ".join(v for k, v in product.attributes.items() if k in CANONICAL_ATTRIBUTES and k != "gender")
    if described:
        meta["attribute_text"] = described[:300]  # "Leather", "Cotton", "Casual": what a mention may match
    groups = product_audiences(product)
    meta.update({f"aud_{g}": True for g in groups})
    if not groups:
        meta["aud_none"] = True
    return meta


def _groups_of(meta: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(g for g in _GROUPS if meta.get(f"aud_{g}", False))


def allowed_groups(wanted: Sequence[str]) -> list[str]:
    """Product groups that suit a shopper buying for `wanted` (unisex always does)."""
    out: list[str] = []
    for who in wanted:
        for g in ({"boys", "girls", "baby"} if who == "kids" else {who}):
            if g not in out:
                out.append(g)
    return [*sorted(out), "unisex"]


def mention_tokens(meta: Mapping[str, Any]) -> set[str]:
    """The (stemmed) words a product's title, brand, category path and descriptive attributes (material,
    pattern, occasion...) say; not the top-level department's ("bags wallets belts" does not make a belt a
    wallet)."""
    from retrieval.lexical import tokenize

    path = str(meta.get("category_path", "")).split(" > ")
    below = " ".join(path[1:] if len(path) > 1 else path)
    return set(tokenize(f"{meta.get('title', '')} {meta.get('brand', '')} {below} {meta.get('attribute_text', '')}"))


def _stems(words: Sequence[str]) -> list[str]:
    from retrieval.lexical import tokenize

    return [t for w in words for t in tokenize(w)]


def filter_matches(filters: QueryFilters, meta: Mapping[str, Any]) -> bool:
    if filters.types and not any(meta.get(f"type_{k}", False) for k in filters.types):
        return False
    if filters.mentions and not set(_stems(filters.mentions)) <= mention_tokens(meta):
        return False
    return fits(_groups_of(meta), filters.audiences, filters.audience_unknown_ok)


def filter_where(filters: QueryFilters) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    if filters.types:
        ors = [{f"type_{k}": True} for k in filters.types]
        clauses.append(ors[0] if len(ors) == 1 else {"$or": ors})
    if filters.audiences:
        keys = [f"aud_{g}" for g in allowed_groups(filters.audiences)]
        if filters.audience_unknown_ok:
            keys.append("aud_none")
        clauses.append({"$or": [{k: True} for k in keys]})
    return clauses


# ------------------------------------------------------------------ the shopper's words


def read_product_words(
    low: str, types: TypeVocabulary | None, filters: QueryFilters, spans: list[tuple[int, int]]
) -> None:
    """Set `filters.types` and `filters.audiences` from a message (lower-cased); colour words that are
    part of a product word ("coffee mug", "口红" lipstick) or say what it is for ("a mug for coffee") are taken
    back out of `filters.colours`."""
    from retrieval.filters import colour_families

    audience = read_audience(low)
    filters.audiences = [a for a in audience.wanted if a in AUDIENCES]
    matches: list[TypeMatch] = []
    without_types = low
    if has_cjk(low):
        # Each Chinese product word separately; its English words are alternatives ("裙子": skirt, dress).
        rest = low
        for start, end, term in segments(low):
            found = types.find(term, collapse=False) if types else []
            matches += found
            if found:
                without_types = without_types[:start] + " " * (end - start) + without_types[end:]
            if not colour_families(term):
                rest = rest[:start] + " " * (end - start) + rest[end:]
        if filters.colours:
            filters.colours = colour_families(rest)
    else:
        matches = types.find(low, [*spans, *audience.spans]) if types else []
        for m in matches:
            without_types = without_types[: m.start] + " " * (m.end - m.start) + without_types[m.end :]
        if filters.colours:  # "a mug for coffee": what it is for, not its colour
            filters.colours = colour_families(_FOR_WORD.sub(" ", without_types))
    filters.types = list(dict.fromkeys(m.key for m in matches))


# ------------------------------------------------------------------ the index side


@dataclass
class WordIndex:
    """Rows of each type key and each audience group, built once when an index opens."""

    n: int
    type_rows: dict[str, np.ndarray] = field(default_factory=dict)
    groups: dict[str, np.ndarray] = field(default_factory=dict)
    word_rows: dict[str, np.ndarray] = field(default_factory=dict)  # stemmed word -> rows that mention it

    @classmethod
    def build(cls, metadata: Sequence[Mapping[str, Any]]) -> WordIndex:
        rows: dict[str, list[int]] = {}
        words: dict[str, list[int]] = {}
        groups = {g: np.zeros(len(metadata), dtype=bool) for g in (*_GROUPS, "none")}
        for i, meta in enumerate(metadata):
            for key in meta:
                if key.startswith("type_"):
                    rows.setdefault(key[5:], []).append(i)
                elif key.startswith("aud_") and key[4:] in groups:
                    groups[key[4:]][i] = True
            for token in mention_tokens(meta):
                words.setdefault(token, []).append(i)
        as_arrays = {k: np.asarray(v, dtype=np.int32) for k, v in words.items()}
        return cls(len(metadata), {k: np.asarray(v, dtype=np.int64) for k, v in rows.items()}, groups, as_arrays)

    def mention_mask(self, words: Sequence[str]) -> np.ndarray:
        keep = np.ones(self.n, dtype=bool)
        for stem in _stems(words):
            has = np.zeros(self.n, dtype=bool)
            found = self.word_rows.get(stem)
            if found is not None:
                has[found] = True
            keep &= has
        return keep

    def type_mask(self, keys: Sequence[str]) -> np.ndarray:
        keep = np.zeros(self.n, dtype=bool)
        for key in keys:
            found = self.type_rows.get(key)
            if found is not None:
                keep[found] = True
        return keep

    def audience_mask(self, wanted: Sequence[str], unknown_ok: bool) -> np.ndarray:
        keep = np.zeros(self.n, dtype=bool)
        for g in allowed_groups(wanted):
            keep |= self.groups[g]
        if unknown_ok:
            keep |= self.groups["none"]
        return keep

    def mask(self, filters: QueryFilters) -> np.ndarray | None:
        """The type and audience part of `QueryFilters.matches`, vectorized (None: neither is set)."""
        if not filters.types and not filters.audiences and not filters.mentions:
            return None
        keep = np.ones(self.n, dtype=bool)
        if filters.types:
            keep &= self.type_mask(filters.types)
        if filters.mentions:
            keep &= self.mention_mask(filters.mentions)
        if filters.audiences:
            keep &= self.audience_mask(filters.audiences, filters.audience_unknown_ok)
        return keep



# ------------------------------------------------------------------ brands named only in titles


def infer_title_brands(products: Sequence[Product], reject: Set[str], elsewhere: Mapping[str, int]) -> set[str]:
    """Brands of products whose brand field is empty, read where catalogs like Flipkart put them: the words
    every title of that maker starts with ("skmei ...", "salt n pepper ..."). A single word that is an
    everyday or product word (`reject`) is not taken, nor a last word that other titles use too
    (`elsewhere`: in how many titles a word follows the first; "alibi casual" is alibi); one title alone
    proves nothing."""
    groups: dict[str, list[list[str]]] = {}
    for p in products:
        words = [w.strip(",.;:!?()\"") for w in p.title.lower().split()]
        if not p.brand and words and words[0]:
            groups.setdefault(words[0], []).append(words[:4])
    found: set[str] = set()
    for titles in groups.values():
        if len(titles) < 2:
            continue
        prefix: list[str] = []
        for column in zip(*titles, strict=False):
            if len(set(column)) != 1:
                break
            prefix.append(column[0])
        while prefix and (any(ch.isdigit() for ch in prefix[-1]) or (len(prefix) > 1 and (
                prefix[-1] in reject or "'" in prefix[-1] or elsewhere.get(prefix[-1], 0) > len(titles)))):
            prefix.pop()
        if not prefix or (len(prefix) == 1 and (len(prefix[0]) < 3 or prefix[0] in reject)):
            continue
        if len(prefix) == min(len(t) for t in titles):
            continue  # the whole title: a product name, not a maker
        found.add(" ".join(prefix))
    return found


def brand_of_title(title: str, brands: Set[str]) -> str:
    """The longest of `brands` that `title` starts with ("" when none does)."""
    low = title.lower()
    best = ""
    for b in _by_first_word(frozenset(brands)).get(low.split(" ", 1)[0], ()):
        if (low == b or low.startswith(b + " ")) and len(b) > len(best):
            best = b
    return best


@functools.lru_cache(maxsize=4)
def _by_first_word(brands: frozenset[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for b in brands:
        out.setdefault(b.split(" ", 1)[0], []).append(b)
    return out
