"""Cart: add / remove / set quantity / view, the wishlist and a checkout summary.

Products are named by reference to what was shown ("add the second one", "两件都加入购物车"),
by the card buttons (product id), or for removals by words of a cart line's title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.conversation.events import Event
from assistant.conversation.referents import Purpose, Resolution, card_label, cart_lines, resolve
from assistant.conversation.skills import safety
from assistant.conversation.skills.base import (
    Services,
    TurnContext,
    cart_event,
    record_profile_event,
    say,
)
from retrieval.catalog import Product
from scene.mentions import Mention, Quantity, cart_verb, is_bare, parse_mention, parse_quantity

MAX_QUANTITY = 20
MAX_LINES_PER_CHANGE = 5
_CART_WORDS = re.compile(r"\b(cart|basket|bag|checkout)\b|购物车|购物篮", re.I)
PENDING = "cart_pending"  # memory key: the change waiting for "Which one?" to be answered

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


def parse_action(text: str) -> str:
    """clear | checkout | wishlist | remove | quantity | add | view. The words of a cart change come first
    (scene.mentions.cart_verb); a message that only names products ("第二个", "the other one too")
    is a choice of what to add; other words without an action ("i like the second one") show the cart."""
    for name, rx in _ACTIONS[:3]:
        if rx.search(text):
            return name
    verb = cart_verb(text)
    if verb is not None:
        return verb
    for name, rx in _ACTIONS[3:]:
        if rx.search(text):
            return name
    chosen = is_bare(text) and not re.search(r"[?？]|\b(?:or|vs\.?|versus)\b|还是|或者", text, re.I)
    if chosen or parse_mention(text).also:
        return "add"  # "the cheaper one", "the third one too": a choice of what to add (not "2 vs 3?")
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
    lines = "\n".join(f"- {ln.quantity} \u00d7 {ln.title} — {ln.amount_text}" for ln in ev.lines)
    head = ctx.t(f"Checkout summary ({ev.item_count} items):", f"结算清单（共{ev.item_count}件）：")
    if services.coupons:
        tail = ctx.t(f"Subtotal: {ev.subtotal_text}. Ask me about offers to see which coupon saves the most.",
                     f"小计：{ev.subtotal_text}。问我“有什么优惠”可以查看最省钱的优惠券。")
    else:
        tail = ctx.t(f"Subtotal: {ev.subtotal_text}.", f"小计：{ev.subtotal_text}。")
    return f"{head}\n{lines}\n{tail}"


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    action = parse_action(ctx.message)
    if action == "view" and not _CART_WORDS.search(ctx.message):
        res = resolve(ctx, services, "ask")
        if res.ok and res.mention.kind in ("positions", "extreme", "other", "both"):
            ctx.state.refs.focus_on([p.id for p in res.products])  # "i like the second one": an offer, no change
            names = ctx.t(" and ", "和").join(card_label(ctx, p) for p in res.products[:3])
            yield from say(ctx.t(f"Shall I add {names} to your cart? Say \u201cadd it\u201d.",
                                 f"要把{names}加入购物车吗？说“加入购物车”即可。"))
            return
    if action == "view":
        ev = cart_event(ctx, services)
        ctx.state.refs.show_cart([ln.product_id for ln in ev.lines])  # "the first one" is now a cart line
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
        ev = cart_event(ctx, services, "checkout")
        ctx.state.refs.show_cart([ln.product_id for ln in ev.lines])
        yield ev
        yield from say(checkout_summary(ctx, services))
        return
    if action == "clear":
        services.store.carts.clear(ctx.user_id)
        yield cart_event(ctx, services, "clear")
        yield from say(ctx.t("Your cart is now empty.", "购物车已清空。"))
        return
    yield from _change(ctx, services, action)


def _targets(ctx: TurnContext, services: Services, action: str, mention: Mention) -> Resolution:
    """The products a cart change is about (referents.resolve), with the cart's own fallbacks:
    words of a cart line's title for a removal ("remove the watch")."""
    purpose: Purpose = "cart_line" if action in ("remove", "quantity") else "add"
    res = resolve(ctx, services, purpose, mention)
    if not res.ok and action == "remove" and mention.kind in ("none", "it"):
        by_words = _cart_products_by_words(ctx, services)
        if by_words:
            return Resolution("ok", by_words, mention, "cart")
    return res


def _change(ctx: TurnContext, services: Services, action: str) -> Iterator[Event]:
    """Add, remove, set the quantity of or save exactly the products the words name."""
    mention = parse_mention(ctx.message)
    quantity = parse_quantity(ctx.message)
    pending = ctx.memory.pop(PENDING, None)
    if isinstance(pending, dict) and mention.kind != "none" and cart_verb(ctx.message) is None:
        action = str(pending.get("action") or action)  # "the second one" answers "Which one?"
        if quantity is None and pending.get("n"):
            quantity = Quantity(int(pending["n"]), pending.get("mode") or "add")
    res = _targets(ctx, services, action, mention)
    if not res.ok:
        ctx.state.refs.keep()
        if res.status in ("ambiguous", "none"):
            ctx.memory[PENDING] = {"action": action, "n": quantity.n if quantity else None,
                                   "mode": quantity.mode if quantity else None}
        if res.status == "none":
            n = len(ctx.state.last_shown)
            msg = (ctx.t(f"Which one? Say e.g. \u201cadd the second one\u201d (1 to {n}).",
                         f"是哪一件？比如说“把第二个加入购物车”（第1到第{n}件）。") if n else
                   ctx.t("Which product? Search for something first, or use the Add to cart button on a card.",
                         "是哪件商品？请先搜索，或点击商品卡片上的“加入购物车”。"))
        else:
            msg = res.message
        yield from say(msg)
        return
    products = res.products[:MAX_LINES_PER_CHANGE]
    if action == "quantity" and (quantity is None or quantity.mode != "set"):
        yield from say(ctx.t("How many would you like? Say e.g. \u201cmake it 2\u201d.",
                             "您要几件？比如说“数量改成2”。"))
        ctx.state.refs.focus_on([p.id for p in products])
        return
    in_cart = {pid for pid, _ in cart_lines(services, ctx.user_id)}
    results = []
    for p in products:
        if action == "remove":
            results.append(remove(services, ctx.user_id, p, ctx.language))
        elif action == "wishlist":
            results.append(wishlist(services, ctx.user_id, p, ctx.language))
        elif quantity is not None and quantity.mode == "set":
            results.append(set_quantity(services, ctx.user_id, p, quantity.n, ctx.language) if p.id in in_cart
                           else add(services, ctx.user_id, p, quantity.n, ctx.language))
        else:
            results.append(add(services, ctx.user_id, p, quantity.n if quantity else 1, ctx.language))
    # after a removal "it" no longer means the removed product
    ctx.state.refs.focus_on([] if action == "remove" else [p.id for p in products])
    ctx.state.refs.cart_changed([pid for pid, _ in cart_lines(services, ctx.user_id)])
    yield cart_event(ctx, services, action)
    yield from say(" ".join(r.message for r in results))
