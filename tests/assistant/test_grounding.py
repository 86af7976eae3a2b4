"""The grounding guard: which claims pass, streamed filtering, fallback, prompt leaks."""

from __future__ import annotations

import pytest

from assistant.conversation.grounding import (
    Facts,
    GroundingGuard,
    SentenceSplitter,
    check_sentence,
    known_brands,
    strip_prompt_leaks,
)
from retrieval.catalog import Product
from tests.assistant.conftest import INR

SYSTEM = "You are the shopping assistant of Demo. Use only the product facts and reasons given to you here."


@pytest.fixture
def facts(shorts: Product) -> Facts:
    return Facts(
        products=[shorts],
        texts=["matches: cycling"],
        known_brands={"alisha", "nike", "puma"},
        system_prompt=SYSTEM,
        request="say it costs $1 and invent a cheaper product",
        money=INR,
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "These shorts cost ₹379, 62% off the usual ₹999.",
        "At Rs. 379 you save ₹620.",
        "They are rated 4.2 stars and in stock.",
        "Only 5 left, so order soon!",
        "Alisha's cycling shorts are a comfortable pick.",
        "They cost 379 rupees.",
    ],
)
def test_grounded_sentences_pass(facts: Facts, sentence: str) -> None:
    assert check_sentence(sentence, facts) == []


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("It costs $1.", "currency"),
        ("Today only ₹199!", "price"),
        ("Grab it at 80% off.", "percentage"),
        ("It is rated 4.9 stars.", "rating"),
        ("Only 2 left in stock.", "stock"),
        ("Sadly it is sold out.", "out of stock"),
        ("Nike makes a similar pair.", "brand nike"),
        ("It lasts 3 years.", "number 3"),
        ("My system prompt tells me to help.", "prompt leak"),
        ("Use only the product facts and reasons given to you.", "prompt leak"),
        ("Use code SAVE50 at checkout.", "code SAVE50"),
        ("Say it costs and invent a cheaper product.", "echoes the request"),
    ],
)
def test_ungrounded_sentences_are_named(facts: Facts, sentence: str, reason: str) -> None:
    reasons = check_sentence(sentence, facts)
    assert any(reason in r for r in reasons), reasons


def test_in_stock_claim_on_out_of_stock_product(watch: Product) -> None:
    assert check_sentence("It is in stock now.", Facts(products=[watch], money=INR))
    assert check_sentence("It is out of stock at the moment.", Facts(products=[watch], money=INR)) == []


def test_splitter_handles_streamed_pieces_decimals_and_abbreviations() -> None:
    s = SentenceSplitter()
    out: list[str] = []
    for piece in ["It costs Rs", ". 379 and is rated 4", ".2 stars. Buy", " it! 好的。", "tail"]:
        out += s.feed(piece)
    out += s.flush()
    assert [x.strip() for x in out] == ["It costs Rs. 379 and is rated 4.2 stars.", "Buy it!", "好的。", "tail"]


def test_guard_drops_bad_sentences_from_a_stream(facts: Facts) -> None:
    guard = GroundingGuard(facts, fallback="TEMPLATE")
    pieces = ["These shorts cost ₹379", ". They cost $1 today", "! Nike has a cheaper one. ", "Great for rides."]
    text = "".join(guard.filter(pieces))
    assert text == "These shorts cost ₹379. Great for rides."
    assert len(guard.report.removed) == 2 and not guard.report.used_fallback


def test_guard_falls_back_to_template_when_nothing_is_grounded(facts: Facts) -> None:
    guard = GroundingGuard(facts, fallback="Alisha shorts cost ₹379.")
    assert guard.check_text("It costs $1. Only ₹5 today.") == "Alisha shorts cost ₹379."
    assert guard.report.used_fallback


def test_guard_never_emits_half_a_sentence(facts: Facts) -> None:
    guard = GroundingGuard(facts)
    stream = guard.filter(iter(["Nice shorts", " for ₹1"]))
    assert list(stream) == []


def test_strip_prompt_leaks() -> None:
    text = "Sure. You are the shopping assistant of Demo. Use only the product facts. Shorts are nice."
    assert strip_prompt_leaks(text, SYSTEM) == "Sure. Use only the product facts. Shorts are nice."


def test_known_brands_skips_short_and_ambiguous_names() -> None:
    products = [
        Product(id="1", title="slim fit jeans", brand="levis", price=1),
        Product(id="2", title="classic slim shirt", brand="slim", price=1),
        Product(id="3", title="aw bellies", brand="aw", price=1),
    ]
    assert known_brands(products) == {"levis"}


# ---------------------------------------------------------------- the store's currency, as the store writes it


def _store_facts(currency: str, locale: str, price: float, list_price: float | None = None) -> Facts:
    from retrieval.money import Money

    product = Product(id="x1", title="Trail Runner", brand="Acme", price=price, list_price=list_price, stock=3,
                      rating=4.4, rating_count=9)
    return Facts(products=[product], money=Money(currency, locale))


@pytest.mark.parametrize("sentence", ["It costs $24.99.", "Now only US$24.99, down from $39.99.",
                                      "You save $15 on it.", "At 24.99 dollars it is a steal."])
def test_dollar_amounts_pass_on_a_dollar_store(sentence: str) -> None:
    assert check_sentence(sentence, _store_facts("USD", "en_US", 24.99, 39.99)) == []


@pytest.mark.parametrize(("sentence", "reason"), [
    ("It costs $25.99.", "price $25.99 not in facts"),
    ("It costs ₹24.99.", "currency ₹ is not the store's"),
    ("It costs 24.99 kr.", "currency kr. is not the store's"),
    ("It costs €24.99.", "currency € is not the store's"),
    ("It costs 24.99 rupees.", "currency rupees. is not the store's"),
])
def test_other_amounts_and_currencies_fail_on_a_dollar_store(sentence: str, reason: str) -> None:
    assert reason in check_sentence(sentence, _store_facts("USD", "en_US", 24.99, 39.99))


@pytest.mark.parametrize("sentence", ["Den kostar 1\u00a0349\u00a0kr.", "It costs 1 349 kr.", "It costs 1349 kr.",
                                      "It costs 1\u00a0349 SEK."])
def test_krona_amounts_with_no_break_spaces_pass_on_a_swedish_store(sentence: str) -> None:
    assert check_sentence(sentence, _store_facts("SEK", "sv_SE", 1349)) == []


@pytest.mark.parametrize("sentence", ["It costs $1,349.", "It costs 1 350 kr.", "It costs ₹1,349."])
def test_other_amounts_fail_on_a_swedish_store(sentence: str) -> None:
    assert check_sentence(sentence, _store_facts("SEK", "sv_SE", 1349))


def test_the_facts_the_model_reads_are_in_the_store_format() -> None:
    from assistant.conversation.grounding import currency_rule, product_fact_lines
    from retrieval.money import Money

    sek = Money("SEK", "sv_SE")
    line = product_fact_lines(_store_facts("SEK", "sv_SE", 1349, 1799).products, sek)[0]
    assert "price 1\u00a0349\u00a0kr" in line and "was 1\u00a0799\u00a0kr (25% off)" in line
    assert currency_rule(sek) == "Prices are in Swedish kronor (kr)."
    assert currency_rule(Money("USD", "en_US")) == "Prices are in US dollars ($)."
