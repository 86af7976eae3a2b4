"""Policy documents, intent routing, the Chroma policy index, demo orders and answers."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.llm import FakeChatModel, LLMUnavailable
from assistant.store_profile import DEMO_DIR, demo_settings
from assistant.support.answer import SupportAnswerer
from assistant.support.index import PolicyIndex
from assistant.support.intent import SupportIntentClassifier
from assistant.support.order_sources import build_order_book
from assistant.support.orders import OrderBook
from assistant.support.policies import load_policies, load_routing, section_by_id
from assistant.support.routing import normalize_intent
from retrieval.embedding import HashingEmbedder
from retrieval.money import Money

TODAY = date(2026, 11, 23)
POLICIES = DEMO_DIR / "policies"
INR = Money("INR", "en_IN")


def demo_orders() -> OrderBook:
    book = build_order_book(demo_settings().store.orders, INR, TODAY)
    assert book is not None
    return book


@pytest.fixture(scope="module")
def index() -> PolicyIndex:
    return PolicyIndex.from_folder(HashingEmbedder(), POLICIES)


def test_every_intent_routes_to_a_numbered_section() -> None:
    ids = {s.id for s in load_policies(POLICIES)}
    routing = load_routing(POLICIES)
    assert len(routing.intents) == 27 and set(routing.intents.values()) <= ids
    assert set(routing.actions.values()) <= ids
    assert normalize_intent("check_invoices") == "check_invoice"
    s = section_by_id("1.3", POLICIES)
    assert s.title == "Cancelling an order" and s.citation == "Policy §1.3 Cancelling an order"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how can I cancel my order", "cancel_order"),
        ("I forgot my password", "recover_password"),
        ("what payment methods do you accept", "check_payment_methods"),
        ("I want to talk to a person", "contact_human_agent"),
        ("where is my package", "track_order"),
    ],
)
def test_shipped_intent_classifier(text: str, intent: str) -> None:
    assert SupportIntentClassifier().predict(text).intent == intent


def test_index_prefers_the_routed_section_and_text_decides_without_intent(index: PolicyIndex) -> None:
    assert index.search("how can I cancel", intent="cancel_order", confidence=0.9)[0].section.id == "1.3"
    hits = index.search("password recovery reset link")
    assert hits[0].section.id == "8.4"


def test_orders_follow_the_policy_rules() -> None:
    book = demo_orders()
    assert not book.cancel("SA-100232").ok  # shipped
    assert book.cancel("sa100233", user_id="demo").ok
    order = book.get("SA-100233")
    assert order is not None and order.status == "cancelled"
    assert book.start_return("SA-100231").ok  # delivered 6 days ago
    assert not book.start_return("SA-100234").ok  # 26 days ago, past the window
    assert not book.status("SA-100234", user_id="demo").ok  # someone else's order
    assert book.find_order_id("where is sa100236 now?") == "sa100236"
    order = book.get("sa100236")
    assert order is not None and order.order_id == "SA-100236"


def test_answer_cites_the_section_and_uses_order_data(index: PolicyIndex) -> None:
    answerer = SupportAnswerer(index, orders=demo_orders(), money=INR)
    ans = answerer.answer("how do I cancel order SA-100232?", user_id="demo")
    assert ans.intent == "cancel_order" and ans.section_id == "1.3"
    assert "(Source: Policy §1.3 Cancelling an order" in ans.text.splitlines()[-1]
    assert "SA-100232" in ans.text and "can no longer be cancelled" in ans.text


def test_model_answer_is_grounded_in_policy_numbers(index: PolicyIndex) -> None:
    model = FakeChatModel("Refunds go back to the original payment method. They are paid within 90 days.")
    answerer = SupportAnswerer(index, model=model, money=INR)
    ans = answerer.answer("how do refunds work?", intent="check_refund_policy")
    lead = answerer.plan("how do refunds work?", intent="check_refund_policy").lead
    # the policy's own lead sentence first, then the model's grounded sentence; the invented number is gone
    assert ans.text.startswith(lead + " Refunds go back to the original payment method.") and "90" not in ans.text
    assert ans.report.removed and ans.citation in ans.text


def test_backend_down_still_answers_from_policy(index: PolicyIndex) -> None:
    model = FakeChatModel(fail_with=LLMUnavailable("down"))
    ans = SupportAnswerer(index, model=model, money=INR).answer("which payment methods can I use?")
    assert ans.error and "We accept UPI" in ans.text and "§5.1" in ans.text


def test_a_question_naming_another_section_beats_the_intent_prior(index: PolicyIndex) -> None:
    answerer = SupportAnswerer(index, money=INR)
    plan = answerer.plan("return window and eligibility of returns", intent="check_refund_policy", confidence=1.0)
    cited = {plan.section.id} | ({plan.related.id} if plan.related else set())
    assert "3.1" in cited and "§3.1" in plan.citation and "10 days" in plan.fallback
