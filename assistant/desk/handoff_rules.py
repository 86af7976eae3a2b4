"""When a conversation goes to a person without the shopper asking: the automatic handoff triggers."""

from __future__ import annotations

import re

FAILURES_BEFORE_HANDOFF = 2

_NEGATIVE = re.compile(
    r"\b(useless|terrible|awful|worst|angry|furious|ridiculous|scam|disgusting|complain(t)?|not helpful|"
    r"doesn'?t help|stupid|hate)\b|垃圾|投诉|太差|生气", re.I)


def auto_handoff_reason(scene: str, text: str, recent_failures: int, handoff_scenes: tuple[str, ...] = ()) -> str:
    """Why this turn should go to a person without being asked ("" when it should not).

    Triggers: a scene the store routes to people (e.g. complaints), negative sentiment,
    or repeated failures in a row (errors, shopping questions left unanswered; never off-topic requests).
    """
    if scene in handoff_scenes:
        return f"scene '{scene}' is routed to a person by the store"
    if _NEGATIVE.search(text):
        return f"negative sentiment: {text[:200]}"
    if recent_failures >= FAILURES_BEFORE_HANDOFF:
        return f"the assistant failed {recent_failures} times in a row"
    return ""
