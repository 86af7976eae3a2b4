"""Structured filters and the vocabularies they are read with, in English and Chinese.

`QueryFilters` is the one filter model both retrieval (Chroma `where` clauses and the lexical
mask) and scene slot extraction use, so "under $150" means the same thing everywhere; the
words are read into it by `retrieval.query_parser`.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from retrieval import product_words
from retrieval.catalog import Product
from retrieval.money import Money
from retrieval.product_types import TypeVocabulary
from retrieval.zh_terms import has_cjk

# ---------------------------------------------------------------- vocabularies

# Basic colour families; each maps the words shoppers use (both languages) to one name.
COLOUR_WORDS: dict[str, tuple[str, ...]] = {
    "black": ("black", "黑色", "黑"),
    "white": ("white", "off white", "ivory", "cream", "白色", "白"),
    "red": ("red", "maroon", "crimson", "红色", "红"),
    "blue": ("blue", "navy", "turquoise", "teal", "蓝色", "蓝"),
    "green": ("green", "olive", "mint", "绿色", "绿"),
    "yellow": ("yellow", "mustard", "黄色", "黄"),
    "pink": ("pink", "magenta", "粉色", "粉红", "粉"),
    "purple": ("purple", "violet", "lavender", "紫色", "紫"),
    "orange": ("orange", "橙色", "橙"),
    "brown": ("brown", "tan", "beige", "khaki", "coffee", "棕色", "咖啡色", "棕"),
    "grey": ("grey", "gray", "silver", "灰色", "银色", "灰"),
    "gold": ("gold", "golden", "金色"),
    "multicolour": ("multicolor", "multicolour", "multi color", "multi-color", "彩色"),
}

# Shopper words that name a top-level category of the demo store; catalogs whose
# categories are other words still get exact matches on their own category names.
CATEGORY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "footwear": ("shoes", "shoe", "sneakers", "sandals", "slippers", "boots", "heels", "footwear",
                 "鞋", "鞋子", "运动鞋"),
    "clothing": ("clothes", "clothing", "apparel", "shirt", "shirts", "t-shirt", "t-shirts", "kurta", "dress",
                 "dresses", "jeans", "衣服", "服装", "裙子", "衬衫"),
    "watches": ("watch", "watches", "wristwatch", "手表"),
    "jewellery": ("jewellery", "jewelry", "necklace", "earrings", "pendant", "bracelet", "首饰", "珠宝", "项链"),
    "bags wallets  belts": ("bag", "bags", "wallet", "wallets", "belt", "belts", "handbag", "backpack", "包", "钱包"),
    "mobiles  accessories": ("phone case", "mobile cover", "mobile accessories", "charger", "power bank", "手机壳"),
    "kitchen  dining": ("kitchen", "cookware", "dinnerware", "mug", "mugs", "厨房"),
    "beauty and personal care": ("beauty", "makeup", "cosmetics", "perfume", "deodorant", "化妆品", "香水"),
    "sunglasses": ("sunglasses", "shades", "太阳镜", "墨镜"),
}

ON_SALE_WORDS = ("on sale", "discount", "discounted", "deal", "deals", "offer", "offers", "clearance",
                 "打折", "折扣", "优惠", "特价", "促销")
IN_STOCK_WORDS = ("in stock", "available now", "ships today", "有货", "现货")


# ---------------------------------------------------------------- models


class QueryFilters(BaseModel):
    """Constraints read from text. Prices are already in the store currency."""

    min_price: float | None = Field(default=None, ge=0)
    max_price: float | None = Field(default=None, ge=0)
    price_currency: str | None = None
    brands: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    colours: list[str] = Field(default_factory=list)
    sizes: list[str] = Field(default_factory=list, description="`size_key`s; a product passes with any of them")
    min_rating: float | None = Field(default=None, ge=0, le=5)
    on_sale: bool = False
    in_stock: bool = False
    types: list[str] = Field(default_factory=list, description="product-type keys (retrieval.product_types); any")
    audiences: list[str] = Field(default_factory=list, description="who it is for (retrieval.audience); any")
    audience_unknown_ok: bool = Field(default=False, description="products that name no audience pass too")
    mentions: list[str] = Field(default_factory=list, description="words the title or category must have (all)")

    def is_empty(self) -> bool:
        return self == QueryFilters()

    def merged(self, newer: QueryFilters) -> QueryFilters:
        """This turn's filters refined by a follow-up: set fields in `newer` win."""
        data = self.model_dump()
        for key, value in newer.model_dump().items():
            if value not in (None, [], False):
                data[key] = value
        return QueryFilters.model_validate(data)

    def describe(self, money: Money | None = None) -> list[str]:
        """Short human-readable chips, e.g. ["under $150", "brand: puma"]; amounts in the store's money format
        (bare numbers without one)."""
        def amount(value: float) -> str:
            return money(round(value)) if money is not None else f"{value:,.0f}"

        chips: list[str] = []
        if self.min_price is not None and self.max_price is not None:
            chips.append(f"{amount(self.min_price)}-{amount(self.max_price)}")
        elif self.max_price is not None:
            chips.append(f"under {amount(self.max_price)}")
        elif self.min_price is not None:
            chips.append(f"over {amount(self.min_price)}")
        chips += [f"brand: {b}" for b in self.brands]
        chips += [f"category: {c}" for c in self.categories]
        chips += [f"colour: {c}" for c in self.colours]
        chips += [f"size: {s}" for s in self.sizes]
        if self.min_rating is not None:
            chips.append(f"rating ≥ {self.min_rating:g}")
        if self.on_sale:
            chips.append("on sale")
        if self.in_stock:
            chips.append("in stock")
        chips += [f"for {a}" for a in self.audiences]
        return chips

    # --- the two places filters are applied: vector store and lexical side ---

    def matches(self, meta: Mapping[str, Any]) -> bool:
        """Whether a product's metadata (see `product_filter_metadata`) passes every filter.

        A product with variants passes a filter when one of its variants does: its
        price range [price, price_max] meets the budget, one variant has the colour,
        one the size, one is in stock (not necessarily the same variant for each).
        """
        price = float(meta.get("price", 0.0))
        if (self.min_price is not None or self.max_price is not None) and price <= 0:
            return False  # price unknown: never claim it fits a budget
        if self.min_price is not None and float(meta.get("price_max", price)) < self.min_price:
            return False
        if self.max_price is not None and price > self.max_price:
            return False
        if self.brands and meta.get("brand", "") not in self.brands:
            return False
        if self.categories and meta.get("category", "") not in self.categories:
            return False
        if self.colours and not any(meta.get(f"colour_{c}", False) for c in self.colours):
            return False
        if self.sizes and not any(meta.get(f"size_{s}", False) for s in self.sizes):
            return False
        if self.min_rating is not None and float(meta.get("rating", 0.0)) < self.min_rating:
            return False

        if not product_words.filter_matches(self, meta):
            return False
        if self.on_sale and not meta.get("on_sale", False):
            return False
        return not (self.in_stock and not meta.get("in_stock", False))

    def to_chroma_where(self) -> dict[str, Any] | None:
        """The same predicate as `matches`, as a Chroma `where` clause (None when empty)."""
        clauses: list[dict[str, Any]] = []
        if self.min_price is not None or self.max_price is not None:
            clauses.append({"price": {"$gt": 0.0}})
        if self.min_price is not None:
            clauses.append({"price_max": {"$gte": float(self.min_price)}})
        if self.max_price is not None:
            clauses.append({"price": {"$lte": float(self.max_price)}})
        if self.brands:
            clauses.append({"brand": {"$in": list(self.brands)}})
        if self.categories:
            clauses.append({"category": {"$in": list(self.categories)}})
        if self.colours:
            ors = [{f"colour_{c}": True} for c in self.colours]
            clauses.append(ors[0] if len(ors) == 1 else {"$or": ors})
        if self.sizes:
            ors = [{f"size_{s}": True} for s in self.sizes]
            clauses.append(ors[0] if len(ors) == 1 else {"$or": ors})
        if self.min_rating is not None:
            clauses.append({"rating": {"$gte": float(self.min_rating)}})

        clauses += product_words.filter_where(self)
        if self.on_sale:
            clauses.append({"on_sale": True})
        if self.in_stock:
            clauses.append({"in_stock": True})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ParsedQuery(BaseModel):
    text: str
    residual: str = Field(
        description="the text without price/rating/sale phrases, Chinese product words in English; may be empty"
    )
    filters: QueryFilters = Field(default_factory=QueryFilters)
    notes: list[str] = Field(default_factory=list, description="what was read but not applied, and why")


