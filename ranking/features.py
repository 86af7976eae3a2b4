"""Features of (query, candidate) pairs for the learned ranker.

Only signals the Home Depot judgements can teach go into the LightGBM model
(`RELEVANCE_FEATURES`): dense similarity, BM25 and field matches between query
and title/brand/category/attributes. Commerce and user signals (rating,
popularity, discount, price fit, profile affinities) have no labels in that data,
so `ranking.ranker` adds them with explicit, documented weights on top.

Everything here is computed per candidate list in plain Python/numpy: about
2 ms for 100 candidates.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import Stemmer

from retrieval.catalog import Product

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[./]\d+)?")
_STOP = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "with", "by", "x", "ft", "inch"})
_stemmer = Stemmer.Stemmer("english")

COLOUR_WORDS = frozenset(
    {
        "black", "white", "grey", "gray", "silver", "red", "blue", "green", "yellow", "orange", "pink",
        "purple", "brown", "beige", "tan", "gold", "bronze", "nickel", "chrome", "copper", "ivory", "cream",
        "navy", "almond", "espresso", "walnut", "oak", "cherry", "clear",
    }
)

RELEVANCE_FEATURES: tuple[str, ...] = (
    "dense",
    "dense_gap",  # dense - best dense in this candidate list
    "bm25",
    "bm25_rel",  # bm25 / best bm25 in this candidate list
    "q_len",
    "t_len",
    "overlap",  # share of query stems found in the product text
    "overlap_title",
    "overlap_prefix",  # share of query words that prefix some title word (or vice versa, >= 3 chars)
    "last_in_title",  # the query's last word (usually the head noun) is in the title
    "first_in_title",
    "bigram",  # share of query stem bigrams found as title bigrams
    "char3",  # char-3gram Jaccard of query and title
    "numbers",  # share of query numbers found in the title (sizes, gauges, models)
    "numbers_missing",
    "brand_mention",  # product brand (or the title's first word) mentioned in the query
    "colour_mention",  # query colour word found in product text / query colour absent from it
    "colour_clash",
    "category_mention",
    "position_first",  # where in the title the first matched word occurs (0..1, 1 = absent)
    "matched",  # number of query stems found in the title
    "title_coverage",  # share of title stems that the query mentions
    "fuzzy",  # share of query words (>= 4 letters) within one edit of a title word (typos)
    # Relative to the other candidates of the same query (LambdaMART compares within a list):
    "dense_rank",  # 0 = best dense score in the list .. 1 = worst
    "bm25_rank",
    "overlap_gap",  # overlap - best overlap in the list
    "char3_gap",
    "fuzzy_gap",
)


@dataclass
class Candidate:
    """A product with the retrieval scores the live search computed for it."""

    product: Product
    dense_score: float = 0.0
    bm25_score: float = 0.0


@lru_cache(maxsize=200_000)
def stems(text: str) -> tuple[str, ...]:
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP]
    return tuple(_stemmer.stemWords(words))


@lru_cache(maxsize=200_000)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


@lru_cache(maxsize=200_000)
def _char3(text: str) -> frozenset[str]:
    s = " " + " ".join(_WORD.findall(text.lower())) + " "
    return frozenset(s[i : i + 3] for i in range(len(s) - 2))


def product_text(product: Product) -> str:
    """Title plus the structured fields a shopper might name in a query."""
    parts = [product.title, product.brand, " ".join(product.category_path)]
    parts += [v for k, v in product.attributes.items() if k in ("colour", "material", "type", "size")]
    return " ".join(p for p in parts if p)


def _brand_of(product: Product) -> str:
    if product.brand:
        return product.brand.lower()
    words = _words(product.title)
    return words[0] if words else ""


@dataclass(frozen=True)
class ProductTokens:
    """Everything the features need from one product, computed once per product version."""

    title_stems: tuple[str, ...]
    title_stem_set: frozenset[str]
    title_bigrams: frozenset[tuple[str, str]]
    title_words: tuple[str, ...]
    title_word_set: frozenset[str]
    title_words_by_len: dict[int, tuple[str, ...]]  # for the one-edit (typo) check
    title_prefixes: frozenset[str]  # every prefix (>= 3 letters) of every title word
    title_char3: frozenset[str]
    title_numbers: frozenset[str]
    text_stems: frozenset[str]
    text_words: frozenset[str]
    brand: str
    category_stems: frozenset[str]


@dataclass(frozen=True)
class QueryTokens:
    text: str
    stems: tuple[str, ...]
    stem_set: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    words: tuple[str, ...]
    padded: str  # " w1 w2 ... " for whole-word brand lookups
    char3: frozenset[str]
    numbers: frozenset[str]
    colours: frozenset[str]
    long_words: tuple[str, ...]


_PRODUCT_CACHE: dict[tuple[object, ...], ProductTokens] = {}
_PRODUCT_CACHE_MAX = 300_000


def product_tokens(product: Product) -> ProductTokens:
    key = (product.id, product.title, product.brand, tuple(product.category_path),
           tuple(sorted(product.attributes.items())))
    hit = _PRODUCT_CACHE.get(key)
    if hit is not None:
        return hit
    t_st = stems(product.title)
    text = product_text(product)
    tokens = ProductTokens(
        title_stems=t_st,
        title_stem_set=frozenset(t_st),
        title_bigrams=frozenset(itertools.pairwise(t_st)),
        title_words=_words(product.title),
        title_word_set=frozenset(_words(product.title)),
        title_words_by_len=_by_length(_words(product.title)),
        title_prefixes=frozenset(w[:k] for w in _words(product.title) for k in range(3, len(w) + 1)),
        title_char3=_char3(product.title),
        title_numbers=frozenset(_NUMBER.findall(product.title)),
        text_stems=frozenset(stems(text)),
        text_words=frozenset(_words(text)),
        brand=_brand_of(product),
        category_stems=frozenset(stems(" ".join(product.category_path))),
    )
    if len(_PRODUCT_CACHE) >= _PRODUCT_CACHE_MAX:
        _PRODUCT_CACHE.clear()
    _PRODUCT_CACHE[key] = tokens
    return tokens


@lru_cache(maxsize=20_000)
def query_tokens(query: str) -> QueryTokens:
    q_st = stems(query)
    words = _words(query)
    return QueryTokens(
        text=query,
        stems=q_st,
        stem_set=frozenset(q_st),
        bigrams=frozenset(itertools.pairwise(q_st)),
        words=words,
        padded=" " + " ".join(words) + " ",
        char3=_char3(query),
        numbers=frozenset(_NUMBER.findall(query)),
        colours=frozenset(w for w in words if w in COLOUR_WORDS),
        long_words=tuple(w for w in words if len(w) >= 4),
    )


def pair_features(query: str | QueryTokens, product: Product | ProductTokens) -> list[float]:
    """The text-match part of `RELEVANCE_FEATURES` (everything after bm25_rel)."""
    q = query_tokens(query) if isinstance(query, str) else query
    t = product_tokens(product) if isinstance(product, Product) else product
    q_st, t_st, t_set = q.stems, t.title_stems, t.title_stem_set
    nq = max(len(q_st), 1)
    overlap = sum(1 for s in q_st if s in t.text_stems) / nq
    overlap_title = sum(1 for s in q_st if s in t_set) / nq
    prefix = 0
    for w in q.words:
        if len(w) >= 3 and (
            w in t.title_prefixes or any(w[:k] in t.title_word_set for k in range(3, len(w)))
        ):
            prefix += 1
    last_in = float(bool(q_st) and q_st[-1] in t_set)
    first_in = float(bool(q_st) and q_st[0] in t_set)
    bigram = len(q.bigrams & t.title_bigrams) / len(q.bigrams) if q.bigrams else 0.0
    a, b = q.char3, t.title_char3
    char3 = len(a & b) / len(a | b) if a or b else 0.0
    common_nums = q.numbers & t.title_numbers
    numbers = len(common_nums) / len(q.numbers) if q.numbers else 0.0
    numbers_missing = float(bool(q.numbers) and not common_nums)
    brand_mention = float(bool(t.brand) and f" {t.brand} " in q.padded)
    colour_mention = float(bool(q.colours & t.text_words))
    colour_clash = float(bool(q.colours) and not (q.colours & t.text_words))
    category_mention = float(bool(t.category_stems & q.stem_set))
    position = 1.0
    for i, s in enumerate(t_st):
        if s in q.stem_set:
            position = i / max(len(t_st), 1)
            break
    matched = sum(1 for s in q.stem_set if s in t_set)
    coverage = sum(1 for s in t_st if s in q.stem_set) / max(len(t_st), 1)
    fuzzy = sum(
        1
        for w in q.long_words
        if w in t.title_word_set
        or any(_within_one_edit(w, tw) for n in (len(w) - 1, len(w), len(w) + 1)
               for tw in t.title_words_by_len.get(n, ()))
    )
    return [
        float(len(q_st)),
        float(len(t_st)),
        overlap,
        overlap_title,
        prefix / max(len(q.words), 1),
        last_in,
        first_in,
        bigram,
        char3,
        numbers,
        numbers_missing,
        brand_mention,
        colour_mention,
        colour_clash,
        category_mention,
        position,
        float(matched),
        coverage,
        fuzzy / max(len(q.long_words), 1),
    ]


def _by_length(words: Sequence[str]) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    for w in dict.fromkeys(words):
        out.setdefault(len(w), []).append(w)
    return {n: tuple(ws) for n, ws in out.items()}


def _within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance <= 1 (cheap check, no DP table)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def relevance_matrix(query: str, candidates: Sequence[Candidate]) -> np.ndarray:
    """(n, len(RELEVANCE_FEATURES)) float32 features of one query's candidate list."""
    n = len(candidates)
    out = np.zeros((n, len(RELEVANCE_FEATURES)), dtype=np.float32)
    if n == 0:
        return out
    dense = np.array([c.dense_score for c in candidates], dtype=np.float32)
    bm25 = np.array([c.bm25_score for c in candidates], dtype=np.float32)
    out[:, 0] = dense
    out[:, 1] = dense - dense.max()
    out[:, 2] = bm25
    out[:, 3] = bm25 / bm25.max() if bm25.max() > 0 else 0.0
    q = query_tokens(query)
    n_pair = len(RELEVANCE_FEATURES) - 4 - len(_RELATIVE)
    out[:, 4 : 4 + n_pair] = [pair_features(q, product_tokens(c.product)) for c in candidates]
    col = {name: i for i, name in enumerate(RELEVANCE_FEATURES)}
    denom = max(n - 1, 1)
    out[:, col["dense_rank"]] = _rank_pct(dense, denom)
    out[:, col["bm25_rank"]] = _rank_pct(bm25, denom)
    for name, source in (("overlap_gap", "overlap"), ("char3_gap", "char3"), ("fuzzy_gap", "fuzzy")):
        values = out[:, col[source]]
        out[:, col[name]] = values - values.max()
    return out


_RELATIVE = ("dense_rank", "bm25_rank", "overlap_gap", "char3_gap", "fuzzy_gap")


def _rank_pct(values: np.ndarray, denom: int) -> np.ndarray:
    """0 for the highest value .. 1 for the lowest (ties share the better rank)."""
    order = (-values).argsort(kind="stable")
    ranks = np.empty(len(values), dtype=np.float32)
    ranks[order] = np.arange(len(values), dtype=np.float32)
    # ties: give equal values the best rank among them
    _, first = np.unique(-values[order], return_index=True)
    starts = np.zeros(len(values), dtype=np.float32)
    group_start = np.repeat(first, np.diff(np.append(first, len(values))))
    starts[order] = group_start
    return starts / denom
