"""Reading a shopper's words into `QueryFilters`: prices (ranges, ceilings, floors, in any currency the
store has a rate for), sizes, ratings, sale and stock, then the catalog's brands, categories, colours,
product types and audience. Rule-based on purpose: a price ceiling belongs in code, never to a model.
The vocabularies and the filter model live in `retrieval.filters`."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping

from retrieval import product_words
from retrieval.filters import (
    IN_STOCK_WORDS,
    ON_SALE_WORDS,
    ParsedQuery,
    QueryFilters,
    Vocabulary,
    colour_families,
    size_key,
)
from retrieval.money import currency_of, marker_regex
from retrieval.zh_terms import has_cjk, translate_terms

# Words after a number that make it a size or quantity, not a price ("under 8 ft").
_UNITS = (r"(?:ft|feet|foot|in|inch|inches|\"|'|lb|lbs|pound|pounds|oz|gal|gallon|gallons|mm|cm|m|meter|meters|"
          r"kg|g|gram|grams|ml|l|litre|liter|liters|litres|w|watt|watts|v|volt|volts|amp|amps|a|mah|gb|tb|mb|"
          r"%|percent|pcs|pieces|pack|hours?|minutes?|days?|years?|months?|weeks?|stars?|star|cu|sq)\b")

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

_SIZE_RULE = re.compile(
    r"\b(?:in\s+)?(?:size|sized|talla|taille)\s*:?\s*"
    r"(extra[ -]small|extra[ -]large|x{1,3}-?(?:small|large|s|l)|[2-6]xl|small|medium|large|one size|"
    r"\d+(?:[.,/-]\d+)*\s*(?:months?|meses|years?|m|y|t)?|xs|s|m|l|xl)(?![\w])"
)

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
    # Chinese characters are word characters to `re`, but "只要skmei的" still names skmei.
    return re.compile(rf"(?<![^\W\u3400-\u9fff]){re.escape(word)}(?![^\W\u3400-\u9fff])")


def _word_in(word: str, low: str) -> bool:
    if _is_cjk(word):
        return word in low
    return _word_pattern(word).search(low) is not None


def _take_first_word(words: tuple[str, ...], low: str, take: Callable[[re.Match[str]], None]) -> bool:
    """Whether one of `words` is in `low`; the first one found is taken out of the residual text."""
    word = next((w for w in words if _word_in(w, low)), None)
    if word is None:
        return False
    found = re.search(re.escape(word), low)
    if found:
        take(found)
    return True


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

    # Sizes first ("size m", "in size 10", "talla 6-12m"), so "talla 3-6" is never read as a price range:
    # the words go, the size becomes a filter.
    for size in _SIZE_RULE.finditer(low):
        if any(s <= size.start() < e for s, e in spans):
            continue
        key = size_key(size.group(1))
        if key and key not in filters.sizes:
            filters.sizes.append(key)
            take(size)

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
    if _take_first_word(ON_SALE_WORDS, low, take):
        filters.on_sale = True
    if _take_first_word(IN_STOCK_WORDS, low, take):
        filters.in_stock = True

    # Colours, brands, categories, product types and who it is for stay in the residual text: they help
    # matching too. A colour word inside a product type ("coffee mug") is not a colour.
    filters.colours = colour_families(low)
    product_words.read_product_words(low, vocab.types if vocab is not None else None, filters, spans)
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
