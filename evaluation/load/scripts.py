"""What simulated shoppers do: each script is one conversation; `CART` adds the first card shown so far
through `POST /v1/cart/items` (the card's button), everything else is a chat message.

Budgets and products vary with the shopper and the round, so a cache keyed on the exact message
cannot make the bench look faster than real, varied traffic."""

from __future__ import annotations

CART = "@cart"

SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("running shoes for men under {price}", "cheaper ones?", "compare the first two", "add the second one to my cart",
     CART, "how do I return an item?"),
    ("{item} for women", "what is the rating of the first one?", "where is my order SA-100232?", CART,
     "show my cart"),
    ("我想买一块手表，预算{price}元", "第二个多少钱？", "比较前两个", "把第一个加入购物车", CART),
    ("{item} for my sister under {price}", "cheaper ones?", "any coupons for my cart?", CART,
     "how do I return an item?"),
    ("{item} on sale", "compare the first two", "add the first one to my cart", "where is my order SA-100232?"),
)
PRICES = (500, 800, 1000, 1500, 2000, 2500, 3000, 5000)
ITEMS = ("analog watch", "earrings", "handbag", "sunglasses", "t-shirt", "sandals", "bedsheet", "wallet", "jeans")


def script_for(shopper: int, round_: int = 0) -> tuple[str, ...]:
    """Shoppers take the scripts in turn (any 5 consecutive shoppers cover the whole mix); each round of a
    shopper asks for another budget and product."""
    n = shopper * 7 + round_ * 3
    values = {"price": PRICES[n % len(PRICES)], "item": ITEMS[n % len(ITEMS)]}
    return tuple(step.format(**values) for step in SCRIPTS[shopper % len(SCRIPTS)])
