"""Orders from the store's database: one table (and optionally a table of order lines), read-only.

The profile maps our fields to the table's columns (`[store.orders.fields]`, `line_fields`):

    [store.orders]
    kind = "sql"
    url = "postgresql+psycopg://reader:pw@db/shop"
    table = "orders"
    lines_table = "order_items"          # optional; else a JSON `lines` column, or only a total
    fields = { order_id = "number", user_id = "customer_id", placed_on = "created_at" }
    line_fields = { order_id = "order_number", title = "name", quantity = "qty", unit_price = "price" }

Tables are reflected on first use, so nothing is created or written. A database that does not
answer within `timeout_s` is an `OrderSourceError`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import MetaData, Table, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from assistant.support.order_sources.records import RecordError, read_lines, read_order
from assistant.support.orders import Order, OrderLine, OrderSourceError, store_user_id


def _engine(url: str, timeout_s: float) -> Engine:
    connect_args: dict[str, Any] = {}
    if url.startswith("sqlite"):
        connect_args["timeout"] = timeout_s
    elif url.startswith(("postgresql", "mysql")):
        connect_args["connect_timeout"] = max(1, int(timeout_s))
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True, pool_timeout=timeout_s)


class SqlOrderSource:
    kind = "sql"
    can_change = False

    def __init__(self, url: str, *, table: str = "orders", lines_table: str = "",
                 fields: Mapping[str, str] | None = None, line_fields: Mapping[str, str] | None = None,
                 timeout_s: float = 3.0, today: date | None = None) -> None:
        self.engine = _engine(url, timeout_s)
        self.table_name, self.lines_table_name = table, lines_table
        self.fields, self.line_fields = dict(fields or {}), dict(line_fields or {})
        self.today = today
        self._tables: tuple[Table, Table | None] | None = None
        self._lock = threading.Lock()

    def _column(self, name: str) -> str:
        return self.fields.get(name, name)

    def tables(self) -> tuple[Table, Table | None]:
        with self._lock:
            if self._tables is None:
                meta = MetaData()
                try:
                    orders = Table(self.table_name, meta, autoload_with=self.engine)
                    lines = Table(self.lines_table_name, meta, autoload_with=self.engine) \
                        if self.lines_table_name else None
                except SQLAlchemyError as exc:
                    raise OrderSourceError(f"cannot read table {self.table_name!r}: {exc}") from exc
                missing = [c for c in (self._column("order_id"),) if c not in orders.c]
                if missing:
                    raise OrderSourceError(f"table {self.table_name!r} has no column {missing[0]!r} "
                                           "(map order_id in [store.orders.fields])")
                self._tables = (orders, lines)
            return self._tables

    def _rows(self, where_column: str, value: str, limit: int) -> list[Order]:
        orders, lines = self.tables()
        if where_column not in orders.c:
            return []
        query = select(orders).where(orders.c[where_column] == value).limit(limit)
        placed = self._column("placed_on")
        if placed in orders.c:
            query = query.order_by(orders.c[placed].desc())
        try:
            with self.engine.connect() as conn:
                rows = [dict(r._mapping) for r in conn.execute(query)]
                return [self._order(conn, row, lines) for row in rows]
        except SQLAlchemyError as exc:
            raise OrderSourceError(f"order query failed: {exc}") from exc

    def _order(self, conn: Any, row: dict[str, Any], lines_table: Table | None) -> Order:
        today = self.today or date.today()
        items: tuple[OrderLine, ...] | None = None
        if lines_table is not None:
            key = self.line_fields.get("order_id", "order_id")
            rows = conn.execute(select(lines_table).where(lines_table.c[key] == row[self._column("order_id")]))
            items = read_lines([dict(r._mapping) for r in rows], self.line_fields)
        elif isinstance(row.get(self._column("lines")), str):
            try:
                row[self._column("lines")] = json.loads(row[self._column("lines")])
            except json.JSONDecodeError:
                row[self._column("lines")] = None
        try:
            return read_order(row, self.fields, self.line_fields, today, items)
        except RecordError as exc:
            raise OrderSourceError(f"table {self.table_name!r}: {exc}") from exc

    def get(self, order_id: str) -> Order | None:
        number = order_id.strip().lstrip("#")
        found = self._rows(self._column("order_id"), number, 1)
        if not found and number != order_id.strip():
            found = self._rows(self._column("order_id"), order_id.strip(), 1)
        return found[0] if found else None

    def for_user(self, user_id: str) -> list[Order]:
        if "user_id" not in self.fields and "user_id" not in self.tables()[0].c:
            return []
        return self._rows(self._column("user_id"), store_user_id(user_id), 10)

    def set_status(self, order_id: str, status: str) -> Order | None:
        return None  # read-only: the store's own systems change orders
