"""Conversations, their messages and their dialogue state (one aggregate: `as_conversations` + `as_messages`).

A streamed answer is stored as an incomplete message first and completed when the
turn ends, so a process that dies mid-answer leaves an honest partial answer, and
the next start resumes the conversation from the stored dialogue state.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.storage.engine import Repository
from assistant.storage.schema import ConversationRow, MessageRow
from assistant.storage.status import ConversationStatus, Move, transition


@dataclass(frozen=True)
class StoredMessage:
    id: int
    role: str  # user | assistant | agent
    content: str
    scene: str
    payload: dict[str, Any]
    complete: bool
    created_at: float


@dataclass(frozen=True)
class StoredConversation:
    id: str
    user_id: str
    status: ConversationStatus
    language: str
    state: dict[str, Any]  # {"dialogue": scene.DialogueState, "memory": skill memory}
    created_at: float
    updated_at: float


def apply_move(session: Session, conversation_id: str, move: Move, now: float) -> ConversationStatus | None:
    """Move the conversation's status inside the caller's transaction (the row is locked on PostgreSQL);
    the new status, or None when there is no such conversation. Raises `IllegalTransition`."""
    row = session.get(ConversationRow, conversation_id, with_for_update=True)
    if row is None:
        return None
    new = transition(row.status, move)
    if new != row.status:
        row.status = new
        row.updated_at = now
    return new


class ConversationRepository(Repository):
    def create(self, user_id: str, language: str = "en") -> StoredConversation:
        now = self.clock()
        row = ConversationRow(id=uuid.uuid4().hex, user_id=user_id, status=ConversationStatus.PENDING,
                              language=language, state_json="{}", created_at=now, updated_at=now)
        with self._write() as s:
            s.add(row)
            s.flush()
            return _conversation(row)

    def get(self, conversation_id: str) -> StoredConversation | None:
        with self._read() as s:
            row = s.get(ConversationRow, conversation_id)
            return _conversation(row) if row else None

    def latest(self, user_id: str) -> StoredConversation | None:
        """The shopper's most recently updated conversation."""
        found = self.recent(user_id, limit=1)
        return found[0] if found else None

    def recent(self, user_id: str | None = None, limit: int = 100) -> list[StoredConversation]:
        """Most recently updated first; of one shopper, or of everyone."""
        q = select(ConversationRow).order_by(ConversationRow.updated_at.desc()).limit(limit)
        if user_id is not None:
            q = q.where(ConversationRow.user_id == user_id)
        with self._read() as s:
            return [_conversation(r) for r in s.scalars(q)]

    def save_state(self, conversation_id: str, state: dict[str, Any], language: str | None = None) -> None:
        with self._write() as s:
            row = s.get(ConversationRow, conversation_id)
            if row is None:
                return
            row.state_json = json.dumps(state, ensure_ascii=False)
            row.updated_at = self.clock()
            if language:
                row.language = language

    def move(self, conversation_id: str, move: Move) -> ConversationStatus | None:
        """Apply a status move (see `status.TRANSITIONS`); None when there is no such conversation."""
        with self._write() as s:
            return apply_move(s, conversation_id, move, self.clock())

    # ------------------------------------------------------------ messages

    def add_message(self, conversation_id: str, role: str, content: str, scene: str = "",
                    payload: dict[str, Any] | None = None, complete: bool = True) -> int:
        now = self.clock()
        with self._write() as s:
            row = MessageRow(conversation_id=conversation_id, role=role, content=content, scene=scene,
                             payload_json=json.dumps(payload or {}, ensure_ascii=False), complete=complete,
                             created_at=now)
            s.add(row)
            conv = s.get(ConversationRow, conversation_id)
            if conv is not None:
                conv.updated_at = now
            s.flush()
            return int(row.id)

    def update_message(self, message_id: int, content: str, payload: dict[str, Any] | None = None,
                       complete: bool | None = None, scene: str | None = None) -> None:
        with self._write() as s:
            row = s.get(MessageRow, message_id)
            if row is None:
                return
            row.content = content
            if payload is not None:
                row.payload_json = json.dumps(payload, ensure_ascii=False)
            if complete is not None:
                row.complete = complete
            if scene is not None:
                row.scene = scene

    def messages(self, conversation_id: str, limit: int = 500) -> list[StoredMessage]:
        """The last `limit` messages, oldest first."""
        with self._read() as s:
            rows = s.scalars(
                select(MessageRow).where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.id.desc()).limit(limit)
            ).all()
            return [StoredMessage(r.id, r.role, r.content, r.scene, json.loads(r.payload_json or "{}"),
                                  bool(r.complete), r.created_at) for r in reversed(rows)]


def _conversation(row: ConversationRow) -> StoredConversation:
    return StoredConversation(row.id, row.user_id, ConversationStatus(row.status), row.language,
                              json.loads(row.state_json or "{}"), row.created_at, row.updated_at)
