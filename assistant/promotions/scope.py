"""Which of the catalog's categories (and brands) a shopper's words are about, for "any coupon for shoes?".

Coupons name top-level categories ("footwear") and brands; shoppers name product types ("boots", 鞋子),
deeper category nodes ("home decor", "necklaces") or the category itself. The words are matched through
the catalog, never through a list of words:

- the category and brand filters the query parser read (it knows each catalog's category names and the
  Chinese term tables);
- the product types the scene read (`boot`), each taken to the top-level categories its products sit in;
- phrases of the message (Chinese translated by the term tables) that name a node of the category tree
  ("home decor" in "home decor festive needs > wall decor clocks"), when the products under such nodes
  mostly share one top-level category.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.promotions.rules import Coupon
from retrieval.catalog import Catalog, Product
from retrieval.product_types import product_type_keys, singular
from retrieval.product_words import colour_tokens
from retrieval.zh_terms import has_cjk, translate_terms

PARSER_WEIGHT = 2.0  # a category the query parser read counts as two pieces of evidence
KEEP = 0.5  # categories with at least this share of the best one's votes are all asked about
MAX_NODE_WORDS = 4  # longer category segments are item names ("knight ace kraasa sports running shoes")
MIN_PRODUCTS = 2  # a phrase under fewer products says nothing about a category
_WORD = re.compile(r"[a-z0-9]+")
# Grammar words, which category segments also contain ("watches for men"): never evidence by themselves.
_GRAMMAR = {"a", "an", "the", "for", "with", "and", "or", "of", "in", "on", "to", "at", "by", "from", "my",
            "your", "any", "some", "all", "i", "me", "you", "we", "is", "are", "can", "do", "use", "there",
            "what", "which", "this", "that", "it", "one", "get", "have", "has", "not", "no", "more", "less"}


@dataclass(frozen=True)
class Scope:
    """Top-level categories and brands (lower case) the shopper asked about."""

    categories: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.categories or self.brands)


@dataclass
class _TreeIndex:
    """Per catalog: product type key -> top categories, category-node phrase -> top categories, brands."""

    types: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    nodes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    brand_categories: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    @classmethod
    def build(cls, products: Iterable[Product]) -> _TreeIndex:
        index = cls()
        colours = colour_tokens()
        for p in products:
            top = p.category.lower()
            if not top:
                continue
            for key in product_type_keys(p, colours):
                index.types[key][top] += 1
            phrases: set[str] = set()
            for node in p.category_path:
                if len(node.split()) > MAX_NODE_WORDS:
                    continue  # a long segment names one item, not a branch of the tree
                words = [singular(w) for w in _WORD.findall(node.lower())]
                for n in range(1, min(3, len(words)) + 1):
                    phrases.update(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
            for phrase in phrases:
                index.nodes[phrase][top] += 1
            if p.brand:
                index.brand_categories[p.brand.lower()][top] += 1
        return index


_INDEXES: weakref.WeakKeyDictionary[Catalog, _TreeIndex] = weakref.WeakKeyDictionary()


def _index(catalog: Catalog | Sequence[Product]) -> _TreeIndex:
    if isinstance(catalog, Catalog):
        found = _INDEXES.get(catalog)
        if found is None:
            found = _INDEXES[catalog] = _TreeIndex.build(catalog)
        return found
    return _TreeIndex.build(catalog)


def _shares(counts: Counter[str]) -> dict[str, float]:
    total = sum(counts.values())
    return {c: n / total for c, n in counts.items()} if total else {}


def _phrases(text: str) -> list[str]:
    """The message's English words (Chinese ones translated), singular, as 1- to 3-word phrases, longest first."""
    low = text.lower()
    if has_cjk(low):
        low = translate_terms(low)
    words = [singular(w) for w in _WORD.findall(low)]
    out: list[str] = []
    for n in (3, 2, 1):
        grams = [words[i:i + n] for i in range(len(words) - n + 1)]
        out += [" ".join(g) for g in grams if g[0] not in _GRAMMAR and g[-1] not in _GRAMMAR and len(g[-1]) > 2]
    return out


def asked_scope(
    text: str,
    catalog: Catalog | Sequence[Product],
    *,
    categories: Iterable[str] = (),
    brands: Iterable[str] = (),
    types: Iterable[str] = (),
    coupons: Sequence[Coupon] = (),
) -> Scope:
    """The categories and brands `text` asks about. `categories`, `brands` and `types` are what the query
    parser and the scene already read from it; the coupons' own brands are matched as words too."""
    index = _index(catalog)
    low = text.lower()
    found_brands = {b.lower() for b in brands}
    found_brands |= {b.lower() for c in coupons for b in c.brands
                     if re.search(rf"(?<![a-z0-9]){re.escape(b.lower())}(?![a-z0-9])", low)}
    # Each piece of evidence votes for the top-level categories its products sit in, in proportion.
    votes: dict[str, float] = defaultdict(float)

    def vote(shares: dict[str, float]) -> None:
        for category, share in shares.items():
            votes[category] += share

    for c in categories:
        votes[c.lower()] += PARSER_WEIGHT
    for key in types:
        vote(_shares(index.types.get(key, Counter())))
    covered: list[str] = []
    for phrase in _phrases(text):
        counts = index.nodes.get(phrase)
        if not counts or sum(counts.values()) < MIN_PRODUCTS or any(phrase in longer for longer in covered):
            continue
        vote(_shares(counts))
        covered.append(phrase)
    top = max(votes.values(), default=0.0)
    cats = {c for c, v in votes.items() if v >= KEEP * top and v > 0}
    return Scope(frozenset(cats), frozenset(found_brands))


def coupons_for(scope: Scope, coupons: Iterable[Coupon], catalog: Catalog | Sequence[Product]) -> list[Coupon]:
    """The coupons limited to what `scope` names: one of its categories, one of its brands, or a brand
    coupon whose brand sells in one of its categories. Coupons valid on anything are not among them."""
    index = _index(catalog)
    out = []
    for c in coupons:
        own_cats = {x.lower() for x in c.categories}
        own_brands = {b.lower() for b in c.brands}
        if not own_cats and not own_brands:
            continue
        by_category = bool(own_cats & scope.categories)
        by_brand = bool(own_brands & scope.brands)
        sells_there = any(set(index.brand_categories.get(b, Counter())) & scope.categories for b in own_brands)
        if (by_category and (not own_brands or by_brand or sells_there)) or (
                not own_cats and (by_brand or sells_there)) or (by_brand and not scope.categories):
            out.append(c)
    return out
