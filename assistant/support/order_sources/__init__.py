"""The store's order sources behind one protocol (`assistant.support.orders.OrderSource`): a JSON
file (the demo), an SQL table, an HTTP connector; `build_order_book` picks one from the profile."""

from __future__ import annotations

from datetime import date

from assistant.settings import OrderSourceSettings
from assistant.support.order_sources.file import FileOrderSource
from assistant.support.order_sources.http import HttpOrderSource
from assistant.support.order_sources.sql import SqlOrderSource
from assistant.support.orders import OrderBook, OrderSource
from retrieval.money import Money


def build_order_source(cfg: OrderSourceSettings, today: date | None = None) -> OrderSource | None:
    """The configured source (None for `kind = "none"`); raises `OrderSourceError` for a broken setting."""
    if cfg.kind == "file":
        return FileOrderSource.load(cfg.path, today=today, fields=cfg.fields, line_fields=cfg.line_fields)
    if cfg.kind == "sql":
        return SqlOrderSource(cfg.url, table=cfg.table, lines_table=cfg.lines_table, fields=cfg.fields,
                              line_fields=cfg.line_fields, timeout_s=cfg.timeout_s, today=today)
    if cfg.kind == "http":
        return HttpOrderSource(cfg.url, token=cfg.token.get_secret_value(), fields=cfg.fields,
                               line_fields=cfg.line_fields, timeout_s=cfg.timeout_s, retries=cfg.retries, today=today)
    return None


def build_order_book(cfg: OrderSourceSettings, money: Money, today: date | None = None) -> OrderBook | None:
    source = build_order_source(cfg, today)
    if source is None:
        return None
    book = OrderBook(source, money, return_days=cfg.return_days, number_pattern=cfg.number_pattern)
    if today is not None:
        book.today = today
    return book


__all__ = ["FileOrderSource", "HttpOrderSource", "SqlOrderSource", "build_order_book", "build_order_source"]
