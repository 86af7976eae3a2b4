"""The conversation status table: every (status, move) pair, legal or not, and moves through the repository."""

from __future__ import annotations

import itertools

import pytest

from assistant.storage.status import TRANSITIONS, ConversationStatus, IllegalTransition, Move, transition
from assistant.storage.store import StateStore

P, Q, A, R = (ConversationStatus.PENDING, ConversationStatus.OPEN, ConversationStatus.AGENT,
              ConversationStatus.RESOLVED)  # Q: queued for a person (status "open")

# Written out independently of the product's table: (from, move) -> to, or None when illegal.
EXPECTED: dict[tuple[ConversationStatus, Move], ConversationStatus | None] = {
    (P, Move.HANDOFF): Q, (Q, Move.HANDOFF): Q, (A, Move.HANDOFF): None, (R, Move.HANDOFF): Q,
    (P, Move.TAKE_OVER): A, (Q, Move.TAKE_OVER): A, (A, Move.TAKE_OVER): A, (R, Move.TAKE_OVER): A,
    (P, Move.HAND_BACK): None, (Q, Move.HAND_BACK): None, (A, Move.HAND_BACK): P, (R, Move.HAND_BACK): None,
    (P, Move.RESOLVE): R, (Q, Move.RESOLVE): R, (A, Move.RESOLVE): R, (R, Move.RESOLVE): R,
    (P, Move.SHOPPER_WRITES): P, (Q, Move.SHOPPER_WRITES): Q, (A, Move.SHOPPER_WRITES): A,
    (R, Move.SHOPPER_WRITES): P,
}


def test_the_expectation_covers_every_pair() -> None:
    assert set(EXPECTED) == set(itertools.product(ConversationStatus, Move))
    assert set(TRANSITIONS) <= set(EXPECTED)


@pytest.mark.parametrize(("current", "move"), sorted(EXPECTED, key=str))
def test_transition(current: ConversationStatus, move: Move) -> None:
    expected = EXPECTED[(current, move)]
    if expected is None:
        with pytest.raises(IllegalTransition) as caught:
            transition(current, move)
        assert current.value in str(caught.value) and caught.value.move is move
    else:
        assert transition(current, move) is expected
        assert transition(current.value, move) is expected  # as read from the database


def test_refusals_say_why() -> None:
    with pytest.raises(IllegalTransition, match="already in this conversation"):
        transition(A, Move.HANDOFF)
    with pytest.raises(IllegalTransition, match="nothing to hand back"):
        transition(P, Move.HAND_BACK)
    with pytest.raises(ValueError):
        transition("archived", Move.RESOLVE)  # not a status at all


def test_moves_are_stored_and_an_illegal_one_writes_nothing(state: StateStore) -> None:
    conv = state.conversations.create("asha")
    assert conv.status is P
    assert state.conversations.move(conv.id, Move.HANDOFF) is Q
    assert state.conversations.move(conv.id, Move.TAKE_OVER) is A
    before = state.conversations.get(conv.id)
    with pytest.raises(IllegalTransition):
        state.conversations.move(conv.id, Move.HANDOFF)
    assert state.conversations.get(conv.id) == before
    assert state.conversations.move(conv.id, Move.RESOLVE) is R
    assert state.conversations.move(conv.id, Move.SHOPPER_WRITES) is P
    assert state.conversations.get(conv.id).status is P  # type: ignore[union-attr]
    assert state.conversations.move("nope", Move.RESOLVE) is None


def test_an_unchanged_status_does_not_touch_the_conversation(state: StateStore, clock) -> None:  # type: ignore[no-untyped-def]
    conv = state.conversations.create("asha")
    clock.now += 60
    state.conversations.move(conv.id, Move.SHOPPER_WRITES)
    assert state.conversations.get(conv.id).updated_at == conv.updated_at  # type: ignore[union-attr]
