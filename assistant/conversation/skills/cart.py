"""Cart: add / remove / set quantity / view, the wishlist and a checkout summary.

Products are named by reference to what was shown ("add the second one", "两件都加入购物车"),
by the card buttons (product id), or for removals by words of a cart line's title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.conversation.events import Event
from assistant.conversation.grounding import format_inr
from assistant.conversation.skills import safety
from assistant.conversation.skills.base import (
    Services,
    TurnContext,
    cart_event,
    record_profile_event,
    referenced_products,
    say,
    unresolved_reference_text,
)
from retrieval.catalog import Product

MAX_QUANTITY = 20

_ACTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("clear", re.compile(r"\b(empty|clear)\s+(my\s+|the\s+)?(cart|basket)\b|清空", re.I)),
    ("checkout", re.compile(r"\bcheck\s?out\b|\bplace\s+(the\s+|my\s+)?order\b|\bpay\s+now\b|结算|下单|买单", re.I)),
    ("wishlist", re.compile(r"\bwish\s?list\b|\bsave\b.*\blater\b|\bfavou?rites?\b|收藏|心愿单", re.I)),
    ("remove", re.compile(r"\b(remove|delete|take\s+out|drop)\b|删除|移除|去掉|不要了", re.I)),
    ("quantity", re.compile(r"\bquantity\b|\bchange\b.*\bto\s+\d|\bmake\s+it\s+\d|\bset\b.*\bto\s+\d|数量|改成|改为",
                            re.I)),
    ("add", re.compile(r"\b(add|put|buy|take|get|i'?ll\s+take)\b|加入|加到|放进|买", re.I)),
    ("view", re.compile(r"\b(show|view|see|open|what'?s\s+in)\b.*\b(cart|basket)\b|\b(cart|basket)\b|购物车", re.I)),
)


_RE_SET_QTY = re.compile(r"\bto\s+(\d{1,3})\b|(?:改成|改为|改到)\s*(\d{1,3})")


def parse_quantity(text: str, slot: int | None) -> int:
    """The quantity asked for: "to 3" / "改成3" win (they set it), then the scene slot, else 1."""
    m = _RE_SET_QTY.search(text.lower())
    if m:
        return int(m.group(1) or m.group(2))
    return slot or 1


def parse_action(text: str) -> str:
    for name, rx in _ACTIONS:
        if rx.search(text):
            return name
    return "view"


@dataclass
class CartResult:
    ok: bool
    message: str


def add(services: Services, user_id: str, product: Product, quantity: int, language: str = "en") -> CartResult:
    zh = language == "zh"
    if not product.in_stock:
        return CartResult(False, f"{product.title}目前缺货，暂时不能加入购物车。" if zh
                          else f"{product.title} is out of stock, so I can't add it to your cart.")
    qty = max(1, min(quantity, MAX_QUANTITY))
    total = services.store.carts.add(user_id, product.id, qty)
    if total > MAX_QUANTITY:
        services.store.carts.set_quantity(user_id, product.id, MAX_QUANTITY)
        total = MAX_QUANTITY
    record_profile_event(services, user_id, "add_to_cart", product.id)
    if zh:
        return CartResult(True, f"已将{qty}件{product.title}加入购物车（共{total}件）。")
    return CartResult(True, f"Added {qty} \u00d7 {product.title} to your cart ({total} in the cart).")


def remove(services: Services, user_id: str, product: Product, language: str = "en") -> CartResult:
    zh = language == "zh"
    if services.store.carts.remove(user_id, product.id):
        return CartResult(True, f"已从购物车移除{product.title}。" if zh
                          else f"Removed {product.title} from your cart.")
    return CartResult(False, f"{product.title}不在您的购物车里。" if zh else f"{product.title} isn't in your cart.")


def set_quantity(services: Services, user_id: str, product: Product, quantity: int,
                 language: str = "en") -> CartResult:
    zh = language == "zh"
    qty = max(0, min(quantity, MAX_QUANTITY))
    if not services.store.carts.set_quantity(user_id, product.id, qty):
        return CartResult(False, f"{product.title}不在您的购物车里。" if zh else f"{product.title} isn't in your cart.")
    return CartResult(True, f"{product.title}的数量已改为{qty}。" if zh
                      else f"{product.title}: quantity set to {qty}.")


def wishlist(services: Services, user_id: str, product: Product, language: str = "en") -> CartResult:
    zh = language == "zh"
    added = services.store.carts.add_to_wishlist(user_id, product.id)
    if added:
        record_profile_event(services, user_id, "like", product.id)
    return CartResult(True, (f"已收藏{product.title}。" if added else f"{product.title}已在收藏夹中。") if zh
                      else (f"Saved {product.title} to your wishlist." if added
                            else f"{product.title} is already on your wishlist."))


def _cart_products_by_words(ctx: TurnContext, services: Services) -> list[Product]:
    lines = [p for pid, _ in services.store.carts.items(ctx.user_id) if (p := services.product(pid))]
    if len(lines) == 1:
        return lines
    words = {w for w in re.findall(r"[a-z]{3,}", ctx.message.lower())} - {"remove", "delete", "from", "cart",
                                                                           "the", "my", "take", "out"}
    return [p for p in lines if words & set(re.findall(r"[a-z]{3,}", p.title.lower()))][:1]


def checkout_summary(ctx: TurnContext, services: Services) -> str:
    ev = cart_event(ctx, services, "checkout")
    if not ev.lines:
        return ctx.t("Your cart is empty.", "您的购物车是空的。")
    lines = "\n".join(f"- {ln.quantity} \u00d7 {ln.title} — {format_inr(ln.amount)}" for ln in ev.lines)
    head = ctx.t(f"Checkout summary ({ev.item_count} items):", f"结算清单（共{ev.item_count}件）：")
    tail = ctx.t(f"Subtotal: {format_inr(ev.subtotal)}. Ask me about offers to see which coupon saves the most.",
                 f"小计：{format_inr(ev.subtotal)}。问我“有什么优惠”可以查看最省钱的优惠券。")
    return f"{head}\n{lines}\n{tail}"


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    action = parse_action(ctx.message)
    if action == "view":
        ev = cart_event(ctx, services)
        yield ev
        empty = ctx.t("Your cart is empty.", "您的购物车是空的。")
        yield from say(checkout_summary(ctx, services) if ev.lines else empty)
        return
    refused = safety.refusal(ctx.message, ctx.zh)
    if refused:  # a change the shopper did not ask for directly (prompt injection, someone else's cart)
        yield cart_event(ctx, services)
        yield from say(refused)
        return
    if action == "checkout":
        yield cart_event(ctx, services, "checkout")
        yield from say(checkout_summary(ctx, services))
        return
    if action == "clear":
        services.store.carts.clear(ctx.user_id)
        yield cart_event(ctx, services, "clear")
        yield from say(ctx.t("Your cart is now empty.", "购物车已清空。"))
        return
    problem = unresolved_reference_text(ctx)
    if problem:
        yield from say(problem)
        return
    products = referenced_products(ctx, services)
    if not products and action == "remove":
        products = _cart_products_by_words(ctx, services)
    if not products and len(ctx.state.last_shown) == 1:
        products = [p for p in (services.product(ctx.state.last_shown[0]),) if p]
    if not products:
        if ctx.state.last_shown:
            n = len(ctx.state.last_shown)
            msg = ctx.t(f"Which one? Say e.g. \u201cadd the second one\u201d (1 to {n}).",
                        f"是哪一件？比如说“把第二个加入购物车”（第1到第{n}件）。")
        else:
            msg = ctx.t("Which product? Search for something first, or use the Add to cart button on a card.",
                        "是哪件商品？请先搜索，或点击商品卡片上的“加入购物车”。")
        yield from say(msg)
        return
    quantity = parse_quantity(ctx.message, ctx.result.slots.quantity)
    results = []
    for p in products[:5]:
        if action == "remove":
            results.append(remove(services, ctx.user_id, p, ctx.language))
        elif action == "quantity":
            results.append(set_quantity(services, ctx.user_id, p, quantity, ctx.language))
        elif action == "wishlist":
            results.append(wishlist(services, ctx.user_id, p, ctx.language))
        else:
            results.append(add(services, ctx.user_id, p, quantity, ctx.language))
    ctx.state.focus = [p.id for p in products]
    yield cart_event(ctx, services, action)
    yield from say(" ".join(r.message for r in results))
