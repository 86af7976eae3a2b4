"""Money for agents: an amount, its ISO currency code and a display string.

This is the one place the MCP server formats money; it is swapped for the store's shared formatter
when that lands. The code is always the product's own (or the store's for totals), never a symbol
guessed from the demo store.
"""

from __future__ import annotations

from ui.mcp.models import Money


def format_money(amount: float, currency: str) -> str:
    """`"USD 24.99"`: unambiguous in any locale."""
    return f"{currency} {amount:,.2f}"


def money(amount: float, currency: str) -> Money:
    value = round(float(amount), 2)
    return Money(amount=value, currency=currency, display=format_money(value, currency))


def feed_price(amount: float, currency: str) -> str:
    """A Google Merchant price: `"24.99 USD"` (no thousands separator)."""
    return f"{float(amount):.2f} {currency}"