def colour_families(text: str) -> list[str]:
    """Colour families named in a free text (a title or an attribute value), in `COLOUR_WORDS` order.

    One scan with a single pattern: this runs for every product each time an index opens.
    """
    low = text.lower()
    pattern, by_word, cjk_words = _colour_matcher()
    found = {by_word[m.group(0)] for m in pattern.finditer(low)}
    found.update(family for word, family in cjk_words if word in low)
    return [family for family in COLOUR_WORDS if family in found]


@functools.lru_cache(maxsize=1)
def _colour_matcher() -> tuple[re.Pattern[str], dict[str, str], list[tuple[str, str]]]:
    by_word = {w: family for family, words in COLOUR_WORDS.items() for w in words if not has_cjk(w)}
    alternation = "|".join(re.escape(w) for w in sorted(by_word, key=len, reverse=True))
    cjk = [(w, family) for family, words in COLOUR_WORDS.items() for w in words if has_cjk(w)]
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])"), by_word, cjk


_SIZE_WORDS = {"extra small": "xs", "x-small": "xs", "small": "s", "medium": "m", "large": "l", "x-large": "xl",
               "extra large": "xl", "xx-large": "xxl", "one size": "onesize", "talla única": "onesize"}


def size_key(value: str) -> str:
    """One spelling per size, shared by product options and shopper words ("Medium" -> "m", "6-12 months" ->
    "6-12m")."""
    low = " ".join(value.lower().split())
    low = _SIZE_WORDS.get(low, low)
    low = re.sub(r"\s*(?:months?|meses|mo)$", "m", low)
    low = re.sub(r"\s*(?:years?|yrs?|años)$", "y", low)
    return re.sub(r"[^\w.+/-]", "", low)


