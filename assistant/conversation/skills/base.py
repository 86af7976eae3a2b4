"""What every skill gets: the app's services (loaded once) and this turn's context.

A skill is a function `run(ctx, services) -> Iterator[Event]` that yields cards
and other structured events before any text, and records the products it showed
in `ctx.shown` so the conversation can update the dialogue state and the
shopper's profile. Skills never raise for bad input: they tell the shopper.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from assistant.config import AssistantConfig
from assistant.conversation.events import CartEvent, CartLineView, Event, GenerationSummary, TextDeltaEvent
from assistant.conversation.grounding import GuardReport
from assistant.insights.trace import TurnTrace
from assistant.llm.base import ChatModel
from assistant.storage.store import StateStore
from retrieval.catalog import Catalog, Product
from retrieval.hybrid import HybridSearcher
from scene.detector import SceneResult
from scene.state import DialogueState

if TYPE_CHECKING:
    from assistant.promotions.rules import Coupon
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
    orders: OrderBook | None = None  # the store's order source; None: it has none
    coupons: tuple[Coupon, ...] = ()  # the store's promotions file; empty: it has no coupons
    citations: dict[str, str] = field(default_factory=dict)  # order action topic -> "(Source: Policy §1.3 ...)"
    config: AssistantConfig = field(default_factory=AssistantConfig)
    known_brands: set[str] = field(default_factory=set)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def catalog(self) -> Catalog:
        return self.searcher.index.catalog

    def product(self, product_id: str) -> Product | None:
        return self.catalog.get(product_id)

    @cached_property
    def example_budget(self) -> float:
        """A round budget for examples in templates ("running shoes under $100"): the catalog's upper-quartile
        price rounded up to 1, 2 or 5 times a power of ten, so every store's example reads naturally."""
        prices = sorted(p.price for p in self.catalog if p.price > 0)
        if not prices:
            return 100.0
        q3 = prices[(3 * len(prices)) // 4]
        power = 10.0 ** math.floor(math.log10(q3)) if q3 >= 1 else 1.0
        return next(step * power for step in (1, 2, 5, 10) if step * power >= q3)

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
    trace: TurnTrace = field(default_factory=TurnTrace)  # for the owner's log (assistant.insights)

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
    money = services.config.money
    lines = []
    subtotal = 0.0
    for pid, qty in services.store.carts.items(ctx.user_id):
        p = services.product(pid)
        if p is None:
            continue
        amount = round(p.price * qty, 2)
        subtotal += amount
        lines.append(CartLineView(p.id, p.title, qty, p.price, amount, p.in_stock, money(p.price), money(amount)))
    wish = tuple(p.title for pid in services.store.carts.wishlist(ctx.user_id) if (p := services.product(pid)))
    return CartEvent(lines=tuple(lines), subtotal=round(subtotal, 2), subtotal_text=money(round(subtotal, 2)),
                     item_count=sum(ln.quantity for ln in lines), wishlist=wish, action=action)


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
