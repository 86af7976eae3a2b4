"""Orders: the record shoppers ask about, and the rules for status, cancel and return over any source.

Records come from the store's `OrderSource` (see `assistant/support/order_sources/`): a JSON
file (the demo store), an SQL table or the store's HTTP API. `OrderBook` answers the three
questions on top of any of them. An unreachable order system is never an error page: the
shopper hears that it cannot be reached right now and is offered a person. Sources that are
read-only (SQL, HTTP) say what the shopper can do instead of cancelling or returning here.
Every amount is written in the store's money format.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from retrieval.money import Money
from scene.order_numbers import compile_order_pattern, find_order_number

log = logging.getLogger(__name__)

CANCELLABLE = ("placed", "packed")
UNREACHABLE = ("I can't reach the order system right now, so I can't look up order {order}. Please try again "
               "in a few minutes, or I can connect you with a person (\u201cTalk to a person\u201d).")
READ_ONLY = ("I can look orders up but not change them here. To {action} order {order}, use the order page of "
             "your account, or I can connect you with a person (\u201cTalk to a person\u201d) who will do it.")


@dataclass(frozen=True)
class OrderLine:
    title: str
    quantity: int
    unit_price: float


@dataclass(frozen=True)
class Order:
    order_id: str
    user_id: str  # the store's customer id ("" when the source does not say)
    status: str  # placed | packed | shipped | out_for_delivery | delivered | cancelled | returned | the store's own
    lines: tuple[OrderLine, ...]
    placed_on: date | None
    promised_on: date | None = None
    delivered_on: date | None = None
    payment: str = ""
    city: str = ""
    courier: str = ""
    tracking_url: str = ""
    total_amount: float | None = None  # when the source gives a total (else the sum of the lines)

    @property
    def total(self) -> float:
        if self.total_amount is not None:
            return round(self.total_amount, 2)
        return round(sum(line.quantity * line.unit_price for line in self.lines), 2)

    def facts(self, money: Money) -> str:
        """The order as plain text for the model and the grounding guard."""
        text = f"Order {self.order_id}: status {self.status.replace('_', ' ')}"
        if self.lines:
            text += "; items: " + ", ".join(f"{ln.quantity} x {ln.title} at {money(ln.unit_price)}"
                                            for ln in self.lines)
        text += f"; total {money(self.total)}"
        if self.payment:
            text += f"; paid by {self.payment}"
        if self.placed_on:
            text += f"; placed on {self.placed_on.isoformat()}"
        if self.promised_on:
            text += f"; delivery promised by {self.promised_on.isoformat()}"
        if self.delivered_on:
            text += f"; delivered on {self.delivered_on.isoformat()}"
        if self.courier:
            text += f"; courier {self.courier}" + (f", tracking {self.tracking_url}" if self.tracking_url else "")
        return text + "."


class OrderSourceError(RuntimeError):
    """The order system did not answer (timeout, connection refused, server error, bad configuration).
    The message is for the operator's log; the shopper hears `UNREACHABLE`."""


class OrderSource(Protocol):
    """Where order records live. `get` raises `OrderSourceError` when the system cannot be reached and
    returns None for an order it does not have."""

    kind: str  # file | sql | http
    can_change: bool  # whether cancel / return can be booked here

    def get(self, order_id: str) -> Order | None: ...

    def for_user(self, user_id: str) -> list[Order]:
        """The customer's orders, newest first ([] when the source cannot list them)."""
        ...

    def set_status(self, order_id: str, status: str) -> Order | None: ...


def store_user_id(user_id: str) -> str:
    """The store's own customer id inside an assistant user id ("acme:u:123" -> "123"; "asha" -> "asha")."""
    return user_id.split(":u:", 1)[1] if ":u:" in user_id else user_id


def owns(order: Order, user_id: str | None) -> bool:
    """Whether `user_id` may see `order`: its customer, or anyone when the source does not name one."""
    if user_id is None or not order.user_id:
        return True
    return order.user_id in (user_id, store_user_id(user_id))


@dataclass(frozen=True)
class OrderActionResult:
    ok: bool
    message: str
    topic: str  # order_status | cancel_order | return_window | return_order: the policy routing cites it
    order: Order | None = None
    unreachable: bool = False


