"""The shopper's own things: session, cart, offers, orders and a person, for a checked `AgentCaller`.

Cart writes and tickets go through the same `Conversation.act` the HTTP API's cart buttons use, for
the cart the caller proved (a visitor token, a signed shopper identity, or a secret key's shopper).
Nothing here reads product text or a query to decide what to change: the only inputs are the ids
and quantities the tool was called with.
"""

from __future__ import annotations

from mcp.server.mcpserver.exceptions import ToolError

from assistant.conversation.events import HandoffEvent, TextDeltaEvent
from assistant.privacy import mask_cards
from assistant.services import Assistant
from assistant.support.orders import Order
from ui.mcp import sources
from ui.mcp.catalog import require_product
from ui.mcp.identity import (
    ENV_USER_HASH,
    ENV_USER_ID,
    ENV_VISITOR_TOKEN,
    AgentCaller,
    can_issue_tokens,
    new_visitor_id,
    visitor_token,
)
from ui.mcp.models import (
    CartChangeOut,
    CartLineOut,
    CartOut,
    CouponOut,
    HandoffOut,
    NearMissOut,
    OrderLineOut,
    OrderOut,
    OrderStatusOut,
    PromotionsOut,
    SaleOut,
    SessionOut,
)
from ui.mcp.money import money

NO_CART = ("This needs the shopper's cart: call start_session and pass its visitor_token (or send the "
           f"X-Visitor-Token header; over stdio set {ENV_VISITOR_TOKEN}). Nothing was changed.")
NO_IDENTITY = ("order_status needs the signed-in shopper's identity: X-User-Id plus X-User-Hash = "
               "hex(HMAC-SHA256(site hmac_secret, user id)), computed by the store's server as for the widget's "
               f"identify() (over stdio {ENV_USER_ID} and {ENV_USER_HASH}). Ask the shopper to sign in on the store.")


def owner_of(caller: AgentCaller) -> str:
    owner = caller.cart_owner
    if owner is None:
        raise ToolError(NO_CART)
    return owner


def start_session(caller: AgentCaller) -> SessionOut:
    if not can_issue_tokens(caller.site):
        raise ToolError("This store cannot issue visitor tokens (its site has no secret); carts are not available "
                        "to agents here.")
    visitor = new_visitor_id()
    return SessionOut(visitor_id=visitor, visitor_token=visitor_token(caller.site, visitor), how_to_use=(
        "Pass visitor_token to cart_get, cart_add, cart_remove, list_promotions and handoff for this shopper. "
        "Keep it private: it is the key to this shopper's cart."))


def cart(assistant: Assistant, caller: AgentCaller) -> CartOut:
    services = assistant.services
    owner = owner_of(caller)
    currency = sources.store_currency(services)
    lines: list[CartLineOut] = []
    for pid, qty in services.store.carts.items(owner):
        p = services.product(pid)
        if p is None:
            continue  # no longer in the catalog: the chat's cart skips it too
        lines.append(CartLineOut(product_id=p.id, title=p.title, quantity=qty,
                                 unit_price=money(p.price, p.currency or currency),
                                 amount=money(p.price * qty, p.currency or currency),
                                 availability="in_stock" if p.in_stock else "out_of_stock"))
    subtotal = sum(line.amount.amount for line in lines)
    return CartOut(owner="visitor" if caller.visitor_id else "shopper", lines=lines,
                   item_count=sum(line.quantity for line in lines), subtotal=money(subtotal, currency))


def _quantity(assistant: Assistant, owner: str, product_id: str) -> int:
    return dict(assistant.services.store.carts.items(owner)).get(product_id, 0)


def _said(events: list[object]) -> str:
    return " ".join(e.text for e in events if isinstance(e, TextDeltaEvent)).strip()


def cart_add(assistant: Assistant, caller: AgentCaller, product_id: str, quantity: int) -> CartChangeOut:
    owner = owner_of(caller)
    product = require_product(assistant.services, product_id)
    before = _quantity(assistant, owner, product.id)
    events = assistant.conversation(owner).act("add_to_cart", product.id, quantity)
    ok = _quantity(assistant, owner, product.id) != before
    return CartChangeOut(ok=ok, message=_said(list(events)), cart=cart(assistant, caller))


