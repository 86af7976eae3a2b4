"""Promotions: the rule engine decides which of the store's coupons apply to the cart and the shopper; the
model phrases it. A store without coupons says so and shows what is on sale."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.conversation.events import Event, PromotionEvent, TextDeltaEvent
from assistant.conversation.skills.base import Services, TurnContext, say
from assistant.conversation.skills.showing import Pick, cards_event, fallback_reasons
from assistant.promotions import Cart, CartLine, PromoProfile, eligible_promotions, phrase_promotions


def _on_sale(services: Services, k: int, exclude: set[str]) -> list[Pick]:
    pool = [p for p in services.catalog if p.on_sale and p.in_stock and p.id not in exclude]
    pool.sort(key=lambda p: (-(p.rating or 0) * min(p.rating_count, 50), -p.discount_pct, p.id))
    return [Pick(p, fallback_reasons(p)) for p in pool[:k]]


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    lines = [CartLine(p, q) for pid, q in services.store.carts.items(ctx.user_id) if (p := services.product(pid))]
    cart = Cart(lines)
    profile = services.profile(ctx.user_id)
    cats = tuple(c for c, w in profile.top("categories", 3) if w > 0) if profile else ()
    brands = tuple(b for b, w in profile.top("brands", 2) if w > 0) if profile else ()
    orders = len(services.orders.for_user(ctx.user_id)) if services.orders else 0
    promo_profile = PromoProfile(ctx.user_id, orders, cats, brands)
    money = services.config.money
    result = eligible_promotions(cart, promo_profile, services.catalog, services.now(), services.coupons,
                                 money=money)
    in_cart = {ln.product.id for ln in lines}
    suggestions = [Pick(p, fallback_reasons(p)) for p in result.sale_items if p.id not in in_cart]
    if not suggestions:
        suggestions = _on_sale(services, 3, in_cart)
    if suggestions:
        ctx.shown = [p.product for p in suggestions]
        yield cards_event(suggestions, ctx.language, money=money)
    best = result.best
    yield PromotionEvent(best_code=best.coupon.code if best else "", saving=best.saving if best else 0.0,
                         facts=tuple(result.facts(money)))
    if not services.coupons:
        on_sale = bool(suggestions)
        yield from say(ctx.t("This store has no coupons right now." + (" Here are products on sale." if on_sale
                                                                        else ""),
                             "本店目前没有优惠券。" + ("下面是正在打折的商品。" if on_sale else "")))
        return
    if ctx.zh:
        if best:
            yield from say(f"使用优惠券{best.coupon.code}可节省{money(best.saving)}。")
        elif not lines:
            yield from say("您的购物车还是空的；加入商品后我会告诉您哪张优惠券最省钱。下面是正在打折的商品。")
        else:
            yield from say("目前没有适用于您购物车的优惠券。")
        return
    if not lines:
        yield from say("Your cart is empty, so no coupon applies yet. Here are products on sale right now; "
                       "add something and ask again to see the best coupon. ")
        if not result.applied and not result.near_misses:
            return
    for piece in phrase_promotions(result, services.model, ctx.message, services.config.store_name, money=money):
        yield TextDeltaEvent(text=piece)
