"""The Gradio 6 chat UI: streaming chat, product cards, comparison table, cart, demo users, a person.

Every front end renders the same `Conversation.turn` event stream; this one maps
`products` to card HTML, `comparison` to a table, `cart` to the cart panel and
`text_delta` to the growing assistant message (messages format,
`{"role", "content"}`). Card buttons live inside a `gr.HTML` whose `js_on_load`
turns a click into a `click` event carrying `{action, pid}`; the same actions are
also an API endpoint (`/card_action`) for clients and tests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.conversation.events import Event
from assistant.conversation.skills import Services
from assistant.conversation.turn import Conversation
from assistant.services import Assistant
from assistant.settings import StoreSettings
from assistant.storage.errors import StorageError
from ui.render import cards_html, cart_html, comparison_html

log = logging.getLogger(__name__)

CSS_PATH = Path(__file__).resolve().parent / "static" / "cards.css"

# Card buttons become `click` events; a product picture that fails to load (error events do not bubble, so
# the listener captures) is marked, and the stylesheet shows its placeholder instead of a broken image.
CARD_JS = """
element.addEventListener('click', (e) => {
  const b = e.target.closest('[data-action]');
  if (!b || b.disabled) return;
  trigger('click', {action: b.dataset.action, pid: b.dataset.pid});
});
element.addEventListener('error', (e) => {
  const box = e.target && e.target.tagName === 'IMG' ? e.target.closest('.sa-img') : null;
  if (box) box.classList.add('sa-img-failed');
}, true);
"""


def seed_demo_profiles(services: Services, tastes: dict[str, list[str]]) -> None:
    """Give the store's test shoppers a taste (a few likes) the first time the app runs, so personalization
    shows (`[store] chat_tastes` in the profile: the demo store's Asha likes jewellery)."""
    if services.profiles is None:
        return
    for user, cats in tastes.items():
        try:
            if not services.profiles.get(user).is_cold:
                continue
            for cat in cats:
                picks = [p for p in services.catalog if p.category.lower() == cat and p.in_stock]
                picks.sort(key=lambda p: (-(p.rating or 0), p.id))
                for p in picks[:3]:
                    services.profiles.record_event(user, "like", p.id)
        except Exception as exc:
            log.warning("could not seed the demo profile of %s: %s", user, exc)


def _last_payload(conv: Conversation, key: str) -> dict[str, Any] | None:
    for m in reversed(conv.history()):
        if m.role == "assistant" and key in m.payload:
            value = m.payload[key]
            return value if isinstance(value, dict) else None
    return None


def _status(text: str) -> str:
    return f'<div id="sa-status">{text}</div>'


def build_app(assistant: Assistant, title: str | None = None, store: StoreSettings | None = None) -> gr.Blocks:
    """The chat for `assistant`; `store` (the profile's `[store]`) gives the example prompts and the test
    shoppers of the shopper picker."""
    services = assistant.services
    store = store or StoreSettings()
    seed_demo_profiles(services, store.chat_tastes)
    store_name = title or services.config.store_name
    money = services.config.money
    shoppers = store.chat_shoppers or {"guest": "Guest"}
    first_user = next(iter(shoppers))

    def load_user(user: str) -> tuple[list[dict[str, str]], str, str, str, str, str]:
        conv = assistant.conversation(user or first_user)
        return (conv.chat_messages(), cards_html(_last_payload(conv, "products"), money),
                comparison_html(_last_payload(conv, "comparison")), cart_html(conv.cart().to_dict(), money), conv.id,
                _status(f"Shopping as <b>{user}</b>. Your conversation and cart are saved."))

    def new_conversation(user: str) -> tuple[list[dict[str, str]], str, str, str, str, str]:
        conv = assistant.new_conversation(user or first_user)
        return ([], cards_html(None), "", cart_html(conv.cart().to_dict(), money), conv.id,
                _status("New conversation started."))

    def respond(message: str, user: str, conv_id: str) -> Iterator[tuple[Any, ...]]:
        try:
            conv = assistant.conversation(user or first_user, conv_id or None)
        except StorageError as exc:  # a new conversation could not be written: say so, lose nothing
            raise gr.Error(exc.message) from exc
        chat: list[dict[str, str]] = conv.chat_messages()  # the stored conversation is the source of truth
        chat.append({"role": "user", "content": message if isinstance(message, str) else "(binary data)"})
        chat.append({"role": "assistant", "content": ""})
        text = ""
        cards: Any = gr.skip()
        table: Any = gr.skip()
        cart: Any = gr.skip()
        status: Any = gr.skip()
        yield chat, cards, table, cart, "", conv.id, status
        for event in conv.turn(message):
            d = event.to_dict()
            kind = d["type"]
            if kind == "products":
                cards = cards_html(d, money)
            elif kind == "comparison":
                table = comparison_html(d)
            elif kind == "cart":
                cart = cart_html(d, money)
            elif kind == "text_delta":
                text += d["text"]
                chat[-1] = {"role": "assistant", "content": text}
            elif kind == "handoff":
                status = _status(f"Ticket #{d['ticket_id']}: a person will join (number {d['queue_position']} "
                                 "in the queue).")
            elif kind == "error":
                text += ("\n\n" if text else "") + "⚠️ " + d["message"]
                chat[-1] = {"role": "assistant", "content": text}
            elif kind == "scene":
                status = _status(f"scene: {d['scene']}")
            yield chat, cards, table, cart, gr.skip(), conv.id, status
            cards = table = cart = status = gr.skip()

    def on_card(user: str, conv_id: str, evt: gr.EventData) -> tuple[Any, Any, Any]:
        data = getattr(evt, "_data", None) or {}
        action, pid = str(data.get("action", "")), str(data.get("pid", ""))
        if not action:
            return gr.skip(), gr.skip(), gr.skip()
        try:
            conv = assistant.conversation(user or first_user, conv_id or None)
            return _action_outputs(conv, conv.act(action, pid))
        except StorageError as exc:
            return gr.skip(), _status("⚠️ " + exc.message), gr.skip()

    def _action_outputs(conv: Conversation, events: list[Event]) -> tuple[Any, Any, Any]:
        cart: Any = gr.skip()
        notes = []
        chat: Any = gr.skip()
        for e in events:
            d = e.to_dict()
            if d["type"] == "cart":
                cart = cart_html(d, money)
            elif d["type"] in ("text_delta",):
                notes.append(d["text"])
            elif d["type"] == "error":
                notes.append("⚠️ " + d["message"])
            elif d["type"] == "handoff":
                chat = conv.chat_messages()  # the handoff message was stored with the conversation
        text = " ".join(n for n in notes if n)
        return cart, _status(text) if text else gr.skip(), chat

    def talk_to_person(user: str, conv_id: str) -> tuple[Any, Any, Any]:
        try:
            conv = assistant.conversation(user or first_user, conv_id or None)
            return _action_outputs(conv, conv.act("handoff"))
        except StorageError as exc:
            return gr.skip(), _status("⚠️ " + exc.message), gr.skip()

    def ask(message: str, user: str = "", conversation_id: str = "") -> dict[str, Any]:
        """One whole turn as JSON events (for API clients that do not stream)."""
        conv = assistant.conversation(user or first_user, conversation_id or None)
        events = [e.to_dict() for e in conv.turn(message)]
        return {"conversation_id": conv.id, "events": events}

    def card_action(action: str, product_id: str, user: str = "", conversation_id: str = "") -> dict[str, Any]:
        """A card button press (add_to_cart, remove, like, dislike, wishlist, handoff) as JSON events."""
        conv = assistant.conversation(user or first_user, conversation_id or None)
        return {"conversation_id": conv.id, "events": [e.to_dict() for e in conv.act(action, product_id)],
                "cart": conv.cart().to_dict()}

    with gr.Blocks(title=store_name, fill_width=True) as app:
        conv_state = gr.State("")
        gr.Markdown(f"## 🛍️ {store_name} — shopping assistant")
        with gr.Row():
            user = gr.Dropdown(choices=[(label, uid) for uid, label in shoppers.items()], value=first_user,
                               label="Shopper", scale=2, elem_id="sa-user")
            new_btn = gr.Button("New conversation", scale=1, elem_id="sa-new")
            person_btn = gr.Button("🙋 Talk to a person", variant="stop", scale=1, elem_id="sa-handoff",
                                   elem_classes=["sa-handoff-btn"])
        status = gr.HTML(_status(""), elem_id="sa-status-box", js_on_load=None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=520, elem_id="sa-chat",
                                     buttons=["copy"], render_markdown=True)
                with gr.Row():
                    box = gr.Textbox(placeholder="Ask for a product, compare, ask about an order…", show_label=False,
                                     scale=5, elem_id="sa-input", max_lines=4)
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="sa-send")
                if store.chat_examples:
                    gr.Examples(list(store.chat_examples), inputs=box, label="Try")
            with gr.Column(scale=2):
                gr.Markdown("### Products")
                cards = gr.HTML(cards_html(None), elem_id="sa-cards", js_on_load=CARD_JS)
                compare = gr.HTML("", elem_id="sa-compare", js_on_load=None)
                gr.Markdown("### Your cart")
                cart = gr.HTML(cart_html(None), elem_id="sa-cart", js_on_load=CARD_JS)

        turn_outputs = [chatbot, cards, compare, cart, box, conv_state, status]
        load_outputs = [chatbot, cards, compare, cart, conv_state, status]
        box.submit(respond, [box, user, conv_state], turn_outputs, api_name="chat")
        send.click(respond, [box, user, conv_state], turn_outputs, api_visibility="private")
        cards.click(on_card, [user, conv_state], [cart, status, chatbot], api_visibility="private")
        cart.click(on_card, [user, conv_state], [cart, status, chatbot], api_visibility="private")
        person_btn.click(talk_to_person, [user, conv_state], [cart, status, chatbot], api_name="handoff")
        user.change(load_user, [user], load_outputs, api_name="switch_user")
        new_btn.click(new_conversation, [user], load_outputs, api_name="new_conversation")
        app.load(load_user, [user], load_outputs, api_visibility="private")
        gr.api(ask, api_name="ask")
        gr.api(card_action, api_name="card_action")
    app.queue(default_concurrency_limit=4)
    return app


def launch(app: gr.Blocks, host: str, port: int | None, **kwargs: Any) -> Any:
    """Start the app with the card stylesheet (Gradio 6 takes `css` in `launch`)."""
    return app.launch(server_name=host, server_port=port, css=CSS_PATH.read_text(encoding="utf-8"),
                      show_error=False, **kwargs)
