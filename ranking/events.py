"""Shopper events and how much each one says about their interests."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ranking.errors import RankingInputError


class EventType(StrEnum):
    VIEW = "view"
    CLICK = "click"
    ADD_TO_CART = "add_to_cart"
    PURCHASE = "purchase"
    LIKE = "like"
    DISLIKE = "dislike"


# Strength of the interest signal; a dislike pushes affinities down.
DEFAULT_EVENT_WEIGHTS: dict[EventType, float] = {
    EventType.VIEW: 0.3,
    EventType.CLICK: 0.6,
    EventType.ADD_TO_CART: 1.0,
    EventType.PURCHASE: 1.5,
    EventType.LIKE: 1.0,
    EventType.DISLIKE: -1.0,
}


def parse_event_type(value: str | EventType) -> EventType:
    try:
        return EventType(str(value).strip().lower().replace("-", "_"))
    except ValueError:
        allowed = ", ".join(e.value for e in EventType)
        raise RankingInputError(f"unknown event type {value!r} (expected one of: {allowed})") from None


@dataclass(frozen=True)
class Event:
    user_id: str
    type: EventType
    product_id: str
    ts: float  # unix seconds, already clamped to "now"
    weight: float
