"""One conversation on a US, an Indian and a Swedish store: every amount the shopper sees (cards, chips,
answers, the comparison table, the cart, offers) is in the store's own money format, and no rupee sign
reaches the dollar or krona store."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from assistant.conversation.turn import Conversation
from assistant.llm.base import Message
from assistant.llm.fake import FakeChatModel
from assistant.testing import make_services, store_settings
from retrieval.catalog import Product
from retrieval.money import Money, currency_of, marker_regex
from ui.render import cards_html, cart_html, comparison_html

NBSP = "\u00a0"


@dataclass(frozen=True)
class Store:
    currency: str
    locale: str
    prices: tuple[tuple[float, float | None], ...]  # (price, list price) of the catalog below
    budget: str  # how a shopper writes a budget there
    expect: tuple[str, ...]  # strings the shopper must see


STORES = {
    "usd": Store("USD", "en_US", ((24.99, 39.99), (34.5, None), (59.0, 79.0), (129.0, None)), "$60",
                 ("$24.99", "$39.99", "$34.50", "under $60")),
    "inr": Store("INR", "en_IN", ((1999, 3999), (2499, None), (2899, 3299), (9999, None)), "3000 rupees",
                 ("₹1,999", "₹3,999", "₹2,499", "under ₹3,000")),
    "sek": Store("SEK", "sv_SE", ((1349, 1799), (1599, None), (1899, 2199), (4999, None)), "2000 kr",
                 (f"1{NBSP}349{NBSP}kr", f"1{NBSP}799{NBSP}kr", f"1{NBSP}599{NBSP}kr", f"under 2{NBSP}000{NBSP}kr")),
}
SCRIPT = ("running shoes under {budget}", "compare the first two", "how much is the first one?",
          "add the first one to my cart", "show my cart", "any coupons for my cart?", "hi")


def catalog(store: Store) -> list[Product]:
    names = ("Trail Running Shoes", "Road Running Shoes", "Racing Running Shoes", "Hiking Boots")
    return [Product(id=f"p{i}", title=name, brand=f"Brand{i}", category_path=["footwear"], price=price,
                    list_price=list_price, rating=4.0 + i / 10, rating_count=10, stock=5,
                    image_urls=[f"https://img.invalid/p{i}.jpg"], currency=store.currency)
            for i, (name, (price, list_price)) in enumerate(zip(names, store.prices, strict=True))]


def echo_price(messages: Sequence[Message]) -> str:
    """A model that quotes the price it was given, as given (so the prompt's format reaches the text)."""
    m = re.search(r"price ([^;\n]+)", messages[-1]["content"])
    return f"A light pick at {m.group(1)}." if m else "A light pick."


def rendered(events: list[dict[str, Any]], money: Money) -> list[str]:
    """Every string the shopper reads from a turn, including the chat UI's HTML."""
    out: list[str] = []
    for e in events:
        kind = e["type"]
        if kind == "text_delta":
            out.append(e["text"])
        elif kind == "products":
            out += list(e["filters"]) + [c["price_text"] for c in e["cards"]]
            out += [c["list_price_text"] for c in e["cards"] if c["list_price_text"]]
            out.append(cards_html(e, money))
        elif kind == "comparison":
            out += [v for _, values in e["rows"] for v in values] + [e["verdict"], comparison_html(e)]
        elif kind == "cart":
            out += [e["subtotal_text"]] + [ln["amount_text"] for ln in e["lines"]] + [cart_html(e, money)]
        elif kind == "promotion":
            out += list(e["facts"])
    return out


@pytest.mark.parametrize("name", list(STORES))
def test_every_amount_is_in_the_store_currency(name: str) -> None:
    store = STORES[name]
    services = make_services(catalog(store), model=FakeChatModel(echo_price),
                             settings=store_settings(store.currency, store.locale))
    money = services.config.money
    conv = Conversation.start(services, "shopper")
    seen: list[str] = []
    first_price = ""
    for step in SCRIPT:
        events = [e.to_dict() for e in conv.turn(step.format(budget=store.budget))]
        assert not [e for e in events if e["type"] == "error"], (step, events)
        first_price = first_price or next(e["cards"][0]["price_text"] for e in events if e["type"] == "products")
        seen += rendered(events, money)
    text = "\n".join(seen)
    for expected in store.expect:
        assert expected in text, (expected, text[:2000])
    assert f"A light pick at {first_price}." in text  # the model quoted the store-format price, and it passed
    assert "This store has no coupons right now" in text or name == "inr"  # the demo-like store has none either
    amounts = re.compile(rf"({marker_regex(money.markers)})\s*\d|\d[\d,.{NBSP}]*\s*({marker_regex(money.markers)})",
                         re.IGNORECASE)
    foreign = [m.group(0) for m in amounts.finditer(text)
               if currency_of(m.group(1) or m.group(2), money) != store.currency]
    assert not foreign, foreign
    if name != "inr":
        assert "₹" not in text and "INR" not in text and "rupee" not in text.lower()


def test_a_budget_in_another_currency_without_a_rate_is_not_guessed() -> None:
    store = STORES["sek"]
    services = make_services(catalog(store), settings=store_settings("SEK", "sv_SE"))
    response = services.searcher.search("running shoes under $60", k=5)
    assert response.filters.max_price is None
    assert any("no conversion rate for USD" in note for note in response.notes)
    events = list(Conversation.start(services, "s").turn("running shoes under $60"))
    text = "".join(e.text for e in events if e.type == "text_delta")
    assert "Prices here are in Swedish kronor, so I left out the budget in USD." in text


def test_the_store_answers_in_its_languages() -> None:
    store = STORES["usd"]
    english_only = make_services(catalog(store), settings=store_settings("USD", "en_US"))
    both = make_services(catalog(store), settings=store_settings("USD", "en_US", languages=["en", "zh"]))
    for services, lead in ((english_only, "Here are"), (both, "为您找到")):
        events = list(Conversation.start(services, "s").turn("我想买跑鞋"))
        assert lead in "".join(e.text for e in events if e.type == "text_delta")
