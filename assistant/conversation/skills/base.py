"""What every skill gets: the app's services (loaded once) and this turn's context.

A skill is a function `run(ctx, services) -> Iterator[Event]` that yields cards
and other structured events before any text, and records the products it showed
in `ctx.shown` so the conversation can update the dialogue state and the
shopper's profile. Skills never raise for bad input: they tell the shopper.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from assistant.config import AssistantConfig
from assistant.conversation.events import CartEvent, CartLineView, Event, GenerationSummary, TextDeltaEvent
from assistant.conversation.grounding import GuardReport
from assistant.llm.base import ChatModel
from assistant.storage.store import StateStore
from retrieval.catalog import Catalog, Product
from retrieval.hybrid import HybridSearcher
from scene.detector import SceneResult
from scene.state import DialogueState

if TYPE_CHECKING:
    from assistant.storage.profiles import ProfileStore
    from assistant.support.answer import SupportAnswerer
    from assistant.support.orders import OrderBook
    from ranking.profile import UserProfile

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u3400-\u9fff]")


def detect_language(text: str) -> str:
    """"zh" when the message has Chinese characters, else "en" (the two languages of the templates)."""
    return "zh" if _CJK.search(text) else "en"


class Ranked(Protocol):
    product: Product
    score: float
    reasons: list[str]


class RankerLike(Protocol):
    def rank(self, query: str, candidates: Sequence[Any], profile: Any = None, **kwargs: Any) -> list[Any]: ...


class DetectorLike(Protocol):
    def detect(self, message: str, state: DialogueState | None = None) -> SceneResult: ...


@dataclass
class Services:
    """Everything loaded once at app start and shared by all conversations (thread-safe parts only)."""

    searcher: HybridSearcher
    store: StateStore
    detector: DetectorLike
    model: ChatModel | None = None
    ranker: RankerLike | None = None
    profiles: ProfileStore | None = None
    support: SupportAnswerer | None = None
    orders: OrderBook | None = None
    config: AssistantConfig = field(default_factory=AssistantConfig)
    known_brands: set[str] = field(default_factory=set)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def catalog(self) -> Catalog:
        return self.searcher.index.catalog

    def product(self, product_id: str) -> Product | None:
        return self.catalog.get(product_id)

    def vectors_for(self, products: Sequence[Product]) -> Any:
        """Rows of the index's normalized vectors for `products` (for the ranker's interest term)."""
        idx = self.searcher.index
        found = [idx.position.get(p.id) for p in products]
        rows = [r for r in found if r is not None]
        if len(rows) != len(found) or not len(idx.vectors):
            return None
        return idx.vectors[rows]

    def profile(self, user_id: str) -> UserProfile | None:
        if self.profiles is None:
            return None
        try:
            return self.profiles.get(user_id)
        except Exception as exc:  # a broken profile must never break a turn
            log.warning("profile of %s unavailable: %s", user_id, exc)
            return None


@dataclass
class TurnContext:
    message: str
    result: SceneResult
    state: DialogueState
    memory: dict[str, Any]  # per-conversation skill memory (persisted with the dialogue state)
    user_id: str
    conversation_id: str
    language: str = "en"
    shown: list[Product] = field(default_factory=list)  # products this turn put on screen
    generated: list[tuple[GuardReport, float | None]] = field(default_factory=list)  # (guard report, ttft s)
    record_as: str | None = None  # scene to record in the dialogue state (default: the detected one)

    @property
    def zh(self) -> bool:
        return self.language == "zh"

    def t(self, en: str, zh: str) -> str:
        return zh if self.zh else en

    def record_generation(self, report: GuardReport, ttft_s: float | None) -> None:
        """A model-or-template answer part of this turn (an explanation, a support answer, offers)."""
        self.generated.append((report, ttft_s))

    def generation_summary(self) -> GenerationSummary:
        firsts = [t for _, t in self.generated if t is not None]
        return GenerationSummary(
            model_calls=sum(1 for r, t in self.generated if t is not None or r.kept or r.removed),
            model_sentences=sum(len(r.kept) for r, _ in self.generated),
            template_fallbacks=sum(1 for r, _ in self.generated if r.used_fallback),
            removed_sentences=sum(len(r.removed) for r, _ in self.generated),
            first_token_ms=round(min(firsts) * 1000, 1) if firsts else None,
        )


Skill = Callable[[TurnContext, Services], Iterator[Event]]


def say(text: str) -> Iterator[Event]:
    """Template text as text_delta events, one sentence-sized piece at a time."""
    for piece in re.findall(r"[^.!?。！？\n]*[.!?。！？\n]+\s*|[^.!?。！？\n]+$", text):
        if piece:
            yield TextDeltaEvent(text=piece)


def cart_event(ctx: TurnContext, services: Services, action: str = "view") -> CartEvent:
    lines = []
    subtotal = 0.0
    for pid, qty in services.store.carts.items(ctx.user_id):
        p = services.product(pid)
        if p is None:
            continue
        amount = round(p.price * qty, 2)
        subtotal += amount
        lines.append(CartLineView(p.id, p.title, qty, p.price, amount, p.in_stock))
    wish = tuple(p.title for pid in services.store.carts.wishlist(ctx.user_id) if (p := services.product(pid)))
    return CartEvent(lines=tuple(lines), subtotal=round(subtotal, 2), item_count=sum(ln.quantity for ln in lines),
                     wishlist=wish, action=action)


def referenced_products(ctx: TurnContext, services: Services, default_first: int = 0) -> list[Product]:
    """Products the message refers to ("the second one", "both", "it"), else the focus,
    else the first `default_first` products last shown."""
    slots = ctx.result.slots
    ids = list(slots.references) or list(ctx.state.focus)
    if not ids and default_first:
        ids = ctx.state.last_shown[:default_first]
    return [p for pid in ids if (p := services.product(pid)) is not None]


def unresolved_reference_text(ctx: TurnContext) -> str | None:
    """The shopper's message for a reference past the end of the list, or to nothing at all."""
    slots = ctx.result.slots
    if not slots.unresolved_reference:
        return None
    n = len(ctx.state.last_shown)
    if n == 0:
        return ctx.t("I haven't shown you any products yet. Tell me what you're looking for and I'll find some.",
                     "我还没有给您展示商品。告诉我您想找什么，我来帮您找。")
    return ctx.t(
        f"I only showed {n} product{'s' if n != 1 else ''}, so there is no {slots.unresolved_reference} one. "
        f"Pick a number from 1 to {n}.",
        f"我只展示了{n}件商品，没有您说的那一件（{slots.unresolved_reference}）。请选择第1到第{n}件。",
    )


def record_profile_event(services: Services, user_id: str, event_type: str, product_id: str) -> None:
    """Fold a shopper event into their profile; a failure is logged, never shown."""
    record_profile_events(services, user_id, event_type, [product_id])


def record_profile_events(services: Services, user_id: str, event_type: str, product_ids: Sequence[str]) -> None:
    """The same event for several products (the cards of one answer) in one database transaction."""
    if services.profiles is None or not product_ids:
        return
    try:
        services.profiles.record_events(user_id, [(event_type, pid) for pid in product_ids])
    except Exception as exc:
        log.warning("profile event %s %s for %s not recorded: %s", event_type, ",".join(product_ids), user_id, exc)
