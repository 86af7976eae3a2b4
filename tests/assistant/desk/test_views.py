"""What the console shows about a conversation, and the draft reply it suggests (never stored or sent)."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest

from assistant.conversation.skills import Services
from assistant.conversation.turn import Conversation
from assistant.desk.auth import AgentError
from assistant.desk.views import shopper_view, suggest_reply
from assistant.storage.status import ConversationStatus


def test_suggested_reply_is_grounded_and_not_sent(services: Services) -> None:
    conv = Conversation.start(services, "shopper")
    list(conv.turn("talk to a person"))
    services.store.conversations.add_message(conv.id, "user", "running shoes under 2500")
    count = len(services.store.conversations.messages(conv.id))
    draft = suggest_reply(services, conv.id)
    assert draft.scene == "search" and draft.products and draft.text and draft.note == ""
    assert all(c.price <= 2500 for c in draft.products)
    assert len(services.store.conversations.messages(conv.id)) == count  # nothing sent or stored


def test_no_draft_for_scenes_that_change_things(services: Services) -> None:
    conv = Conversation.start(services, "shopper")
    assert suggest_reply(services, conv.id).text.startswith("Hi!")  # nothing to answer yet
    services.store.conversations.add_message(conv.id, "user", "add the first one to my cart")
    draft = suggest_reply(services, conv.id)
    assert draft.text == "" and draft.scene == "cart" and "answer it yourself" in draft.note
    with pytest.raises(AgentError, match="no such conversation"):
        suggest_reply(services, "nope")


def test_the_view_has_transcript_profile_products_and_decisions(services: Services) -> None:
    assert services.profiles is not None
    services.profiles.embed = lambda product: np.ones(8, dtype=np.float32)  # profiles get an interest vector
    conv = Conversation.start(services, "asha")
    list(conv.turn("running shoes"))
    conv.act("like", "s1")
    view = shopper_view(services, conv.id)
    assert view.status is ConversationStatus.PENDING and view.user_id == "asha"
    assert [m.role for m in view.messages] == ["user", "assistant"]
    assert view.scene_decisions[0].scene == "search" and view.products_shown
    assert {p.id for p in view.products_shown} == set(view.scene_decisions[0].shown)
    assert view.profile is not None and view.profile.n_events > 0 and view.profile_error == ""
    assert view.recent_events and view.actions[0]["action"] == "like"
    plain = json.loads(json.dumps(asdict(view)))  # what the console route sends
    assert plain["profile"]["interest"] is None and plain["status"] == "pending"
    assert services.profiles.get("asha").interest is not None
    with pytest.raises(AgentError, match="no such conversation"):
        shopper_view(services, "nope")


def test_a_broken_profile_store_does_not_hide_the_transcript(services: Services) -> None:
    conv = Conversation.start(services, "asha")
    list(conv.turn("running shoes"))

    class Broken:
        def get(self, user_id: str) -> None:
            raise RuntimeError("boom")

    services.profiles = Broken()  # type: ignore[assignment]
    view = shopper_view(services, conv.id)
    assert view.messages and view.profile is None and "RuntimeError" in view.profile_error
