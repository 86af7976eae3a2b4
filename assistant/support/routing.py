"""Which policy section answers each support sub-intent (the 27 Bitext intents)."""

from __future__ import annotations

INTENT_SECTION: dict[str, str] = {
    "place_order": "1.1",
    "change_order": "1.2",
    "cancel_order": "1.3",
    "check_cancellation_fee": "1.4",
    "track_order": "1.5",
    "delivery_options": "2.1",
    "delivery_period": "2.2",
    "set_up_shipping_address": "2.4",
    "change_shipping_address": "2.5",
    "check_refund_policy": "4.1",
    "get_refund": "4.2",
    "track_refund": "4.3",
    "check_payment_methods": "5.1",
    "payment_issue": "5.2",
    "check_invoice": "6.1",
    "get_invoice": "6.2",
    "create_account": "8.1",
    "registration_problems": "8.2",
    "edit_account": "8.3",
    "recover_password": "8.4",
    "switch_account": "8.5",
    "delete_account": "8.6",
    "contact_customer_service": "9.1",
    "contact_human_agent": "9.2",
    "complaint": "9.3",
    "review": "9.4",
    "newsletter_subscription": "9.5",
}

ALIASES = {"check_invoices": "check_invoice"}


def normalize_intent(intent: str) -> str:
    key = intent.strip().lower()
    return ALIASES.get(key, key)


def section_for(intent: str) -> str | None:
    return INTENT_SECTION.get(normalize_intent(intent))
