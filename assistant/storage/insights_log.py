"""Writes of the owner's view (`in_*`, `ex_assignments`, `rk_promotions`): one row per answered turn with the
cards it showed, the shoppers' actions attributed to the card they came from, handoff tickets' lives, sticky
experiment assignments and ranker promotion decisions. The reads are `assistant.insights.queries`'.

An action is attributed to the newest impression of that product in the same conversation: the server
knows what it showed where, so every front end (widget, API, Gradio) gets positions without sending them.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from assistant.storage.engine import Repository
from assistant.storage.insights_rollup import bump_counts, bump_shopper, turn_counts
from assistant.storage.insights_schema import (
    ActionRow,
    AssignmentLogRow,
    HandoffLogRow,
    ImpressionRow,
    PromotionRow,
    TurnLogRow,
)


def day_of(ts: float) -> str:
    """The UTC date of a timestamp, as stored in the `day` columns."""
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


@dataclass(frozen=True)
class TurnRecord:
    conversation_id: str
    user_id: str
    scene: str
    language: str
    query: str = ""
    query_key: str = ""
    rank_query: str = ""
    result_count: int = 0
    unanswered: str = ""
    first_card_ms: float | None = None
    first_token_ms: float | None = None
    elapsed_ms: float = 0.0
    model_calls: int = 0
    model_sentences: int = 0
    template_fallbacks: int = 0
    removed_sentences: int = 0
    variant: str = ""


@dataclass(frozen=True)
class ShownCard:
    product_id: str
    position: int
    features: bytes | None = None


@dataclass(frozen=True)
class Promotion:
    id: int
    ts: float
    candidate: str
    current: str
    promoted: bool
    reason: str
    figures: dict[str, Any]
    model_path: str


class InsightsLog(Repository):
    def turn(self, record: TurnRecord, cards: list[ShownCard]) -> int:
        """Store the turn and its cards in one transaction; the turn's id."""
        now = self.clock()
        day = day_of(now)
        with self._write() as s:
            first_of_day = s.execute(select(TurnLogRow.id).where(
                TurnLogRow.day == day, TurnLogRow.conversation_id == record.conversation_id).limit(1)).first() is None
            row = TurnLogRow(ts=now, day=day, **record.__dict__)
            s.add(row)
            s.flush()
            bump_counts(s, day, turn_counts(record, [c.position for c in cards], first_of_day))
            bump_shopper(s, record.user_id, shown=len(cards))
            s.add_all([ImpressionRow(turn_id=row.id, ts=now, day=day, conversation_id=record.conversation_id,
                                     user_id=record.user_id, product_id=c.product_id, position=c.position,
                                     scene=record.scene, variant=record.variant, features=c.features)
                       for c in cards])
            return int(row.id)

    def action(self, conversation_id: str, user_id: str, product_id: str, action: str, variant: str = "") -> None:
        now = self.clock()
        day = day_of(now)
        with self._write() as s:
            shown = s.execute(
                select(ImpressionRow.id, ImpressionRow.position, ImpressionRow.scene, ImpressionRow.variant)
                .where(ImpressionRow.conversation_id == conversation_id, ImpressionRow.product_id == product_id)
                .order_by(ImpressionRow.id.desc()).limit(1)
            ).first()
            s.add(ActionRow(ts=now, day=day, conversation_id=conversation_id, user_id=user_id,
                            product_id=product_id, action=action,
                            impression_id=shown.id if shown else None, position=shown.position if shown else None,
                            scene=shown.scene if shown else "", variant=shown.variant if shown else variant))
            if shown is not None:  # the funnel and the experiments count actions on shown cards
                bump_counts(s, day, Counter({(action, f"{shown.position}|{shown.scene}|{shown.variant}"): 1}))
                bump_shopper(s, user_id, clicks=int(action == "click"), carts=int(action == "add_to_cart"))

    # ------------------------------------------------------------ handoffs

    def handoff_opened(self, ticket_id: int, conversation_id: str, kind: str, reason: str) -> None:
        """The first time a ticket is seen (asking again while queued keeps the one ticket)."""
        now = self.clock()
        try:
            with self._write() as s:
                if s.get(HandoffLogRow, ticket_id) is None:
                    s.add(HandoffLogRow(ticket_id=ticket_id, ts=now, day=day_of(now), conversation_id=conversation_id,
                                        kind=kind, reason=reason[:500]))
        except IntegrityError:  # the same ticket logged by a concurrent request
            pass

    def handoff_moved(self, conversation_id: str, move: str) -> None:
        """An agent took over (`take_over`) or resolved (`resolve`) the conversation."""
        column = {"take_over": HandoffLogRow.picked_at, "resolve": HandoffLogRow.resolved_at}.get(move)
        if column is None:
            return
        with self._write() as s:
            s.execute(update(HandoffLogRow).where(HandoffLogRow.conversation_id == conversation_id,
                                                  column.is_(None)).values({column.key: self.clock()}))

    # ------------------------------------------------------------ experiment assignments

    def assignments(self, user_id: str) -> dict[str, str]:
        with self._read() as s:
            rows = s.execute(select(AssignmentLogRow.experiment, AssignmentLogRow.variant)
                             .where(AssignmentLogRow.user_id == user_id)).all()
            return {r.experiment: r.variant for r in rows}

    def assign(self, user_id: str, arms: dict[str, str]) -> dict[str, str]:
        """Store new assignments; returns what is stored for those experiments (a concurrent first wins)."""
        now = self.clock()
        try:
            with self._write() as s:
                s.add_all([AssignmentLogRow(experiment=e, user_id=user_id, variant=v, assigned_at=now)
                           for e, v in arms.items()])
        except IntegrityError:
            pass
        stored = self.assignments(user_id)
        return {e: stored.get(e, v) for e, v in arms.items()}

    # ------------------------------------------------------------ ranker promotions

    def record_promotion(self, candidate: str, current: str, promoted: bool, reason: str,
                         figures: dict[str, Any], model_path: str = "") -> int:
        with self._write() as s:
            row = PromotionRow(ts=self.clock(), candidate=candidate, current=current, promoted=promoted,
                               reason=reason, figures_json=json.dumps(figures, default=str), model_path=model_path)
            s.add(row)
            s.flush()
            return int(row.id)

    def promotions(self, limit: int = 20) -> list[Promotion]:
        with self._read() as s:
            rows = s.scalars(select(PromotionRow).order_by(PromotionRow.id.desc()).limit(limit)).all()
            return [Promotion(r.id, r.ts, r.candidate, r.current, r.promoted, r.reason, json.loads(r.figures_json),
                              r.model_path) for r in rows]
