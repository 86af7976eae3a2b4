"""The repositories of the state store, one aggregate each, over an in-memory database."""

from __future__ import annotations

import pytest

from assistant.storage.status import ConversationStatus, IllegalTransition, Move
from assistant.storage.store import StateStore


def test_conversations_messages_and_state(state: StateStore, clock) -> None:  # type: ignore[no-untyped-def]
    convs = state.conversations
    first = convs.create("asha", language="zh")
    clock.now += 1
    second = convs.create("asha")
    other = convs.create("ben")
    assert convs.latest("asha") == second and convs.latest("nobody") is None
    assert [c.id for c in convs.recent("asha")] == [second.id, first.id]
    assert {c.id for c in convs.recent()} == {first.id, second.id, other.id}
    clock.now += 1
    ids = [convs.add_message(first.id, "user", f"m{i}") for i in range(3)]
    assert convs.latest("asha").id == first.id  # type: ignore[union-attr]  # a message moves it to the top
    convs.update_message(ids[2], "edited", payload={"cards": [1]}, complete=False, scene="search")
    last = convs.messages(first.id)[-1]
    assert (last.content, last.payload, last.complete, last.scene) == ("edited", {"cards": [1]}, False, "search")
    assert [m.content for m in convs.messages(first.id, limit=2)] == ["m1", "edited"]  # the newest, oldest first
    convs.save_state(first.id, {"memory": {"k": "中"}}, language="en")
    stored = convs.get(first.id)
    assert stored is not None and stored.state == {"memory": {"k": "中"}} and stored.language == "en"
    convs.save_state("nope", {})  # nothing to save into: no error
    convs.update_message(10_000, "x")
    assert convs.get("nope") is None


def test_carts_and_wishlists(state: StateStore) -> None:
    carts = state.carts
    assert carts.add("asha", "p1") == 1 and carts.add("asha", "p1", 2) == 3 and carts.add("asha", "p2", 0) == 1
    assert carts.items("asha") == [("p1", 3), ("p2", 1)] and carts.items("ben") == []
    assert carts.add("asha", "p2", 5000) == 999
    assert carts.set_quantity("asha", "p1", 4) and not carts.set_quantity("asha", "p9", 4)
    assert carts.remove("asha", "p2") and not carts.remove("asha", "p2")
    assert carts.items("asha") == [("p1", 4)]
    carts.clear("asha")
    assert carts.items("asha") == []
    assert carts.add_to_wishlist("asha", "p3") and not carts.add_to_wishlist("asha", "p3")
    assert carts.wishlist("asha") == ["p3"]


def test_handoffs_keep_one_ticket_per_wait_and_count_the_queue(state: StateStore) -> None:
    a, b = state.conversations.create("asha"), state.conversations.create("ben")
    assert state.handoffs.open(a.id, "asha", "sizing") == (1, 1)
    assert state.handoffs.open(b.id, "ben", "x" * 5000)[1] == 2
    assert state.handoffs.open(a.id, "asha", "again") == (1, 1)  # asked again while queued: the same ticket
    queued = state.handoffs.queued()
    assert (queued[0].conversation_id, queued[0].reason) == (a.id, "sizing") and len(queued[1].reason) == 1000
    assert state.conversations.get(a.id).status is ConversationStatus.OPEN  # type: ignore[union-attr]


def test_no_ticket_while_a_person_owns_the_conversation(state: StateStore) -> None:
    conv = state.conversations.create("asha")
    state.conversations.move(conv.id, Move.TAKE_OVER)
    with pytest.raises(IllegalTransition):
        state.handoffs.open(conv.id, "asha", "help")
    assert state.handoffs.queued() == []


def test_order_changes_and_the_event_log(state: StateStore) -> None:
    state.order_changes.record("SA-1", "cancelled")
    state.order_changes.record("SA-1", "returned")
    state.order_changes.record("SA-2", "cancelled")
    assert state.order_changes.all() == {"SA-1": "returned", "SA-2": "cancelled"}
    state.events.log("c1", "turn", {"scene": "search", "when": object()})  # not JSON: stored as text
    state.events.log("c1", "action", {"action": "like"})
    assert [t for t, _ in state.events.read("c1")] == ["turn", "action"] and state.events.read("c2") == []


def test_health_of_a_sound_database(state: StateStore) -> None:
    assert state.health() == (True, "ok") and state.db.damaged is None


def test_text_and_ids_are_stored_alike_on_every_backend(state: StateStore) -> None:
    """PostgreSQL refuses NUL characters and values longer than a VARCHAR; SQLite stores anything. Both store
    the same: NUL dropped, an over-long id kept unique and found again by the same id."""
    conv = state.conversations.create("asha")
    state.handoffs.open(conv.id, "asha", "wants\x00 a person")
    assert state.handoffs.queued()[0].reason == "wants a person"
    long_user, other = "u" * 300, "u" * 299 + "v"
    assert state.carts.add(long_user, "p" * 250) == 1 and state.carts.add(other, "p1") == 1
    assert state.carts.items(long_user) == [(state.carts.items(long_user)[0][0], 1)]
    assert state.carts.add(long_user, "p" * 250) == 2 and state.carts.items(other) == [("p1", 1)]
    state.order_changes.record("SA-" + "9" * 100, "cancelled")
    assert len(next(iter(state.order_changes.all()))) == 64
    state.events.log(conv.id, "x" * 40, {"nul": "a\x00b"})
    assert state.events.read(conv.id)[-1][1] == {"nul": "a\x00b"}  # inside JSON it is an escape, kept
