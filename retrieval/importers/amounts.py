"""Amounts as store exports write them: "0.98", "1.234,56", "24.99 USD", "1349 SEK", "€12,50".

Amounts are read with `Decimal` from the exact text and become floats only at the
end, so nothing is rounded on the way in: "$0.98" stays 0.98. Only a conversion
between currencies rounds (to the cent, half up). How a currency is written
(symbols, codes, words) comes from `retrieval.money`, the module that also formats
amounts, so both read and write the same conventions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from retrieval.money import MoneyError, check_currency, currency_of, marker_regex

_CODE = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})(?![A-Za-z])")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


@cache
def _markers() -> re.Pattern[str]:
    return re.compile(marker_regex(), re.IGNORECASE)


class PriceError(ValueError):
    """A price cell that is not an amount (the message quotes it)."""


def parse_amount(text: str, what: str = "price") -> Decimal | None:
    """The amount in `text` (None when empty). Decimal comma or point, thousands separators, currency
    symbols, words and ISO codes around it are all understood; a negative amount or junk raises `PriceError`."""
    raw = text.strip()
    if not raw:
        return None
    work = _markers().sub(" ", _CODE.sub(" ", raw))
    work = _SPACES.sub("", work)
    if work.startswith("-"):
        raise PriceError(f"{what} must not be negative: {raw[:40]!r}")
    if not re.fullmatch(r"\d[\d.,]*|[.,]\d+", work or "-"):
        raise PriceError(f"{what} is not an amount: {raw[:40]!r}")
    try:
        return Decimal(_normalize_separators(work))
    except InvalidOperation as exc:
        raise PriceError(f"{what} is not an amount: {raw[:40]!r}") from exc


def _normalize_separators(number: str) -> str:
    """"1.234,56" / "1,234.56" / "12,50" / "1,234" -> a plain decimal string.

    The last separator is the decimal one when both appear; a lone comma followed by
    exactly three digits is a thousands separator ("1,234"), otherwise a decimal comma
    ("12,5", "12,50"); repeated identical separators are thousands separators.
    """
    if "," in number and "." in number:
        decimal_sep = "," if number.rfind(",") > number.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        return number.replace(thousands, "").replace(decimal_sep, ".")
    for sep in (",", "."):
        if sep in number:
            parts = number.split(sep)
            if len(parts) > 2 or (sep == "," and len(parts[1]) == 3 and parts[0] not in ("", "0")):
                return number.replace(sep, "")
            return number.replace(sep, ".")
    return number


def parse_money(text: str, what: str = "price") -> tuple[Decimal | None, str]:
    """("24.99 USD") -> (Decimal("24.99"), "USD"); the currency is "" when the text names none. An ISO code
    that is no currency ("24.99 XYZ") raises `PriceError`."""
    raw = text.strip()
    currency = ""
    code = _CODE.search(raw)
    if code:
        try:
            currency = check_currency(code.group(1))
        except MoneyError as exc:
            raise PriceError(f"{what} names an unknown currency: {raw[:40]!r}") from exc
    else:
        marker = _markers().search(raw)
        currency = (currency_of(marker.group(0)) or "") if marker else ""
    return parse_amount(raw, what), currency


def as_price(amount: Decimal) -> float:
    """The float of an amount exactly as written (0.98 -> 0.98)."""
    return float(amount)


def conversion_rate(source: str, target: str, rates: Mapping[str, float]) -> Decimal | None:
    """Units of `target` per unit of `source`, from the settings' `retrieval.fx_to_store` (store-currency
    units per unit of each currency, or units of one common base when the store's own currency is listed
    too: the same reading as the query parser's); None when `source` has no rate."""
    upper = {k.upper(): v for k, v in rates.items()}
    source, target = source.upper(), target.upper()
    if source == target:
        return Decimal(1)
    src, dst = upper.get(source), upper.get(target, 1.0)
    if not src or not dst:
        return None
    return Decimal(str(src)) / Decimal(str(dst))


def convert(amount: float, rate: Decimal) -> float:
    """`amount` times `rate`, rounded to the cent (the one place ingestion rounds)."""
    return float((Decimal(str(amount)) * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
