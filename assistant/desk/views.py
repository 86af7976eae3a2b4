"""What the agent console shows about a conversation, and the reply it drafts for the agent.

Both only read: a draft runs the assistant's skill on a copy of the dialogue state,
so nothing is stored or sent until the agent edits the text and replies. Private
notes are not part of `ConversationView`; the console adds them for agents only.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

from assistant.conversation.events import ProductCard, ProductsEvent, TextDeltaEvent
from assistant.conversation.skills import SKILLS, Services, TurnContext
from assistant.desk.auth import AgentError
from assistant.storage.conversations import StoredConversation, StoredMessage
from assistant.storage.status import ConversationStatus
from ranking.events import Event as ProfileEvent
from ranking.profile import UserProfile
from scene.state import DialogueState

DRAFT_SCENES = ("search", "recommend", "product_qa", "compare", "promotion", "chitchat")  # read-only scenes
SHOWN_PRODUCTS = 20
RECENT = 50  # scene decisions and actions
RECENT_PROFILE_EVENTS = 20


@dataclass(frozen=True)
class ProductView:
    id: str
    title: str
    price: float
    currency: str
    in_stock: bool
    price_text: str  # in the store's money format


@dataclass(frozen=True)
class TurnDecision:
    """What the bot decided in one turn (from the `turn` entries of the event log)."""

    scene: str
    confidence: float
    shown: tuple[str, ...]
    language: str

    @classmethod
    def of(cls, logged: dict[str, object]) -> TurnDecision:
        confidence, shown = logged.get("confidence"), logged.get("shown")
        return cls(str(logged.get("scene", "")), float(confidence) if isinstance(confidence, int | float) else 0.0,
                   tuple(str(p) for p in shown) if isinstance(shown, list) else (), str(logged.get("language", "")))


@dataclass(frozen=True)
class ConversationView:
    id: str
    user_id: str
    status: ConversationStatus
    language: str
    messages: tuple[StoredMessage, ...]
    profile: UserProfile | None  # without its interest vector (numbers nobody can read); None: no profiles
    recent_events: tuple[ProfileEvent, ...]
    products_shown: tuple[ProductView, ...]
    scene_decisions: tuple[TurnDecision, ...]
    actions: tuple[dict[str, object], ...]  # card and agent actions as logged
    profile_error: str = ""  # why the profile is missing although there are profiles


@dataclass(frozen=True)
class Draft:
    """A suggested reply; `note` says why there is none."""

    text: str
    products: tuple[ProductCard, ...]
    scene: str
    note: str = ""


def _stored(services: Services, conversation_id: str) -> StoredConversation:
    stored = services.store.conversations.get(conversation_id)
    if stored is None:
        raise AgentError("no such conversation")
    return stored


def suggest_reply(services: Services, conversation_id: str) -> Draft:
    """A grounded draft for the agent: the assistant's answer to the shopper's last message, computed on a copy
    of the dialogue state so nothing is stored or sent. Only read-only scenes are drafted (never cart changes,
    order actions or handoffs)."""
    stored = _stored(services, conversation_id)
    last = next((m for m in reversed(services.store.conversations.messages(conversation_id)) if m.role == "user"),
                None)
    if last is None:
        return Draft("Hi! How can I help you today?", (), "")
    try:
        state = DialogueState.model_validate(stored.state.get("dialogue") or {})
    except ValueError:
        state = DialogueState()
    result = services.detector.detect(last.content, state)
    scene = str(result.scene)
    if scene not in DRAFT_SCENES or scene not in SKILLS:
        return Draft("", (), scene, f"no draft for the '{scene}' scene: answer it yourself")
    memory = copy.deepcopy(dict(stored.state.get("memory") or {}))
    ctx = TurnContext(message=last.content, result=result, state=state, memory=memory, user_id=stored.user_id,
                      conversation_id=conversation_id, language=stored.language)
    parts: list[str] = []
    cards: tuple[ProductCard, ...] = ()
    for event in SKILLS[scene](ctx, services):
        if isinstance(event, TextDeltaEvent):
            parts.append(event.text)
        elif isinstance(event, ProductsEvent):
            cards = event.cards
    return Draft("".join(parts).strip(), cards, scene)


def shopper_view(services: Services, conversation_id: str) -> ConversationView:
    """Everything the console shows about one conversation except notes: transcript, profile, recent events,
    products shown and the bot's scene decisions."""
    stored = _stored(services, conversation_id)
    log = services.store.events.read(conversation_id)
    decisions = tuple(TurnDecision.of(p) for t, p in log if t == "turn")[-RECENT:]
    shown = list(dict.fromkeys(pid for d in decisions for pid in d.shown))[-SHOWN_PRODUCTS:]
    money = services.config.money
    products = tuple(ProductView(p.id, p.title, p.price, p.currency, p.in_stock, money(p.price, p.currency or None))
                     for pid in shown if (p := services.product(pid)) is not None)
    profile, recent, problem = _profile(services, stored.user_id)
    return ConversationView(
        stored.id, stored.user_id, stored.status, stored.language,
        tuple(services.store.conversations.messages(conversation_id)), profile, recent, products, decisions,
        tuple(p for t, p in log if t in ("action", "agent"))[-RECENT:], problem)


def _profile(services: Services, user_id: str) -> tuple[UserProfile | None, tuple[ProfileEvent, ...], str]:
    if services.profiles is None:
        return None, (), ""
    try:
        profile = replace(services.profiles.get(user_id), interest=None)
        return profile, tuple(services.profiles.events(user_id, limit=RECENT_PROFILE_EVENTS)), ""
    except Exception as exc:  # a profile problem must not hide the transcript
        return None, (), f"profile unavailable: {type(exc).__name__}"