def cart_remove(assistant: Assistant, caller: AgentCaller, product_id: str) -> CartChangeOut:
    owner = owner_of(caller)
    product = require_product(assistant.services, product_id)
    if _quantity(assistant, owner, product.id) == 0:
        return CartChangeOut(ok=False, message=f"{product.id} is not in the cart; nothing was changed.",
                             cart=cart(assistant, caller))
    events = assistant.conversation(owner).act("remove", product.id)
    return CartChangeOut(ok=True, message=_said(list(events)), cart=cart(assistant, caller))


def promotions(assistant: Assistant, caller: AgentCaller, product_id: str | None) -> PromotionsOut:
    """Offers for one product (as if alone in a cart) or for the caller's cart."""
    services = assistant.services
    currency = sources.store_currency(services)
    if product_id:
        product = require_product(services, product_id)
        lines, scope = [(product, 1)], "product"
    else:
        owner = owner_of(caller)
        lines = [(p, q) for pid, q in services.store.carts.items(owner) if (p := services.product(pid)) is not None]
        scope = "cart"
    result = sources.offers(services, lines, caller.cart_owner)
    return PromotionsOut(
        evaluated_for=scope,  # type: ignore[arg-type]
        as_of=services.now().isoformat(timespec="seconds"), subtotal=money(result.subtotal, currency),
        applied=[CouponOut(code=a.coupon.code, description=a.coupon.description, saving=money(a.saving, currency))
                 for a in result.applied],
        near_misses=[NearMissOut(code=n.coupon.code, description=n.coupon.description, needs=n.reason,
                                 shortfall=money(n.shortfall, currency) if n.shortfall else None)
                     for n in result.near_misses],
        sale_items=[SaleOut(product_id=p.id, title=p.title, price=money(p.price, p.currency or currency),
                            list_price=money(p.list_price or p.price, p.currency or currency),
                            discount_pct=p.discount_pct)
                    for p in result.sale_items])


def _order_out(order: Order, currency: str) -> OrderOut:
    return OrderOut(order_id=order.order_id, status=order.status,
                    lines=[OrderLineOut(title=ln.title, quantity=ln.quantity, unit_price=money(ln.unit_price, currency))
                           for ln in order.lines],
                    total=money(order.total, currency),
                    placed_on=order.placed_on.isoformat() if order.placed_on else None,
                    promised_on=order.promised_on.isoformat() if order.promised_on else None,
                    delivered_on=order.delivered_on.isoformat() if order.delivered_on else None,
                    courier=order.courier, tracking_url=order.tracking_url)


def order_status(assistant: Assistant, caller: AgentCaller, order_id: str | None) -> OrderStatusOut:
    if not caller.store_user_id:
        raise ToolError(NO_IDENTITY)
    services = assistant.services
    orders = sources.orders_of(services, caller.store_user_id)
    if order_id:
        wanted = order_id.strip().upper()
        if wanted.startswith("SA") and not wanted.startswith("SA-"):
            wanted = "SA-" + wanted[2:]
        orders = [o for o in orders if o.order_id == wanted]
        if not orders:
            raise ToolError(f"No order {order_id!r} on this shopper's account; call order_status without an "
                            "order_id to list their orders.")
    currency = sources.store_currency(services)
    return OrderStatusOut(orders=[_order_out(o, currency) for o in orders],
                          citation=sources.order_citation(services))


def handoff(assistant: Assistant, caller: AgentCaller, reason: str) -> HandoffOut:
    """A ticket in the agent console's queue, on the shopper's conversation, with the reason."""
    owner = owner_of(caller)
    text = mask_cards(" ".join(reason.split()))[:500] or "an AI agent asked for a person for the shopper"
    conversation = assistant.conversation(owner)
    events = conversation.act("handoff", f"[via AI agent] {text}")
    ticket = next((e for e in events if isinstance(e, HandoffEvent)), None)
    if ticket is None:
        raise ToolError("The ticket could not be opened; try again in a moment.")
    return HandoffOut(ticket_id=ticket.ticket_id, queue_position=ticket.queue_position,
                      message=f"Ticket #{ticket.ticket_id} is number {ticket.queue_position} in the queue: a person "
                              "from the store's team will take over this shopper's conversation.")
