"""When a conversation goes to a person unasked: negative sentiment, repeated failures, store-routed scenes."""

from __future__ import annotations

from dataclasses import replace

from assistant.conversation.skills import Services
from assistant.conversation.turn import Conversation
from assistant.desk.handoff_rules import auto_handoff_reason


def test_automatic_triggers() -> None:
    assert "negative" in auto_handoff_reason("search", "this is useless", 0)
    assert "negative" in auto_handoff_reason("search", "太差了", 0)
    assert "failed 2" in auto_handoff_reason("search", "unicorn saddles", 2)
    assert "complaint" in auto_handoff_reason("complaint", "hi", 0, ("complaint",))
    assert auto_handoff_reason("search", "running shoes", 0) == ""
    assert auto_handoff_reason("search", "running shoes", 1) == ""


def test_negative_sentiment_and_configured_scenes_queue_the_conversation(services: Services) -> None:
    conv = Conversation.start(services, "angry")
    events = list(conv.turn("running shoes, your search is useless"))
    assert any(e.type == "handoff" and "negative" in e.reason for e in events)  # type: ignore[attr-defined]
    services.config = replace(services.config, handoff_scenes=("support",))
    conv2 = Conversation.start(services, "calm")
    assert any(e.type == "handoff" for e in conv2.turn("where is my order"))
    conv3 = Conversation.start(services, "playful")  # declining off-topic requests is no reason to call a person
    list(conv3.turn("what is the weather"))
    assert not any(e.type == "handoff" for e in conv3.turn("tell me a joke about football"))
