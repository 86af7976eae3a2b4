"""Handoff tickets (`as_handoffs`): the queue of conversations waiting for a person.

A ticket is `queued` until an agent takes the conversation (`assigned`) and `closed`
on hand-back or resolve. Opening a ticket moves the conversation to `open` in the
same transaction, so the queue and the conversation's status never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assistant.storage.conversations import apply_move
from assistant.storage.engine import Repository
from assistant.storage.schema import HandoffRow
from assistant.storage.status import Move, TicketStatus

MAX_REASON_CHARS = 1000


@dataclass(frozen=True)
class Ticket:
    id: int
    conversation_id: str
    user_id: str
    reason: str


def set_tickets(session: Session, conversation_id: str, status: TicketStatus) -> None:
    """Move the conversation's tickets that are not closed yet, inside the caller's transaction."""
    session.execute(update(HandoffRow).where(HandoffRow.conversation_id == conversation_id,
                                             HandoffRow.status != TicketStatus.CLOSED).values(status=status))


class HandoffRepository(Repository):
    def open(self, conversation_id: str, user_id: str, reason: str) -> tuple[int, int]:
        """Queue the conversation for a person (asking again while queued keeps the one ticket); returns
        (ticket id, position in the queue). Raises `IllegalTransition` while an agent owns the conversation."""
        now = self.clock()
        with self._write() as s:
            apply_move(s, conversation_id, Move.HANDOFF, now)
            ticket = s.scalars(
                select(HandoffRow).where(HandoffRow.conversation_id == conversation_id,
                                         HandoffRow.status == TicketStatus.QUEUED)
            ).first()
            if ticket is None:
                ticket = HandoffRow(conversation_id=conversation_id, user_id=user_id,
                                    reason=reason[:MAX_REASON_CHARS], status=TicketStatus.QUEUED, created_at=now)
                s.add(ticket)
                s.flush()
            position = s.scalar(
                select(func.count()).select_from(HandoffRow)
                .where(HandoffRow.status == TicketStatus.QUEUED, HandoffRow.id <= ticket.id)
            )
            return int(ticket.id), int(position or 1)

    def queued(self) -> list[Ticket]:
        """Tickets waiting for a person, oldest first."""
        with self._read() as s:
            rows = s.scalars(select(HandoffRow).where(HandoffRow.status == TicketStatus.QUEUED)
                             .order_by(HandoffRow.id)).all()
            return [Ticket(r.id, r.conversation_id, r.user_id, r.reason) for r in rows]
