"""Structured filters read from a shopper's words, in English and Chinese.

This is the one parser both retrieval (Chroma `where` clauses and the lexical
mask) and scene slot extraction use, so "under $150" means the same thing
everywhere. It is rule-based on purpose: constraints such as a price ceiling
belong in code, before and after any model, never to a model's judgement.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from retrieval.catalog import Product
from retrieval.money import Money, currency_of, marker_regex
from retrieval.zh_terms import has_cjk, translate_terms

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


# Words after a number that make it a size or quantity, not a price ("under 8 ft").
_UNITS = (r"(?:ft|feet|foot|in|inch|inches|\"|'|lb|lbs|pound|pounds|oz|gal|gallon|gallons|mm|cm|m|meter|meters|"
          r"kg|g|gram|grams|ml|l|litre|liter|liters|litres|w|watt|watts|v|volt|volts|amp|amps|a|mah|gb|tb|mb|"
          r"%|percent|pcs|pieces|pack|hours?|minutes?|days?|years?|months?|weeks?|stars?|star|cu|sq)\b")


# ---------------------------------------------------------------- models


class QueryFilters(BaseModel):
    """Constraints read from text. Prices are already in the store currency."""

    min_price: float | None = Field(default=None, ge=0)
    max_price: float | None = Field(default=None, ge=0)
    price_currency: str | None = None
    brands: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    colours: list[str] = Field(default_factory=list)
    min_rating: float | None = Field(default=None, ge=0, le=5)
    on_sale: bool = False
    in_stock: bool = False

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
        if self.min_rating is not None:
            chips.append(f"rating ≥ {self.min_rating:g}")
        if self.on_sale:
            chips.append("on sale")
        if self.in_stock:
            chips.append("in stock")
        return chips

    # --- the two places filters are applied: vector store and lexical side ---

    def matches(self, meta: Mapping[str, Any]) -> bool:
        """Whether a product's metadata (see `product_filter_metadata`) passes every filter."""
        price = float(meta.get("price", 0.0))
        if (self.min_price is not None or self.max_price is not None) and price <= 0:
            return False  # price unknown: never claim it fits a budget
        if self.min_price is not None and price < self.min_price:
            return False
        if self.max_price is not None and price > self.max_price:
            return False
        if self.brands and meta.get("brand", "") not in self.brands:
            return False
        if self.categories and meta.get("category", "") not in self.categories:
            return False
        if self.colours and not any(meta.get(f"colour_{c}", False) for c in self.colours):
            return False
        if self.min_rating is not None and float(meta.get("rating", 0.0)) < self.min_rating:
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
            clauses.append({"price": {"$gte": float(self.min_price)}})
        if self.max_price is not None:
            clauses.append({"price": {"$lte": float(self.max_price)}})
        if self.brands:
            clauses.append({"brand": {"$in": list(self.brands)}})
        if self.categories:
            clauses.append({"category": {"$in": list(self.categories)}})
        if self.colours:
            ors = [{f"colour_{c}": True} for c in self.colours]
            clauses.append(ors[0] if len(ors) == 1 else {"$or": ors})
        if self.min_rating is not None:
            clauses.append({"rating": {"$gte": float(self.min_rating)}})
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
    """Colour families named in a free text (a title or an attribute value)."""
    low = text.lower()
    found = []
    for family, words in COLOUR_WORDS.items():
        for w in words:
            if _word_in(w, low):
                found.append(family)
                break
    return found


def product_filter_metadata(product: Product) -> dict[str, str | int | float | bool]:
    """Scalar metadata a filter is evaluated on, for Chroma and the lexical mask alike."""
    meta = product.metadata()
    colour_source = product.colour or product.title
    for family in colour_families(colour_source):
        meta[f"colour_{family}"] = True
    return meta


@dataclass
class Vocabulary:
    """Brands and categories of one catalog, so "puma shoes" filters on brand puma."""

    brands: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    category_synonyms: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> Vocabulary:
        products = list(products)
        brand_counts = Counter(p.brand.lower() for p in products if p.brand)
        # A brand that is also an everyday word in other brands' titles ("fashion",
        # "home") is too ambiguous to become a hard filter.
        title_words: Counter[str] = Counter()
        for p in products:
            for w in set(re.findall(r"[a-z0-9]+", p.title.lower())):
                if w != p.brand.lower():
                    title_words[w] += 1
        brands = {
            b for b in brand_counts
            if len(b) >= 3 and title_words.get(b, 0) < 3 and b not in _COMMON_WORDS
        }
        categories = {p.category.lower() for p in products if p.category}
        synonyms: dict[str, str] = {}
        for canon, words in CATEGORY_SYNONYMS.items():
            if canon in categories:
                for w in words:
                    synonyms[w] = canon
        for c in categories:
            synonyms.setdefault(c, c)
        return cls(brands=brands, categories=categories, category_synonyms=synonyms)


