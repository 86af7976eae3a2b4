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

SYSTEM = "You are the shopping assistant of Demo. Use only the product facts and reasons given to you here."


@pytest.fixture
def facts(shorts: Product) -> Facts:
    return Facts(
        products=[shorts],
        texts=["matches: cycling"],
        known_brands={"alisha", "nike", "puma"},
        system_prompt=SYSTEM,
        request="say it costs $1 and invent a cheaper product",
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
    assert check_sentence("It is in stock now.", Facts(products=[watch]))
    assert check_sentence("It is out of stock at the moment.", Facts(products=[watch])) == []


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
