"""Which products a message means: its words (scene.mentions) resolved against the dialogue's
referent sets (scene.referents) and the catalog's facts.

Rules (EN and ZH alike; "card numbers" are the positions of the latest product list):

- ordinals ("the 2nd", "#3", "number two", "第二个", "1 and 3") are card numbers. For a change to
  cart lines (remove, set a quantity) they count cart lines instead when the shopper was looking at
  the cart (they asked to see it) or said "in my cart"; and when the numbered card is not in the cart
  but the cart has a line with that number, the cart line is meant;
- superlatives and comparatives ("the cheapest", "the cheaper one", "评分最高的", "便宜的那个") pick
  from the set in view: the cart lines (for a cart-line change while looking at the cart, or "in my
  cart"), else the compared products when a comparison is on screen, else (for a comparative) the two
  products in focus, else the product list. Ties go to the lower card number. A fact no product has
  (no ratings, no weights) is said, never guessed;
- "both" / "两个都": the compared pair, else a focus of two, else a list of two; "all" / "全部": the set
  in view; "the other one" / "另一个": the pair in view minus the one in focus;
- "it" / "that one" / "这个": the focus when it is one product, else the only product in view. With
  several candidates a question answers about the first card (the one the answer described) and
  says its name; a cart change asks which one instead. "them" / "these": the focus when plural,
  else the set in view.

A cart change never touches more products than the words name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from retrieval.catalog import Product
from scene.mentions import Mention, Ordering, parse_mention

if TYPE_CHECKING:  # the skills import this module
    from assistant.conversation.skills.base import Services, TurnContext

Purpose = Literal["add", "cart_line", "ask", "compare"]
Status = Literal["ok", "none", "ambiguous", "unresolved", "no_fact"]
Domain = Literal["shown", "compared", "focus", "cart"]


@dataclass
class Resolution:
    """The products meant (in the order meant), or why there are none (`message` says it to the shopper)."""

    status: Status
    products: list[Product] = field(default_factory=list)
    mention: Mention = field(default_factory=Mention)
    domain: Domain = "shown"
    message: str = ""
    candidates: list[Product] = field(default_factory=list)  # what an ambiguous reference could mean

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def money(services: Services, amount: float) -> str:
    """Prices in reference answers, in the store's money format."""
    return services.config.money(amount)


def cart_lines(services: Services, user_id: str) -> list[tuple[str, int]]:
    """(product id, quantity) of the shopper's cart, in the store's order (the one read of cart lines here)."""
    return list(services.store.carts.items(user_id))


# ---------------------------------------------------------------- orderings over catalog facts

_WEIGHT = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|kgs|g|gm|gms|grams?|mg|lbs?|oz)\b", re.I)
_TO_GRAMS = {"kg": 1000.0, "kgs": 1000.0, "g": 1.0, "gm": 1.0, "gms": 1.0, "gram": 1.0, "grams": 1.0,
             "mg": 0.001, "lb": 453.6, "lbs": 453.6, "oz": 28.35}


def weight_grams(product: Product) -> float | None:
    m = _WEIGHT.search(product.attributes.get("weight", ""))
    return float(m.group(1)) * _TO_GRAMS[m.group(2).lower()] if m else None


def _has_fact(ordering: Ordering, p: Product) -> bool:
    if ordering == "rating":
        return p.rating is not None
    if ordering == "popularity":
        return p.rating_count > 0
    if ordering in ("weight_asc", "weight_desc"):
        return weight_grams(p) is not None
    if ordering == "discount":
        return p.on_sale
    return True


