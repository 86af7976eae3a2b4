"""Demo order records for the order status / cancel / return flows.

A small deterministic set of orders for the demo users, kept in memory; issue 6
moves them into the conversation store. The rules here follow policy sections
1.3 (cancel before shipping), 3.1 (return within 10 days of delivery) and 2.5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

CANCELLABLE = ("placed", "packed")
RETURN_WINDOW_DAYS = 10
_ORDER_ID = re.compile(r"\bSA-?\d{6}\b", re.IGNORECASE)


@dataclass(frozen=True)
class OrderLine:
    title: str
    quantity: int
    unit_price: float


@dataclass(frozen=True)
class Order:
    order_id: str
    user_id: str
    status: str  # placed | packed | shipped | out_for_delivery | delivered | cancelled | returned
    lines: tuple[OrderLine, ...]
    placed_on: date
    promised_on: date
    delivered_on: date | None = None
    payment: str = "UPI"
    city: str = "Bengaluru"
    courier: str = ""
    tracking_url: str = ""

    @property
    def total(self) -> float:
        return round(sum(line.quantity * line.unit_price for line in self.lines), 2)

    def facts(self) -> str:
        """The order as plain text for the model and the grounding guard."""
        items = ", ".join(f"{line.quantity} x {line.title} at ₹{line.unit_price:,.0f}" for line in self.lines)
        text = (
            f"Order {self.order_id}: status {self.status.replace('_', ' ')}; items: {items}; "
            f"total ₹{self.total:,.0f}; paid by {self.payment}; placed on {self.placed_on.isoformat()}; "
            f"delivery promised by {self.promised_on.isoformat()}"
        )
        if self.delivered_on:
            text += f"; delivered on {self.delivered_on.isoformat()}"
        if self.courier:
            text += f"; courier {self.courier}, tracking {self.tracking_url}"
        return text + "."


@dataclass(frozen=True)
class OrderActionResult:
    ok: bool
    message: str
    policy_section: str
    order: Order | None = None


def _demo_orders(today: date) -> list[Order]:
    d = today
    return [
        Order(
            "SA-100231",
            "demo",
            "delivered",
            (OrderLine("Alisha Solid Women's Cycling Shorts", 2, 379.0),),
            d - timedelta(days=9),
            d - timedelta(days=5),
            d - timedelta(days=6),
            "UPI",
            "Bengaluru",
            "BlueDart",
            "https://track.example/BD100231",
        ),
        Order(
            "SA-100232",
            "demo",
            "shipped",
            (OrderLine("FabHomeDecor Fabric Double Sofa Bed", 1, 22646.0),),
            d - timedelta(days=2),
            d + timedelta(days=3),
            None,
            "Card",
            "Bengaluru",
            "Delhivery",
            "https://track.example/DL100232",
        ),
        Order(
            "SA-100233",
            "demo",
            "placed",
            (OrderLine("AW Bellies", 1, 499.0), OrderLine("Sicons All Purpose Arnica Dog Shampoo", 1, 110.0)),
            d,
            d + timedelta(days=4),
            None,
            "Cash on delivery",
            "Bengaluru",
        ),
        Order(
            "SA-100234",
            "asha",
            "delivered",
            (OrderLine("Eternal Gandhi Super Series Crystal Paper Weights with Silver Finish", 1, 430.0),),
            d - timedelta(days=30),
            d - timedelta(days=25),
            d - timedelta(days=26),
            "Card",
            "Pune",
            "Ekart",
            "https://track.example/EK100234",
        ),
        Order(
            "SA-100235",
            "asha",
            "packed",
            (OrderLine("dilli bazaaar Bellies, Corporate Casuals, Casuals", 1, 699.0),),
            d - timedelta(days=1),
            d + timedelta(days=4),
            None,
            "UPI",
            "Pune",
        ),
        Order(
            "SA-100236",
            "ravi",
            "out_for_delivery",
            (OrderLine("Style Foot Bellies", 2, 449.0),),
            d - timedelta(days=3),
            d,
            None,
            "Wallet",
            "Delhi",
            "Ekart",
            "https://track.example/EK100236",
        ),
    ]


@dataclass
class OrderBook:
    """In-memory orders keyed by id; `today` fixed for reproducible demos and tests."""

    today: date = field(default_factory=date.today)
    orders: dict[str, Order] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.orders:
            self.orders = {o.order_id: o for o in _demo_orders(self.today)}

    def get(self, order_id: str) -> Order | None:
        key = order_id.upper()
        if not key.startswith("SA-") and key.startswith("SA"):
            key = "SA-" + key[2:]
        return self.orders.get(key)

    def for_user(self, user_id: str) -> list[Order]:
        return sorted(
            (o for o in self.orders.values() if o.user_id == user_id), key=lambda o: o.placed_on, reverse=True
        )

    def status(self, order_id: str, user_id: str | None = None) -> OrderActionResult:
        order = self._owned(order_id, user_id)
        if order is None:
            return OrderActionResult(False, f"I can't find order {order_id} on your account.", "1.5")
        return OrderActionResult(True, order.facts(), "1.5", order)

    def cancel(self, order_id: str, user_id: str | None = None) -> OrderActionResult:
        order = self._owned(order_id, user_id)
        if order is None:
            return OrderActionResult(False, f"I can't find order {order_id} on your account.", "1.3")
        if order.status == "cancelled":
            return OrderActionResult(False, f"Order {order.order_id} is already cancelled.", "1.3", order)
        if order.status not in CANCELLABLE:
            return OrderActionResult(
                False,
                f"Order {order.order_id} has already {order.status.replace('_', ' ')} "
                "and can no longer be cancelled; you can refuse the delivery or return it.",
                "1.3",
                order,
            )
        updated = replace(order, status="cancelled")
        self.orders[order.order_id] = updated
        refund = (
            ""
            if order.payment == "Cash on delivery"
            else f" ₹{order.total:,.0f} will be refunded to your {order.payment}."
        )
        return OrderActionResult(True, f"Order {order.order_id} is cancelled, free of charge.{refund}", "1.3", updated)

    def start_return(self, order_id: str, user_id: str | None = None) -> OrderActionResult:
        order = self._owned(order_id, user_id)
        if order is None:
            return OrderActionResult(False, f"I can't find order {order_id} on your account.", "3.2")
        if order.status != "delivered" or order.delivered_on is None:
            return OrderActionResult(
                False,
                f"Order {order.order_id} is not delivered yet, so it can't be returned; "
                "you can cancel it or refuse the delivery instead.",
                "3.1",
                order,
            )
        age = (self.today - order.delivered_on).days
        if age > RETURN_WINDOW_DAYS:
            return OrderActionResult(
                False,
                f"Order {order.order_id} was delivered {age} days ago, past the "
                f"{RETURN_WINDOW_DAYS}-day return window.",
                "3.1",
                order,
            )
        updated = replace(order, status="returned")
        self.orders[order.order_id] = updated
        return OrderActionResult(
            True,
            f"A return for order {order.order_id} is booked; our courier will pick it up within 2 business days.",
            "3.2",
            updated,
        )

    def _owned(self, order_id: str, user_id: str | None) -> Order | None:
        order = self.get(order_id)
        if order is None or (user_id is not None and order.user_id != user_id):
            return None
        return order


def find_order_id(text: str) -> str | None:
    m = _ORDER_ID.search(text)
    if not m:
        return None
    raw = m.group().upper()
    return raw if raw.startswith("SA-") else "SA-" + raw[2:]
