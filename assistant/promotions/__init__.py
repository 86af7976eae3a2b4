"""Promotions: a rule engine over the catalog and the shopper's profile decides; the model only phrases."""

from assistant.promotions.coupons import DEMO_COUPONS
from assistant.promotions.phrase import phrase_promotions, template_promotions
from assistant.promotions.rules import (
    AppliedCoupon,
    Cart,
    CartLine,
    Coupon,
    NearMiss,
    PromoProfile,
    PromotionResult,
    eligible_promotions,
    evaluate_coupon,
)

__all__ = [
    "DEMO_COUPONS",
    "AppliedCoupon",
    "Cart",
    "CartLine",
    "Coupon",
    "NearMiss",
    "PromoProfile",
    "PromotionResult",
    "eligible_promotions",
    "evaluate_coupon",
    "phrase_promotions",
    "template_promotions",
]
