"""Promotions: a rule engine over the catalog and the shopper's profile decides; the model only phrases."""

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
from assistant.promotions.source import PromotionsError, load_promotions

__all__ = [
    "AppliedCoupon",
    "Cart",
    "CartLine",
    "Coupon",
    "NearMiss",
    "PromoProfile",
    "PromotionResult",
    "PromotionsError",
    "eligible_promotions",
    "evaluate_coupon",
    "load_promotions",
    "phrase_promotions",
    "template_promotions",
]