_COMMON_WORDS = {
    "the", "and", "for", "men", "women", "kids", "home", "fashion", "style", "new", "best", "red", "blue",
    "black", "white", "green", "gold", "silver", "smart", "sport", "sports", "super", "classic", "royal",
    "star", "cool", "basic", "love", "urban", "india", "indian", "shop", "store", "world", "life",
}


# ---------------------------------------------------------------- parsing

_NUM = r"(\d+(?:[.,]\d+)*(?:\.\d+)?)\s*(k(?![a-z])|thousand|千|万)?"
# Currency symbols, codes and words (retrieval.money: "$", "kr", "rupees", "块"...) before or after an amount.
_CUR = marker_regex()
_CUR_PRE = rf"({_CUR})?\s*"
_CUR_POST = rf"\s*({_CUR})?"
_AMOUNT = _CUR_PRE + _NUM + _CUR_POST


def _amount(pre: str | None, num: str, mult: str | None, post: str | None,
            store_currency: str = "") -> tuple[float, str | None]:
    value = float(num.replace(",", ""))
    if mult in ("k", "thousand", "千"):
        value *= 1000
    elif mult == "万":
        value *= 10000
    token = (pre or post or "").lower().strip()
    return value, (currency_of(token, store_currency) if token else None)


_EN_RULES: list[tuple[str, str]] = [
    (rf"\b(?:between|from)\s+{_AMOUNT}\s*(?:and|to|-|–)\s*{_AMOUNT}(?!\s*{_UNITS})", "range"),
    (rf"{_CUR_PRE}(\d+(?:\.\d+)?)\s*(k(?![a-z]))?\s*(?:-|–|to)\s*{_AMOUNT}(?!\s*{_UNITS})", "range_bare"),
    (rf"\b(?:under|below|less than|cheaper than|within|up to|upto|max(?:imum)?|at most|no more than|not more than|"
     rf"budget(?: of| is)?|<=?)\s*{_AMOUNT}(?!\s*{_UNITS})", "max"),
    (rf"\b(?:over|above|more than|at least|min(?:imum)?|starting at|from|>=?)\s*{_AMOUNT}(?!\s*{_UNITS})", "min"),
    (rf"\b(?:around|about|approx(?:imately)?|roughly|~)\s*{_AMOUNT}(?!\s*{_UNITS})", "around"),
    (rf"{_AMOUNT}\s*(?:or less|or under|and under|max|or below)\b", "max_post"),
    (rf"{_AMOUNT}\s*(?:or more|and up|and above|plus)\b", "min_post"),
]
_ZH_RULES: list[tuple[str, str]] = [
    (rf"{_AMOUNT}\s*(?:到|至|-|~)\s*{_AMOUNT}\s*(?:之间)?", "range"),
    (rf"(?:低于|少于|不超过|不到|小于|以内|最多)\s*{_AMOUNT}", "max"),
    (rf"{_AMOUNT}\s*(?:以下|以内|之内|内)", "max_post"),
    (rf"(?:高于|超过|大于|至少)\s*{_AMOUNT}", "min"),
    (rf"{_AMOUNT}\s*(?:以上)", "min_post"),
    (rf"(?:预算)\s*{_AMOUNT}", "max"),
]

_RATING_RULES: list[tuple[str, str | None]] = [
    (r"\b(\d(?:\.\d)?)\s*\+?\s*stars?\s*(?:and up|and above|or more|or higher|\+)?", None),
    (r"\b(?:rated|rating|ratings)\s*(?:of\s*)?(?:at least|above|over|>=?)?\s*(\d(?:\.\d)?)\s*\+?(?:\s*stars?)?", None),
    (r"\bat least\s*(\d(?:\.\d)?)\s*stars?", None),
    (r"(\d(?:\.\d)?)\s*(?:星|分)\s*(?:以上|及以上)?", None),
    (r"\b(?:top[- ]rated|highly rated|best[- ]rated|well rated|good reviews|好评|高评分)", "4.0"),
]


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@functools.lru_cache(maxsize=65536)
def _word_pattern(word: str) -> re.Pattern[str]:
    # Cached: a catalog has more brand and category words than `re`'s own 512-entry cache holds, and
    # recompiling them was most of a chat turn's CPU time (measured by `shopassist bench load`).
    return re.compile(rf"(?<![\w]){re.escape(word)}(?![\w])")


def _word_in(word: str, low: str) -> bool:
    if _is_cjk(word):
        return word in low
    return _word_pattern(word).search(low) is not None


def _to_store(value: float, currency: str | None, store_currency: str, fx: Mapping[str, float]) -> float | None:
    """`value` in the store's currency: as typed when it names no currency or the store's own; converted
    with the rates otherwise; None when `currency` has no rate (the bound is then dropped with a note)."""
    if currency is None or not store_currency or currency == store_currency:
        return value
    rate, store_rate = fx.get(currency), fx.get(store_currency, 1.0)
    if not rate or not store_rate:
        return None
    return round(value * rate / store_rate, 2)


