"""The demo store's coupon set (dates are absolute so tests and demos are reproducible)."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.promotions.rules import Coupon


def _d(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


DEMO_COUPONS: tuple[Coupon, ...] = (
    Coupon(
        "WELCOME10",
        "10% off your first order, up to ₹200",
        "percent",
        10,
        max_discount=200,
        first_order_only=True,
    ),
    Coupon("SAVE100", "₹100 off orders of ₹999 or more", "flat", 100, min_basket=999),
    Coupon("BIG500", "₹500 off orders of ₹4,999 or more", "flat", 500, min_basket=4999),
    Coupon(
        "STEPUP15",
        "15% off footwear on ₹799 or more, up to ₹300",
        "percent",
        15,
        max_discount=300,
        min_basket=799,
        categories=("footwear",),
    ),
    Coupon(
        "SPARKLE20",
        "20% off jewellery, up to ₹1,000",
        "percent",
        20,
        max_discount=1000,
        categories=("jewellery",),
    ),
    Coupon("TIME12", "12% off watches on ₹1,499 or more", "percent", 12, min_basket=1499, categories=("watches",)),
    Coupon(
        "HOME250",
        "₹250 off home decor and furnishing on ₹2,499 or more",
        "flat",
        250,
        min_basket=2499,
        categories=("home decor festive needs", "home furnishing"),
    ),
    Coupon("SPEEDWAV50", "₹50 off Speedwav car accessories", "flat", 50, brands=("speedwav",)),
    Coupon(
        "DIWALI300",
        "₹300 off orders of ₹1,999 or more (Diwali sale)",
        "flat",
        300,
        min_basket=1999,
        starts=_d(2026, 10, 15),
        expires=_d(2026, 11, 10),
    ),
    Coupon(
        "YEAREND15",
        "15% off orders of ₹1,499 or more, up to ₹750 (year-end sale)",
        "percent",
        15,
        max_discount=750,
        min_basket=1499,
        starts=_d(2026, 12, 15),
        expires=_d(2027, 1, 5),
    ),
)
