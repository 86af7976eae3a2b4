"""The promotion rule engine decides over the store's coupons (the demo store's promotions file here);
phrasing is grounded in its decision."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.llm import FakeChatModel
from assistant.promotions import (
    Cart,
    CartLine,
    Coupon,
    PromoProfile,
    eligible_promotions,
    evaluate_coupon,
    load_promotions,
    phrase_promotions,
    template_promotions,
)
from assistant.promotions.rules import AppliedCoupon, NearMiss
from assistant.store_profile import demo_settings
from retrieval.catalog import Product
from retrieval.money import Money

NOW = datetime(2026, 11, 23, tzinfo=UTC)
DEMO_COUPONS = load_promotions(demo_settings().store.promotions)
INR = Money("INR", "en_IN")


def _p(pid: str, price: float, cat: str = "footwear", brand: str = "aw", list_price: float | None = None) -> Product:
    return Product(
        id=pid, title=f"item {pid}", brand=brand, category_path=[cat], price=price, list_price=list_price, stock=3
    )


def test_first_order_coupon_caps_and_excludes_returning_shoppers() -> None:
    welcome = next(c for c in DEMO_COUPONS if c.code == "WELCOME10")
    cart = Cart.of([_p("a", 2500)])
    applied = evaluate_coupon(welcome, cart, PromoProfile(orders_count=0), NOW, money=INR)
    assert isinstance(applied, AppliedCoupon) and applied.saving == 200  # 10% capped at ₹200
    assert evaluate_coupon(welcome, cart, PromoProfile(orders_count=3), NOW, money=INR) is None


def test_min_basket_gives_an_honest_near_miss() -> None:
    coupon = Coupon("SAVE100", "₹100 off ₹999+", "flat", 100, min_basket=999)
    miss = evaluate_coupon(coupon, Cart.of([_p("a", 899)]), PromoProfile(), NOW, money=INR)
    assert isinstance(miss, NearMiss) and miss.shortfall == 100


def test_category_brand_and_expiry_conditions() -> None:
    step = Coupon("STEP", "15% footwear", "percent", 15, categories=("Footwear",))
    cart = Cart([CartLine(_p("a", 1000, "footwear"), 2), CartLine(_p("b", 500, "watches"))])
    applied = evaluate_coupon(step, cart, PromoProfile(), NOW, money=INR)
    assert isinstance(applied, AppliedCoupon) and applied.eligible_amount == 2000 and applied.saving == 300
    brand = Coupon("BR", "₹50 off brand x", "flat", 50, brands=("X",))
    assert isinstance(evaluate_coupon(brand, cart, PromoProfile(), NOW, money=INR), NearMiss)
    old = Coupon("OLD", "expired", "flat", 50, expires=datetime(2026, 1, 1, tzinfo=UTC))
    assert evaluate_coupon(old, cart, PromoProfile(), NOW, money=INR) is None
    future = Coupon("NEW", "later", "flat", 50, starts=datetime(2027, 1, 1, tzinfo=UTC))
    assert evaluate_coupon(future, cart, PromoProfile(), NOW, money=INR) is None


def test_best_coupon_first_and_sale_items_suggested() -> None:
    catalog = [_p("s1", 400, list_price=800), _p("s2", 900, list_price=1000), _p("w", 100, "watches", list_price=900)]
    cart = Cart.of([_p("a", 1200)])
    result = eligible_promotions(cart, PromoProfile(orders_count=1), catalog, NOW, DEMO_COUPONS, money=INR)
    savings = [a.saving for a in result.applied]
    assert savings == sorted(savings, reverse=True) and result.best is not None
    assert result.best.coupon.code == "STEPUP15"  # 15% of 1200 = 180 beats SAVE100
    assert [p.id for p in result.sale_items] == ["s1", "s2"]  # same category, biggest discount first
    assert all(c.coupon.code != "DIWALI300" for c in result.applied)  # expired on NOW


def test_phrasing_keeps_only_grounded_sentences() -> None:
    result = eligible_promotions(Cart.of([_p("a", 1200)]), PromoProfile(orders_count=1), [], NOW, DEMO_COUPONS,
                                 money=INR)
    model = FakeChatModel("Use STEPUP15 to save ₹180. Or use MEGA90 for 90% off!")
    text = "".join(phrase_promotions(result, model, "any coupons?", money=INR))
    # the template's lead comes first (no waiting on the model), then only the grounded model sentence
    assert text == ("Use coupon STEPUP15 to save ₹180 (15% off footwear on ₹799 or more, up to ₹300). "
                    "Use STEPUP15 to save ₹180.")
    fallback = "".join(phrase_promotions(result, FakeChatModel("Everything is free, $0!"), "x", money=INR))
    assert fallback == template_promotions(result, INR)


def test_a_store_file_of_coupons_in_dollars_describes_them_in_dollars(tmp_path) -> None:
    usd = Money("USD", "en_US")
    (tmp_path / "promotions.toml").write_text(
        '[[coupon]]\ncode = "save10"\nkind = "flat"\nvalue = 10\nmin_basket = 50\n\n'
        '[[coupon]]\ncode = "SHOES15"\nkind = "percent"\nvalue = 15\nmax_discount = 20.5\ncategories = ["footwear"]\n'
        'expires = 2027-01-05T00:00:00Z\n', encoding="utf-8")
    coupons = load_promotions(tmp_path / "promotions.toml")
    assert [c.code for c in coupons] == ["SAVE10", "SHOES15"]
    assert coupons[0].describe(usd) == "$10 off your order on $50 or more"
    assert coupons[1].describe(usd) == "15% off footwear, up to $20.50"
    result = eligible_promotions(Cart.of([_p("a", 45)]), PromoProfile(), [], NOW, coupons, money=usd)
    assert result.near_misses[0].reason == "add $5 more to reach the $50 minimum"
    assert "₹" not in " ".join(result.facts(usd)) and load_promotions(None) == ()


def test_a_broken_promotions_file_names_the_problem(tmp_path) -> None:
    import pytest

    from assistant.promotions import PromotionsError

    bad = tmp_path / "p.toml"
    bad.write_text('[[coupon]]\ncode = "X"\nkind = "gift"\nvalue = 5\n', encoding="utf-8")
    with pytest.raises(PromotionsError, match="kind must be flat or percent"):
        load_promotions(bad)
