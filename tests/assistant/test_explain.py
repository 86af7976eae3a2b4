"""Explanations: grounded model text, template fallback on failure, early stop."""

from __future__ import annotations

from assistant.conversation.explain import Explainer, explain, explain_messages, template_explanation
from assistant.llm import FakeChatModel, LLMUnavailable
from retrieval.catalog import Product
from tests.assistant.conftest import INR


def test_model_text_is_filtered_per_product(shorts: Product, watch: Product) -> None:
    model = FakeChatModel(["They cost ₹379, 62% off. They cost $1 today!", "A classic watch for work."])
    out = "".join(explain([(shorts, ["matches: cycling"]), (watch, [])], "something for work", model=model,
                           money=INR))
    assert out == "They cost ₹379, 62% off.\n\nA classic watch for work."


def test_backend_down_gives_templates_for_every_product(shorts: Product, watch: Product) -> None:
    model = FakeChatModel(fail_with=LLMUnavailable("LLM server unreachable"))
    ex = Explainer(model, money=INR)
    out = "".join(ex.explain([(shorts, ["matches: cycling"]), (watch, [])], "shorts"))
    assert template_explanation(shorts, ["matches: cycling"], money=INR) in out
    assert "Sonata Analog Watch by Sonata costs ₹1,599 (currently out of stock)." in out
    assert len(model.calls) == 1  # no second timeout after the first failure
    assert ex.stats[0].error


def test_only_two_sentences_are_shown(shorts: Product) -> None:
    model = FakeChatModel("One fine pick. Light fabric. Great price at ₹379. Lovely colour.")
    ex = Explainer(model, money=INR)
    assert "".join(ex.explain_one(shorts, [], "shorts")).strip() == "One fine pick. Light fabric."


def test_prompt_carries_facts_reasons_and_language(shorts: Product) -> None:
    msgs = explain_messages(shorts, ["matches: waterproof"], "防水短裤", "zh", money=INR)
    assert "Simplified Chinese" in msgs[0]["content"]
    assert "₹379" in msgs[1]["content"] and f"({shorts.discount_pct:g}% off)" in msgs[1]["content"]
    assert "matches: waterproof" in msgs[1]["content"]
    assert template_explanation(shorts, [], "zh", money=INR).startswith("Alisha Solid Women's Cycling Shorts售价₹379")


def test_no_model_means_templates(shorts: Product) -> None:
    assert "".join(explain([(shorts, [])], "x", model=None, money=INR)) == template_explanation(shorts, [], money=INR)