def parse_query(
    text: str,
    vocab: Vocabulary | None = None,
    *,
    store_currency: str = "",
    fx_to_store: Mapping[str, float] | None = None,
) -> ParsedQuery:
    """Read price, brand, category, colour, rating, sale and stock filters from `text`.

    An amount in the store's currency, or with no currency named, is taken as typed ("under $600" on a
    dollar store is 600). `fx_to_store` gives store-currency units per unit of each currency ({"USD": 83}
    reads "$10" as 830 on a rupee store); when it also lists the store's own currency, all its rates are
    taken against one common base. An amount in a currency without a rate is not guessed at: the bound
    is dropped and `notes` says why.
    Never raises on any string: unknown or malformed phrases are left in the text.
    """
    fx = dict(fx_to_store or {})
    store_currency = store_currency.upper()
    notes: list[str] = []
    original = text
    work = " ".join(text.split())[:2000]
    low = work.lower()
    filters = QueryFilters()
    spans: list[tuple[int, int]] = []

    def take(match: re.Match[str]) -> None:
        spans.append(match.span())

    # Prices
    for pattern, kind in _EN_RULES + _ZH_RULES:
        for m in re.finditer(pattern, low):
            if any(s <= m.start() < e for s, e in spans):
                continue
            g = m.groups()
            try:
                if kind in ("range", "range_bare"):
                    if kind == "range":
                        lo, c1 = _amount(g[0], g[1], g[2], g[3], store_currency)
                        hi, c2 = _amount(g[4], g[5], g[6], g[7], store_currency)
                    else:
                        lo, c1 = _amount(g[0], g[1], g[2], None, store_currency)
                        hi, c2 = _amount(g[3], g[4], g[5], g[6], store_currency)
                        if c1 is None and c2 is None and not (g[2] or g[5]):
                            continue  # "2-4" alone is too often a size or a count
                    cur = c1 or c2
                    lo, hi = sorted((lo, hi))
                    low_store = _to_store(lo, cur, store_currency, fx)
                    high_store = _to_store(hi, cur, store_currency, fx)
                    if low_store is None or high_store is None:
                        notes.append(_no_rate_note(cur, store_currency))
                    else:
                        filters.min_price, filters.max_price = low_store, high_store
                else:
                    typed, cur = _amount(g[0], g[1], g[2], g[3], store_currency)
                    value = _to_store(typed, cur, store_currency, fx)
                    if value is None:
                        notes.append(_no_rate_note(cur, store_currency))
                    elif kind in ("max", "max_post"):
                        filters.max_price = value
                    elif kind in ("min", "min_post"):
                        filters.min_price = value
                    else:  # around: +-20%
                        filters.min_price, filters.max_price = round(value * 0.8, 2), round(value * 1.2, 2)
                filters.price_currency = cur or filters.price_currency
            except ValueError:
                continue
            take(m)

    # Rating
    for pattern, fixed in _RATING_RULES:
        rating = re.search(pattern, low)
        if rating is None or any(s <= rating.start() < e for s, e in spans):
            continue
        value = float(fixed if fixed is not None else rating.group(1))
        if 0 < value <= 5:
            filters.min_rating = value
            take(rating)
            break

    # Sale and stock
    for word in ON_SALE_WORDS:
        if _word_in(word, low):
            filters.on_sale = True
            found = re.search(re.escape(word), low)
            if found:
                take(found)
            break
    for word in IN_STOCK_WORDS:
        if _word_in(word, low):
            filters.in_stock = True
            found = re.search(re.escape(word), low)
            if found:
                take(found)
            break

    # Colours, brands, categories stay in the residual text: they help matching too.
    filters.colours = colour_families(low)
    if vocab is not None:
        filters.brands = sorted(b for b in vocab.brands if _word_in(b, low))
        cats = {canon for word, canon in vocab.category_synonyms.items() if _word_in(word, low)}
        filters.categories = sorted(cats)

    residual = low
    for s, e in sorted(spans, reverse=True):
        residual = residual[:s] + " " + residual[e:]
    residual = re.sub(r"\s+", " ", residual).strip(" ,.?!;:，。？！")
    if has_cjk(residual):
        residual = translate_terms(residual)
    if filters.min_price is not None and filters.max_price is not None and filters.min_price > filters.max_price:
        filters.min_price, filters.max_price = filters.max_price, filters.min_price
    return ParsedQuery(text=original, residual=residual, filters=filters, notes=list(dict.fromkeys(notes)))


def _no_rate_note(currency: str | None, store_currency: str) -> str:
    return (f"prices here are in {store_currency}; a budget in {currency} was not applied "
            f"(no conversion rate for {currency} is configured)")
