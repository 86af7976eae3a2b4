"""Support intents (the 27 Bitext intents) and their spelling. Which policy section answers each one
is the store's: its policies folder's `routing.toml` (`assistant.support.policies.load_routing`)."""

from __future__ import annotations

ALIASES = {"check_invoices": "check_invoice"}


def normalize_intent(intent: str) -> str:
    key = intent.strip().lower()
    return ALIASES.get(key, key)
