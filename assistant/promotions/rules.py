"""The promotion rule engine: code decides which offers apply; the model only phrases them.

Offers are of two kinds: catalog discounts (a product's sale price below its list
price) and coupons with conditions (minimum basket, category, brand, first order
only, validity window). `eligible_promotions` evaluates the store's coupons (its
promotions file, `assistant.promotions.source`) against the cart and the shopper,
computes the exact saving, and also reports coupons the shopper is close to (e.g.
"add $12 more"), so the assistant can nudge honestly. Every amount is written in
the store's money format.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from retrieval.catalog import Catalog, Product
from retrieval.money import Money


@dataclass(frozen=True)
class Coupon:
    code: str
    description: str  # as the store words it; empty: `describe` writes one from the conditions
    kind: str  # "percent" | "flat"
    value: float
    max_discount: float | None = None
    min_basket: float = 0.0
    categories: tuple[str, ...] = ()  # top-level categories (case-insensitive); empty = all
    brands: tuple[str, ...] = ()
    first_order_only: bool = False
    starts: datetime | None = None
    expires: datetime | None = None

    def describe(self, money: Money) -> str:
        """The store's wording, else one from the fields ("15% off footwear on $80 or more, up to $30")."""
        if self.description:
            return self.description
        text = f"{self.value:g}% off" if self.kind == "percent" else f"{money(self.value)} off"
        scope = ", ".join(self.categories + self.brands)
        text += f" {scope}" if scope else (" your first order" if self.first_order_only else " your order")
        if self.min_basket:
            text += f" on {money(self.min_basket)} or more"
        if self.max_discount is not None and self.kind == "percent":
            text += f", up to {money(self.max_discount)}"
        return text

    def applies_to(self, product: Product) -> bool:
        if self.categories and product.category.lower() not in {c.lower() for c in self.categories}:
            return False
        return not (self.brands and product.brand.lower() not in {b.lower() for b in self.brands})


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int = 1

    @property
    def amount(self) -> float:
        return round(self.product.price * self.quantity, 2)


@dataclass
class Cart:
    lines: list[CartLine] = field(default_factory=list)

    @property
    def subtotal(self) -> float:
        return round(sum(line.amount for line in self.lines), 2)

    @classmethod
    def of(cls, products: Iterable[Product]) -> Cart:
        return cls([CartLine(p) for p in products])


@dataclass(frozen=True)
class PromoProfile:
    """What the rules need to know about the shopper (issue 6 fills it from the stored profile)."""

    user_id: str = ""
    orders_count: int = 0
    preferred_categories: tuple[str, ...] = ()
    preferred_brands: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppliedCoupon:
    coupon: Coupon
    eligible_amount: float
    saving: float

    def fact(self, money: Money) -> str:
        return (f"Coupon {self.coupon.code}: {self.coupon.describe(money)}; it saves {money(self.saving)} "
                "on this cart.")


@dataclass(frozen=True)
class NearMiss:
    coupon: Coupon
    reason: str  # why it does not apply yet
    shortfall: float = 0.0  # amount to add (store currency), when that is the only missing condition

    def fact(self, money: Money) -> str:
        return f"Coupon {self.coupon.code} ({self.coupon.describe(money)}) does not apply yet: {self.reason}."


