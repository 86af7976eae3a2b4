"""Orders from a JSON file (the demo store's `orders.json`): `{"orders": [{...}, ...]}` or a list.

Records use our field names (see `records.ORDER_FIELDS`) unless the profile maps them. The file is
read once; cancellations and returns change the records in memory, and the conversation store keeps
them across restarts (`apply_saved_statuses`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from assistant.support.order_sources.records import RecordError, number_key, read_order
from assistant.support.orders import Order, OrderSourceError, owns


class FileOrderSource:
    kind = "file"
    can_change = True

    def __init__(self, orders: list[Order]) -> None:
        self._orders = {number_key(o.order_id): o for o in orders}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path | str, *, today: date | None = None, fields: Mapping[str, str] | None = None,
             line_fields: Mapping[str, str] | None = None) -> FileOrderSource:
        file = Path(path)
        try:
            data: Any = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise OrderSourceError(f"orders file not found: {file}") from exc
        except json.JSONDecodeError as exc:
            raise OrderSourceError(f"{file}: not valid JSON ({exc})") from exc
        records = data.get("orders", []) if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise OrderSourceError(f"{file}: expected a list of orders or {{\"orders\": [...]}}")
        day = today or date.today()
        orders = []
        for i, record in enumerate(records, 1):
            try:
                orders.append(read_order(record, fields or {}, line_fields or {}, day))
            except (RecordError, AttributeError) as exc:
                raise OrderSourceError(f"{file} order {i}: {exc}") from exc
        return cls(orders)

    @property
    def orders(self) -> dict[str, Order]:
        """The records by order number (a copy)."""
        with self._lock:
            return {o.order_id: o for o in self._orders.values()}

    def get(self, order_id: str) -> Order | None:
        with self._lock:
            return self._orders.get(number_key(order_id))

    def for_user(self, user_id: str) -> list[Order]:
        with self._lock:
            mine = [o for o in self._orders.values() if o.user_id and owns(o, user_id)]
        return sorted(mine, key=lambda o: o.placed_on or date.min, reverse=True)

    def set_status(self, order_id: str, status: str) -> Order | None:
        key = number_key(order_id)
        with self._lock:
            order = self._orders.get(key)
            if order is None:
                return None
            self._orders[key] = replace(order, status=status)
            return self._orders[key]

    def add(self, order: Order) -> None:
        """Add or replace a record (tests and benchmarks seed orders this way)."""
        with self._lock:
            self._orders[number_key(order.order_id)] = order
