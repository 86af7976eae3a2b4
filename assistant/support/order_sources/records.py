"""Turning a store's order record (a JSON object, an SQL row) into an `Order`, through a field mapping.

The mapping names, for each of our fields, the store's column or JSON key; dotted keys reach into
nested objects ("customer.id"). Unmapped fields are looked up under their own name. Dates are ISO
dates or datetimes; the file source also accepts "today", "today-3", "today+2" (relative demo data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from assistant.support.orders import Order, OrderLine

ORDER_FIELDS = ("order_id", "user_id", "status", "placed_on", "promised_on", "delivered_on", "total", "payment",
                "city", "courier", "tracking_url", "lines")
LINE_FIELDS = ("order_id", "title", "quantity", "unit_price")
_RELATIVE = re.compile(r"today\s*(?:([+-])\s*(\d+))?$", re.IGNORECASE)


class RecordError(ValueError):
    """A record the mapping cannot read (the message names the field)."""


def pick(record: Mapping[str, Any], key: str) -> Any:
    """`record[key]`, where a dotted key walks nested objects."""
    value: Any = record
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def as_date(value: Any, today: date, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    rel = _RELATIVE.fullmatch(text)
    if rel:
        days = int(rel.group(2) or 0) * (-1 if rel.group(1) == "-" else 1)
        return today + timedelta(days=days)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError as exc:
        raise RecordError(f"{field}: {text[:40]!r} is not a date (use ISO 8601, e.g. 2026-01-31)") from exc


def _number(value: Any, field: str) -> float:
    try:
        return float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError) as exc:
        raise RecordError(f"{field}: {value!r} is not a number") from exc


def read_lines(items: Any, mapping: Mapping[str, str]) -> tuple[OrderLine, ...]:
    if not isinstance(items, list):
        return ()
    out = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        title = pick(item, mapping.get("title", "title"))
        quantity = pick(item, mapping.get("quantity", "quantity"))
        price = pick(item, mapping.get("unit_price", "unit_price"))
        out.append(OrderLine(str(title or ""), int(_number(quantity if quantity is not None else 1, "quantity")),
                             _number(price if price is not None else 0, "unit_price")))
    return tuple(out)


def read_order(record: Mapping[str, Any], mapping: Mapping[str, str], line_mapping: Mapping[str, str],
               today: date, lines: tuple[OrderLine, ...] | None = None) -> Order:
    """An `Order` from one record; `lines` when they come from elsewhere (an SQL lines table)."""
    def get(name: str) -> Any:
        return pick(record, mapping.get(name, name))

    order_id = get("order_id")
    if order_id in (None, ""):
        raise RecordError(f"the record has no order number under {mapping.get('order_id', 'order_id')!r}")
    total = get("total")
    return Order(
        order_id=str(order_id),
        user_id=str(get("user_id") or ""),
        status=str(get("status") or "unknown").strip().lower().replace(" ", "_"),
        lines=lines if lines is not None else read_lines(get("lines"), line_mapping),
        placed_on=as_date(get("placed_on"), today, "placed_on"),
        promised_on=as_date(get("promised_on"), today, "promised_on"),
        delivered_on=as_date(get("delivered_on"), today, "delivered_on"),
        payment=str(get("payment") or ""),
        city=str(get("city") or ""),
        courier=str(get("courier") or ""),
        tracking_url=str(get("tracking_url") or ""),
        total_amount=_number(total, "total") if total not in (None, "") else None,
    )


def number_key(order_id: str) -> str:
    """How order numbers compare: case, spaces, "#" and "-" do not matter ("ab100233" is "AB-100233")."""
    return re.sub(r"[^0-9a-z]", "", order_id.lower())