@dataclass
class PromotionResult:
    applied: list[AppliedCoupon] = field(default_factory=list)  # best first
    near_misses: list[NearMiss] = field(default_factory=list)
    sale_items: list[Product] = field(default_factory=list)  # discounted items in the cart or suggested
    subtotal: float = 0.0

    @property
    def best(self) -> AppliedCoupon | None:
        return self.applied[0] if self.applied else None

    def facts(self, money: Money) -> list[str]:
        out = [f"Cart subtotal: {money(self.subtotal)}."] if self.subtotal else []
        out += [a.fact(money) for a in self.applied] + [n.fact(money) for n in self.near_misses]
        for p in self.sale_items:
            out.append(
                f"{p.title} is on sale at {money(p.price)}, {p.discount_pct:g}% off {money(p.list_price or p.price)}."
            )
        return out

    def amounts(self) -> list[float]:
        vals = [self.subtotal]
        for a in self.applied:
            vals += [
                a.saving,
                a.eligible_amount,
                a.coupon.value,
                a.coupon.min_basket,
                self.subtotal - a.saving,
            ]
            if a.coupon.max_discount:
                vals.append(a.coupon.max_discount)
        for n in self.near_misses:
            vals += [n.shortfall, n.coupon.value, n.coupon.min_basket]
            if n.coupon.max_discount:
                vals.append(n.coupon.max_discount)
        return [round(v, 2) for v in vals if v]


def _saving(coupon: Coupon, eligible: float) -> float:
    if coupon.kind == "percent":
        saving = eligible * coupon.value / 100.0
        if coupon.max_discount is not None:
            saving = min(saving, coupon.max_discount)
    else:
        saving = min(coupon.value, eligible)
    return round(saving, 2)


def evaluate_coupon(
    coupon: Coupon, cart: Cart, profile: PromoProfile, now: datetime, *, money: Money
) -> AppliedCoupon | NearMiss | None:
    """AppliedCoupon if every condition holds, NearMiss if it could still apply, None if it never will."""
    if coupon.expires and now > coupon.expires:
        return None
    if coupon.starts and now < coupon.starts:
        return None
    if coupon.first_order_only and profile.orders_count > 0:
        return None
    eligible = round(sum(line.amount for line in cart.lines if coupon.applies_to(line.product)), 2)
    if eligible <= 0:
        scope = ", ".join(coupon.categories + coupon.brands) or "any item"
        return NearMiss(coupon, f"it needs an item from {scope} in the cart")
    basket = eligible if (coupon.categories or coupon.brands) else cart.subtotal
    if basket < coupon.min_basket:
        short = round(coupon.min_basket - basket, 2)
        return NearMiss(coupon, f"add {money(short)} more to reach the {money(coupon.min_basket)} minimum", short)
    return AppliedCoupon(coupon, eligible, _saving(coupon, eligible))


def eligible_promotions(
    cart: Cart,
    profile: PromoProfile,
    catalog: Catalog | Sequence[Product],
    now: datetime,
    coupons: Sequence[Coupon],
    suggest: int = 3,
    *,
    money: Money,
) -> PromotionResult:
    """All offers for this cart and shopper at `now` among the store's `coupons`.

    Coupons are ranked by saving (one coupon per order is the usual rule; the demo's policy §10.1).
    Sale items: those in the cart, then up to `suggest` in-stock catalog items on sale
    in the shopper's preferred (or the cart's) categories, biggest discount first.
    """
    result = PromotionResult(subtotal=cart.subtotal)
    for coupon in coupons:
        outcome = evaluate_coupon(coupon, cart, profile, now, money=money)
        if isinstance(outcome, AppliedCoupon):
            result.applied.append(outcome)
        elif isinstance(outcome, NearMiss):
            result.near_misses.append(outcome)
    result.applied.sort(key=lambda a: (-a.saving, a.coupon.code))
    result.near_misses.sort(key=lambda n: (n.shortfall == 0, n.shortfall, n.coupon.code))
    in_cart = {line.product.id for line in cart.lines}
    result.sale_items = [line.product for line in cart.lines if line.product.on_sale]
    wanted = {c.lower() for c in profile.preferred_categories} or {line.product.category.lower() for line in cart.lines}
    brands = {b.lower() for b in profile.preferred_brands}
    if suggest and (wanted or brands):
        pool = [
            p
            for p in catalog
            if p.on_sale
            and p.in_stock
            and p.id not in in_cart
            and (p.category.lower() in wanted or p.brand.lower() in brands)
        ]
        pool.sort(key=lambda p: (-p.discount_pct, -(p.rating or 0), p.id))
        result.sale_items += pool[:suggest]
    return result
