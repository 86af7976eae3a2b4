"""The human side of a handoff: the console's queues and what an agent does with a conversation.

Take over (the bot falls silent), reply (stored as a message with role `agent`, which
the shopper sees), private notes (kept apart from messages, so neither the shopper
nor the model can read them), hand back to the bot, resolve. Status changes follow
`assistant.storage.status`; a move it does not allow is refused with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum

from assistant.desk.auth import AgentAuth, AgentError
from assistant.insights.record import record_desk_move
from assistant.storage.agents import Agent, Note, QueueItem
from assistant.storage.status import ConversationStatus, IllegalTransition, Move
from assistant.storage.store import StateStore

MAX_REPLY_CHARS = 4000


class Queue(StrEnum):
    HANDOFF = "handoff"  # waiting for a person
    OPEN = "open"  # every live conversation
    MINE = "mine"  # owned by the asking agent
    RESOLVED = "resolved"


QUEUES = tuple(q.value for q in Queue)

_S = ConversationStatus
_QUEUE_STATUSES: Mapping[Queue, tuple[ConversationStatus, ...]] = {
    Queue.HANDOFF: (_S.OPEN,),
    Queue.OPEN: (_S.PENDING, _S.OPEN, _S.AGENT),
    Queue.MINE: (_S.AGENT,),
    Queue.RESOLVED: (_S.RESOLVED,),
}


@contextmanager
def _refused() -> Iterator[None]:
    """A status move the table does not allow, as the desk's own refusal."""
    try:
        yield
    except IllegalTransition as exc:
        raise AgentError(str(exc)) from exc


class AgentDesk:
    """Queues and take-over / reply / notes / hand-back / resolve over the state store; `auth` holds the
    accounts and sessions."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.auth = AgentAuth(store.agents)

    def queue(self, which: str, agent: Agent, limit: int = 100) -> list[QueueItem]:
        try:
            queue = Queue(which)
        except ValueError:
            raise AgentError(f"unknown queue {which!r}: use one of {', '.join(QUEUES)}") from None
        owner = agent.id if queue is Queue.MINE else None
        return self.store.agents.queue(_QUEUE_STATUSES[queue], owner, limit)

    def owner(self, conversation_id: str) -> Agent | None:
        return self.store.agents.owner(conversation_id)

    def take_over(self, conversation_id: str, agent: Agent) -> None:
        """The agent owns the conversation; the bot stops answering until hand-back. An admin may take a
        conversation another agent owns."""
        current = self.owner(conversation_id)
        if current is not None and current.id != agent.id and not agent.is_admin:
            raise AgentError(f"{current.name} already owns this conversation")
        with _refused():
            if not self.store.agents.assign(conversation_id, agent.id):
                raise AgentError("no such conversation")
        self._announce(conversation_id, agent, Move.TAKE_OVER, f"{agent.name} from our team has joined the chat.")

    def reply(self, conversation_id: str, agent: Agent, text: str) -> int:
        text = text.strip()
        if not text:
            raise AgentError("the reply is empty")
        if len(text) > MAX_REPLY_CHARS:
            raise AgentError(f"keep replies under {MAX_REPLY_CHARS} characters")
        self._require_owner(conversation_id, agent)
        return self.store.conversations.add_message(conversation_id, "agent", text, scene="agent",
                                                    payload={"agent": agent.name})

    def hand_back(self, conversation_id: str, agent: Agent) -> None:
        self._require_owner(conversation_id, agent)
        with _refused():
            self.store.agents.release(conversation_id, Move.HAND_BACK)
        self._announce(conversation_id, agent, Move.HAND_BACK, "You're back with the shopping assistant.")

    def resolve(self, conversation_id: str, agent: Agent) -> None:
        with _refused():
            if not self.store.agents.release(conversation_id, Move.RESOLVE):
                raise AgentError("no such conversation")
        self._announce(conversation_id, agent, Move.RESOLVE)

    def add_note(self, conversation_id: str, agent: Agent, text: str) -> int:
        text = text.strip()
        if not text:
            raise AgentError("the note is empty")
        if self.store.conversations.get(conversation_id) is None:
            raise AgentError("no such conversation")
        return self.store.agents.add_note(conversation_id, agent.id, text[:MAX_REPLY_CHARS])

    def notes(self, conversation_id: str) -> list[Note]:
        return self.store.agents.notes(conversation_id)

    def _require_owner(self, conversation_id: str, agent: Agent) -> None:
        current = self.owner(conversation_id)
        if current is None or (current.id != agent.id and not agent.is_admin):
            raise AgentError("take over the conversation first")

    def _announce(self, conversation_id: str, agent: Agent, move: Move, say: str = "") -> None:
        """Log the agent's action; `say` is a system line the shopper sees in the chat."""
        self.store.events.log(conversation_id, "agent", {"action": move.value, "agent": agent.name})
        record_desk_move(self.store, conversation_id, move.value)
        if say:
            self.store.conversations.add_message(conversation_id, "agent", say, scene="agent",
                                                 payload={"agent": agent.name, "system": True})
