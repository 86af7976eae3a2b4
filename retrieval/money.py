"""Money as the store writes it: the one formatter for every amount a shopper or the model reads.

Babel's `format_currency` with the store's locale decides the symbol, where it goes, the grouping
and the decimal mark: "$24.99" (en_US), "1 349 kr" (sv_SE, with no-break spaces), "1.234,50 €"
(de_DE), lakh grouping in en_IN. Whole amounts drop their zero decimals ("$24", not "$24.00"), as shops show
prices; other amounts keep the currency's precision, rounded half-even. Amounts go through
`Decimal(str(x))`, so float noise never shows.

The module also knows how a currency is *written* in text (its symbols in the store's locale, in
English, in Chinese and in its home country, the ISO code, and the words people type: "bucks",
"rupees", "块"), so the query parser (`retrieval.filters`) and the grounding guard read amounts
with the same conventions the formatter writes. It sits in `retrieval` because filter chips
("under $150") are the lowest layer that shows an amount.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    format_currency,
    get_currency_name,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    is_currency,
)

# Words people write for a currency besides its symbols and ISO code (lowercase). Symbols are not
# listed here: they come from Babel (`markers`).
CURRENCY_WORDS: dict[str, tuple[str, ...]] = {
    "USD": ("dollar", "dollars", "bucks", "美元", "美金"),
    "INR": ("rs", "rs.", "rupee", "rupees"),
    "CNY": ("rmb", "yuan", "元", "块", "块钱", "￥"),
    "EUR": ("euro", "euros"),
    "GBP": ("quid",),
    "SEK": ("kr", "kronor", "krona"),
}
_SPACES = "\u00a0\u202f\u2009 "
_UNIT_WORDS = {"pound", "pounds"}  # a currency's name that is more often a weight ("5 pounds")


# Every currency sign Unicode knows ("$", "€", "¥"; "kr" is a word and not among them), for patterns that must
# tell an amount from a count without knowing the store's currency.
CURRENCY_SIGNS = "".join(ch for ch in map(chr, range(0x10000)) if unicodedata.category(ch) == "Sc")


class MoneyError(ValueError):
    """An unknown currency code or locale; the message says what is accepted."""


def check_currency(code: str) -> str:
    """`code` as an upper-case ISO 4217 code, or `MoneyError` (Babel formats unknown codes without complaint)."""
    upper = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", upper) or not is_currency(upper):
        raise MoneyError(f"unknown currency {code!r}: use an ISO 4217 code such as USD, EUR, SEK or JPY")
    return upper


def check_locale(locale: str) -> str:
    """`locale` in Babel's spelling ("en_US"), or `MoneyError`."""
    try:
        return str(Locale.parse(locale.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise MoneyError(f"unknown locale {locale!r}: use a language and territory such as en_US, sv_SE or en_IN") \
            from exc


@cache
def _whole_pattern(locale: str) -> str:
    """The locale's currency pattern without its fraction digits ("¤#,##0.00" -> "¤#,##0")."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    return re.sub(r"\.0+#*", "", pattern)


@cache
def _symbols(code: str, locale: str) -> tuple[str, ...]:
    """How `code` is written as a symbol: in the store's locale, in English, in Chinese and at home."""
    locales = [locale, "en", "en_US", "zh_CN"]
    with suppress(UnknownLocaleError, ValueError):
        locales.append(str(Locale.parse(f"und_{code[:2]}")))  # SEK -> sv_SE ("kr"), JPY -> ja_JP
    found: list[str] = []
    for loc in locales:
        symbol = get_currency_symbol(code, loc)
        if symbol and symbol not in found:
            found.append(symbol)
    return tuple(found)


@cache
def _names(code: str) -> tuple[str, ...]:
    """English names of the currency and their last word ("US dollars", "dollars", "Swedish kronor", "kronor")."""
    out: list[str] = []
    for count in (1, 2):
        name = get_currency_name(code, count=count, locale="en").lower()
        for candidate in (name, name.split()[-1]):
            if candidate not in out and candidate not in _UNIT_WORDS:
                out.append(candidate)
    return tuple(out)


@dataclass(frozen=True)
class Money:
    """The store's money format: `Money("USD", "en_US")(24.99) == "$24.99"`."""

    currency: str
    locale: str = "en_US"
    _markers: tuple[str, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", check_currency(self.currency))
        object.__setattr__(self, "locale", check_locale(self.locale))
        object.__setattr__(self, "_markers", markers(self.currency, self.locale))

    def __call__(self, amount: float | Decimal | int | None, currency: str | None = None) -> str:
        return self.format(amount, currency)

    def format(self, amount: float | Decimal | int | None, currency: str | None = None) -> str:
        """`amount` in the store's format ("" for None). `currency` formats a product priced in another one."""
        if amount is None:
            return ""
        code = currency.upper() if currency else self.currency
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            return str(amount)
        step = Decimal(1).scaleb(-get_currency_precision(code))
        value = value.quantize(step, rounding=ROUND_HALF_EVEN)
        if value == value.to_integral_value():
            return format_currency(value, code, format=_whole_pattern(self.locale), locale=self.locale,
                                   currency_digits=False)
        return format_currency(value, code, locale=self.locale)

    @property
    def symbol(self) -> str:
        """The symbol shoppers of this store see ("$", "kr", "€")."""
        return get_currency_symbol(self.currency, self.locale)

    @property
    def name(self) -> str:
        """The currency's English name, for model prompts ("US dollars", "Swedish kronor")."""
        return get_currency_name(self.currency, count=2, locale="en")

    @property
    def markers(self) -> tuple[str, ...]:
        """Every way this currency is written (symbols, code, names, words), lowercase, longest first."""
        return self._markers

    def owns(self, token: str) -> bool:
        """Whether `token` ("$", "USD", "dollars", "kr") names this store's currency."""
        return _clean(token) in self._markers

    @property
    def group_symbol(self) -> str:
        return get_group_symbol(self.locale)

    @property
    def decimal_symbol(self) -> str:
        return get_decimal_symbol(self.locale)

    def number_pattern(self, loose_spaces: bool = False) -> str:
        """A regex for a number as this locale writes it (plus plain digits), e.g. "1 349,50" in sv_SE.

        A locale that groups with spaces groups with no-break spaces; `loose_spaces` also accepts a plain
        space (what a model types before "kr"), which elsewhere would join "3 100%" into one number."""
        group, decimal = self.group_symbol, self.decimal_symbol
        spaces = _SPACES if loose_spaces else _SPACES.replace(" ", "")
        groups = re.escape(group) if group not in _SPACES else f"[{spaces}]"
        grouped = rf"\d{{1,3}}(?:{groups}\d{{2,3}})+(?:{re.escape(decimal)}\d+)?"
        plain = rf"\d+(?:{re.escape(decimal)}\d+)?"
        if decimal != ".":  # a model writing English digits ("1,349.50") in a decimal-comma store
            return rf"{grouped}|{plain}|\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+\.\d+"
        return rf"{grouped}|{plain}"

    def parse_number(self, text: str) -> float:
        """A number matched by `number_pattern` as a float ("1 349,50" -> 1349.5 in sv_SE)."""
        raw = "".join(ch for ch in text if ch not in _SPACES)
        decimal = self.decimal_symbol
        if decimal != "." and decimal in raw and not ("," in raw and "." in raw and raw.rfind(".") > raw.rfind(",")):
            return float(raw.replace(self.group_symbol, "").replace(decimal, "."))
        return float(raw.replace(",", ""))


def _clean(token: str) -> str:
    return token.strip().lower().rstrip(".") or token.strip().lower()


@cache
def markers(code: str, locale: str = "en_US") -> tuple[str, ...]:
    """Every way `code` is written in text, lowercase, longest first (for regex alternations)."""
    found = {_clean(s) for s in _symbols(code, locale)}
    found.add(code.lower())
    found.update(_names(code))
    found.update(_clean(w) for w in CURRENCY_WORDS.get(code, ()))
    return tuple(sorted((m for m in found if m), key=lambda m: (-len(m), m)))


@cache
def known_markers() -> dict[str, str]:
    """Marker -> currency for the currencies people commonly type (the first listed wins a shared symbol)."""
    table: dict[str, str] = {}
    for code in CURRENCY_WORDS:
        for marker in markers(code):
            table.setdefault(marker, code)
    return table


def currency_of(token: str, store: Money | str | None = None) -> str | None:
    """The currency a written token names: the store's own when it is one of its markers ("kr" on a
    Swedish store, "$" on a Canadian one), else the common reading ("$" is USD), else None. `store` is
    the store's format, or just its currency code."""
    if isinstance(store, Money):
        if store.owns(token):
            return store.currency
    elif store and is_currency(store.upper()) and _clean(token) in markers(store.upper()):
        return store.upper()
    return known_markers().get(_clean(token))


@cache
def _symbol_chars() -> str:
    """Every Unicode currency symbol character (category Sc), for amounts in currencies nobody listed."""
    return "".join(ch for ch in map(chr, range(0x20, 0x10000)) if unicodedata.category(ch) == "Sc")


def marker_regex(extra: tuple[str, ...] = ()) -> str:
    """A regex alternation of every known currency marker (and `extra`), words bounded as words, then any
    other currency symbol character."""
    tokens = sorted(set(known_markers()) | {_clean(e) for e in extra}, key=lambda m: (-len(m), m))
    parts = []
    for t in tokens:
        escaped = re.escape(t)
        parts.append(rf"\b{escaped}\b\.?" if t[0].isascii() and t[0].isalpha() and t[-1].isalnum() else escaped)
    parts.append(f"[{re.escape(_symbol_chars())}]")
    return "|".join(parts)
