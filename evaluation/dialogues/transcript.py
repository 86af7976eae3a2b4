"""What one turn gave the shopper, read from the event stream (the same dicts in process and over SSE)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TurnRecord:
    """The events of one turn, folded into what the checks read, plus the cart after the turn."""

    message: str
    scene: str = ""
    cards: list[dict[str, Any]] = field(default_factory=list)  # the last products event's cards
    compared: list[str] = field(default_factory=list)  # product ids of a comparison table
    text: str = ""  # text_delta pieces, plus error messages (the shopper reads both)
    handoff: bool = False
    errors: list[str] = field(default_factory=list)  # error codes
    cart: list[tuple[str, int]] | None = None  # (product id, quantity) after the turn; None: unknown
    first_card_ms: float | None = None
    turn_ms: float = 0.0
    failure: str = ""  # the harness could not play the turn (HTTP error, exception)

    @property
    def card_ids(self) -> list[str]:
        return [str(c.get("id", "")) for c in self.cards]

    @property
    def shown(self) -> list[str]:
        """The list this turn put in front of the shopper: its cards, else the products it compared."""
        return self.card_ids or list(self.compared)

    def add(self, event: Mapping[str, Any]) -> None:
        kind = event.get("type")
        if kind == "scene":
            self.scene = str(event.get("scene", ""))
        elif kind == "products":
            self.cards = [dict(c) for c in event.get("cards", ())]
        elif kind == "comparison":
            self.compared = [str(i) for i in event.get("product_ids", ())]
        elif kind == "text_delta":
            self.text += str(event.get("text", ""))
        elif kind == "handoff":
            self.handoff = True
        elif kind == "error":
            self.errors.append(str(event.get("code", "error")))
            message = str(event.get("message", ""))
            if message:
                self.text += ("\n" if self.text else "") + message


def fold(message: str, events: Iterable[Mapping[str, Any]]) -> TurnRecord:
    record = TurnRecord(message=message)
    for event in events:
        record.add(event)
    return record