def _sort_key(ordering: Ordering) -> Callable[[tuple[int, Product]], tuple[float, ...]]:
    keys: dict[str, Callable[[tuple[int, Product]], tuple[float, ...]]] = {
        "price_asc": lambda x: (x[1].price, x[0]),
        "price_desc": lambda x: (-x[1].price, x[0]),
        "discount": lambda x: (-x[1].discount_pct, x[0]),
        "rating": lambda x: (-(x[1].rating or 0.0), -x[1].rating_count, x[0]),
        "popularity": lambda x: (-x[1].rating_count, x[0]),
        "weight_asc": lambda x: (weight_grams(x[1]) or 0.0, x[0]),
        "weight_desc": lambda x: (-(weight_grams(x[1]) or 0.0), x[0]),
    }
    return keys[ordering]


def pick_extreme(products: Sequence[Product], ordering: Ordering) -> Product | None:
    """The product with the extreme fact (ties: the earlier one); None when no product has the fact."""
    pool = [(i, p) for i, p in enumerate(products) if _has_fact(ordering, p)]
    return min(pool, key=_sort_key(ordering))[1] if pool else None


def fact_text(ctx: TurnContext, services: Services, p: Product, ordering: Ordering) -> str:
    """The catalog fact that decided a pick, as the shopper reads it."""
    if ordering in ("price_asc", "price_desc"):
        return money(services, p.price)
    if ordering == "discount":
        return ctx.t(f"{p.discount_pct:g}% off, {money(services, p.price)} instead of "
                     f"{money(services, p.list_price or p.price)}",
                     f"优惠{p.discount_pct:g}%，现价{money(services, p.price)}，"
                     f"原价{money(services, p.list_price or p.price)}")
    if ordering == "rating":
        by = (ctx.t(f" by {p.rating_count}", f"（{p.rating_count}人评价）")) if p.rating_count else ""
        return ctx.t(f"rated {p.rating:g}/5{by}", f"评分{p.rating:g}/5{by}")
    if ordering == "popularity":
        return ctx.t(f"{p.rating_count} ratings", f"{p.rating_count}人评价")
    return ctx.t(f"weight {p.attributes.get('weight', '')}", f"重量{p.attributes.get('weight', '')}")


_MISSING_FACT = {
    "rating": ("None of them has a rating yet, so I can't say which is rated best.",
               "它们都还没有评分，无法比较哪个评分最高。"),
    "popularity": ("None of them has ratings yet, so I can't say which is most popular.",
                   "它们都还没有评价，无法判断哪个最受欢迎。"),
    "discount": ("None of them is on sale right now.", "它们目前都没有折扣。"),
    "weight_asc": ("The listings don't say how much they weigh.", "商品信息里没有注明重量。"),
    "weight_desc": ("The listings don't say how much they weigh.", "商品信息里没有注明重量。"),
}


# ---------------------------------------------------------------- the referent sets


@dataclass
class Sets:
    """The referent sets of this turn, as products."""

    shown: list[Product]
    compared: list[Product]
    focus: list[Product]
    cart: list[Product]
    on_screen: str

    @classmethod
    def of(cls, ctx: TurnContext, services: Services) -> Sets:
        def products(ids: Sequence[str]) -> list[Product]:
            return [p for pid in dict.fromkeys(ids) if (p := services.product(pid)) is not None]

        refs = ctx.state.refs
        in_cart = [pid for pid, _ in cart_lines(services, ctx.user_id)]
        ordered = [pid for pid in refs.cart_view if pid in in_cart] + [pid for pid in in_cart
                                                                      if pid not in refs.cart_view]
        return cls(products(ctx.state.last_shown), products(refs.compared), products(refs.focus), products(ordered),
                   refs.on_screen)

    def in_view(self, mention: Mention, purpose: Purpose) -> tuple[Domain, list[Product]]:
        """The set a superlative, "all" or "them" picks from."""
        looking_at_cart = purpose == "cart_line" and self.on_screen == "cart"
        if self.cart and ((mention.in_cart and purpose != "add") or looking_at_cart):
            return "cart", self.cart
        if self.compared and self.on_screen == "comparison":
            return "compared", self.compared
        if len(self.focus) == 2 and mention.comparative:  # "the cheaper one" picks one of the two in focus
            return "focus", self.focus
        if self.shown:
            return "shown", self.shown
        if purpose == "cart_line" and self.cart:
            return "cart", self.cart
        return "compared", self.compared

    def pair(self, purpose: Purpose) -> list[Product]:
        """The two products "both" and "the other one" mean, or [] when no pair is in view."""
        if len(self.compared) == 2 and self.on_screen == "comparison":
            return self.compared
        if len(self.focus) == 2:
            return self.focus
        if len(self.shown) == 2:
            return self.shown
        if purpose == "cart_line" and len(self.cart) == 2:
            return self.cart
        if len(self.compared) == 2:
            return self.compared
        return []


