"""After a run: is everything the server acknowledged in the database? (messages, answers, cart lines)

Acknowledged means the shopper saw it succeed: a turn whose stream ended with `done` and no
`error` event (the message is stored before the first event, the answer before `done`), a
cart add answered 200 `ok`. Each must be in the database the workers wrote, counted per
conversation and per cart line, so a worker restarted in the middle of the load
(`--restart-worker`) shows whether it lost anything it had confirmed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from evaluation.load.stats import Record

SITE_ID = "demo"  # the site of the bench's key (pk_demo): user ids are "<site>:v:<visitor>"


def lost_records(database_url: str, records: Iterable[Record]) -> dict[str, Any]:
    """Counts of acknowledged turns and cart adds, and how many of each the database does not have."""
    from assistant.storage.store import StateStore

    turns: dict[str, Counter[str]] = {}
    carts: dict[str, Counter[str]] = {}
    for r in records:
        if r.error is not None or not r.conversation_id:
            continue
        if r.kind == "turn":
            turns.setdefault(r.conversation_id, Counter())[" ".join(r.message.split())] += 1
        elif r.kind == "cart":
            carts.setdefault(f"{SITE_ID}:v:{r.visitor}", Counter())[r.product_id] += 1
    store = StateStore.from_url(database_url)
    lost_messages = lost_answers = lost_lines = short_lines = 0
    try:
        for conversation_id, said in turns.items():
            stored = store.conversations.messages(conversation_id, limit=100_000)
            have = Counter(m.content for m in stored if m.role == "user")
            lost_messages += sum(max(0, n - have[text]) for text, n in said.items())
            answers = sum(1 for m in stored if m.role == "assistant" and m.complete)
            lost_answers += max(0, sum(said.values()) - answers)
        for user_id, added in carts.items():
            lines = dict(store.carts.items(user_id))
            for product_id, n in added.items():
                if product_id not in lines:
                    lost_lines += 1
                elif lines[product_id] < min(n, 999):
                    short_lines += 1
    finally:
        store.engine.dispose()
    return {
        "acknowledged_turns": sum(sum(c.values()) for c in turns.values()),
        "acknowledged_cart_adds": sum(sum(c.values()) for c in carts.values()),
        "lost_messages": lost_messages,
        "lost_answers": lost_answers,
        "lost_cart_lines": lost_lines,
        "cart_lines_short": short_lines,
    }
