"""The grounding guard's meaning checks: policy contradictions, unsupported praise, the shopper's language."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.conversation.claims import praise_problems, script_problems
from assistant.conversation.contradiction import policy_problems, quantities
from assistant.conversation.explain import Explainer
from assistant.conversation.grounding import Facts, GroundingGuard
from assistant.conversation.turn import Conversation
from assistant.llm.base import Message
from assistant.llm.fake import FakeChatModel
from assistant.testing import demo_products, make_services
from evaluation.grounding_cases import run_grounding_cases
from retrieval.catalog import Product
from retrieval.money import Money

USD = Money("USD", "en_US")
# A store that is not the demo store: its own currency, numbers and exclusions.
POLICY = (
    "Unworn items can be returned within 30 days of delivery for a full refund. Swimwear and earrings cannot "
    "be returned. Standard shipping is free on orders of $50 or more; below $50 a $6 shipping fee applies. "
    "Orders can be cancelled free of charge before they ship. Refunds reach your card in 3 to 5 business days."
)
LEAD = "Unworn items can be returned within 30 days of delivery for a full refund."


def problems(sentence: str) -> list[str]:
    return policy_problems(sentence, [POLICY], LEAD, USD)


def test_faithful_restatements_pass() -> None:
    for s in ("Unworn items can be returned within 30 days of delivery.",
              "Swimwear cannot be returned.",
              "Shipping is free on orders of $50 or more.",
              "Orders below $50 pay a $6 shipping fee.",
              "You can cancel an order free of charge before it ships.",
              "Refunds take 3 to 5 business days to reach your card."):
        assert problems(s) == [], s


def test_changed_numbers_and_units_fail() -> None:
    assert problems("Unworn items can be returned within 60 days of delivery.")
    assert problems("Unworn items can be returned within 30 hours of delivery.")  # same number, other unit
    assert problems("Standard shipping is free on orders of $40 or more.")
    assert problems("Refunds reach your card in 3 to 6 business days.")
    assert problems("Unworn items can be returned within 5 days of delivery.")  # 5 days is the refund clause's


def test_flipped_polarity_and_conditions_fail() -> None:
    assert problems("Swimwear can be returned.")
    assert problems("Swimwear and earrings are returnable.")
    assert problems("Orders can be cancelled for a fee before they ship.")
    assert problems("Orders can be cancelled free of charge after they ship.")
    assert problems("Unworn items can be returned after 30 days of delivery.")
    assert problems("Standard shipping is free on orders below $50.")
    assert problems("Yes, you can return them after 30 days.")  # "them" is the lead's subject


def test_one_flipped_item_of_a_long_list_sentence_fails_but_a_shortened_copy_passes() -> None:
    listing = ("We ship with Standard delivery (free on orders of $50 or more, otherwise $6), Express delivery "
               "($12, in 30 cities) and Pickup (free, from 2 stores, orders placed before 3 pm).")
    flipped = listing.replace("free on orders of $50 or more", "free on orders of $50 or less")
    charged = listing.replace("free on orders", "charged on orders")
    for bad in (flipped, charged):
        assert policy_problems(bad, [listing], listing, USD), bad
    assert policy_problems(listing, [listing], listing, USD) == []
    assert policy_problems("We ship with Standard delivery (free on orders of $50 or more, otherwise $6).",
                           [listing], listing, USD) == []


def test_chinese_sentences_are_read_against_an_english_policy() -> None:
    assert problems("低于$50的订单免运费。")  # below the threshold is not free
    assert problems("退货期为60天。")
    assert problems("订单满$50免运费。") == []


def test_quantities_read_units_ranges_and_amounts() -> None:
    q = quantities("Refunds take 3 to 5 business days; a $6 fee; 10% off; 退货期7天", USD)
    assert {(3, "day"), (5, "day"), (6, "money"), (10, "percent"), (7, "day")} <= q
    assert (3e6 + 5, "range:day") in q


def test_praise_needs_the_products_facts() -> None:
    plain = Product(id="p1", title="Canvas Tote Bag", brand="Acme", price=20, rating=3.1, rating_count=4)
    soft = Product(id="p2", title="Cushioned Running Shoe", price=50, description="Breathable mesh upper",
                   rating=4.6, rating_count=12)
    assert praise_problems("The brand is known for its high-quality materials.", [plain])
    assert praise_problems("这款包非常耐用。", [plain]) and praise_problems("It is highly rated.", [plain])
    assert praise_problems("It is comfortable and breathable.", [soft]) == []
    assert praise_problems("这双鞋很舒适，而且好评很多。", [soft]) == []
    assert praise_problems("A stylish pick.", [soft])


def test_script_check_follows_the_shoppers_language() -> None:
    names = ["Cushioned Running Shoe"]
    assert script_problems("This shoe suits daily runs.", "zh", names)
    assert script_problems("Cushioned Running Shoe售价$50，适合日常跑步。", "zh", names) == []
    assert script_problems("这双鞋适合跑步。", "en", names)
    assert script_problems("Great for running \ufffd\ufffd.", "en", names)


_FLIP = ((r"\bfree of charge\b", "for a fee"), (r"\bcannot\b", "can"), (r"\bcan\b", "cannot"),
         (r"\bwithin\b", "after"))


def _cited_sentences(messages: Sequence[Message]) -> list[str]:
    user = next(m["content"] for m in messages if m["role"] == "user")
    texts = re.findall(r"^(?:Related )?[Pp]olicy section [\d.]+ \([^)]*\): (.+)$", user, re.M)
    return [s for t in texts for s in re.split(r"(?<=[.])\s+(?=[A-Z])", t)]


def _contradicting_support_model(messages: Sequence[Message]) -> str:
    """A changed number and a flipped rule from the cited sections, then one faithful copy."""
    sentences = _cited_sentences(messages)
    numbered = next(s for s in sentences if re.search(r"\d+ (?:business )?days", s))
    wrong = re.sub(r"(\d+)( (?:business )?days)", lambda m: f"{int(m.group(1)) * 3 + 1}{m.group(2)}", numbered)
    ruled = next(s for s in sentences if any(re.search(p, s) for p, _ in _FLIP))
    pattern, repl = next((p, r) for p, r in _FLIP if re.search(p, ruled))
    return f"{wrong} {re.sub(pattern, repl, ruled, count=1)} {numbered}"


def test_support_turn_drops_contradicting_model_sentences() -> None:
    model = FakeChatModel(_contradicting_support_model)
    services = make_services(demo_products(), model=model, support=True)
    events = list(Conversation.start(services, "u1").turn("How do I return an item?"))
    text = "".join(getattr(e, "text", "") for e in events if e.type == "text_delta")
    done = next(e for e in events if e.type == "done")
    said = model._answer(model.calls[-1])
    wrong, flipped, faithful = re.split(r"(?<=[.])\s+(?=[A-Z])", said)[:3]
    body = text.split("(Source:")[0]
    assert "(Source:" in text and done.generation.removed_sentences == 2
    assert wrong not in body and flipped not in body and faithful in body


def test_support_answer_with_only_contradictions_keeps_the_quoted_policy() -> None:
    def only_wrong(messages: Sequence[Message]) -> str:
        return " ".join(re.split(r"(?<=[.])\s+(?=[A-Z])", _contradicting_support_model(messages))[:2])

    services = make_services(demo_products(), model=FakeChatModel(only_wrong), support=True)
    events = list(Conversation.start(services, "u1").turn("How do I return an item?"))
    text = "".join(getattr(e, "text", "") for e in events if e.type == "text_delta")
    done = next(e for e in events if e.type == "done")
    assert done.generation.removed_sentences == 2 and done.generation.model_sentences == 0
    assert "(Source:" in text and text.split("(Source:")[0].strip()  # the quoted policy stands alone


def test_chinese_explanation_drops_english_and_praise_and_keeps_the_template_reason() -> None:
    product = Product(id="p1", title="Canvas Tote Bag", brand="Acme", price=20, rating=3.1, rating_count=4)
    model = FakeChatModel("This bag suits everyday errands. 这款包质量很高，品牌知名。")
    explainer = Explainer(model, money=USD)
    text = "".join(explainer.explain_one(product, ["matches: bags"], "我想要一个包", "zh"))
    assert "suits" not in text and "质量很高" not in text
    assert "推荐理由：匹配：bags" in text and len(explainer.stats[-1].report.removed) == 2
    system = model.calls[0][0]["content"]
    assert "Simplified Chinese only" in system


def test_guard_counts_each_dropped_sentence() -> None:
    facts = Facts(texts=[POLICY], cited=[POLICY], lead=LEAD, money=USD)
    guard = GroundingGuard(facts, "fallback")
    out = guard.check_text("Swimwear can be returned. Refunds take 3 to 5 business days.")
    assert out.strip() == "Refunds take 3 to 5 business days." and len(guard.report.removed) == 1


def test_generated_bench_cases_keep_contradictions_away() -> None:
    result = run_grounding_cases(8)
    assert result["contradiction_cases"] > 100 and result["faithful_cases"] > 50
    assert result["contradictions_reaching_shopper_number"] == 0
    assert result["contradictions_reaching_shopper"] <= 0.03 * result["contradiction_cases"]
    assert result["faithful_kept_rate"] >= 0.95
    assert result["praise_unsupported_reaching_shopper"] == 0 and result["praise_supported_kept_rate"] >= 0.95
