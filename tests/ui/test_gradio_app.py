"""The Gradio app launched on 127.0.0.1 and driven through gradio_client (fake services)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assistant.llm.fake import FakeChatModel
from assistant.services import Assistant
from assistant.store_profile import demo_settings
from assistant.testing import demo_products, make_services

gr = pytest.importorskip("gradio")
gradio_client = pytest.importorskip("gradio_client")


@pytest.fixture(scope="module")
def launched() -> Iterator[tuple[Any, Any]]:
    from ui.gradio_app import build_app, launch

    services = make_services(demo_products(), model=FakeChatModel("A good pick for you."))
    app = build_app(Assistant(services), store=demo_settings().store)
    launch(app, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    try:
        yield app, services
    finally:
        app.close()


@pytest.fixture
def client(launched):
    app, _ = launched
    return gradio_client.Client(app.local_url, verbose=False)


def _text(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def test_api_lists_the_chat_endpoints(client):
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/chat", "/ask", "/card_action", "/handoff", "/switch_user", "/new_conversation"} <= names


def test_chat_streams_cards_then_a_growing_answer(client):
    job = client.submit("running shoes under 3000", "ravi", api_name="/chat")
    updates = list(job)
    assert len(updates) >= 3  # streamed: cleared input, scene, cards, text pieces, done
    cards_html = next(u[1] for u in updates if isinstance(u[1], str) and "sa-card" in u[1])
    assert 'data-action="add_to_cart"' in cards_html and "₹" in cards_html
    answers = [_text(u[0][-1]) for u in updates if u[0] and u[0][-1]["role"] == "assistant"]
    assert answers[-1].startswith("Here are") and "A good pick for you." in answers[-1]
    assert len(set(answers)) > 1  # the assistant message grew while streaming


def test_ask_and_card_action_update_the_cart(client, launched):
    _, services = launched
    result = client.predict("analog watch", "asha", "", api_name="/ask")
    kinds = [e["type"] for e in result["events"]]
    assert kinds[0] == "scene" and kinds[-1] == "done" and kinds.index("products") < kinds.index("text_delta")
    first_id = next(e for e in result["events"] if e["type"] == "products")["cards"][0]["id"]
    out = client.predict("add_to_cart", first_id, "asha", result["conversation_id"], api_name="/card_action")
    assert out["cart"]["lines"][0]["product_id"] == first_id
    assert services.store.carts.items("asha")[0] == (first_id, 1)
    bad = client.predict("add_to_cart", "nope", "asha", result["conversation_id"], api_name="/card_action")
    assert bad["events"][0]["type"] == "error"


def test_bad_input_is_a_message_not_a_stack_trace(client):
    final = client.predict("", "guest", api_name="/chat")
    assert "empty" in _text(final[0][-1])


def test_switching_user_restores_their_conversation_and_cart(client):
    client.predict("add_to_cart", "w2", "mei", "", api_name="/card_action")
    client.predict("你好", "mei", "", api_name="/ask")
    chat, _cards, _compare, cart, _status = client.predict("mei", api_name="/switch_user")  # State stays server-side
    assert [m["role"] for m in chat][-2:] == ["user", "assistant"] and "你好" in _text(chat[-2])
    assert "Titan Analog Watch" in cart


def test_talk_to_a_person_queues_a_ticket(client, launched):
    _, services = launched
    client.predict("guest", api_name="/switch_user")
    client.predict(api_name="/handoff")
    assert services.store.handoffs.queued()
