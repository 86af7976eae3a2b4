"""What is not a product a shopper searches for: gift cards and checkout add-ons.

Stores export everything they sell, including things that are not goods:
gift cards, "Shipping Protection by Route" and other package-protection or
insurance add-ons, protection plans, tips and fees. Recommending them would be
wrong, so importers skip them and count the reason.

The rules look at the title, vendor and product type, and at whether the item
ships: a service word ("insurance", "warranty", "installation", "tip") only
marks an item as a service when the export says it does not ship, so a
"warranty card holder" or a "tip-resistant bowl" stays a product.
"""

from __future__ import annotations

import re

GIFT_CARD = "gift card"
SHIPPING_PROTECTION = "shipping protection"
SERVICE = "service, not goods"

_GIFT_CARD = re.compile(
    r"\b(?:e-?)?gift[\s-]?(?:cards?|certificates?|vouchers?)\b|\btarjetas? de regalo\b|\bgutschein|\bcarte[s]? cadeau",
    re.IGNORECASE,
)
_SHIPPING_PROTECTION = re.compile(
    r"\b(?:shipping|package|parcel|order|delivery|transit|shipment)\s+(?:protection|insurance|guarantee|coverage)\b"
    r"|\broute\s+(?:package\s+)?protection\b|\bprotection\s+by\s+route\b|\bshipinsure\b|\bnavidium\b"
    r"|\bseel\s+(?:worry-free|protection)\b|\bcorso\s+protection\b",
    re.IGNORECASE,
)
_SERVICE = re.compile(
    r"\b(?:insurance|warranty|warranties|protection\s+plan|service\s+plan|care\s+plan|installation|install|"
    r"assembly|services?|donations?|tips?|gratuity|fees?|deposit|appointment|booking|consultation|membership|"
    r"subscription\s+fee|handling)\b",
    re.IGNORECASE,
)


def not_goods_reason(
    title: str,
    *,
    vendor: str = "",
    product_type: str = "",
    category: str = "",
    gift_card: bool = False,
    requires_shipping: bool | None = None,
) -> str | None:
    """Why this item is not a searchable product (None when it is one).

    `requires_shipping` is None when the export does not say (Google Merchant feeds).
    """
    if gift_card or _GIFT_CARD.search(product_type) or _GIFT_CARD.search(category):
        return GIFT_CARD
    if _GIFT_CARD.search(title) and requires_shipping is not True:
        return GIFT_CARD
    if any(_SHIPPING_PROTECTION.search(text) for text in (title, vendor, product_type)):
        return SHIPPING_PROTECTION
    if requires_shipping is False and (_SERVICE.search(product_type) or _SERVICE.search(title)):
        return SERVICE
    return None
