"""Synthetic shoppers with hidden preferences, and how they react to the cards they are shown.

A product *type* is a word of the catalog's category paths ("boots", "watches", "rings", "mugs"...); a
product is of that type when its category path (not its title) names it, so a "boot cover" in car
accessories is not boots. Each shopper wants a few types, likes a couple of brands and has a budget
per type. Their reaction to a card follows the position-based click model:

    P(click at position k) = exam(k) * attract(product),  exam(k) = 1 / k ** eta   (eta = 1)
    attract = 0.02 + 0.6 * fit,  P(add to cart | click) = 0.45 * fit,
    fit = type match * price fit * quality(rating) * (1 + brand taste) / 1.3, in [0, 1]

so what a ranker can learn from their clicks is the type match (through the relevance features) and
what it cannot is each shopper's own brands and budget. The hidden parts are kept with the shopper so
tests can check the simulator against its truth.
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from retrieval.catalog import Product

TYPE_WORDS = (
    "boots", "loafers", "ballerinas", "sandals", "sneakers", "shoes", "watches", "rings", "necklaces",
    "bracelets", "earrings", "mugs", "tops", "shirts", "jeans", "kurtas", "dresses", "chargers", "speakers",
    "bottles", "wallets", "bags", "clutches", "candles", "sunglasses", "t-shirts",
)
ETA = 1.0  # position-bias exponent of the examination curve
MIN_PRODUCTS = 5  # a type needs this many products to be wanted


def quality(product: Product) -> float:
    """Shoppers prefer well-rated products: 0.4 (unrated or poorly rated) .. 1.0 (rated 5 by many)."""
    if product.rating is None or product.rating <= 0:
        return 0.5
    n = max(product.rating_count, 0)
    bayes = (product.rating * n + 3.5 * 5) / (n + 5)
    return 0.4 + 0.6 * min(max((bayes - 3.0) / 2.0, 0.0), 1.0)


def examination(position: int, eta: float = ETA) -> float:
    return 1.0 / position**eta


def _type_of(word: str) -> re.Pattern[str]:
    stem = word[:-1] if word.endswith("s") else word
    return re.compile(rf"\b{re.escape(stem)}(e?s)?\b")


@dataclass(frozen=True)
class CatalogTypes:
    """Which catalog products are of which type, and the median price of each type."""

    members: dict[str, frozenset[str]]
    median_price: dict[str, float]
    brands: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, products: Sequence[Product]) -> CatalogTypes:
        members: dict[str, set[str]] = defaultdict(set)
        prices: dict[str, list[float]] = defaultdict(list)
        brands: dict[str, set[str]] = defaultdict(set)
        for word in TYPE_WORDS:
            pattern = _type_of(word)
            for p in products:
                if pattern.search(" ".join(p.category_path).lower()):
                    members[word].add(p.id)
                    prices[word].append(p.price)
                    if p.brand:
                        brands[word].add(p.brand.lower())
        kept = {w for w, ids in members.items() if len(ids) >= MIN_PRODUCTS}
        return cls({w: frozenset(members[w]) for w in sorted(kept)},
                   {w: sorted(prices[w])[len(prices[w]) // 2] for w in kept},
                   {w: tuple(sorted(brands[w])) for w in kept})

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.members)


@dataclass
class Shopper:
    index: int
    visitor_id: str
    wants: tuple[str, ...]  # product types, most wanted first
    budget: dict[str, float]  # per type, in store currency
    brand_taste: dict[str, float] = field(default_factory=dict)  # brand -> +0.5 (likes) .. -0.5
    visit_prob: float = 0.6  # chance of a visit on a given day

    def fit(self, product: Product, wanted: str, types: CatalogTypes) -> float:
        """How well the product fits what the shopper came for, in [0, 1] (the hidden truth)."""
        if product.id not in types.members.get(wanted, frozenset()):
            return 0.0
        budget = self.budget.get(wanted, product.price)
        over = max(0.0, product.price / max(budget, 1.0) - 1.0)
        price_fit = math.exp(-0.7 * over)
        taste = self.brand_taste.get(product.brand.lower(), 0.0)
        return max(0.0, min(1.0, price_fit * quality(product) * (1.0 + taste) / 1.3))

def reaction(position: int, fit: float, draws: tuple[float, float]) -> tuple[bool, bool]:
    """(clicked, added to cart) for one card at `position` from two uniform draws (the click model above)."""
    clicked = draws[0] < examination(position) * (0.02 + 0.6 * fit)
    return clicked, clicked and draws[1] < 0.45 * fit


def population(n: int, types: CatalogTypes, seed: int = 0, prefix: str = "sim") -> list[Shopper]:
    """`n` shoppers; the same seed gives the same people (ids, wants, budgets, tastes)."""
    rng = random.Random(seed)
    words = list(types.words)
    out = []
    for i in range(n):
        wants = tuple(rng.sample(words, k=min(len(words), rng.choice((1, 2, 3)))))
        budget = {w: types.median_price[w] * math.exp(rng.gauss(0.2, 0.5)) for w in wants}
        taste: dict[str, float] = {}
        for w in wants:
            brands = types.brands[w]
            for b in rng.sample(brands, k=min(len(brands), 2)):
                taste[b] = 0.5
            if brands and rng.random() < 0.5:
                taste.setdefault(rng.choice(brands), -0.5)
        out.append(Shopper(i, f"{prefix}{seed}-{i}", wants, budget, taste, visit_prob=rng.uniform(0.3, 0.8)))
    return out


QUALIFIERS = ("", "", "", "for women", "for men", "black")


def query_for(wanted: str, rng: random.Random) -> str:
    """What the shopper types: the type, sometimes with a qualifier."""
    extra = rng.choice(QUALIFIERS)
    return f"{extra} {wanted}".strip() if extra == "black" else f"{wanted} {extra}".strip()
