"""`/v1` routes for the widget and server-to-server calls, plus `/healthz` and `/readyz`.

No `from __future__ import annotations`: FastAPI must resolve the local `Annotated` dependency aliases.
"""


import json
import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, StreamingResponse

from assistant.conversation.events import CartEvent, DoneEvent, ErrorEvent, Event
from assistant.conversation.turn import Conversation
from assistant.llm.base import model_status
from assistant.services import Assistant
from ui.api.errors import ApiError
from ui.api.schemas import (
    SSE_EVENT,
    CartItemIn,
    CartOut,
    ConversationOut,
    ErrorOut,
    EventIn,
    EventsOut,
    HandoffIn,
    Health,
    MessageIn,
    MessageOut,
    NewConversation,
)
from ui.api.security import Caller, Guard

log = logging.getLogger(__name__)

ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (400, 401, 403, 404, 409, 413, 422, 429, 503, 507)
}
SSE_DOC: dict[int | str, dict[str, Any]] = {200: {
    "description": "`text/event-stream`: one `event: <type>` / `data: <json>` block per assistant event "
                   "(scene, products, comparison, promotion, cart, handoff, text_delta..., done | error).",
    "content": {"text/event-stream": {"schema": SSE_EVENT}},
}}


def sse(event: Event) -> str:
    return f"event: {event.type}\ndata: {json.dumps(event.to_dict(), ensure_ascii=False, default=str)}\n\n"


def cart_out(event: CartEvent) -> dict[str, Any]:
    d = event.to_dict()
    return {"lines": d["lines"], "subtotal": d["subtotal"], "subtotal_text": d["subtotal_text"],
            "item_count": d["item_count"], "wishlist": list(d["wishlist"])}


