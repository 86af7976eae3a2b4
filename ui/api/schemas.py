"""Request and response models: the OpenAPI schema the contract test checks responses against."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from assistant.conversation.events import EventType
from assistant.conversation.turn import MAX_MESSAGE_CHARS
from assistant.storage.status import ConversationStatus

SSE_EVENT: dict[str, Any] = {
    "description": "One server-sent event: `event` names the type, `data` is that event as JSON.",
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": list(get_args(EventType))},
        "data": {"type": "string", "contentMediaType": "application/json",
                 "contentSchema": {"type": "object", "required": ["type"],
                                   "properties": {"type": {"enum": list(get_args(EventType))}}}},
    },
}
"""Open API 3.1 reads the `schema` of `text/event-stream` as the schema of each event (3.2 calls it `itemSchema`)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewConversation(Strict):
    language: Literal["en", "zh"] | None = None


class MessageIn(Strict):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class HandoffIn(Strict):
    reason: str = Field(default="shopper pressed \u201cTalk to a person\u201d", max_length=500)


class EventIn(Strict):
    conversation_id: str = Field(min_length=1, max_length=64)
    type: Literal["click", "like", "dislike", "view", "impression", "open", "close"]
    product_id: str = Field(default="", max_length=200)


class CartItemIn(Strict):
    product_id: str = Field(min_length=1, max_length=200)
    quantity: int = Field(default=1, ge=1, le=99)
    conversation_id: str | None = Field(default=None, max_length=64)


class MessageOut(BaseModel):
    id: int
    role: Literal["user", "assistant", "agent"]
    content: str
    scene: str
    payload: dict[str, Any]
    complete: bool
    created_at: float


class CartLineOut(BaseModel):
    product_id: str
    title: str
    quantity: int
    unit_price: float
    amount: float
    in_stock: bool
    unit_price_text: str = Field(default="", description="the unit price in the store's money format")
    amount_text: str = ""


class CartOut(BaseModel):
    lines: list[CartLineOut]
    subtotal: float
    subtotal_text: str = Field(default="", description="the subtotal in the store's money format (\"$24.99\")")
    item_count: int
    wishlist: list[str]


class ConversationOut(BaseModel):
    id: str
    status: ConversationStatus = Field(description="pending (the bot answers) | open (queued for a person) | "
                                                   "agent (a person answers) | resolved")
    language: str
    messages: list[MessageOut]
    cart: CartOut


class EventsOut(BaseModel):
    ok: bool
    events: list[dict[str, Any]]


class ModelHealth(BaseModel):
    """The generator's state. Not part of readiness: without a model the assistant answers from templates."""

    backend: str
    state: str = Field(description="ready | loading | restarting | down | circuit_open | off")
    detail: str = ""
    restarts: int = 0
    consecutive_failures: int = 0
    retry_in_s: float | None = None


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)
    model: ModelHealth | None = None


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    error: ErrorDetail
