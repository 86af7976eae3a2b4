"""Agent accounts, the take-over / reply / notes / hand-back / resolve flow, and the handoff triggers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from assistant.conversation.turn import Conversation
from assistant.desk.desk import (
    AgentDesk,
    AgentError,
    auto_handoff_reason,
    hash_password,
    suggest_reply,
    verify_password,
)
from assistant.llm.fake import FakeChatModel
from assistant.storage.store import StateStore
from assistant.testing import demo_products, make_services


@pytest.fixture
def services():  # type: ignore[no-untyped-def]
    return make_services(demo_products(), model=FakeChatModel("Great for running."))


def test_passwords_are_salted_scrypt_hashes() -> None:
    h = hash_password("correct horse")
    assert h.startswith("scrypt$") and "correct" not in h and h != hash_password("correct horse")
    assert verify_password("correct horse", h) and not verify_password("wrong horse", h)
    assert not verify_password("x", "garbage")


def test_accounts_and_sessions(services) -> None:  # type: ignore[no-untyped-def]
    desk = AgentDesk(services.store)
    desk.create_agent("alice", "password1", is_admin=True)
    with pytest.raises(AgentError, match="already exists"):
        desk.create_agent("alice", "password2")
    with pytest.raises(AgentError, match="8 characters"):
        desk.create_agent("bob", "short")
    assert desk.login("alice", "nope") is None
    token = desk.login("alice", "password1")
    assert token and desk.agent_for(token).name == "alice"  # type: ignore[union-attr]
    desk.logout(token)
    assert desk.agent_for(token) is None


@pytest.mark.parametrize("message", ["I want to talk to a person", "can I speak to a human agent please",
                                     "get me a representative", "转人工"])
def test_every_explicit_request_reaches_the_queue_with_its_reason(services, message: str) -> None:  # type: ignore[no-untyped-def]
    conv = Conversation.start(services, "shopper")
    events = list(conv.turn(message))
    assert any(e.type == "handoff" for e in events)
    desk = AgentDesk(services.store)
    agent = desk.create_agent("alice", "password1")
    items = desk.queue("handoff", agent)
    assert [i.conversation_id for i in items] == [conv.id] and message in items[0].reason


def test_take_over_silences_the_bot_reply_notes_hand_back_resolve(services) -> None:  # type: ignore[no-untyped-def]
    conv = Conversation.start(services, "shopper")
    list(conv.turn("talk to a person"))
    desk = AgentDesk(services.store)
    alice, bob = desk.create_agent("alice", "password1"), desk.create_agent("bob", "password1")
    with pytest.raises(AgentError, match="take over"):
        desk.reply(conv.id, alice, "hello")
    desk.take_over(conv.id, alice)
    with pytest.raises(AgentError, match="already owns"):
        desk.take_over(conv.id, bob)
    assert [i.conversation_id for i in desk.queue("mine", alice)] == [conv.id]
    assert desk.queue("handoff", alice) == []
    before = len(services.store.messages(conv.id))
    events = list(conv.turn("running shoes"))
    assert [e.type for e in events] == ["done"]  # the bot stays silent while a person owns it
    assert [m.role for m in services.store.messages(conv.id)][before:] == ["user"]
    desk.reply(conv.id, alice, "Hi, I'm Alice. Which size do you need?")
    desk.add_note(conv.id, alice, "PRIVATE: shopper sounds like a repeat returner")
    assert all("PRIVATE" not in m.content and "PRIVATE" not in str(m.payload) for m in services.store.messages(conv.id))
    assert desk.notes(conv.id)[0]["text"].startswith("PRIVATE")
    roles = [m["role"] for m in Conversation(services, conv.id).chat_messages()]
    assert "agent" not in roles  # front ends see agent replies as the store's side
    desk.hand_back(conv.id, alice)
    assert any(e.type == "products" for e in conv.turn("running shoes"))  # the bot answers again
    desk.resolve(conv.id, alice)
    assert [i.conversation_id for i in desk.queue("resolved", alice)] == [conv.id]
    with pytest.raises(AgentError, match="unknown queue"):
        desk.queue("everything", alice)


def test_suggested_reply_is_grounded_and_not_sent(services) -> None:  # type: ignore[no-untyped-def]
    conv = Conversation.start(services, "shopper")
    list(conv.turn("talk to a person"))
    services.store.add_message(conv.id, "user", "running shoes under 2500")
    count = len(services.store.messages(conv.id))
    draft = suggest_reply(services, conv.id)
    assert draft["scene"] == "search" and draft["products"] and draft["text"]
    assert all(c["price"] <= 2500 for c in draft["products"])
    assert len(services.store.messages(conv.id)) == count  # nothing sent or stored


def test_automatic_triggers() -> None:
    assert "negative" in auto_handoff_reason("search", "this is useless", 0)
    assert "failed 2" in auto_handoff_reason("out_of_scope", "weather?", 2)
    assert "complaint" in auto_handoff_reason("complaint", "hi", 0, ("complaint",))
    assert auto_handoff_reason("search", "running shoes", 0) == ""


def test_negative_sentiment_and_configured_scenes_queue_the_conversation(services) -> None:  # type: ignore[no-untyped-def]
    conv = Conversation.start(services, "angry")
    events = list(conv.turn("running shoes, your search is useless"))
    assert any(e.type == "handoff" and "negative" in e.reason for e in events)  # type: ignore[attr-defined]
    services.config = replace(services.config, handoff_scenes=("support",))
    conv2 = Conversation.start(services, "calm")
    assert any(e.type == "handoff" for e in conv2.turn("where is my order"))
    conv3 = Conversation.start(services, "lost")
    list(conv3.turn("what is the weather"))
    assert any(e.type == "handoff" for e in conv3.turn("tell me a joke about football"))


def _open_desk_when_released(url: str, barrier: Any) -> None:
    store = StateStore.from_url(url)
    barrier.wait(timeout=60)  # all at the agent tables' CREATE at once
    AgentDesk(store)


def test_workers_opening_one_new_database_together_all_start(tmp_path):
    """uvicorn workers start at once on a new SQLite file: each creates the agent tables; none may
    fail because another created a table between its check and its CREATE (seen in `bench load`)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    barrier = ctx.Barrier(6)
    procs = [ctx.Process(target=_open_desk_when_released, args=(url, barrier)) for _ in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=90)
    assert [p.exitcode for p in procs] == [0] * 6
    assert AgentDesk(StateStore.from_url(url)).create_agent("ana", "pw-123456").name == "ana"
