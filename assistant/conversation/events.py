"""The typed events one conversation turn produces, in the order a front end renders them.

A turn is a stream: `scene` first, then product cards / comparison / promotion /
cart / handoff payloads (all built from the catalog and the store's records,
never from the model), then `text_delta` pieces of the grounded answer, then
`done`. A failure becomes an `error` event followed by `done`; nothing raises
into the front end. Every event serializes to a plain dict (`to_dict`) so the
Gradio app, the HTTP/SSE API and the benchmark read the same stream.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from retrieval.catalog import Product
from retrieval.money import Money

EventType = Literal[
    "scene", "products", "comparison", "text_delta", "promotion", "cart", "handoff", "done", "error"
]


@dataclass(frozen=True)
class ProductCard:
    """What a card shows. Every field comes from the catalog (and the ranker's reasons)."""

    id: str
    position: int  # 1-based, as the shopper refers to it ("the second one")
    title: str
    brand: str
    price: float
    list_price: float | None
    discount_pct: float
    currency: str
    rating: float | None
    rating_count: int
    in_stock: bool
    image_url: str
    url: str
    why: str
    price_text: str = ""  # the price in the store's money format ("$24.99"): what every front end shows
    list_price_text: str = ""

    @classmethod
    def of(cls, product: Product, position: int, why: str = "", money: Money | None = None) -> ProductCard:
        list_price = product.list_price if product.on_sale else None
        return cls(
            id=product.id,
            position=position,
            title=product.title,
            brand=product.brand,
            price=product.price,
            list_price=list_price,
            discount_pct=product.discount_pct,
            currency=product.currency,
            rating=product.rating,
            rating_count=product.rating_count,
            in_stock=product.in_stock,
            image_url=product.image_urls[0] if product.image_urls else "",
            url=product.url,
            why=why,
            price_text=money(product.price, product.currency or None) if money else "",
            list_price_text=money(list_price, product.currency or None) if money and list_price else "",
        )


@dataclass(frozen=True)
class CartLineView:
    product_id: str
    title: str
    quantity: int
    unit_price: float
    amount: float
    in_stock: bool
    unit_price_text: str = ""  # in the store's money format
    amount_text: str = ""


@dataclass(frozen=True)
class Event:
    """Base class; `type` names the event for serialization."""

    type: EventType = field(init=False, default="done")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SceneEvent(Event):
    scene: str = ""
    confidence: float = 0.0
    sub_intent: str | None = None
    language: str = "en"
    reason: str = ""
    type: EventType = field(init=False, default="scene")


@dataclass(frozen=True)
class ProductsEvent(Event):
    cards: tuple[ProductCard, ...] = ()
    filters: tuple[str, ...] = ()  # human-readable filter chips ("under $150"), amounts in the store's format
    note: str = ""  # e.g. "cold start: popular picks"
    type: EventType = field(init=False, default="products")


@dataclass(frozen=True)
class ComparisonEvent(Event):
    product_ids: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    rows: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (attribute, one value per product)
    verdict: str = ""
    type: EventType = field(init=False, default="comparison")


@dataclass(frozen=True)
class TextDeltaEvent(Event):
    text: str = ""
    type: EventType = field(init=False, default="text_delta")


@dataclass(frozen=True)
class PromotionEvent(Event):
    best_code: str = ""
    saving: float = 0.0
    facts: tuple[str, ...] = ()
    type: EventType = field(init=False, default="promotion")


@dataclass(frozen=True)
class CartEvent(Event):
    lines: tuple[CartLineView, ...] = ()
    subtotal: float = 0.0
    subtotal_text: str = ""  # in the store's money format
    item_count: int = 0
    wishlist: tuple[str, ...] = ()  # product titles
    action: str = "view"  # add | remove | quantity | view | wishlist | checkout | clear
    type: EventType = field(init=False, default="cart")


@dataclass(frozen=True)
class HandoffEvent(Event):
    ticket_id: int = 0
    reason: str = ""
    queue_position: int = 0
    type: EventType = field(init=False, default="handoff")


@dataclass(frozen=True)
class GenerationSummary:
    """Who wrote this turn's text: how many model sentences reached the shopper, how many answers fell
    back to the template (model down, slow or ungrounded) and how many sentences the guard removed."""

    model_calls: int = 0
    model_sentences: int = 0
    template_fallbacks: int = 0
    removed_sentences: int = 0
    first_token_ms: float | None = None

    @property
    def source(self) -> str:
        """model | template | mixed | none"""
        if not self.model_calls and not self.template_fallbacks:
            return "none"
        if self.template_fallbacks and self.model_sentences:
            return "mixed"
        return "template" if self.template_fallbacks or not self.model_sentences else "model"


@dataclass(frozen=True)
class DoneEvent(Event):
    conversation_id: str = ""
    message_id: int = 0
    elapsed_ms: float = 0.0
    generation: GenerationSummary = field(default_factory=GenerationSummary)
    type: EventType = field(init=False, default="done")


@dataclass(frozen=True)
class ErrorEvent(Event):
    code: str = "error"  # empty | too_long | binary | busy | reference | unknown_product | internal
    message: str = ""
    type: EventType = field(init=False, default="error")
