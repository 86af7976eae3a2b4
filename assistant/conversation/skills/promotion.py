"""Promotions: the store's live coupons, what each gives and needs, and which applies to the cart.

Three kinds of question, all answered from the store's promotions file by templates (amounts in the
store's money format, the shopper's language):

- "what coupons are there?": every live coupon with its terms; with a cart, the one that saves the most
  (the rule engine decides) and what is missing for others ("add $X more to use SAVE10");
- "any for shoes?", 鞋子用哪个: the coupons limited to the categories those words reach in the catalog's
  category tree, and the ones valid on any order;
- "max discount with that?", "can I combine it?": the coupon in focus (`DialogueState.coupons`, set by
  the earlier answers) or the one named; combining and using coupons are the store's policy, quoted by
  the support answerer.

Items on sale come first as cards, as before. A store without coupons says so and shows what is on sale.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from assistant.conversation.events import Event, PromotionEvent, TextDeltaEvent
from assistant.conversation.skills import finding
from assistant.conversation.skills.base import Services, TurnContext, say
from assistant.conversation.skills.showing import Pick, cards_event, fallback_reasons, rank_hits
from assistant.promotions import Cart, CartLine, Coupon, PromoProfile, PromotionResult, eligible_promotions
from assistant.promotions.offers import CouponWords, category_zh, is_general, is_live, lines, live_coupons
from assistant.promotions.question import CouponQuestion, named_codes, read_question
from assistant.promotions.scope import Scope, asked_scope, coupons_for
from assistant.support.answer import SupportAnswer

MAX_ABOUT = 5  # coupons one follow-up answers about
MAX_MISSING = 3  # "add $X more" hints after the list
POLICY_INTENT = "promotion"  # no support intent routes to a section: the policy search goes by meaning alone


def _on_sale(services: Services, k: int, exclude: set[str], categories: frozenset[str] = frozenset()) -> list[Pick]:
    pool = [p for p in services.catalog if p.on_sale and p.in_stock and p.id not in exclude
            and (not categories or p.category.lower() in categories)]
    pool.sort(key=lambda p: (-(p.rating or 0) * min(p.rating_count, 50), -p.discount_pct, p.id))
    return [Pick(p, fallback_reasons(p)) for p in pool[:k]]


def _named_on_sale(ctx: TurnContext, services: Services, exclude: set[str]) -> list[Pick] | None:
    """Sale items of the product the shopper named ("deals on boots?", "打折的手表"), None when none was named."""
    read = ctx.result.slots.need
    if read is None or not read.types:
        return None
    update = finding.plan(ctx, services, read)
    update.need.filters.on_sale = True
    found = finding.find(ctx, services, update, services.config.candidates)
    hits = [h for h in (found.response.hits if found.response else []) if h.product.id not in exclude]
    return rank_hits(ctx, services, found.query, hits, services.config.cards_per_turn)


def _shopper(ctx: TurnContext, services: Services) -> tuple[Cart, PromoProfile]:
    lines_ = [CartLine(p, q) for pid, q in services.store.carts.items(ctx.user_id) if (p := services.product(pid))]
    profile = services.profile(ctx.user_id)
    cats = tuple(c for c, w in profile.top("categories", 3) if w > 0) if profile else ()
    brands = tuple(b for b, w in profile.top("brands", 2) if w > 0) if profile else ()
    orders = len(services.orders.for_user(ctx.user_id)) if services.orders else 0
    return Cart(lines_), PromoProfile(ctx.user_id, orders, cats, brands)


def _scope(ctx: TurnContext, services: Services) -> Scope:
    slots = ctx.result.slots
    types = slots.need.types if slots.need is not None else []
    return asked_scope(ctx.message, services.catalog, categories=slots.filters.categories,
                       brands=slots.filters.brands, types=types, coupons=services.coupons)


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    question = read_question(ctx.message)
    named = named_codes(ctx.message, services.coupons)
    focus = [c for code in ctx.state.coupons for c in services.coupons if c.code == code]
    if services.coupons and question.policy:
        yield from _policy(ctx, services, named or focus, question)
        return
    scope = _scope(ctx, services) if services.coupons else Scope()
    if named or (focus and question.follows_up and not scope):
        yield from _about(ctx, services, named or focus, question)
        return
    yield from _offers(ctx, services, scope)


def _cards(ctx: TurnContext, services: Services, result: PromotionResult, scope: Scope,
           in_cart: set[str]) -> Iterator[Event]:
    """Items on sale, first: of the product named, else of the categories asked, else the engine's picks."""
    named = _named_on_sale(ctx, services, in_cart)
    if named is None and scope.categories:
        suggestions = _on_sale(services, 3, in_cart, scope.categories)
    elif named is None:
        suggestions = [Pick(p, fallback_reasons(p)) for p in result.sale_items if p.id not in in_cart]
        suggestions = suggestions or _on_sale(services, 3, in_cart)
    else:
        suggestions = named
    if suggestions:
        ctx.shown = [p.product for p in suggestions]
        yield cards_event(suggestions, ctx.language, money=services.config.money)


