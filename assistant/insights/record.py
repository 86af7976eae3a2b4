"""Writing the owner's log from a turn, a card action and a handoff.

Called where those happen (`Conversation._after_turn`, `Conversation.act`, `open_ticket`, the desk).
Logging is for the owner, never at the shopper's expense: a failure is a warning in the log, and the
turn or action carries on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from assistant.conversation.events import GenerationSummary
from assistant.insights.trace import OUT_OF_SCOPE, TurnTrace
from assistant.storage.insights_log import ShownCard, TurnRecord

if TYPE_CHECKING:
    from assistant.storage.store import StateStore
    from retrieval.catalog import Product

log = logging.getLogger(__name__)

_KEY = re.compile(r"[^\w\s]+", re.UNICODE)
LOGGED_ACTIONS = ("click", "add_to_cart", "like", "dislike", "wishlist", "remove")


def query_key(text: str) -> str:
    """Lower case, punctuation dropped, spaces collapsed: equal questions group together."""
    return " ".join(_KEY.sub(" ", text.lower()).split())[:120]


def features_blob(row: np.ndarray) -> bytes:
    return np.asarray(row, dtype=np.float32).tobytes()


def features_of(blob: bytes | None) -> np.ndarray | None:
    return np.frombuffer(blob, dtype=np.float32) if blob else None


def handoff_kind(reason: str, automatic: bool) -> str:
    """explicit | frustration | repeated_failures | scene_rule (from `auto_handoff_reason`'s wording)."""
    if not automatic:
        return "explicit"
    if reason.startswith("scene "):
        return "scene_rule"
    if reason.startswith("negative sentiment"):
        return "frustration"
    return "repeated_failures"


def record_turn(store: StateStore, *, conversation_id: str, user_id: str, scene: str, language: str, text: str,
                shown: Sequence[Product], trace: TurnTrace, generation: GenerationSummary,
                elapsed_ms: float) -> None:
    unanswered = trace.unanswered or (OUT_OF_SCOPE if scene == "out_of_scope" else "")
    record = TurnRecord(
        conversation_id=conversation_id, user_id=user_id, scene=scene, language=language, query=text[:500],
        query_key=query_key(text), rank_query=trace.rank_query[:500], result_count=len(shown),
        unanswered=unanswered, first_card_ms=trace.first_card_ms, first_token_ms=generation.first_token_ms,
        elapsed_ms=elapsed_ms, model_calls=generation.model_calls, model_sentences=generation.model_sentences,
        template_fallbacks=generation.template_fallbacks, removed_sentences=generation.removed_sentences,
        variant=trace.treatment.label,
    )
    cards = [ShownCard(p.id, i, trace.features.get(p.id)) for i, p in enumerate(shown, 1)]
    try:
        store.insights.turn(record, cards)
    except Exception as exc:
        log.warning("turn log of %s not written: %s", conversation_id, exc)


def record_action(store: StateStore, conversation_id: str, user_id: str, product_id: str, action: str) -> None:
    if action not in LOGGED_ACTIONS:
        return
    try:
        store.insights.action(conversation_id, user_id, product_id, action)
    except Exception as exc:
        log.warning("action log (%s %s) not written: %s", action, product_id, exc)


def record_handoff(store: StateStore, ticket_id: int, conversation_id: str, reason: str, automatic: bool) -> None:
    try:
        store.insights.handoff_opened(ticket_id, conversation_id, handoff_kind(reason, automatic), reason)
    except Exception as exc:
        log.warning("handoff log of ticket %s not written: %s", ticket_id, exc)


def record_desk_move(store: StateStore, conversation_id: str, move: str) -> None:
    try:
        store.insights.handoff_moved(conversation_id, move)
    except Exception as exc:
        log.warning("handoff log (%s) of %s not written: %s", move, conversation_id, exc)
