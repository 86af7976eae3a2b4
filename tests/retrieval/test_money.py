"""The one money formatter: Babel's currency formats in the store's locale, whole amounts without decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from retrieval.money import Money, MoneyError, currency_of, markers

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("currency", "locale", "amount", "expected"),
    [
        ("USD", "en_US", 24.99, "$24.99"),
        ("USD", "en_US", 1349, "$1,349"),
        ("USD", "en_US", 0.125, "$0.12"),  # half-even, to the cent
        ("SEK", "sv_SE", 1349, f"1{NBSP}349{NBSP}kr"),
        ("SEK", "sv_SE", 24.5, f"24,50{NBSP}kr"),
        ("INR", "en_IN", 1999, "₹1,999"),  # the demo store's look: no paise on whole rupees
        ("INR", "en_IN", 107750, "₹1,07,750"),  # Indian grouping above a lakh
        ("INR", "en_IN", Decimal("379.50"), "₹379.50"),
        ("EUR", "de_DE", 1234.5, f"1.234,50{NBSP}€"),
        ("JPY", "ja_JP", 1349.4, "￥1,349"),  # no minor unit
        ("USD", "en_US", 0.1 + 0.2, "$0.30"),  # float noise never shows
    ],
)
def test_amounts_in_the_store_format(currency: str, locale: str, amount: float, expected: str) -> None:
    assert Money(currency, locale)(amount) == expected


def test_none_is_empty_and_another_currency_keeps_the_store_locale() -> None:
    usd = Money("usd", "en-US")
    assert usd.currency == "USD" and usd.locale == "en_US"
    assert usd(None) == "" and usd(10, "EUR") == "€10"
    assert usd.symbol == "$" and usd.name == "US dollars"


@pytest.mark.parametrize(("currency", "locale"), [("XYZ", "en_US"), ("dollars", "en_US"), ("USD", "xx_YY")])
def test_unknown_codes_and_locales_are_refused_with_a_sentence(currency: str, locale: str) -> None:
    with pytest.raises(MoneyError, match="unknown"):
        Money(currency, locale)


def test_how_currencies_are_written() -> None:
    sek = Money("SEK", "sv_SE")
    assert {"kr", "sek", "kronor"} <= set(markers("SEK", "sv_SE"))
    assert sek.owns("kr") and sek.owns("SEK") and not sek.owns("$")
    assert currency_of("$") == "USD" and currency_of("₹") == "INR" and currency_of("rupees") == "INR"
    assert currency_of("$", Money("CAD", "en_CA")) == "CAD"  # the store's own symbol wins
    assert currency_of("kr", "NOK") == "NOK" and currency_of("块") == "CNY"


def test_numbers_are_read_as_the_locale_writes_them() -> None:
    sek, usd = Money("SEK", "sv_SE"), Money("USD", "en_US")
    assert sek.parse_number(f"1{NBSP}349,50") == 1349.5
    assert sek.parse_number("1,349.50") == 1349.5  # English digits in a Swedish store
    assert usd.parse_number("1,349.50") == 1349.5 and usd.parse_number("24") == 24.0
