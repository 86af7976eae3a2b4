"""The console's queues and the take-over / reply / notes / hand-back / resolve flow."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from assistant.conversation.skills import Services
from assistant.conversation.turn import Conversation
from assistant.desk.auth import AgentError
from assistant.desk.queue import AgentDesk
from assistant.storage.status import ConversationStatus, TicketStatus


@pytest.mark.parametrize("message", ["I want to talk to a person", "can I speak to a human agent please",
                                     "get me a representative", "转人工"])
def test_every_explicit_request_reaches_the_queue_with_its_reason(services: Services, desk: AgentDesk,
                                                                   message: str) -> None:
    conv = Conversation.start(services, "shopper")
    events = list(conv.turn(message))
    assert any(e.type == "handoff" for e in events)
    agent = desk.auth.create_agent("alice", "password1")
    items = desk.queue("handoff", agent)
    assert [i.conversation_id for i in items] == [conv.id] and message in items[0].reason
    assert items[0].status is ConversationStatus.OPEN and items[0].last_message and items[0].owner == ""


def test_take_over_silences_the_bot_reply_notes_hand_back_resolve(services: Services, desk: AgentDesk) -> None:
    conv = Conversation.start(services, "shopper")
    list(conv.turn("talk to a person"))
    alice, bob = desk.auth.create_agent("alice", "password1"), desk.auth.create_agent("bob", "password1")
    with pytest.raises(AgentError, match="take over"):
        desk.reply(conv.id, alice, "hello")
    desk.take_over(conv.id, alice)
    with pytest.raises(AgentError, match="already owns"):
        desk.take_over(conv.id, bob)
    assert [(i.conversation_id, i.owner) for i in desk.queue("mine", alice)] == [(conv.id, "alice")]
    assert desk.queue("mine", bob) == [] and desk.queue("handoff", alice) == []
    messages = services.store.conversations.messages
    before = len(messages(conv.id))
    events = list(conv.turn("running shoes"))
    assert [e.type for e in events] == ["done"]  # the bot stays silent while a person owns it
    assert [m.role for m in messages(conv.id)][before:] == ["user"]
    desk.reply(conv.id, alice, "Hi, I'm Alice. Which size do you need?")
    desk.add_note(conv.id, alice, "PRIVATE: shopper sounds like a repeat returner")
    assert all("PRIVATE" not in m.content and "PRIVATE" not in str(m.payload) for m in messages(conv.id))
    (note,) = desk.notes(conv.id)
    assert note.text.startswith("PRIVATE") and note.agent == "alice"
    roles = [m["role"] for m in Conversation(services, conv.id).chat_messages()]
    assert "agent" not in roles  # front ends see agent replies as the store's side
    desk.hand_back(conv.id, alice)
    assert any(e.type == "products" for e in conv.turn("running shoes"))  # the bot answers again
    desk.resolve(conv.id, alice)
    assert [i.conversation_id for i in desk.queue("resolved", alice)] == [conv.id]
    actions = [p["action"] for t, p in services.store.events.read(conv.id) if t == "agent"]
    assert actions == ["take_over", "hand_back", "resolve"]
    with pytest.raises(AgentError, match="unknown queue"):
        desk.queue("everything", alice)


def test_tickets_follow_the_conversation(services: Services, desk: AgentDesk) -> None:
    conv = Conversation.start(services, "shopper")
    conv.act("handoff", "sizing help")
    alice = desk.auth.create_agent("alice", "password1")
    statuses = lambda: [t.status for t in _tickets(services, conv.id)]  # noqa: E731
    assert statuses() == [TicketStatus.QUEUED]
    desk.take_over(conv.id, alice)
    assert statuses() == [TicketStatus.ASSIGNED] and services.store.handoffs.queued() == []
    desk.hand_back(conv.id, alice)
    assert statuses() == [TicketStatus.CLOSED]


def _tickets(services: Services, conversation_id: str) -> list:  # type: ignore[type-arg]
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from assistant.storage.schema import HandoffRow

    with Session(services.store.engine) as s:
        return list(s.scalars(select(HandoffRow).where(HandoffRow.conversation_id == conversation_id)))


def test_an_admin_may_take_over_from_another_agent(services: Services, desk: AgentDesk) -> None:
    conv = Conversation.start(services, "shopper")
    alice = desk.auth.create_agent("alice", "password1")
    boss = desk.auth.create_agent("boss", "password1", is_admin=True)
    desk.take_over(conv.id, alice)
    desk.take_over(conv.id, boss)
    owner = desk.owner(conv.id)
    assert owner is not None and owner.name == "boss"
    desk.reply(conv.id, boss, "The manager here.")


def test_refusals_name_the_reason(services: Services, desk: AgentDesk) -> None:
    alice = desk.auth.create_agent("alice", "password1")
    for act in (desk.take_over, desk.resolve):
        with pytest.raises(AgentError, match="no such conversation"):
            act("nope", alice)
    with pytest.raises(AgentError, match="no such conversation"):
        desk.add_note("nope", alice, "x")
    conv = Conversation.start(services, "shopper")
    with pytest.raises(AgentError, match="take over the conversation first"):
        desk.hand_back(conv.id, alice)
    desk.take_over(conv.id, alice)
    with pytest.raises(AgentError, match="empty"):
        desk.reply(conv.id, alice, "  ")
    with pytest.raises(AgentError, match="under 4000"):
        desk.reply(conv.id, alice, "x" * 4001)


def test_the_shopper_writing_again_reopens_a_resolved_conversation(services: Services, desk: AgentDesk) -> None:
    conv = Conversation.start(services, "shopper")
    alice = desk.auth.create_agent("alice", "password1")
    list(conv.turn("running shoes"))
    desk.resolve(conv.id, alice)
    assert [i.conversation_id for i in desk.queue("resolved", alice)] == [conv.id]
    assert any(e.type == "products" for e in conv.turn("and watches?"))
    assert services.store.conversations.get(conv.id).status is ConversationStatus.PENDING  # type: ignore[union-attr]
    assert desk.queue("resolved", alice) == [] and [i.conversation_id for i in desk.queue("open", alice)] == [conv.id]


def test_asking_for_a_person_while_one_is_in_the_chat_queues_nothing(services: Services, desk: AgentDesk) -> None:
    conv = Conversation.start(services, "shopper")
    alice = desk.auth.create_agent("alice", "password1")
    desk.take_over(conv.id, alice)
    count = len(services.store.conversations.messages(conv.id))
    events = conv.act("handoff")
    assert [e.type for e in events] == ["text_delta"] and "already in this chat" in events[0].text  # type: ignore[attr-defined]
    assert services.store.handoffs.queued() == [] and len(services.store.conversations.messages(conv.id)) == count
    assert services.store.conversations.get(conv.id).status is ConversationStatus.AGENT  # type: ignore[union-attr]


def test_the_queue_is_one_query_however_long(services: Services, desk: AgentDesk) -> None:
    """The listing joins reasons, owners and last messages instead of asking once per conversation."""
    alice = desk.auth.create_agent("alice", "password1")
    for i in range(12):
        conv = Conversation.start(services, f"shopper{i}")
        services.store.conversations.add_message(conv.id, "user", f"hello {i}")
        conv.act("handoff", f"reason {i}")
        if i % 3 == 0:
            desk.take_over(conv.id, alice)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(services.store.engine, "before_cursor_execute", count)
    try:
        items = desk.queue("open", alice)
        mine = desk.queue("mine", alice)
    finally:
        event.remove(services.store.engine, "before_cursor_execute", count)
    assert len(statements) == 2 and len(items) == 12 and len(mine) == 4
    by_user = {i.user_id: i for i in items}
    assert by_user["shopper3"].owner == "alice" and by_user["shopper3"].reason == "reason 3"
    assert by_user["shopper4"].owner == "" and by_user["shopper4"].status is ConversationStatus.OPEN
    assert by_user["shopper4"].last_message.startswith("I've asked a person")
