"""The scene taxonomy and how the public data sets map onto it."""

from __future__ import annotations

from typing import Final

SCENES: Final[tuple[str, ...]] = (
    "search",
    "recommend",
    "compare",
    "product_qa",
    "support",
    "promotion",
    "cart",
    "handoff",
    "chitchat",
    "out_of_scope",
)
OUT_OF_SCOPE: Final = "out_of_scope"
IN_SCOPE: Final[tuple[str, ...]] = tuple(s for s in SCENES if s != OUT_OF_SCOPE)

# The 27 Bitext customer-support intents. `contact_human_agent` maps to the
# `handoff` scene; the other 26 are `support` sub-intents.
BITEXT_INTENTS: Final[tuple[str, ...]] = (
    "cancel_order",
    "change_order",
    "change_shipping_address",
    "check_cancellation_fee",
    "check_invoices",
    "check_payment_methods",
    "check_refund_policy",
    "complaint",
    "contact_customer_service",
    "contact_human_agent",
    "create_account",
    "delete_account",
    "delivery_options",
    "delivery_period",
    "edit_account",
    "get_invoice",
    "get_refund",
    "newsletter_subscription",
    "payment_issue",
    "place_order",
    "recover_password",
    "registration_problems",
    "review",
    "set_up_shipping_address",
    "switch_account",
    "track_order",
    "track_refund",
)
SUPPORT_INTENTS: Final[tuple[str, ...]] = tuple(i for i in BITEXT_INTENTS if i != "contact_human_agent")

# CLINC150 is a general assistant's intent set; for a shop most of it is out of
# scope. These intents are what a shop assistant does handle.
CLINC_CHITCHAT: Final[frozenset[str]] = frozenset(
    {
        "greeting",
        "goodbye",
        "thank_you",
        "how_old_are_you",
        "what_is_your_name",
        "are_you_a_bot",
        "who_made_you",
        "tell_joke",
        "what_are_your_hobbies",
        "do_you_have_pets",
        "where_are_you_from",
        "who_do_you_work_for",
        "what_can_i_ask_you",
        "meaning_of_life",
        "yes",
        "no",
        "maybe",
        "repeat",
    }
)
# intent -> (scene, support sub-intent)
CLINC_SHOP: Final[dict[str, tuple[str, str | None]]] = {
    "order_status": ("support", "track_order"),
    "card_declined": ("support", "payment_issue"),
    "order": ("search", None),  # "could you order me some more lysol": a purchase request
}
# Ambiguous for a shop (a personal shopping list vs the cart, "cancel that",
# credit-card reward points vs store promotions): kept out of training and evaluation.
CLINC_DROPPED: Final[frozenset[str]] = frozenset(
    {"shopping_list", "shopping_list_update", "cancel", "redeem_rewards", "rewards_balance"}
)


def clinc_label(intent: str) -> tuple[str, str | None] | None:
    """Scene (and support sub-intent) of a CLINC150 intent; None when it is left out."""
    if intent in CLINC_DROPPED:
        return None
    if intent in CLINC_SHOP:
        return CLINC_SHOP[intent]
    if intent in CLINC_CHITCHAT:
        return ("chitchat", None)
    return (OUT_OF_SCOPE, None)


def bitext_label(intent: str) -> tuple[str, str | None]:
    """Scene and sub-intent of a Bitext intent."""
    if intent == "contact_human_agent":
        return ("handoff", None)
    return ("support", intent)