def product_filter_metadata(product: Product) -> dict[str, str | int | float | bool]:
    """Scalar metadata a filter is evaluated on, for Chroma and the lexical mask alike.

    Colours come from the colour option of every variant (or the colour attribute, or
    the title); sizes from the size option of every variant (or the size attribute).
    """
    meta = product.metadata()
    colour_source = ", ".join(product.option_values("colour")) or product.title
    for family in colour_families(colour_source):
        meta[f"colour_{family}"] = True
    meta.update(product_words.product_metadata(product))
    for size in product.option_values("size"):
        key = size_key(size)
        if key:
            meta[f"size_{key}"] = True
    return meta


@dataclass
class Vocabulary:
    """Brands and categories of one catalog, so "puma shoes" filters on brand puma."""

    brands: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    category_synonyms: dict[str, str] = field(default_factory=dict)
    types: TypeVocabulary = field(default_factory=TypeVocabulary)

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> Vocabulary:
        products = list(products)
        brand_counts = Counter(p.brand.lower() for p in products if p.brand)
        # A brand that is also an everyday word in other brands' titles ("fashion",
        # "home") is too ambiguous to become a hard filter.
        title_words: Counter[str] = Counter()
        later_words: Counter[str] = Counter()  # words inside titles, after the first
        for p in products:
            tokens = re.findall(r"[a-z0-9]+", p.title.lower())
            for w in set(tokens):
                if w != p.brand.lower():
                    title_words[w] += 1
            later_words.update(set(tokens[1:]))
        brands = {
            b for b in brand_counts
            if len(b) >= 3 and title_words.get(b, 0) < 3 and b not in _COMMON_WORDS
        }
        types = TypeVocabulary.from_products(products, product_words.colour_tokens())
        everyday = _COMMON_WORDS | set(types.counts) | set(product_words.colour_tokens())
        brands |= {b for b in product_words.infer_title_brands(products, everyday, later_words)
                   if " " in b or later_words.get(b, 0) < 3}
        categories = {p.category.lower() for p in products if p.category}
        synonyms: dict[str, str] = {}
        for canon, words in CATEGORY_SYNONYMS.items():
            if canon in categories:
                for w in words:
                    synonyms[w] = canon
        for c in categories:
            synonyms.setdefault(c, c)
        return cls(brands=brands, categories=categories, category_synonyms=synonyms, types=types)


_COMMON_WORDS = {
    "the", "and", "for", "men", "women", "kids", "home", "fashion", "style", "new", "best", "red", "blue",
    "black", "white", "green", "gold", "silver", "smart", "sport", "sports", "super", "classic", "royal",
    "star", "cool", "basic", "love", "urban", "india", "indian", "shop", "store", "world", "life",
    "just", "only", "please", "pls", "get", "my", "your", "our", "this", "that", "buy", "gift", "set", "pack",
}
