"""Status changes shoppers made to orders (cancel, return) in `as_order_status`, so they survive restarts;
the order source applies them over its own records at start (`skills.support.apply_saved_statuses`)."""

from __future__ import annotations

from sqlalchemy import select

from assistant.storage.engine import Repository
from assistant.storage.schema import OrderStatusRow


class OrderChanges(Repository):
    def all(self) -> dict[str, str]:
        """order id -> the status the shopper last moved it to."""
        with self._read() as s:
            return {r.order_id: r.status for r in s.scalars(select(OrderStatusRow))}

    def record(self, order_id: str, status: str) -> None:
        now = self.clock()
        stmt = self._insert(OrderStatusRow.__table__).values(order_id=order_id, status=status, updated_at=now)
        stmt = stmt.on_conflict_do_update(index_elements=["order_id"], set_={"status": status, "updated_at": now})
        with self._write() as s:
            s.execute(stmt)