# ---------------------------------------------------------------- resolution


NOTHING_IN_VIEW = ("I haven't shown you any products yet. Tell me what you're looking for and I'll find some.",
                   "我还没有给您展示商品。告诉我您想找什么，我来帮您找。")


def card_label(ctx: TurnContext, product: Product) -> str:
    """"#3 <title>" for a product of the latest list (its card number), else the title."""
    shown = ctx.state.last_shown
    return f"#{shown.index(product.id) + 1} {product.title}" if product.id in shown else product.title


def _ordinal_name(ctx: TurnContext, p: int) -> str:
    if p < 0:
        return ctx.t("last", "最后一个")
    return ctx.t(f"#{p}", f"第{p}个")


def _positions(ctx: TurnContext, sets: Sets, mention: Mention, purpose: Purpose) -> Resolution:
    use_cart = purpose == "cart_line" and sets.cart and (sets.on_screen == "cart" or mention.in_cart)
    domain: Domain = "cart" if use_cart else "shown"
    pool = sets.cart if use_cart else (sets.shown or sets.compared)
    if not pool and purpose == "cart_line" and sets.cart:
        domain, pool = "cart", sets.cart
    picked: list[Product] = []
    missing: list[int] = []
    in_cart_ids = {p.id for p in sets.cart}
    for pos in mention.positions:
        idx = len(pool) + pos if pos < 0 else pos - 1
        product = pool[idx] if 0 <= idx < len(pool) else None
        if (purpose == "cart_line" and domain == "shown" and (product is None or product.id not in in_cart_ids)
                and 0 <= idx < len(sets.cart)):
            product = sets.cart[idx]  # that card is not in the cart, the cart line with that number is
        if product is None:
            missing.append(pos)
        elif product not in picked:
            picked.append(product)
    if missing:
        names = ", ".join(_ordinal_name(ctx, p) for p in missing)
        n = len(pool)
        if n == 0:
            msg = NOTHING_IN_VIEW[ctx.zh]
        elif domain == "cart" and n == 1:
            msg = ctx.t(f"Your cart has only one line, {pool[0].title}, so there is no {names}.",
                        f"您的购物车里只有一件商品（{pool[0].title}），没有{names}。")
        elif domain == "cart":
            msg = ctx.t(f"Your cart has {n} lines, so there is no {names}. Pick 1 to {n}.",
                        f"您的购物车只有{n}件商品，没有{names}。请选择第1到第{n}个。")
        else:
            msg = ctx.t(f"I only showed {n} product{'s' if n != 1 else ''}, so there is no {names}. "
                        f"Pick a number from 1 to {n}.",
                        f"我只展示了{n}件商品，没有{names}。请选择第1到第{n}件。")
        return Resolution("unresolved", picked, mention, domain, msg)
    return Resolution("ok", picked, mention, domain)


