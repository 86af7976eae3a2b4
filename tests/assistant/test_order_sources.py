"""One contract for every order source (a JSON file, an SQL table, the store's HTTP API), plus what the
shopper hears when the order system is down or read-only."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.conversation.turn import Conversation
from assistant.support.order_sources import FileOrderSource, HttpOrderSource, SqlOrderSource, build_order_book
from assistant.support.orders import READ_ONLY, OrderBook, OrderSource, OrderSourceError
from assistant.testing import demo_products, make_services, store_settings
from retrieval.money import Money

TODAY = date(2026, 11, 23)
USD = Money("USD", "en_US")
TOKEN = "secret-token"
ORDERS: list[dict[str, Any]] = [  # our field names: what the file holds; the SQL and HTTP stores rename them
    {"order_id": "1001", "user_id": "cust-1", "status": "shipped", "placed_on": "2026-11-20",
     "promised_on": "2026-11-25", "payment": "Card", "courier": "UPS", "tracking_url": "https://t.example/1",
     "lines": [{"title": "Trail Shoe", "quantity": 2, "unit_price": 24.99}]},
    {"order_id": "1002", "user_id": "cust-1", "status": "placed", "placed_on": "2026-11-22",
     "lines": [{"title": "Rain Jacket", "quantity": 1, "unit_price": 89.5}]},
    {"order_id": "1003", "user_id": "cust-2", "status": "delivered", "placed_on": "2026-11-01",
     "delivered_on": "2026-11-05", "lines": [{"title": "Cap", "quantity": 1, "unit_price": 12.0}]},
]


# ---------------------------------------------------------------- the three sources over the same orders


def file_source(tmp_path: Path) -> OrderSource:
    path = tmp_path / "orders.json"
    path.write_text(json.dumps({"orders": ORDERS}), encoding="utf-8")
    return FileOrderSource.load(path, today=TODAY)


SQL_FIELDS = {"order_id": "number", "user_id": "customer", "status": "state", "placed_on": "created",
              "promised_on": "promised", "delivered_on": "delivered", "payment": "paid_by", "courier": "carrier",
              "tracking_url": "tracking"}
SQL_LINES = {"order_id": "order_number", "title": "name", "quantity": "qty", "unit_price": "price"}


def sql_source(tmp_path: Path) -> OrderSource:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table shop_orders (number text primary key, customer text, state text, created text, "
                     "promised text, delivered text, paid_by text, carrier text, tracking text)")
        conn.execute("create table shop_items (order_number text, name text, qty integer, price real)")
        for o in ORDERS:
            conn.execute("insert into shop_orders values (?,?,?,?,?,?,?,?,?)",
                         (o["order_id"], o["user_id"], o["status"], o["placed_on"], o.get("promised_on"),
                          o.get("delivered_on"), o.get("payment"), o.get("courier"), o.get("tracking_url")))
            for ln in o["lines"]:
                conn.execute("insert into shop_items values (?,?,?,?)",
                             (o["order_id"], ln["title"], ln["quantity"], ln["unit_price"]))
    return SqlOrderSource(f"sqlite:///{db}", table="shop_orders", lines_table="shop_items", fields=SQL_FIELDS,
                          line_fields=SQL_LINES, today=TODAY)


HTTP_FIELDS = {"order_id": "order.name", "user_id": "order.customer.id", "status": "order.fulfillment.status",
               "placed_on": "order.created_at", "promised_on": "order.fulfillment.eta",
               "delivered_on": "order.fulfillment.delivered_at", "payment": "order.gateway",
               "courier": "order.fulfillment.carrier", "tracking_url": "order.fulfillment.url",
               "lines": "order.line_items"}
HTTP_LINES = {"title": "name", "quantity": "qty", "unit_price": "price"}


def as_api_record(o: dict[str, Any]) -> dict[str, Any]:
    return {"order": {"name": o["order_id"], "customer": {"id": o["user_id"]}, "created_at": o["placed_on"],
                      "gateway": o.get("payment"),
                      "fulfillment": {"status": o["status"], "eta": o.get("promised_on"),
                                      "delivered_at": o.get("delivered_on"), "carrier": o.get("courier"),
                                      "url": o.get("tracking_url")},
                      "line_items": [{"name": ln["title"], "qty": ln["quantity"], "price": ln["unit_price"]}
                                     for ln in o["lines"]]}}


class OrderApi(BaseHTTPRequestHandler):
    """`GET /api/orders/{number}` with a bearer token; `mode` makes it slow or failing."""

    mode = "ok"
    calls = 0

    def do_GET(self) -> None:
        type(self).calls += 1
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "down":
            return self._send(503, {"error": "maintenance"})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(401, {"error": "unauthorized"})
        number = self.path.rsplit("/", 1)[-1]
        found = next((o for o in ORDERS if o["order_id"] == number), None)
        return self._send(200, as_api_record(found)) if found else self._send(404, {"error": "not found"})

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def order_api() -> Iterator[tuple[str, type[OrderApi]]]:
    handler = type("Api", (OrderApi,), {"mode": "ok", "calls": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["file", "sql", "http"])
def source(request: pytest.FixtureRequest, tmp_path: Path) -> OrderSource:
    if request.param == "file":
        return file_source(tmp_path)
    if request.param == "sql":
        return sql_source(tmp_path)
    base, _ = request.getfixturevalue("order_api")
    return HttpOrderSource(base, token=TOKEN, fields=HTTP_FIELDS, line_fields=HTTP_LINES, timeout_s=2, today=TODAY)


# ---------------------------------------------------------------- the contract


def test_an_order_is_read_with_its_lines_dates_and_customer(source: OrderSource) -> None:
    order = source.get("#1001")
    assert order is not None and order.order_id == "1001" and order.user_id == "cust-1"
    assert order.status == "shipped" and order.placed_on == date(2026, 11, 20)
    assert order.promised_on == date(2026, 11, 25) and order.delivered_on is None
    assert [(ln.title, ln.quantity, ln.unit_price) for ln in order.lines] == [("Trail Shoe", 2, 24.99)]
    assert order.total == 49.98 and order.courier == "UPS"
    assert source.get("9999") is None


def test_the_book_answers_in_the_store_currency_and_only_to_the_customer(source: OrderSource) -> None:
    book = OrderBook(source, USD, today=TODAY)
    status = book.status("1001", "shop:u:cust-1")  # an identified shopper of the widget is its customer
    assert status.ok and "2 x Trail Shoe at $24.99" in status.message and "total $49.98" in status.message
    assert not book.status("1001", "cust-2").ok and "can't find order 1001" in book.status("1001", "cust-2").message
    mine = book.for_user("cust-1")
    assert mine == [] or [o.order_id for o in mine] == ["1002", "1001"]  # newest first, or cannot list


def test_changes_are_booked_only_where_the_store_allows_them(source: OrderSource) -> None:
    book = OrderBook(source, USD, today=TODAY, return_days=30)
    cancel = book.cancel("1002", "cust-1")
    late = book.start_return("1003", "cust-2")
    if source.can_change:
        assert cancel.ok and "$89.50" not in cancel.message  # no payment method on file: nothing to refund
        assert source.get("1002").status == "cancelled"  # type: ignore[union-attr]
        assert late.ok and "return for order 1003 is booked" in late.message
    else:
        assert not cancel.ok and cancel.message == READ_ONLY.format(action="cancel", order="1002")
        assert not late.ok and "order page of your account" in late.message
        assert source.get("1002").status == "placed"  # type: ignore[union-attr]
    assert not book.cancel("1001", "cust-1").ok  # shipped: too late everywhere


# ---------------------------------------------------------------- when the order system is not there


def test_a_slow_or_failing_api_is_retried_then_reported(order_api: tuple[str, type[OrderApi]]) -> None:
    base, api = order_api
    api.mode = "down"
    source = HttpOrderSource(base, token=TOKEN, fields=HTTP_FIELDS, retries=1, timeout_s=0.3)
    with pytest.raises(OrderSourceError, match="HTTP 503"):
        source.get("1001")
    assert api.calls == 2  # one retry, then it gives up
    api.mode = "slow"
    started = time.perf_counter()
    result = OrderBook(source, USD).status("1001", "cust-1")
    assert time.perf_counter() - started < 2.5
    assert result.unreachable and not result.ok
    assert result.message.startswith("I can't reach the order system right now")
    assert "Talk to a person" in result.message


def test_a_wrong_token_is_a_configuration_error(order_api: tuple[str, type[OrderApi]]) -> None:
    base, _ = order_api
    with pytest.raises(OrderSourceError, match="HTTP 401"):
        HttpOrderSource(base, token="wrong", fields=HTTP_FIELDS).get("1001")


def test_a_database_that_is_not_there_is_reported(tmp_path: Path) -> None:
    source = SqlOrderSource(f"sqlite:///{tmp_path / 'missing' / 'shop.db'}", timeout_s=0.5)
    result = OrderBook(source, USD).status("1001")
    assert result.unreachable and "can't reach the order system" in result.message


def test_the_shopper_hears_it_in_the_conversation(order_api: tuple[str, type[OrderApi]]) -> None:
    base, api = order_api
    api.mode = "down"
    settings = store_settings("USD", "en_US", orders={"kind": "http", "url": base, "token": TOKEN,
                                                      "fields": HTTP_FIELDS, "retries": 0, "timeout_s": 0.5})
    services = make_services(demo_products(), settings=settings)
    conv = Conversation.start(services, "shop:u:cust-1")
    text = "".join(e.text for e in conv.turn("cancel my order #1001") if e.type == "text_delta")
    assert "I can't reach the order system right now" in text and "Talk to a person" in text
    api.mode = "ok"
    text = "".join(e.text for e in conv.turn("cancel my order #1002") if e.type == "text_delta")
    assert "I can look orders up but not change them here" in text  # read-only: says what can be done


def test_the_profile_picks_the_source() -> None:
    from assistant.store_profile import demo_settings

    book = build_order_book(demo_settings().store.orders, Money("INR", "en_IN"), TODAY)
    assert book is not None and book.source.kind == "file" and book.can_change
    order = book.get("SA-100231")
    assert order is not None and order.delivered_on == date(2026, 11, 17)  # "today-6" in the demo's file
    assert build_order_book(store_settings("USD", "en_US").store.orders, USD) is None
