"""The agent desk's records: accounts, sessions, who owns which conversation, private notes, and the queue
listing (`ag_*`, read together with the conversation tables).

Rules (who may take what, password checks) live in `assistant.desk`; this module
only stores and reads. Taking and releasing a conversation changes the assignment,
the conversation's status and its tickets in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from assistant.storage.conversations import apply_move
from assistant.storage.engine import Repository
from assistant.storage.handoffs import set_tickets
from assistant.storage.schema import (
    AgentRow,
    AssignmentRow,
    ConversationRow,
    HandoffRow,
    MessageRow,
    NoteRow,
    SessionRow,
)
from assistant.storage.status import ConversationStatus, Move, TicketStatus

PREVIEW_CHARS = 200  # of the last message, in the queue listing


@dataclass(frozen=True)
class Agent:
    id: int
    name: str
    is_admin: bool


@dataclass(frozen=True)
class QueueItem:
    conversation_id: str
    user_id: str
    status: ConversationStatus
    reason: str  # of the newest ticket that is not closed ("" when none)
    owner: str  # the owning agent's name ("" when none)
    updated_at: float
    last_message: str


@dataclass(frozen=True)
class Note:
    id: int
    agent: str
    text: str
    created_at: float


def _agent(row: AgentRow) -> Agent:
    return Agent(row.id, row.name, row.is_admin)


class AgentRepository(Repository):
    # ------------------------------------------------------------ accounts and sessions

    def create(self, name: str, password_hash: str, is_admin: bool = False) -> Agent | None:
        """The new account, or None when the name is taken."""
        try:
            with self._write() as s:
                if s.scalars(select(AgentRow.id).where(AgentRow.name == name)).first() is not None:
                    return None
                row = AgentRow(name=name, password_hash=password_hash, is_admin=is_admin, created_at=self.clock())
                s.add(row)
                s.flush()
                return _agent(row)
        except IntegrityError:  # created by someone else between our check and our insert
            return None

    def credentials(self, name: str) -> tuple[Agent, str] | None:
        """(agent, stored password hash) of an account name."""
        with self._read() as s:
            row = s.scalars(select(AgentRow).where(AgentRow.name == name)).first()
            return (_agent(row), row.password_hash) if row else None

    def add_session(self, token_hash: str, agent_id: int, expires_at: float) -> None:
        with self._write() as s:
            s.add(SessionRow(token_hash=token_hash, agent_id=agent_id, expires_at=expires_at))

    def drop_session(self, token_hash: str) -> None:
        with self._write() as s:
            s.execute(delete(SessionRow).where(SessionRow.token_hash == token_hash))

    def session_agent(self, token_hash: str) -> Agent | None:
        """The agent of a session that has not expired."""
        with self._read() as s:
            row = s.scalars(select(AgentRow).join(SessionRow, SessionRow.agent_id == AgentRow.id)
                            .where(SessionRow.token_hash == token_hash, SessionRow.expires_at >= self.clock())
                            ).first()
            return _agent(row) if row else None

    # ------------------------------------------------------------ ownership

    def owner(self, conversation_id: str) -> Agent | None:
        with self._read() as s:
            row = s.scalars(select(AgentRow).join(AssignmentRow, AssignmentRow.agent_id == AgentRow.id)
                            .where(AssignmentRow.conversation_id == conversation_id)).first()
            return _agent(row) if row else None

    def assign(self, conversation_id: str, agent_id: int) -> bool:
        """The agent owns the conversation (status `agent`, tickets `assigned`); False when there is no
        such conversation. Raises `IllegalTransition`."""
        now = self.clock()
        with self._write() as s:
            if apply_move(s, conversation_id, Move.TAKE_OVER, now) is None:
                return False
            set_tickets(s, conversation_id, TicketStatus.ASSIGNED)
            row = s.get(AssignmentRow, conversation_id)
            if row is None:
                s.add(AssignmentRow(conversation_id=conversation_id, agent_id=agent_id, taken_at=now))
            else:
                row.agent_id = agent_id
            return True

    def release(self, conversation_id: str, move: Move) -> bool:
        """Nobody owns the conversation any more; `move` (hand back, resolve) sets its status and its
        tickets are closed. False when there is no such conversation. Raises `IllegalTransition`."""
        with self._write() as s:
            if apply_move(s, conversation_id, move, self.clock()) is None:
                return False
            set_tickets(s, conversation_id, TicketStatus.CLOSED)
            s.execute(delete(AssignmentRow).where(AssignmentRow.conversation_id == conversation_id))
            return True

    # ------------------------------------------------------------ notes

    def add_note(self, conversation_id: str, agent_id: int, text: str) -> int:
        with self._write() as s:
            row = NoteRow(conversation_id=conversation_id, agent_id=agent_id, text=text, created_at=self.clock())
            s.add(row)
            s.flush()
            return int(row.id)

    def notes(self, conversation_id: str) -> list[Note]:
        with self._read() as s:
            rows = s.execute(select(NoteRow, AgentRow.name).outerjoin(AgentRow, AgentRow.id == NoteRow.agent_id)
                             .where(NoteRow.conversation_id == conversation_id).order_by(NoteRow.id)).all()
            return [Note(n.id, name or "", n.text, n.created_at) for n, name in rows]

    # ------------------------------------------------------------ the queue listing

    def queue(self, statuses: Collection[ConversationStatus], owner_id: int | None = None,
              limit: int = 100) -> list[QueueItem]:
        """Conversations in `statuses` (owned by `owner_id` when given), most recently updated first, with
        their open ticket's reason, owner and last message: one query, however long the list."""
        c = ConversationRow
        reason = (select(HandoffRow.reason).where(HandoffRow.conversation_id == c.id,
                                                  HandoffRow.status != TicketStatus.CLOSED)
                  .order_by(HandoffRow.id.desc()).limit(1).correlate(c).scalar_subquery())
        last = (select(MessageRow.content).where(MessageRow.conversation_id == c.id)
                .order_by(MessageRow.id.desc()).limit(1).correlate(c).scalar_subquery())
        q = (select(c, reason, AgentRow.name, last)
             .outerjoin(AssignmentRow, AssignmentRow.conversation_id == c.id)
             .outerjoin(AgentRow, AgentRow.id == AssignmentRow.agent_id)
             .where(c.status.in_(list(statuses))).order_by(c.updated_at.desc()).limit(limit))
        if owner_id is not None:
            q = q.where(AssignmentRow.agent_id == owner_id)
        with self._read() as s:
            return [QueueItem(r.id, r.user_id, ConversationStatus(r.status), why or "", owner or "", r.updated_at,
                              (text or "")[:PREVIEW_CHARS])
                    for r, why, owner, text in s.execute(q).all()]
