"""One shopper's conversation: `turn(message)` streams typed events; everything persists.

    services = build_services(settings)                 # once per process (assistant.services)
    conv = Conversation.resume(services, user_id="asha")  # the latest conversation, or a new one
    for event in conv.turn("waterproof hiking shoes under 3000"):
        render(event)                                    # scene, products, text_delta..., done

Order of a turn: validate the message, store it, detect the scene in the context
of the dialogue state, run that scene's skill (cards and tables first, then the
grounded text), store the answer (marked incomplete until the turn finishes, so a
crash mid-stream leaves an honest partial answer), update the dialogue state and
the shopper's profile (every shown product is a `view` event), then `done`.
Errors become `error` events; nothing raises into the front end.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import weakref
from collections.abc import Generator, Iterator
from typing import Any

from assistant.conversation.events import (
    CartEvent,
    DoneEvent,
    ErrorEvent,
    Event,
    ProductsEvent,
    SceneEvent,
    TextDeltaEvent,
)
from assistant.conversation.routing import referring_scene
from assistant.conversation.skills import SKILLS, Services, TurnContext, detect_language
from assistant.conversation.skills import cart as cart_skill
from assistant.conversation.skills.base import cart_event, record_profile_event, record_profile_events
from assistant.conversation.skills.handoff import open_ticket
from assistant.desk.handoff_rules import auto_handoff_reason
from assistant.experiments.assign import treatment_for
from assistant.insights.record import record_action, record_turn
from assistant.privacy import mask_cards
from assistant.storage.conversations import StoredMessage
from assistant.storage.errors import StorageError
from assistant.storage.status import ConversationStatus, IllegalTransition, Move
from scene.detector import SceneResult
from scene.slots import SceneSlots
from scene.state import DialogueState

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
SAVE_EVERY_S = 0.5  # how often a streaming answer is written to disk
ACTIONS = ("add_to_cart", "remove", "like", "dislike", "wishlist", "click", "handoff")

_COUPON_WORDS = re.compile(r"\b(coupons?|promo\s?codes?|vouchers?|discount\s+codes?)\b|优惠券|折扣码", re.I)

class _TurnLock:
    """A lock that can be weakly referenced (a bare `threading.Lock` cannot)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def acquire(self, blocking: bool = True) -> bool:
        return self._lock.acquire(blocking)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


# Weak values: an entry lives while some `Conversation` of that id does, so a long-running server
# does not keep one lock per conversation it ever served.
_locks: weakref.WeakValueDictionary[str, _TurnLock] = weakref.WeakValueDictionary()
_locks_guard = threading.Lock()


def _lock_for(conversation_id: str) -> _TurnLock:
    """One lock per conversation id, shared by every `Conversation` object of that id in this process."""
    with _locks_guard:
        lock = _locks.get(conversation_id)
        if lock is None:
            lock = _locks[conversation_id] = _TurnLock()
        return lock