@dataclass
class OrderBook:
    """Status, cancel and return over the store's order source, with its rules (return window in days)."""

    source: OrderSource
    money: Money
    today: date = field(default_factory=date.today)
    return_days: int = 30
    number_pattern: str = r"#\d{3,12}"

    def __post_init__(self) -> None:
        self._number = compile_order_pattern(self.number_pattern)  # matches next to CJK text too

    @property
    def can_change(self) -> bool:
        return self.source.can_change

    def find_order_id(self, text: str) -> str | None:
        """An order number written in `text`, as the store writes them."""
        return find_order_number(text, self._number)

    def accepts(self, raw: str) -> bool:
        """Whether a number the scene slots read ("order 1001") looks like one of this store's."""
        return bool(self._number.fullmatch(raw) or self._number.fullmatch("#" + raw))

    def get(self, order_id: str) -> Order | None:
        return self.source.get(order_id)

    def for_user(self, user_id: str) -> list[Order]:
        try:
            return self.source.for_user(user_id)
        except OrderSourceError as exc:
            log.warning("order source %s unreachable: %s", self.source.kind, exc)
            return []

    def _find(self, order_id: str, user_id: str | None, topic: str) -> Order | OrderActionResult:
        try:
            order = self.source.get(order_id)
        except OrderSourceError as exc:
            log.warning("order source %s unreachable: %s", self.source.kind, exc)
            return OrderActionResult(False, UNREACHABLE.format(order=order_id), topic, unreachable=True)
        if order is None or not owns(order, user_id):
            return OrderActionResult(False, f"I can't find order {order_id} on your account.", topic)
        return order

    def status(self, order_id: str, user_id: str | None = None) -> OrderActionResult:
        found = self._find(order_id, user_id, "order_status")
        if isinstance(found, OrderActionResult):
            return found
        return OrderActionResult(True, found.facts(self.money), "order_status", found)

    def cancel(self, order_id: str, user_id: str | None = None) -> OrderActionResult:
        found = self._find(order_id, user_id, "cancel_order")
        if isinstance(found, OrderActionResult):
            return found
        order = found
        if order.status == "cancelled":
            return OrderActionResult(False, f"Order {order.order_id} is already cancelled.", "cancel_order", order)
        if order.status not in CANCELLABLE:
            return OrderActionResult(
                False,
                f"Order {order.order_id} has already {order.status.replace('_', ' ')} "
                "and can no longer be cancelled; you can refuse the delivery or return it.",
                "cancel_order",
                order,
            )
        if not self.can_change:
            return OrderActionResult(False, READ_ONLY.format(action="cancel", order=order.order_id), "cancel_order",
                                     order)
        updated = self.source.set_status(order.order_id, "cancelled") or replace(order, status="cancelled")
        refund = (
            ""
            if order.payment in ("", "Cash on delivery")
            else f" {self.money(order.total)} will be refunded to your {order.payment}."
        )
        return OrderActionResult(True, f"Order {order.order_id} is cancelled, free of charge.{refund}",
                                 "cancel_order", updated)

    def start_return(self, order_id: str, user_id: str | None = None) -> OrderActionResult:
        found = self._find(order_id, user_id, "return_order")
        if isinstance(found, OrderActionResult):
            return found
        order = found
        if order.status != "delivered" or order.delivered_on is None:
            return OrderActionResult(
                False,
                f"Order {order.order_id} is not delivered yet, so it can't be returned; "
                "you can cancel it or refuse the delivery instead.",
                "return_window",
                order,
            )
        age = (self.today - order.delivered_on).days
        if age > self.return_days:
            return OrderActionResult(
                False,
                f"Order {order.order_id} was delivered {age} days ago, past the "
                f"{self.return_days}-day return window.",
                "return_window",
                order,
            )
        if not self.can_change:
            return OrderActionResult(False, READ_ONLY.format(action="return", order=order.order_id), "return_order",
                                     order)
        updated = self.source.set_status(order.order_id, "returned") or replace(order, status="returned")
        return OrderActionResult(
            True,
            f"A return for order {order.order_id} is booked; our courier will pick it up within 2 business days.",
            "return_order",
            updated,
        )
