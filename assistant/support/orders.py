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
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Protocol

from retrieval.money import Money
from scene.order_numbers import all_order_numbers, compile_order_pattern

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


@lru_cache(maxsize=32)
def _number_regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return compile_order_pattern(pattern)  # matches next to Chinese characters too
    except re.error as exc:
        log.warning("order number pattern %r is not a valid regex: %s", pattern, exc)
        return None


def order_numbers(text: str, pattern: str) -> list[str]:
    """Every order number in `text`, as the store writes them (its profile's `[store.orders] number_pattern`),
    in the order written. Numbers right next to Chinese (or other non-Latin) characters count too."""
    regex = _number_regex(pattern)
    return all_order_numbers(text, regex) if regex is not None else []


# Order status words in Chinese (the store's own statuses are shown as they are).
STATUS_ZH = {"placed": "已下单", "packed": "已打包", "shipped": "已发货", "in_transit": "运输中",
             "out_for_delivery": "派送中", "delivered": "已送达", "cancelled": "已取消", "canceled": "已取消",
             "returned": "已退货", "return_requested": "退货处理中", "refunded": "已退款", "unknown": "状态未知"}


def tracking_number(order: Order) -> str:
    """The courier's tracking number: the last part of the tracking link ("…/BD100231" -> "BD100231")."""
    tail = order.tracking_url.rstrip("/").rsplit("/", 1)[-1] if order.tracking_url else ""
    return tail.split("?", 1)[0] if re.search(r"\d", tail) else ""


def describe_order(order: Order, money: Money, language: str = "en") -> str:
    """The order's state for the shopper, in their language (the facts the model sees in English)."""
    if language != "zh":
        return order.facts(money)
    status = STATUS_ZH.get(order.status, order.status.replace("_", " "))
    text = f"订单 {order.order_id} 的状态：{status}"
    if order.lines:
        text += "；商品：" + "，".join(f"{ln.title} × {ln.quantity}（单价 {money(ln.unit_price)}）"
                                    for ln in order.lines)
    text += f"；合计 {money(order.total)}"
    if order.payment:
        text += f"；付款方式：{order.payment}"
    if order.placed_on:
        text += f"；下单日期 {order.placed_on.isoformat()}"
    if order.delivered_on:
        text += f"；送达日期 {order.delivered_on.isoformat()}"
    elif order.promised_on:
        text += f"；预计送达 {order.promised_on.isoformat()}"
    if order.courier:
        number = tracking_number(order)
        text += f"；快递公司 {order.courier}" + (f"，运单号 {number}" if number else "")
    if order.tracking_url:
        text += f"；物流跟踪：{order.tracking_url}"
    return text + "。"


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

    @property
    def can_change(self) -> bool:
        return self.source.can_change

    def find_order_id(self, text: str) -> str | None:
        """The last order number written in `text` ("sorry, I meant B not A" means B), as the store writes them."""
        found = order_numbers(text, self.number_pattern)
        return found[-1] if found else None

    def accepts(self, raw: str) -> bool:
        """Whether a number the scene slots read ("order 1001") looks like one of this store's."""
        regex = _number_regex(self.number_pattern)
        return bool(regex and (regex.fullmatch(raw) or regex.fullmatch("#" + raw)))

    def return_check(self, order: Order, language: str = "en") -> str:
        """Whether `order` can still be returned: its delivery date against the store's return window."""
        if order.status != "delivered" or order.delivered_on is None:
            return (f"订单 {order.order_id} 尚未送达，送达后{self.return_days}天内可以申请退货。" if language == "zh"
                    else f"Order {order.order_id} is not delivered yet; it can be returned within "
                         f"{self.return_days} days of delivery.")
        age = (self.today - order.delivered_on).days
        left = self.return_days - age
        if language == "zh":
            if left >= 0:
                return (f"订单 {order.order_id} 于 {order.delivered_on.isoformat()} 送达（{age}天前），仍在"
                        f"{self.return_days}天退货期内，还剩{left}天。")
            return (f"订单 {order.order_id} 于 {order.delivered_on.isoformat()} 送达（{age}天前），已超过"
                    f"{self.return_days}天退货期。")
        if left >= 0:
            return (f"Order {order.order_id} was delivered on {order.delivered_on.isoformat()} ({age} days ago), so it "
                    f"is still inside the {self.return_days}-day return window ({left} days left).")
        return (f"Order {order.order_id} was delivered on {order.delivered_on.isoformat()} ({age} days ago), past the "
                f"{self.return_days}-day return window.")

    def get(self, order_id: str) -> Order | None:
        return self.source.get(order_id)

    def for_user(self, user_id: str) -> list[Order]:
        """The shopper's orders, newest first. Sources know the store's own customer id, so an assistant
        user id ("<site>:u:<id>", as the API and the widget name shoppers) is asked as "<id>"."""
        try:
            return self.source.for_user(store_user_id(user_id))
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
