"""The promotion rule engine decides; phrasing is grounded in its decision."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.llm import FakeChatModel
from assistant.promotions import (
    DEMO_COUPONS,
    Cart,
    CartLine,
    Coupon,
    PromoProfile,
    eligible_promotions,
    evaluate_coupon,
    phrase_promotions,
    template_promotions,
)
from assistant.promotions.rules import AppliedCoupon, NearMiss
from retrieval.catalog import Product

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _p(pid: str, price: float, cat: str = "footwear", brand: str = "aw", list_price: float | None = None) -> Product:
    return Product(
        id=pid, title=f"item {pid}", brand=brand, category_path=[cat], price=price, list_price=list_price, stock=3
    )


def test_first_order_coupon_caps_and_excludes_returning_shoppers() -> None:
    welcome = next(c for c in DEMO_COUPONS if c.code == "WELCOME10")
    cart = Cart.of([_p("a", 2500)])
    applied = evaluate_coupon(welcome, cart, PromoProfile(orders_count=0), NOW)
    assert isinstance(applied, AppliedCoupon) and applied.saving == 200  # 10% capped at ₹200
    assert evaluate_coupon(welcome, cart, PromoProfile(orders_count=3), NOW) is None


def test_min_basket_gives_an_honest_near_miss() -> None:
    coupon = Coupon("SAVE100", "₹100 off ₹999+", "flat", 100, min_basket=999)
    miss = evaluate_coupon(coupon, Cart.of([_p("a", 899)]), PromoProfile(), NOW)
    assert isinstance(miss, NearMiss) and miss.shortfall == 100


def test_category_brand_and_expiry_conditions() -> None:
    step = Coupon("STEP", "15% footwear", "percent", 15, categories=("Footwear",))
    cart = Cart([CartLine(_p("a", 1000, "footwear"), 2), CartLine(_p("b", 500, "watches"))])
    applied = evaluate_coupon(step, cart, PromoProfile(), NOW)
    assert isinstance(applied, AppliedCoupon) and applied.eligible_amount == 2000 and applied.saving == 300
    brand = Coupon("BR", "₹50 off brand x", "flat", 50, brands=("X",))
    assert isinstance(evaluate_coupon(brand, cart, PromoProfile(), NOW), NearMiss)
    old = Coupon("OLD", "expired", "flat", 50, expires=datetime(2026, 1, 1, tzinfo=UTC))
    assert evaluate_coupon(old, cart, PromoProfile(), NOW) is None
    future = Coupon("NEW", "later", "flat", 50, starts=datetime(2027, 1, 1, tzinfo=UTC))
    assert evaluate_coupon(future, cart, PromoProfile(), NOW) is None


def test_best_coupon_first_and_sale_items_suggested() -> None:
    catalog = [_p("s1", 400, list_price=800), _p("s2", 900, list_price=1000), _p("w", 100, "watches", list_price=900)]
    cart = Cart.of([_p("a", 1200)])
    result = eligible_promotions(cart, PromoProfile(orders_count=1), catalog, NOW)
    savings = [a.saving for a in result.applied]
    assert savings == sorted(savings, reverse=True) and result.best is not None
    assert result.best.coupon.code == "STEPUP15"  # 15% of 1200 = 180 beats SAVE100
    assert [p.id for p in result.sale_items] == ["s1", "s2"]  # same category, biggest discount first
    assert all(c.coupon.code != "DIWALI300" for c in result.applied)  # expired on NOW


def test_phrasing_keeps_only_grounded_sentences() -> None:
    result = eligible_promotions(Cart.of([_p("a", 1200)]), PromoProfile(orders_count=1), [], NOW)
    model = FakeChatModel("Use STEPUP15 to save ₹180. Or use MEGA90 for 90% off!")
    text = "".join(phrase_promotions(result, model, "any coupons?"))
    # the template's lead comes first (no waiting on the model), then only the grounded model sentence
    assert text == ("Use coupon STEPUP15 to save ₹180 (15% off footwear on ₹799 or more, up to ₹300). "
                    "Use STEPUP15 to save ₹180.")
    fallback = "".join(phrase_promotions(result, FakeChatModel("Everything is free, $0!"), "x"))
    assert fallback == template_promotions(result)
