"""Fit a conversation into the model's context window by dropping older turns.

Token counts are estimated (about 3.5 characters per token for English, 1 per CJK
character) unless the backend passes its own tokenizer. The system message and
the latest user message are always kept; if even those do not fit, the latest
user message is cut from the front (its end carries the actual question).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.llm.base import Message

TokenCounter = Callable[[str], int]


def estimate_tokens(text: str) -> int:
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")
    return int((len(text) - cjk) / 3.5) + cjk + 4


def fit_messages(
    messages: Sequence[Message],
    budget_tokens: int,
    count: TokenCounter = estimate_tokens,
) -> list[Message]:
    """Return the newest suffix of `messages` (plus leading system messages) within `budget_tokens`."""
    msgs = [{"role": m["role"], "content": m["content"]} for m in messages]
    if not msgs:
        return []
    system = [m for m in msgs if m["role"] == "system"][:1]
    rest = [m for m in msgs if m["role"] != "system"]
    used = sum(count(m["content"]) for m in system)
    kept: list[Message] = []
    for m in reversed(rest):
        cost = count(m["content"])
        if used + cost > budget_tokens:
            break
        kept.append(m)
        used += cost
    kept.reverse()
    if not kept and rest:
        last = rest[-1]
        room = max(budget_tokens - used, 16)
        # Keep the tail of an oversized message: the question sits at its end.
        text = last["content"]
        while text and count(text) > room:
            text = text[len(text) // 4 :] if len(text) > 64 else text[-32:]
            if len(text) <= 32:
                break
        kept = [{"role": last["role"], "content": text}]
    if system and count(system[0]["content"]) > budget_tokens // 2:
        # A system prompt bigger than half the window is cut at its end.
        head = system[0]["content"]
        while count(head) > budget_tokens // 2 and len(head) > 64:
            head = head[: int(len(head) * 0.8)]
        system = [{"role": "system", "content": head}]
    return system + kept
