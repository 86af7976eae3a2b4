"""Who answers a conversation: its status, and the one table of moves between statuses.

    pending   the bot answers (every conversation starts here)
    open      queued for a person; the bot still answers until someone takes over
    agent     a person owns it: the bot stays silent
    resolved  closed by an agent; the shopper writing again reopens it for the bot

Every change of `as_conversations.status` goes through `transition` (inside the
write that stores it, see `storage.conversations.apply_move`), so the desk, the
handoff skill and the conversation cannot disagree about which moves exist. A
move the table does not list raises `IllegalTransition` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class ConversationStatus(StrEnum):
    PENDING = "pending"
    OPEN = "open"
    AGENT = "agent"
    RESOLVED = "resolved"


class TicketStatus(StrEnum):
    """A handoff ticket (`as_handoffs.status`): waiting in the queue, with an agent, or done."""

    QUEUED = "queued"
    ASSIGNED = "assigned"
    CLOSED = "closed"


class Move(StrEnum):
    """What happened to the conversation."""

    HANDOFF = "handoff"  # the shopper, or an automatic trigger, asks for a person
    TAKE_OVER = "take_over"  # an agent takes the conversation (an admin may take it from another agent)
    HAND_BACK = "hand_back"  # the owning agent gives it back to the bot
    RESOLVE = "resolve"  # an agent closes it
    SHOPPER_WRITES = "shopper_writes"  # a new message from the shopper


_P, _O, _A, _R = ConversationStatus.PENDING, ConversationStatus.OPEN, ConversationStatus.AGENT, \
    ConversationStatus.RESOLVED

TRANSITIONS: Mapping[tuple[ConversationStatus, Move], ConversationStatus] = {
    (_P, Move.HANDOFF): _O,
    (_O, Move.HANDOFF): _O,  # asked again while queued: the same ticket
    (_R, Move.HANDOFF): _O,
    # (_A, Move.HANDOFF) is missing on purpose: a person is already in the chat
    (_P, Move.TAKE_OVER): _A,  # an agent may step into any live conversation, queued or not
    (_O, Move.TAKE_OVER): _A,
    (_A, Move.TAKE_OVER): _A,
    (_R, Move.TAKE_OVER): _A,  # ... and follow up on a resolved one
    (_A, Move.HAND_BACK): _P,  # only an owned conversation can be handed back
    (_P, Move.RESOLVE): _R,
    (_O, Move.RESOLVE): _R,
    (_A, Move.RESOLVE): _R,
    (_R, Move.RESOLVE): _R,
    (_P, Move.SHOPPER_WRITES): _P,
    (_O, Move.SHOPPER_WRITES): _O,
    (_A, Move.SHOPPER_WRITES): _A,
    (_R, Move.SHOPPER_WRITES): _P,  # the shopper is back: the bot answers again
}

_WHY_NOT: Mapping[Move, str] = {
    Move.HANDOFF: "a person from the team is already in this conversation",
    Move.HAND_BACK: "nobody from the team owns it, so there is nothing to hand back",
}


class IllegalTransition(ValueError):
    """A move the status table does not allow; the message is safe to show to an agent."""

    def __init__(self, current: ConversationStatus, move: Move) -> None:
        why = _WHY_NOT.get(move, "that move is not in the status table")
        super().__init__(f"cannot {move.value.replace('_', ' ')} a conversation that is {current.value}: {why}")
        self.current = current
        self.move = move


def transition(current: ConversationStatus | str, move: Move) -> ConversationStatus:
    """The status after `move`; raises `IllegalTransition` for a move the table does not list."""
    status = ConversationStatus(current)
    try:
        return TRANSITIONS[(status, move)]
    except KeyError:
        raise IllegalTransition(status, move) from None
