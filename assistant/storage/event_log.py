"""The conversation event log (`as_events`): turns with their scene decisions, card actions, agent actions,
widget events. Append-only; the console reads it back to show what the bot decided and why."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from assistant.storage.engine import Repository
from assistant.storage.schema import EventLogRow


class EventLog(Repository):
    def log(self, conversation_id: str, type_: str, payload: dict[str, Any]) -> None:
        with self._write() as s:
            s.add(EventLogRow(conversation_id=conversation_id, type=type_,
                              payload_json=json.dumps(payload, ensure_ascii=False, default=str),
                              created_at=self.clock()))

    def read(self, conversation_id: str) -> list[tuple[str, dict[str, Any]]]:
        """(type, payload) of the conversation's events, oldest first."""
        with self._read() as s:
            rows = s.scalars(
                select(EventLogRow).where(EventLogRow.conversation_id == conversation_id).order_by(EventLogRow.id)
            ).all()
            return [(r.type, json.loads(r.payload_json)) for r in rows]