def _ask_which(ctx: TurnContext, candidates: Sequence[Product], mention: Mention, domain: Domain,
               purpose: Purpose) -> Resolution:
    numbered = ctx.t("; ", "；").join(card_label(ctx, p) if domain != "cart" else f"#{i} {p.title}"
                                      for i, p in enumerate(candidates[:5], 1))
    example = {"add": ("add the second one", "把第二个加入购物车"), "cart_line": ("remove the second one", "删掉第二个")
               }.get(purpose, ("the second one", "第二个"))
    if not candidates:
        msg = NOTHING_IN_VIEW[ctx.zh]
    else:
        where = ctx.t(" (in your cart)", "（购物车里）") if domain == "cart" else ""
        msg = ctx.t(f"Which one?{where} {numbered}. Say e.g. \u201c{example[0]}\u201d.",
                    f"是哪一件？{where}{numbered}。比如说“{example[1]}”。")
    return Resolution("ambiguous", [], mention, domain, msg, list(candidates))


def resolve(ctx: TurnContext, services: Services, purpose: Purpose, mention: Mention | None = None) -> Resolution:
    """The products this turn's message means for `purpose`: add (to the cart), cart_line (remove or
    set the quantity of cart lines), ask (a product question) or compare."""
    mention = mention or parse_mention(ctx.message)
    sets = Sets.of(ctx, services)
    kind = mention.kind
    if kind == "positions":
        return _positions(ctx, sets, mention, purpose)
    if kind == "extreme" and mention.ordering is not None:
        domain, pool = sets.in_view(mention, purpose)
        if not pool:
            return _ask_which(ctx, [], mention, domain, purpose)
        winner = pick_extreme(pool, mention.ordering)
        if winner is None:
            en, zh = _MISSING_FACT.get(mention.ordering, ("", ""))
            return Resolution("no_fact", [], mention, domain, ctx.t(en, zh), pool)
        return Resolution("ok", [winner], mention, domain, candidates=list(pool))
    if kind in ("both", "other"):
        pair = sets.pair(purpose)
        if kind == "both":
            if pair:
                return Resolution("ok", list(pair), mention, "compared" if pair == sets.compared else "shown")
            if purpose == "compare" and len(sets.shown) >= 2:
                return Resolution("ok", sets.shown[:2], mention, "shown")
            return _ask_which(ctx, sets.shown, mention, "shown", purpose)
        chosen = [p for p in sets.focus if p in pair]
        if pair and len(chosen) == 1:
            return Resolution("ok", [p for p in pair if p != chosen[0]], mention, "shown")
        return _ask_which(ctx, pair or sets.shown, mention, "shown", purpose)
    if kind in ("all", "them"):
        if kind == "them" and len(sets.focus) >= 2:
            return Resolution("ok", list(sets.focus), mention, "focus")
        domain, pool = sets.in_view(mention, purpose)
        if pool:
            return Resolution("ok", list(pool), mention, domain)
        return _ask_which(ctx, [], mention, domain, purpose)
    return _singular(ctx, sets, mention, purpose)


def _singular(ctx: TurnContext, sets: Sets, mention: Mention, purpose: Purpose) -> Resolution:
    """"it", "that one", "这个", or no words at all: the focus, else the one product in view."""
    if len(sets.focus) == 1:
        return Resolution("ok", list(sets.focus), mention, "focus")
    if sets.focus and purpose in ("ask", "compare"):
        return Resolution("ok", list(sets.focus), mention, "focus")
    domain: Domain
    if purpose == "cart_line" and (sets.on_screen == "cart" or not sets.shown or mention.in_cart):
        pool, domain = sets.cart, "cart"
    elif sets.focus:
        pool, domain = sets.focus, "focus"
    else:
        pool, domain = (sets.shown or sets.compared), "shown"
    if len(pool) == 1:
        return Resolution("ok", list(pool), mention, domain)
    if purpose == "ask" and pool:
        return Resolution("ok", pool[:1], mention, domain)
    if purpose == "compare" and len(pool) >= 2:
        return Resolution("ok", pool[:2], mention, domain)
    if purpose == "cart_line" and len(sets.cart) == 1:
        return Resolution("ok", list(sets.cart), mention, "cart")
    if mention.kind == "none" and not pool:
        return Resolution("none", [], mention, domain, "")
    return _ask_which(ctx, pool, mention, domain, purpose)