def check_message(message: object) -> tuple[str, ErrorEvent | None]:
    """(cleaned text, None) or ("", the error to show)."""
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            return "", ErrorEvent(code="binary", message="That looks like a file or binary data, not a message. "
                                                            "Please type your question as text.")
    if not isinstance(message, str):
        return "", ErrorEvent(code="binary", message="Please send your message as text.")
    if "\x00" in message or (message and sum(1 for ch in message if not ch.isprintable() and ch not in "\n\t\r")
                             > max(3, len(message) // 10)) or message.count("\ufffd") > max(3, len(message) // 10):
        return "", ErrorEvent(code="binary", message="That looks like a file or binary data, not a message. "
                                                        "Please type your question as text.")
    text = " ".join(message.split())
    if not text:
        return "", ErrorEvent(code="empty", message="Your message is empty. Type what you're looking for, "
                                                       "e.g. \u201crunning shoes for my sister\u201d.")
    if len(text) > MAX_MESSAGE_CHARS:
        return "", ErrorEvent(code="too_long", message=f"Your message is {len(text):,} characters long; please "
                                                          f"keep it under {MAX_MESSAGE_CHARS:,} and ask one "
                                                          "thing at a time.")
    return text, None


class Conversation:
    """A persisted conversation. Cheap to create: all models live in the shared `Services`."""

    def __init__(self, services: Services, conversation_id: str | None = None, user_id: str = "guest") -> None:
        self.services = services
        store = services.store
        stored = store.conversations.get(conversation_id) if conversation_id else None
        if stored is None:
            stored = store.conversations.create(user_id)
        self.id = stored.id
        self.user_id = stored.user_id
        self.language = stored.language
        self.status = stored.status
        try:
            self.state = DialogueState.model_validate(stored.state.get("dialogue") or {})
        except ValueError:
            self.state = DialogueState()
        self.memory: dict[str, Any] = dict(stored.state.get("memory") or {})
        self._lock = _lock_for(self.id)

    @classmethod
    def resume(cls, services: Services, user_id: str) -> Conversation:
        """The shopper's most recent conversation (after a restart too), or a new one."""
        latest = services.store.conversations.latest(user_id)
        return cls(services, latest.id if latest else None, user_id)

    @classmethod
    def start(cls, services: Services, user_id: str) -> Conversation:
        return cls(services, None, user_id)

    # ------------------------------------------------------------------ reading

    def history(self) -> list[StoredMessage]:
        return self.services.store.conversations.messages(self.id)

    def chat_messages(self) -> list[dict[str, str]]:
        """OpenAI/Gradio-style `{"role", "content"}` messages; an interrupted answer says so."""
        out = []
        for m in self.history():
            content = m.content
            if m.role == "assistant" and not m.complete:
                content = (content + "\n\n" if content else "") + "_(This answer was interrupted. Ask again.)_"
            if m.role == "agent":  # a person's reply (assistant.desk) reads as the store's side
                out.append({"role": "assistant", "content": content})
                continue
            out.append({"role": m.role, "content": content})
        return out

    def cart(self) -> CartEvent:
        return cart_event(self._context("", _empty_result("")), self.services)

    # ------------------------------------------------------------------ a turn

    def turn(self, message: object) -> Generator[Event, None, None]:
        """Stream the events of one turn: scene, cards/tables, text_delta..., done (or error, done)."""
        started = time.perf_counter()
        if not self._lock.acquire(blocking=False):
            yield ErrorEvent(code="busy", message="I'm still answering your previous message; "
                                                  "send this one again when I'm done.")
            yield DoneEvent(conversation_id=self.id, elapsed_ms=_ms(started))
            return
        shown = False
        try:
            for event in self._turn(message, started):
                shown = shown or isinstance(event, TextDeltaEvent)
                yield event
        except StorageError as exc:
            # The database refused (locked, full, damaged): one clear sentence for the shopper in every
            # front end, the operator's reason in the log. Nothing the shopper saw was acknowledged as saved.
            log.warning("storage %s in conversation %s: %s", exc.kind, self.id, exc.reason)
            yield ErrorEvent(code=f"storage_{exc.kind}", message=exc.unfinished if shown else exc.message)
            yield DoneEvent(conversation_id=self.id, elapsed_ms=_ms(started))
        finally:
            self._lock.release()

    def _turn(self, message: object, started: float) -> Iterator[Event]:
        text, problem = check_message(message)
        if problem is not None:
            yield problem
            yield DoneEvent(conversation_id=self.id, elapsed_ms=_ms(started))
            return
        services = self.services
        text = mask_cards(text)  # never store a full card number (PCI DSS); the skills see the masked text too
        language = services.config.answer_language(detect_language(text))  # one the store speaks
        services.store.conversations.add_message(self.id, "user", text)
        status = services.store.conversations.move(self.id, Move.SHOPPER_WRITES)  # a resolved one reopens
        self.status = status or self.status
        if status is ConversationStatus.AGENT:
            # A person owns the conversation (assistant.desk): the bot stays silent; the agent sees the message.
            yield DoneEvent(conversation_id=self.id, elapsed_ms=_ms(started))
            return
        try:
            result = services.detector.detect(text, self.state)
        except Exception as exc:  # the detector must not take the conversation down
            log.exception("scene detection failed")
            result = _empty_result(text, "search")
            result.reason = f"error:{type(exc).__name__}"
        scene = self._route(result, text)
        yield SceneEvent(scene=scene, confidence=round(result.confidence, 4), sub_intent=result.sub_intent,
                         language=language, reason=result.reason)
        ctx = self._context(text, result, language)
        ctx.trace.treatment = treatment_for(services.config.experiments, services.store.insights, self.user_id)
        answer_id = services.store.conversations.add_message(self.id, "assistant", "", scene=scene, complete=False)
        parts: list[str] = []
        payload: dict[str, Any] = {}
        last_save = time.perf_counter()
        complete = False
        try:
            for event in SKILLS[scene](ctx, services):
                if isinstance(event, TextDeltaEvent):
                    if not event.text:
                        continue
                    parts.append(event.text)
                    if time.perf_counter() - last_save > SAVE_EVERY_S:
                        services.store.conversations.update_message(answer_id, "".join(parts))
                        last_save = time.perf_counter()
                else:
                    payload[event.type] = event.to_dict()
                    if isinstance(event, ProductsEvent) and ctx.trace.first_card_ms is None:
                        ctx.trace.first_card_ms = _ms(started)
                yield event
            complete = True
        except StorageError:
            raise  # not the skill's fault: `turn` tells the shopper what was not saved
        except Exception:
            log.exception("skill %s failed", scene)
            error = ErrorEvent(code="internal", message=ctx.t(
                "Sorry, something went wrong on my side while answering. Please try again, or press "
                "\u201cTalk to a person\u201d.", "抱歉，我这边出了点问题。请再试一次，或点击“转人工”。"))
            payload["error"] = error.to_dict()
            parts.append(("\n\n" if parts else "") + error.message)
            yield error
            complete = True
        finally:
            # Runs on normal completion, on errors and when the consumer stops early (GeneratorExit).
            services.store.conversations.update_message(answer_id, "".join(parts).strip(), payload=payload,
                                                        complete=complete)
        self._after_turn(ctx, result, scene, text, started)
        yield from self._auto_handoff(ctx, scene, text, "error" in payload, self.status)
        yield DoneEvent(conversation_id=self.id, message_id=answer_id, elapsed_ms=_ms(started),
                        generation=ctx.generation_summary())

    def _auto_handoff(self, ctx: TurnContext, scene: str, text: str, failed: bool,
                      status: ConversationStatus) -> Iterator[Event]:
        """Queue the conversation for a person on negative sentiment, repeated failures or a scene the store
        routes to people (`config.handoff_scenes`: the store's and its sites'); explicit requests are the
        handoff skill's job."""
        # a failure is an error or a shopping question left without an answer; declining an off-topic request
        # is the assistant doing its job, and two of them in a row are no reason to call a person
        stuck = failed or (scene != "out_of_scope" and bool(ctx.trace.unanswered))
        failures = int(self.memory.get("failures", 0)) + 1 if stuck else 0
        self.memory["failures"] = failures
        if scene == "handoff" or status is ConversationStatus.OPEN:
            self.save()
            return
        reason = auto_handoff_reason(scene, text, failures, self.services.config.handoff_scenes)
        if reason:
            self.memory["failures"] = 0
            try:
                events = list(open_ticket(ctx, self.services, reason, automatic=True))
            except IllegalTransition:  # an agent took the conversation during this turn: nothing to queue
                events = []
            if events:
                reply = "".join(e.text for e in events if isinstance(e, TextDeltaEvent))
                self.services.store.conversations.add_message(self.id, "assistant", reply, scene="handoff",
                                                              payload={"handoff": events[0].to_dict()})
            yield from events
        self.save()

    def _route(self, result: SceneResult, text: str) -> str:
        """The skill to run: the detected scene, except that the answer to a clarifying question is a
        search, and a question about coupons that only mentions the cart ("any coupons for my cart?",
        which the scene model calls `cart`) goes to the promotion engine. Words about products in view decide
        over the scene model (assistant.conversation.routing.referring_scene): a cart change goes to the cart,
        a question about one of them to product_qa."""
        scene = str(result.scene)
        pending = self.memory.pop(cart_skill.PENDING, None)
        referred = None
        if not result.slots.prompt_injection and (self.state.last_shown or self.state.focus):
            referred = referring_scene(text, scene, self.state.last_scene, pending is not None)
        if pending is not None and (referred or scene) == "cart":
            self.memory[cart_skill.PENDING] = pending  # the answer to "Which one?"
        if referred:
            return referred
        if self.memory.get("clarify_for") and scene in ("search", "recommend", "chitchat", "out_of_scope"):
            return "search"
        if scene == "cart" and _COUPON_WORDS.search(text) and cart_skill.parse_action(text) == "view":
            return "promotion"
        if scene not in SKILLS:
            return "out_of_scope"
        return scene

    def _context(self, text: str, result: SceneResult, language: str | None = None) -> TurnContext:
        return TurnContext(message=text, result=result, state=self.state, memory=self.memory, user_id=self.user_id,
                           conversation_id=self.id, language=language or self.language)

    def _after_turn(self, ctx: TurnContext, result: SceneResult, scene: str, text: str,
                    started: float | None = None) -> None:
        services = self.services
        shown = ctx.shown
        if scene != result.scene:
            result = result.model_copy(update={"scene": scene})
        # A new list resets the referents; otherwise what a skill decided (focus, comparison, cart view) stays.
        self.state.record(result, shown_ids=[p.id for p in shown], shown_prices=[p.price for p in shown], text=text)
        if ctx.need_update is not None:
            self.state.apply_need(ctx.need_update, [p.id for p in shown], [p.price for p in shown])
        self.language = ctx.language
        self.save()
        record_profile_events(services, self.user_id, "view", [p.id for p in shown])
        services.store.events.log(self.id, "turn", {"scene": scene, "confidence": result.confidence,
                                                    "shown": [p.id for p in shown], "language": ctx.language,
                                                    "need": self.state.need.summary() if self.state.need else ""})
        record_turn(services.store, conversation_id=self.id, user_id=self.user_id, scene=scene, language=ctx.language,
                    text=text, shown=shown, trace=ctx.trace, generation=ctx.generation_summary(),
                    elapsed_ms=_ms(started) if started is not None else 0.0)

    def save(self) -> None:
        self.services.store.conversations.save_state(
            self.id, {"dialogue": self.state.model_dump(), "memory": self.memory}, language=self.language
        )

    # ------------------------------------------------------------------ card buttons

    def act(self, action: str, product_id: str = "", quantity: int = 1) -> list[Event]:
        """A click on a card or panel button: add_to_cart | remove | like | dislike | wishlist | click | handoff.

        Returns the events to render (cart changes, a short confirmation); bad input gives an error event.
        """
        services = self.services
        ctx = self._context("", _empty_result(""))
        if action not in ACTIONS:
            return [ErrorEvent(code="bad_action", message=f"Unknown action {action!r}.")]
        if action == "handoff":
            reason = product_id or "shopper pressed \u201cTalk to a person\u201d"
            with self._lock:
                try:
                    events = list(open_ticket(ctx, services, reason))
                except IllegalTransition:  # a person is already in the chat: nothing to queue, nothing stored
                    return [TextDeltaEvent(text=ctx.t("A person from our team is already in this chat.",
                                                      "人工客服已经在对话中了。"))]
                text = "".join(e.text for e in events if isinstance(e, TextDeltaEvent))
                services.store.conversations.add_message(self.id, "assistant", text, scene="handoff",
                                                         payload={"handoff": events[0].to_dict()})
                self.save()
            return events
        product = services.product(str(product_id)) if product_id else None
        if product is None:
            return [ErrorEvent(code="unknown_product",
                               message="I can't find that product in the catalog any more. Search again to see "
                                       "what's available.")]
        services.store.events.log(self.id, "action", {"action": action, "product_id": product.id,
                                                      "quantity": quantity})
        self._focus_on(product.id)
        record_action(services.store, self.id, self.user_id, product.id, action)
        if action == "add_to_cart":
            res = cart_skill.add(services, self.user_id, product, quantity, self.language)
            return [cart_event(ctx, services, "add"), TextDeltaEvent(text=res.message)]
        if action == "remove":
            res = cart_skill.remove(services, self.user_id, product, self.language)
            return [cart_event(ctx, services, "remove"), TextDeltaEvent(text=res.message)]
        if action == "wishlist":
            res = cart_skill.wishlist(services, self.user_id, product, self.language)
            return [cart_event(ctx, services, "wishlist"), TextDeltaEvent(text=res.message)]
        record_profile_event(services, self.user_id, action, product.id)
        note = {"like": "Thanks! I'll show you more like this.",
                "dislike": "Got it, I'll show you fewer like this.", "click": ""}[action]
        return [TextDeltaEvent(text=note)] if note else []

    def _focus_on(self, product_id: str) -> None:
        """A button on a card makes that product the focus ("make it 2" after "Add to cart"); skipped while
        a turn is running (the turn saves its own state)."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            self.state.refs.focus_on([product_id])
            self.state.refs.end_turn()
            self.save()
        finally:
            self._lock.release()


def _empty_result(text: str, scene: str = "chitchat") -> SceneResult:
    return SceneResult(text=text, scene=scene, confidence=0.0, slots=SceneSlots())  # type: ignore[arg-type]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 2)
