"""Each shopper's cart and wishlist (`as_cart_items`, `as_wishlist`), kept per user across conversations.

Adding is one upsert, so two workers adding the same line at once (a double click) both count
instead of one failing on the primary key.
"""

from __future__ import annotations

from sqlalchemy import case, delete, select

from assistant.storage.engine import Repository
from assistant.storage.schema import CartRow, WishlistRow

MAX_QUANTITY = 999


class CartRepository(Repository):
    def items(self, user_id: str) -> list[tuple[str, int]]:
        """(product id, quantity) lines in the order they were first added."""
        with self._read() as s:
            rows = s.scalars(select(CartRow).where(CartRow.user_id == user_id).order_by(CartRow.added_at)).all()
            return [(r.product_id, r.quantity) for r in rows]

    def add(self, user_id: str, product_id: str, quantity: int = 1) -> int:
        """Add `quantity` (>= 1) and return the new quantity of that line."""
        n = min(MAX_QUANTITY, max(1, quantity))
        table = CartRow.__table__
        total = table.c.quantity + n
        stmt = self._insert(table).values(user_id=user_id, product_id=product_id, quantity=n, added_at=self.clock())
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.product_id],
            set_={"quantity": case((total > MAX_QUANTITY, MAX_QUANTITY), else_=total)},
        ).returning(table.c.quantity)
        with self._write() as s:
            return int(s.execute(stmt).scalar_one())

    def set_quantity(self, user_id: str, product_id: str, quantity: int) -> bool:
        """Set a line's quantity (0 removes it); False when the product is not in the cart."""
        with self._write() as s:
            row = s.get(CartRow, (user_id, product_id))
            if row is None:
                return False
            if quantity <= 0:
                s.delete(row)
            else:
                row.quantity = min(MAX_QUANTITY, quantity)
            return True

    def remove(self, user_id: str, product_id: str) -> bool:
        return self.set_quantity(user_id, product_id, 0)

    def clear(self, user_id: str) -> None:
        with self._write() as s:
            s.execute(delete(CartRow).where(CartRow.user_id == user_id))

    def wishlist(self, user_id: str) -> list[str]:
        with self._read() as s:
            rows = s.scalars(
                select(WishlistRow).where(WishlistRow.user_id == user_id).order_by(WishlistRow.added_at)
            ).all()
            return [r.product_id for r in rows]

    def add_to_wishlist(self, user_id: str, product_id: str) -> bool:
        """True when added, False when it was already there."""
        table = WishlistRow.__table__
        stmt = (self._insert(table).values(user_id=user_id, product_id=product_id, added_at=self.clock())
                .on_conflict_do_nothing().returning(table.c.user_id))
        with self._write() as s:
            return s.execute(stmt).first() is not None