def _offers(ctx: TurnContext, services: Services, scope: Scope) -> Iterator[Event]:
    money = services.config.money
    now = services.now()
    cart, profile = _shopper(ctx, services)
    live = live_coupons(services.coupons, now)
    result = eligible_promotions(cart, profile, services.catalog, now, live, money=money)
    yield from _cards(ctx, services, result, scope, {ln.product.id for ln in cart.lines})
    best = result.best
    yield PromotionEvent(best_code=best.coupon.code if best else "", saving=best.saving if best else 0.0,
                         facts=tuple(result.facts(money) + lines(live, money, False)))
    tail = ctx.t(" The cards above are items on sale now.", "上方是正在打折的商品。") if ctx.shown else ""
    if not services.coupons:
        yield from say(ctx.t("This store has no coupons right now.", "本店目前没有优惠券。") + tail)
        return
    if not live:
        yield from say(ctx.t("There are no coupons running right now.", "目前没有正在进行的优惠券活动。") + tail)
        return
    text = _for_scope(ctx, services, scope, live) if scope else _listing(ctx, services, live)
    text += _cart_part(ctx, services, result, cart, scope, live)
    yield from say(text.rstrip("\n") + ("\n" + tail.strip() if tail else ""))


def _listing(ctx: TurnContext, services: Services, live: Sequence[Coupon]) -> str:
    ctx.state.coupons = [c.code for c in live]
    money = services.config.money
    head = ctx.t(f"{len(live)} coupons are live now:" if len(live) > 1 else "One coupon is live now:",
                 f"目前有{len(live)}张优惠券可用：")
    return head + "\n" + "\n".join(f"- {ln}" for ln in lines(live, money, ctx.zh)) + "\n"


def _label(ctx: TurnContext, scope: Scope) -> str:
    names = sorted(scope.categories) or sorted(scope.brands)
    if ctx.zh:
        return "、".join(category_zh(n) for n in names)
    return ", ".join(names)


def _for_scope(ctx: TurnContext, services: Services, scope: Scope, live: Sequence[Coupon]) -> str:
    """The coupons for the asked categories, then the ones valid on any order."""
    money = services.config.money
    label = _label(ctx, scope)
    matching = coupons_for(scope, live, services.catalog)
    general = [c for c in live if is_general(c)]
    ctx.state.coupons = [c.code for c in (matching or general)]
    bullets = lambda cs: "\n".join(f"- {ln}" for ln in lines(cs, money, ctx.zh))  # noqa: E731
    if matching:
        text = ctx.t(f"For {label}:", f"适用于{label}的优惠券：") + "\n" + bullets(matching) + "\n"
        if general:
            text += ctx.t("These work on any order too:", "以下全场通用的也可以用：") + "\n" + bullets(general) + "\n"
        return text
    if general:
        return ctx.t(f"No coupon is just for {label}, but these work on any order:",
                     f"没有专门针对{label}的优惠券，以下全场通用的可以使用：") + "\n" + bullets(general) + "\n"
    return ctx.t(f"None of the coupons running now covers {label}.", f"目前的优惠券都不能用于{label}。") + "\n"


def _cart_part(ctx: TurnContext, services: Services, result: PromotionResult, cart: Cart, scope: Scope,
               live: Sequence[Coupon]) -> str:
    """Which coupon saves the most on this cart, and what is missing for others."""
    if not cart.lines:
        if scope:
            return ""
        return ctx.t("Add items to your cart and I'll tell you which one saves you the most.",
                     "加入商品后，我可以告诉您哪张最省钱。")
    wanted = set(ctx.state.coupons) if scope else {c.code for c in live}
    return _cart_summary(ctx, services, result, wanted)