def make_router(assistant: Assistant, guard: Guard) -> APIRouter:
    router = APIRouter()
    CallerDep = Annotated[Caller, Depends(guard.caller)]
    store = assistant.services.store

    def owned(caller: Caller, conversation_id: str) -> Conversation:
        stored = store.conversations.get(conversation_id)
        if stored is None or stored.user_id != caller.user_id:
            raise ApiError(404, "not_found", "No such conversation for this visitor.")
        return Conversation(assistant.services, conversation_id, caller.user_id)

    def conversation_out(conv: Conversation, after: int = 0) -> dict[str, Any]:
        stored = store.conversations.get(conv.id)
        msgs = [MessageOut(id=m.id, role=m.role, content=m.content, scene=m.scene,  # type: ignore[arg-type]
                           payload=m.payload, complete=m.complete, created_at=m.created_at).model_dump()
                for m in conv.history() if m.id > after]
        return {"id": conv.id, "status": stored.status if stored else conv.status, "language": conv.language,
                "messages": msgs, "cart": cart_out(conv.cart())}

    @router.get("/healthz", response_model=Health, tags=["ops"])
    def healthz() -> dict[str, Any]:
        """Liveness: the process answers."""
        return {"status": "ok", "checks": {}}

    @router.get("/readyz", response_model=Health, tags=["ops"], responses={503: {"model": Health}})
    def readyz() -> Any:
        """Readiness: the database answers and the catalog is loaded. `model` tells the generator's state
        (loading, restarting, circuit open...), which never makes the service unready: cards and template
        answers work without it."""
        checks: dict[str, str] = {}
        try:
            db_ok, reason = store.health()
            checks["database"] = "ok" if db_ok else f"unavailable: {reason}"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            checks["catalog"] = f"ok ({len(assistant.services.catalog)} products)"
        except Exception as exc:
            checks["catalog"] = f"error: {type(exc).__name__}"
        ok = all(v.startswith("ok") for v in checks.values())
        body = {"status": "ok" if ok else "unavailable", "checks": checks,
                "model": model_status(assistant.services.model).to_dict()}
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.post("/v1/conversations", response_model=ConversationOut, status_code=201, responses=ERRORS,
                 tags=["conversations"])
    def create_conversation(caller: CallerDep, body: NewConversation | None = None) -> dict[str, Any]:
        """Start a new conversation for this visitor (the widget remembers its id)."""
        conv = assistant.new_conversation(caller.user_id)
        if body is not None and body.language:
            store.conversations.save_state(conv.id, {}, language=body.language)
            conv.language = body.language
        store.events.log(conv.id, "api", {"action": "create", "site": caller.site_id, "via": caller.kind})
        return conversation_out(conv)

    @router.get("/v1/conversations/{conversation_id}", response_model=ConversationOut, responses=ERRORS,
                tags=["conversations"])
    def get_conversation(conversation_id: str, caller: CallerDep,
                         after: Annotated[int, Query(ge=0, description="only messages with a larger id")] = 0
                         ) -> dict[str, Any]:
        """The transcript (agent replies included, private notes never) and the cart."""
        return conversation_out(owned(caller, conversation_id), after)

    @router.post("/v1/conversations/{conversation_id}/messages", responses={**SSE_DOC, **ERRORS},
                 response_class=StreamingResponse, tags=["conversations"])
    def post_message(conversation_id: str, body: MessageIn, caller: CallerDep) -> StreamingResponse:
        """One turn, streamed as server-sent events: cards first, then the answer's text, then `done`."""
        conv = owned(caller, conversation_id)

        def stream() -> Iterator[str]:
            # Headers (200) are already out: a failure must end the stream with an `error` event, never hang it.
            # (`turn` itself turns database refusals into the shopper's `storage_*` error event.)
            try:
                for event in conv.turn(body.message):
                    yield sse(event)
            except Exception:
                log.exception("turn failed in conversation %s", conv.id)
                yield sse(ErrorEvent(code="internal", message="Something went wrong on our side; please try again."))
                yield sse(DoneEvent(conversation_id=conv.id))

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.post("/v1/conversations/{conversation_id}/handoff", response_model=EventsOut, responses=ERRORS,
                 tags=["conversations"])
    def handoff(conversation_id: str, caller: CallerDep, body: HandoffIn | None = None) -> dict[str, Any]:
        """"Talk to a person": queue the conversation for an agent with the reason."""
        conv = owned(caller, conversation_id)
        reason = body.reason if body is not None else HandoffIn().reason
        return {"ok": True, "events": [e.to_dict() for e in conv.act("handoff", reason)]}

    @router.post("/v1/events", response_model=EventsOut, responses=ERRORS, tags=["events"])
    def post_event(body: EventIn, caller: CallerDep) -> dict[str, Any]:
        """A click, like, dislike, view or widget open/close for analytics and the shopper's profile."""
        conv = owned(caller, body.conversation_id)
        if body.type in ("click", "like", "dislike"):
            if not body.product_id:
                raise ApiError(422, "invalid_request", f"product_id: required for '{body.type}' events")
            events = conv.act(body.type, body.product_id)
            if any(e.type == "error" for e in events):
                raise ApiError(404, "unknown_product", "No such product in the catalog.")
            return {"ok": True, "events": [e.to_dict() for e in events]}
        store.events.log(conv.id, "widget", {"type": body.type, "product_id": body.product_id})
        return {"ok": True, "events": []}

    def cart_conversation(caller: Caller, conversation_id: str | None) -> Conversation:
        if conversation_id:
            return owned(caller, conversation_id)
        return assistant.conversation(caller.user_id)

    @router.get("/v1/cart", response_model=CartOut, responses=ERRORS, tags=["cart"])
    def get_cart(caller: CallerDep) -> dict[str, Any]:
        latest = store.conversations.latest(caller.user_id)
        if latest is None:
            return {"lines": [], "subtotal": 0.0, "subtotal_text": assistant.services.config.money(0), "item_count": 0,
                    "wishlist": []}
        return cart_out(Conversation(assistant.services, latest.id, caller.user_id).cart())

    @router.post("/v1/cart/items", response_model=EventsOut, responses=ERRORS, tags=["cart"])
    def add_item(body: CartItemIn, caller: CallerDep) -> dict[str, Any]:
        """Add a product (from a card's button) to the shopper's cart."""
        if assistant.services.product(body.product_id) is None:
            raise ApiError(404, "unknown_product", "No such product in the catalog.")
        conv = cart_conversation(caller, body.conversation_id)
        return {"ok": True, "events": [e.to_dict() for e in conv.act("add_to_cart", body.product_id, body.quantity)]}

    @router.delete("/v1/cart/items/{product_id}", response_model=EventsOut, responses=ERRORS, tags=["cart"])
    def remove_item(product_id: str, caller: CallerDep,
                    conversation_id: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
        if assistant.services.product(product_id) is None:
            raise ApiError(404, "unknown_product", "No such product in the catalog.")
        conv = cart_conversation(caller, conversation_id)
        return {"ok": True, "events": [e.to_dict() for e in conv.act("remove", product_id)]}

    return router
