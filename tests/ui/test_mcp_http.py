"""/mcp over streamable HTTP: the API app served by uvicorn on 127.0.0.1, the SDK's client with headers (site
key, visitor token, shopper identity), CORS for exact origins, refusals as JSON, and /mcp/ without a redirect."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from assistant.services import Assistant
from tests.ui.mcp_helpers import HMAC_SECRET, PUBLISHABLE, SECRET_KEY, SHOP, assistant, payload, settings, state_rows
from ui.api.app import create_app
from ui.api.security import user_hash

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Assistant]]:
    app_assistant = assistant()
    app = create_app(app_assistant, settings())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}", app_assistant
    server.should_exit = True
    thread.join(10)


def session(base: str, headers: dict[str, str], body: Any, path: str = "/mcp") -> Any:
    async def main() -> Any:
        async with httpx2.AsyncClient(headers=headers) as http, Client(
                streamable_http_client(base + path, http_client=http)) as client:
            return await body(client)

    return anyio.run(main)


def raw(base: str, method: str = "POST", path: str = "/mcp", **headers: str) -> httpx2.Response:
    with httpx2.Client() as http:
        return http.request(method, base + path, headers={**JSON_HEADERS, **headers},
                            json=INIT if method == "POST" else None)


def test_tools_and_a_budgeted_search_over_streamable_http(served: tuple[str, Assistant]) -> None:
    base, app = served

    async def body(c: Any) -> tuple[Any, Any]:
        return await c.list_tools(), await c.call_tool("search_products", {"query": "watch under 1500"})

    tools, found = session(base, {"X-Site-Key": PUBLISHABLE}, body)
    assert "search_products" in {t.name for t in tools.tools}
    products = payload(found)["products"]
    assert products and all(p["price"]["amount"] <= 1500 for p in products)
    assert all(p["price"]["amount"] == app.services.catalog[p["id"]].price for p in products)


def test_the_trailing_slash_path_answers_without_a_redirect(served: tuple[str, Assistant]) -> None:
    base, _ = served
    for path in ("/mcp", "/mcp/"):
        r = raw(base, path=path, **{"X-Site-Key": PUBLISHABLE})
        assert r.status_code == 200 and r.json()["result"]["serverInfo"]["name"] == "shopassist", r.text


def test_refusals_are_json_with_a_sentence_and_write_nothing(served: tuple[str, Assistant]) -> None:
    base, app = served
    before = state_rows(app)
    for headers, status, code in (
        ({}, 401, "bad_site_key"),
        ({"X-Site-Key": "pk_nope"}, 401, "bad_site_key"),
        ({"Authorization": "Bearer sk_guess"}, 401, "bad_site_key"),
        ({"X-Site-Key": PUBLISHABLE, "Origin": "https://evil.example"}, 403, "origin_not_allowed"),
        ({"X-Site-Key": PUBLISHABLE, "X-Visitor-Token": "vt1.v.00"}, 401, "bad_visitor_token"),
        ({"X-Site-Key": PUBLISHABLE, "X-User-Id": "demo", "X-User-Hash": "00"}, 401, "bad_user_hash"),
    ):
        r = raw(base, **headers)
        assert r.status_code == status and r.json()["error"]["code"] == code, (headers, r.text)
        assert "access-control-allow-origin" not in r.headers
    assert state_rows(app) == before


def test_cors_allows_exactly_the_sites_origins(served: tuple[str, Assistant]) -> None:
    base, _ = served
    with httpx2.Client() as http:
        pre = http.options(base + "/mcp", headers={"Origin": SHOP, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type, x-site-key, "
                                                   "mcp-protocol-version, x-evil"})
        assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == SHOP
        allowed = pre.headers["access-control-allow-headers"]
        assert "x-site-key" in allowed and "mcp-protocol-version" in allowed and "x-evil" not in allowed
        evil = http.options(base + "/mcp", headers={"Origin": "https://evil.example",
                                                    "Access-Control-Request-Method": "POST"})
        assert evil.status_code == 403 and "access-control-allow-origin" not in evil.headers
    ok = raw(base, **{"X-Site-Key": PUBLISHABLE, "Origin": SHOP})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == SHOP != "*"
    other_sites_key = raw(base, **{"X-Site-Key": "pk_bare", "Origin": SHOP})
    assert other_sites_key.status_code == 403


def test_cart_through_the_visitor_token_header_and_orders_through_the_identity_headers(
        served: tuple[str, Assistant]) -> None:
    base, app = served

    async def start(c: Any) -> dict[str, Any]:
        return payload(await c.call_tool("start_session", {}))

    visitor = session(base, {"X-Site-Key": PUBLISHABLE}, start)

    async def refused(c: Any) -> Any:
        return await c.call_tool("cart_add", {"product_id": "w1"})

    before = state_rows(app)
    assert session(base, {"X-Site-Key": PUBLISHABLE}, refused).is_error
    assert state_rows(app) == before

    async def add(c: Any) -> Any:
        return payload(await c.call_tool("cart_add", {"product_id": "w1", "quantity": 3}))

    added = session(base, {"X-Site-Key": PUBLISHABLE, "X-Visitor-Token": visitor["visitor_token"]}, add)
    assert added["ok"] and added["cart"]["item_count"] == 3
    assert app.services.store.carts.items(f"shop:v:{visitor['visitor_id']}") == [("w1", 3)]

    async def orders(c: Any) -> Any:
        return await c.call_tool("order_status", {"order_id": "SA-100235"})

    anonymous = session(base, {"X-Site-Key": PUBLISHABLE}, orders)
    assert anonymous.is_error and "X-User-Hash" in anonymous.content[0].text
    signed = session(base, {"X-Site-Key": PUBLISHABLE, "X-User-Id": "asha",
                            "X-User-Hash": user_hash(HMAC_SECRET, "asha")}, orders)
    assert payload(signed)["orders"][0]["status"] == "packed"
    server_to_server = session(base, {"Authorization": f"Bearer {SECRET_KEY}", "X-User-Id": "asha"}, orders)
    assert payload(server_to_server)["orders"][0]["order_id"] == "SA-100235"


def test_llms_txt_and_the_feed_are_served(served: tuple[str, Assistant]) -> None:
    base, _ = served
    with httpx2.Client() as http:
        llms = http.get(base + "/llms.txt")
        feed = http.get(base + "/feeds/google-merchant.xml")
        policy = http.get(base + "/policies/01-orders.md")
        missing = http.get(base + "/policies/nope.md")
    assert llms.status_code == 200 and llms.text.startswith("# ShopAssist Demo Store\n\n> ")
    assert f"]({base}/mcp)" in llms.text and f"]({base}/docs)" in llms.text
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/xml")
    assert "<g:id>w1</g:id>" in feed.text
    assert policy.text.startswith("# 1. Orders") and missing.status_code == 404


def test_the_app_can_start_again_and_mcp_needs_its_lifespan() -> None:
    """The SDK's session manager runs once per start: each start of the app (tests, Gradio's mount) gets a
    fresh one."""
    from fastapi.testclient import TestClient

    app = create_app(assistant(), settings())
    headers = {**JSON_HEADERS, "X-Site-Key": PUBLISHABLE}
    for _ in range(2):
        with TestClient(app) as client:
            r = client.post("/mcp", json=INIT, headers=headers)
            assert r.status_code == 200 and r.json()["result"]["serverInfo"]["name"] == "shopassist"


@pytest.mark.slow
def test_budgeted_searches_on_the_real_demo_store_over_http(tmp_path: Any, minilm: Any) -> None:
    """The demo store (1,002 products, MiniLM, its index) behind create_app, the SDK client over streamable HTTP
    (in-process ASGI): every product within the budget, at the catalog's price."""
    import os
    from pathlib import Path

    from assistant.services import build_services
    from assistant.store_profile import demo_settings

    repo = Path(__file__).resolve().parents[2]
    data_dir = Path(os.environ.get("SHOPASSIST_TEST_DATA_DIR", repo / "var" / "test-data"))
    cfg = demo_settings(data_dir=data_dir, database_url=f"sqlite:///{tmp_path / 'state.db'}")
    real = Assistant(build_services(cfg, embedder=minilm, chat_model=None, with_support=False))
    app = create_app(real, cfg)
    budgets = [("analog watch under 1000", {}, 1000.0), ("running shoes", {"max_price": 800}, 800.0),
               ("kurta for women", {"min_price": 300, "max_price": 600}, 600.0),
               ("earrings under $10", {}, 830.0)]

    async def main() -> list[Any]:
        async with app.router.lifespan_context(app), httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=app), base_url="http://shop.local",
                headers={"X-Site-Key": "pk_demo"}) as http, Client(
                streamable_http_client("http://shop.local/mcp", http_client=http)) as client:
            return [await client.call_tool("search_products", {"query": q, **args}) for q, args, _ in budgets]

    for result, (query, args, budget) in zip(anyio.run(main), budgets, strict=True):
        products = payload(result)["products"]
        assert products, query
        for item in products:
            assert item["price"]["amount"] <= budget and item["price"]["amount"] == real.services.catalog[
                item["id"]].price, (query, item)
            assert item["price"]["amount"] >= args.get("min_price", 0)