def _cart_summary(ctx: TurnContext, services: Services, result: PromotionResult, codes: set[str]) -> str:
    money = services.config.money
    applied = [a for a in result.applied if a.coupon.code in codes]
    misses = [n for n in result.near_misses if n.shortfall and n.coupon.code in codes]
    parts = []
    if applied:
        best = applied[0]
        if len(codes) > 1:
            parts.append(ctx.t(f"For your cart, {best.coupon.code} saves the most: {money(best.saving)}.",
                               f"按您的购物车，{best.coupon.code}最划算，可节省{money(best.saving)}。"))
        else:
            parts.append(ctx.t(f"On your cart, {best.coupon.code} saves {money(best.saving)}.",
                               f"用在您的购物车上，{best.coupon.code}可节省{money(best.saving)}。"))
    else:
        parts.append(ctx.t("None of them applies to your cart yet." if len(codes) > 1
                           else "It does not apply to your cart yet.",
                           "这些优惠券暂时都不适用于您的购物车。" if len(codes) > 1 else "它暂时不适用于您的购物车。"))
    parts += [CouponWords(n.coupon, money, ctx.zh).missing(n) for n in misses[:MAX_MISSING]]
    return ("" if ctx.zh else " ").join(parts)


def _about(ctx: TurnContext, services: Services, coupons: Sequence[Coupon],
           question: CouponQuestion) -> Iterator[Event]:
    """Answer the asked terms of the coupons in focus (or named): cap, minimum, expiry, scope, saving. About
    several coupons, only those with the asked condition are named."""
    money = services.config.money
    now = services.now()
    cart, profile = _shopper(ctx, services)
    ctx.state.coupons = [c.code for c in coupons]
    yield PromotionEvent(facts=tuple(lines(coupons, money, False)))  # the terms the answer may name
    live = [c for c in coupons if is_live(c, now)]
    out = [CouponWords(c, money, ctx.zh).expiry(now) for c in coupons if not is_live(c, now)]
    for aspect in question.aspects or ("terms",):
        if aspect == "saving" and len(live) > 1:
            if not cart.lines:
                out.append(ctx.t("Your cart is empty; add items and I'll tell you which one saves the most.",
                                 "您的购物车是空的；加入商品后我可以告诉您哪张最省钱。"))
                continue
            result = eligible_promotions(cart, profile, services.catalog, now, live, money=money)
            out.append(_cart_summary(ctx, services, result, {c.code for c in live}))
            continue
        having = [CouponWords(c, money, ctx.zh) for c in live]
        if len(having) > 1:
            having = [w for w in having if w.has(aspect)] or having[:1]
            if not having[0].has(aspect):
                out.append(having[0].none_has(aspect))
                continue
        for words in having[:MAX_ABOUT]:
            out.append(_term(words, aspect, cart, profile, now))
    yield from say(("" if ctx.zh else " ").join(dict.fromkeys(t for t in out if t)))


def _term(words: CouponWords, aspect: str, cart: Cart, profile: PromoProfile, now: datetime) -> str:
    if aspect == "cap":
        return words.cap()
    if aspect == "minimum":
        return words.minimum()
    if aspect == "expiry":
        return words.expiry(now)
    if aspect == "scope":
        return words.applies_to()
    if aspect == "first_order":
        return words.first_order()
    if aspect == "saving":
        return words.on_cart(cart, profile, now)
    return words.line()


def _policy(ctx: TurnContext, services: Services, coupons: Sequence[Coupon],
            question: CouponQuestion) -> Iterator[Event]:
    """Combining or using coupons: the store's promotions policy, through the support answerer."""
    if coupons:
        ctx.state.coupons = [c.code for c in coupons]
    if services.support is None:
        yield from say(ctx.t("I can't look up the store's coupon rules right now. Each coupon's own conditions "
                             "are shown with it.", "暂时无法查询店铺的优惠券规则。每张优惠券的使用条件见其说明。"))
        return
    # The support intents have none for coupons: the section is found by meaning alone, the question
    # marked as one about coupons so a short "can I stack them?" or a Chinese one reaches the right section.
    hint = {"combine": "using more than one coupon", "use": "how to use a coupon code"}
    about = "; ".join(hint[p] for p in question.policy if p in hint) or "coupons"
    plan = services.support.plan(f"{ctx.message} (coupon question: {about})", user_id=ctx.user_id,
                                 intent=POLICY_INTENT, confidence=0.0)
    if ctx.zh:
        first = plan.messages[0]
        plan.messages[0] = {"role": first["role"], "content": first["content"] + " Answer in Simplified Chinese."}
    answer = SupportAnswer("", plan.intent.intent, plan.intent.confidence, plan.section.id, plan.citation)
    for piece in services.support.stream(plan, answer):
        yield TextDeltaEvent(text=piece)
    ctx.record_generation(answer.report, answer.ttft_s)
