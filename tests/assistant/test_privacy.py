"""PII typed by shoppers (cards, phones, emails) never reaches the chat model, the logs or (cards) the database."""

from __future__ import annotations

import logging

import pytest

from assistant.conversation.turn import Conversation
from assistant.llm.fake import FakeChatModel
from assistant.llm.masking import MaskingMiddleware
from assistant.privacy import PiiFilter, install_log_masking, luhn_ok, mask_cards, mask_pii
from assistant.testing import demo_products, make_services

CARD = "4111 1111 1111 1111"
RAW = [CARD, "4111111111111111", "+91 98765 43210", "98765 43210", "13800138000", "asha.k@example.com"]
MESSAGE = ("running shoes please. My card is 4111 1111 1111 1111, call +91 98765 43210 "
           "or mail asha.k@example.com")


@pytest.mark.parametrize("text, expected", [
    ("pay with 4111 1111 1111 1111 now", "pay with card ending 1111 now"),
    ("card 4111-1111-1111-1111.", "card card ending 1111."),
    ("amex 378282246310005", "amex card ending 0005"),
    ("13-digit visa 4222222222222", "13-digit visa card ending 2222"),
    ("call me on +91 98765 43210", "call me on [phone]"),
    ("or 9876543210 or 098765-43210", "or [phone] or [phone]"),
    ("+1 (415) 555-0100 is my US number", "[phone] is my US number"),
    ("手机13800138000，卡号4111111111111111", "手机[phone]，卡号card ending 1111"),
    ("手机 138 0013 8000 或 +86 138-0013-8000", "手机 [phone] 或 [phone]"),
    ("write to asha.k+shop@example.co.in please", "write to [email] please"),
    ("邮箱asha@example.com", "邮箱[email]"),
])
def test_cards_phones_and_emails_are_masked(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize("text", [
    "running shoes under ₹3,000 or 3000 rupees",
    "where is order SA-100232? I paid ₹1,23,456",
    "Sony WH-1000XM4 headphones, 2 pairs, size 10",
    "iPhone 15 Pro 256 GB, pincode 411001, 1800 208 9898",
    "id a5c993463f503760919728797dfbc83d weighs 4.6419999999999995 g",
    "1234567890123456 is not a valid card",  # fails Luhn
    "timestamp 1700000000.123, 12 items, 100% cotton",
])
def test_prices_order_numbers_model_numbers_and_quantities_are_left_alone(text: str) -> None:
    assert mask_pii(text) == text


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("79927398713")
    assert not luhn_ok("4111111111111112")
    assert mask_cards("call 9876543210, card 5500 0000 0000 0004") == "call 9876543210, card card ending 0004"


def test_a_turn_sends_no_raw_pii_to_the_model_and_stores_no_full_card_number() -> None:
    fake = FakeChatModel("Light shoes for daily runs.")
    services = make_services(demo_products(), model=fake, support=True)
    assert isinstance(services.model, MaskingMiddleware)  # the outermost link of the one model chain
    conv = Conversation(services, user_id="asha")
    events = list(conv.turn(MESSAGE))
    assert events[-1].type == "done" and fake.calls
    list(conv.turn("where is my order SA-100232? my phone is 9876543210"))
    list(conv.turn("compare the first two, email me at asha.k@example.com"))
    sent = "\n".join(m["content"] for call in fake.calls for m in call)
    assert not [raw for raw in [*RAW, "9876543210"] if raw in sent], sent
    assert "card ending 1111" in sent or "[phone]" in sent
    stored = services.store.conversations.messages(conv.id)[0].content
    assert "card ending 1111" in stored and CARD not in stored and "4111" not in stored.replace("ending 1111", "")
    assert "+91 98765 43210" in stored  # phones/emails stay in the database for an agent to call back


def test_log_records_are_masked_for_every_logger(caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()
    services = make_services(demo_products())
    with caplog.at_level(logging.DEBUG):
        list(Conversation(services, user_id="asha").turn(MESSAGE))
        logging.getLogger("uvicorn.access").info('"POST /v1/... %s"', MESSAGE)
        logging.getLogger("assistant.x").warning("failed for %s (%s)", "asha.k@example.com", {"card": CARD})
    text = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert "[phone]" in caplog.text and "[email]" in caplog.text
    assert not [raw for raw in RAW if raw in text]


def test_the_filter_masks_message_and_args_in_place() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "card %s phone %s", (CARD, "+91 98765 43210"), None)
    assert PiiFilter().filter(record)
    assert record.getMessage() == "card card ending 1111 phone [phone]"
