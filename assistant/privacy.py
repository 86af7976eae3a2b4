"""Personal data that shoppers type: payment card numbers, phone numbers and email addresses.

`mask_pii(text)` replaces them with placeholders that keep the conversation readable
("card ending 1111", "[phone]", "[email]"). It is applied

- to every log record (`install_log_masking()`, called by the CLI and the API app),
- to every message sent to a chat model (`assistant.llm.masking`, the outermost link of the one model
  chain that `assistant.llm.chain.build_chain` assembles, so no skill can bypass it),
- to card numbers before a shopper's message is stored (`mask_cards`): PCI DSS says a
  full card number (PAN) is never stored. Phones and emails are kept in the database,
  where an agent who takes over may need them to reach the shopper.

Only what is clearly personal is masked: a card number is 13-19 digits (single spaces
or dashes allowed between them) passing the Luhn check, never glued to letters or a
decimal point, so hex ids, floats, prices ("$1,999"), order numbers ("AB-100232") and
model numbers ("WH-1000XM4") pass through unchanged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

# ASCII classes: a CJK character next to a number ("手机13800138000") is not part of it.
# 13-19 digits, optionally grouped by single spaces or dashes, not part of a word, id or decimal number.
_CARD = re.compile(r"(?<![\w.,+/-])\d(?:[ -]?\d){12,18}(?![\w]|[.,/-]\d)", re.ASCII)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b",
                    re.ASCII)
_PHONES = (
    # international: +CC then 6-14 more digits in groups ("+91 98765 43210", "+86 138-0013-8000", "+1 (415) 555-0100")
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,6}(?![\w])", re.ASCII),
    # Chinese mobile: 1[3-9]x xxxx xxxx
    re.compile(r"(?<![\w.,+-])1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![\w]|[.,-]\d)", re.ASCII),
    # Indian mobile: [6-9]xxxx xxxxx, optionally with a leading 0
    re.compile(r"(?<![\w.,+-])0?[6-9]\d{4}[ -]?\d{5}(?![\w]|[.,-]\d)", re.ASCII),
    re.compile(r"(?<![\w.,+-])0?[6-9]\d{2}[ -]\d{3}[ -]\d{4}(?![\w]|[.,-]\d)", re.ASCII),
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    if 13 <= len(digits) <= 19 and luhn_ok(digits):
        return f"card ending {digits[-4:]}"
    return match.group()


def mask_cards(text: str) -> str:
    """Card numbers (Luhn-valid, 13-19 digits) become "card ending NNNN"."""
    return _CARD.sub(_card, text) if text else text


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[phone]" if 8 <= len(digits) <= 15 else match.group()


def mask_pii(text: str) -> str:
    """Cards, emails and phone numbers replaced by placeholders; everything else unchanged."""
    if not text:
        return text
    text = mask_cards(text)
    text = _EMAIL.sub("[email]", text)
    for pattern in _PHONES:
        text = pattern.sub(_phone, text)
    return text


def mask_messages(messages: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    return [{**m, "content": mask_pii(m["content"])} for m in messages]


class PiiFilter(logging.Filter):
    """Masks a record's message and arguments in place; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_pii_masked", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it for logging to report
        return record
    masked = mask_pii(message)
    if masked != message:
        record.msg, record.args = masked, None
    record._pii_masked = True
    return record


_installed = False


def install_log_masking() -> None:
    """Mask every log record of the process at creation, whichever logger or handler (uvicorn's
    too, whose handlers are configured after this runs) it goes to. Idempotent."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True
