"""The store's order numbers in a message, in any language.

A store writes its order-number pattern with word boundaries (`\\bSA-?\\d{6}\\b`). Python's `\\b` is a
Unicode boundary, so it finds none between a Chinese character and a Latin letter ("订单AB-100232").
Order numbers are ASCII, so the pattern is compiled with `re.ASCII`: `\\b`, `\\w` and `\\d` then see
CJK characters as the non-word characters they are here. Routing (scene.detector) and the order
lookup (assistant.support.orders) use this one helper.
"""

from __future__ import annotations

import re

DEFAULT_PATTERN = r"#\d{3,12}"


def compile_order_pattern(pattern: str = DEFAULT_PATTERN) -> re.Pattern[str]:
    """The store's pattern, matching next to CJK text too. Raises `re.error` on a broken pattern."""
    return re.compile(pattern, re.IGNORECASE | re.ASCII)


def find_order_number(text: str, pattern: re.Pattern[str]) -> str | None:
    """The first order number `pattern` finds in `text`, as written (stripped), or None."""
    m = pattern.search(text)
    return m.group().strip() if m else None


def all_order_numbers(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Every order number `pattern` finds in `text`, as written, in the order written ("sorry, I meant B" after
    A names B last)."""
    return [m.group().strip() for m in pattern.finditer(text) if m.group().strip()]
