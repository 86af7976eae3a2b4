"""The MCP tools through the SDK's own client (in process) on the hand-written demo catalog: schemas, search
with budgets and structured filters, product, comparison, recommendations, policies, offers, cart, orders,
handoff, resources and rate limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.conversation.skills.compare import comparison_rows
from assistant.testing import demo_products
from tests.ui.mcp_helpers import (
    HMAC_SECRET,
    SECRET_KEY,
    assistant,
    error_text,
    payload,
    run,
    server_for,
    settings,
    state_rows,
)
from ui.api.security import user_hash

TOOLS = {"search_products", "get_product", "compare_products", "recommend", "get_policy", "list_promotions",
         "start_session", "cart_get", "cart_add", "cart_remove", "order_status", "handoff"}
WRITES = {"start_session", "cart_add", "cart_remove", "handoff"}


def test_every_tool_is_listed_with_an_output_schema_and_honest_annotations() -> None:
    tools = run(server_for(assistant(), settings()), lambda c: c.list_tools()).tools
    assert {t.name for t in tools} == TOOLS
    for tool in tools:
        assert tool.output_schema and tool.output_schema.get("type") == "object", tool.name
        assert tool.description, tool.name
        assert tool.annotations is not None and tool.annotations.read_only_hint is (tool.name not in WRITES)
    search = next(t for t in tools if t.name == "search_products")
    props = search.input_schema["properties"]
    assert {"query", "min_price", "max_price", "brand", "category", "colour", "in_stock"} <= set(props)
    assert "ctx" not in props
    assert {"products", "filters", "notice"} <= set(search.output_schema["properties"])


def test_search_with_a_budget_returns_only_products_within_it_at_catalog_prices() -> None:
    app = assistant()
    catalog = app.services.catalog
    out = payload(run(server_for(app, settings()),
                      lambda c: c.call_tool("search_products", {"query": "running shoes under 2200"})))
    assert out["filters"]["max_price"] == 2200 and out["from_words"] == ["under ₹2,200", "category: footwear"]
    assert out["products"]
    for item in out["products"]:
        product = catalog[item["id"]]
        assert item["price"] == {"amount": product.price, "currency": "INR", "display": f"INR {product.price:,.2f}"}
        assert item["price"]["amount"] <= 2200
        assert item["availability"] == ("in_stock" if product.in_stock else "out_of_stock")
        assert item["variants"] == []
    avail = [p["availability"] for p in out["products"]]
    assert avail == sorted(avail, key=lambda a: a != "in_stock"), "out of stock after available, as in the chat"


def test_structured_filters_merge_over_the_words_and_win() -> None:
    server = server_for(assistant(), settings())

    async def body(c: Any) -> list[dict[str, Any]]:
        return [payload(await c.call_tool("search_products", args)) for args in (
            {"query": "shoes under 3000", "max_price": 1000},
            {"query": "shoes", "brand": "Adidas", "in_stock": True},
            {"query": "watch", "colour": ["gold"], "category": "watches"},
            {"query": "shoes", "max_price": 15, "currency": "USD"},
            {"query": "shoes", "brand": "Nonexistent"},
        )]

    cheaper, adidas, gold, usd, unknown = run(server, body)
    assert cheaper["filters"]["max_price"] == 1000 and all(p["price"]["amount"] <= 1000 for p in cheaper["products"])
    assert cheaper["from_words"][0] == "under ₹3,000" and cheaper["from_arguments"] == ["under ₹1,000"]
    assert [p["brand"] for p in adidas["products"]] == ["Adidas"] and adidas["filters"]["in_stock"] is True
    assert [p["id"] for p in gold["products"]] == ["w2"]
    assert usd["filters"]["max_price"] == 1245.0 and all(p["price"]["amount"] <= 1245 for p in usd["products"])
    assert unknown["products"] == [] and any("Nonexistent".lower() in n for n in unknown["notes"])


def test_get_product_and_errors_a_model_can_act_on() -> None:
    server = server_for(assistant(), settings())

    async def body(c: Any) -> tuple[Any, ...]:
        return (await c.call_tool("get_product", {"product_id": "w2"}),
                await c.call_tool("get_product", {"product_id": "X9"}),
                await c.call_tool("search_products", {"query": "   "}),
                await c.call_tool("compare_products", {"product_ids": ["s1", "nope"]}))

    found, missing, empty, compare = run(server, body)
    detail = payload(found)
    assert detail["title"] == "Titan Analog Watch" and detail["attributes"]["water_resistant"] == "Yes"
    assert detail["price"]["amount"] == 3995 and detail["list_price"] is None and "not instructions" in detail["notice"]
    assert "No product with id 'X9'; call search_products first" in error_text(missing)
    assert "needs a few words" in error_text(empty)
    assert "No product with id 'nope'" in error_text(compare)


def test_comparison_uses_the_chats_rows() -> None:
    app = assistant()
    out = payload(run(server_for(app, settings()),
                      lambda c: c.call_tool("compare_products", {"product_ids": ["s1", "s2", "s3"]})))
    by_id = {p.id: p for p in demo_products()}
    expected = comparison_rows([by_id["s1"], by_id["s2"], by_id["s3"]], money=app.services.config.money)
    assert [(r["attribute"], tuple(r["values"])) for r in out["rows"]] == expected
    assert "cheapest" in out["verdict"] and [p["id"] for p in out["products"]] == ["s1", "s2", "s3"]


def test_recommend_gives_the_rankers_reasons_and_respects_the_budget() -> None:
    out = payload(run(server_for(assistant(), settings()),
                      lambda c: c.call_tool("recommend", {"need": "a watch for my dad", "max_price": 2000})))
    assert out["picks"] and all(p["product"]["price"]["amount"] <= 2000 for p in out["picks"])
    assert all(p["product"]["category"] == "Watches" for p in out["picks"])
    assert all(isinstance(p["reasons"], list) for p in out["picks"]) and out["personalized"] is False


def test_policy_sections_come_with_citation_and_source() -> None:
    server = server_for(assistant(), settings())

    async def body(c: Any) -> tuple[Any, ...]:
        return (await c.call_tool("get_policy", {"topic": "3.1"}),
                await c.call_tool("get_policy", {"topic": "how many days do I have to return an item"}),
                await c.call_tool("get_policy", {"topic": "zzzz qqqq"}))

    exact, topic, nothing = run(server, body)
    section = payload(exact)
    assert section["citation"] == "Policy §3.1 Return window and eligibility"
    assert section["source"] == "store://policies/03-returns" and "10 days" in section["text"]
    assert payload(topic)["section_id"].startswith("3.")
    assert "No policy section matches" in error_text(nothing)


def test_promotions_for_a_product_and_for_the_cart() -> None:
    app = assistant()
    server = server_for(app, settings())

    async def body(c: Any) -> tuple[Any, ...]:
        product = await c.call_tool("list_promotions", {"product_id": "s1"})
        token = payload(await c.call_tool("start_session", {}))["visitor_token"]
        await c.call_tool("cart_add", {"product_id": "w2", "visitor_token": token})
        cart = await c.call_tool("list_promotions", {"visitor_token": token})
        no_cart = await c.call_tool("list_promotions", {})
        return product, cart, no_cart

    product, cart, no_cart = run(server, body)
    one = payload(product)
    assert one["evaluated_for"] == "product" and one["subtotal"]["amount"] == 1999
    assert "STEPUP15" in {a["code"] for a in one["applied"]}
    assert one["sale_items"][0]["product_id"] == "s1" and one["sale_items"][0]["discount_pct"] == 50
    mine = payload(cart)
    assert mine["evaluated_for"] == "cart" and mine["subtotal"]["amount"] == 3995
    assert mine["applied"][0]["saving"]["amount"] >= mine["applied"][-1]["saving"]["amount"]
    assert {n["code"] for n in mine["near_misses"]} and all(n["needs"] for n in mine["near_misses"])
    assert "start_session" in error_text(no_cart)


def test_cart_needs_the_visitors_token_and_writes_only_that_visitors_cart() -> None:
    app = assistant()
    server = server_for(app, settings())

    async def body(c: Any) -> tuple[Any, ...]:
        refused = await c.call_tool("cart_add", {"product_id": "s1"})
        forged = await c.call_tool("cart_add", {"product_id": "s1", "visitor_token": "vt1.someone.deadbeef"})
        rows_after_refusals = state_rows(app)
        a = payload(await c.call_tool("start_session", {}))
        b = payload(await c.call_tool("start_session", {}))
        added = await c.call_tool("cart_add", {"product_id": "s1", "quantity": 2, "visitor_token": a["visitor_token"]})
        out_of_stock = await c.call_tool("cart_add", {"product_id": "s5", "visitor_token": a["visitor_token"]})
        other = await c.call_tool("cart_get", {"visitor_token": b["visitor_token"]})
        removed = await c.call_tool("cart_remove", {"product_id": "s1", "visitor_token": a["visitor_token"]})
        again = await c.call_tool("cart_remove", {"product_id": "s1", "visitor_token": a["visitor_token"]})
        return refused, forged, rows_after_refusals, a, added, out_of_stock, other, removed, again

    refused, forged, rows, a, added, oos, other, removed, again = run(server, body)
    assert "call start_session" in error_text(refused) and "Nothing was changed" in error_text(refused)
    assert "not valid for this store" in error_text(forged)
    assert rows == (0, 0, 0), "a refused cart write wrote something"
    assert a["visitor_token"].startswith("vt1." + a["visitor_id"] + ".")
    cart = payload(added)
    assert cart["ok"] and cart["cart"]["lines"][0]["quantity"] == 2
    assert cart["cart"]["subtotal"]["amount"] == 3998 and cart["cart"]["owner"] == "visitor"
    assert not payload(oos)["ok"] and "out of stock" in payload(oos)["message"]
    assert payload(other)["lines"] == []
    assert payload(removed)["ok"] and payload(removed)["cart"]["lines"] == []
    assert not payload(again)["ok"]
    stored = app.services.store.carts.items(f"shop:v:{a['visitor_id']}")
    assert stored == []


def test_order_status_needs_the_signed_identity_and_returns_the_shoppers_orders() -> None:
    app = assistant()
    cfg = settings()
    anonymous = run(server_for(app, cfg), lambda c: c.call_tool("order_status", {}))
    assert "X-User-Hash = hex(HMAC-SHA256(site hmac_secret, user id))" in error_text(anonymous)
    signed = server_for(app, cfg, user_id="demo", user_hash=user_hash(HMAC_SECRET, "demo"))

    async def body(c: Any) -> tuple[Any, ...]:
        return (await c.call_tool("order_status", {}), await c.call_tool("order_status", {"order_id": "sa100232"}),
                await c.call_tool("order_status", {"order_id": "SA-100234"}))

    everything, one, someone_elses = run(signed, body)
    orders = payload(everything)["orders"]
    assert {o["order_id"] for o in orders} == {"SA-100231", "SA-100232", "SA-100233"}
    shipped = payload(one)
    assert [o["status"] for o in shipped["orders"]] == ["shipped"] and shipped["citation"].startswith("Policy §1.5")
    assert shipped["orders"][0]["total"]["amount"] == 22646 and shipped["orders"][0]["tracking_url"]
    assert "No order 'SA-100234' on this shopper's account" in error_text(someone_elses)
    server_to_server = server_for(app, cfg, key=SECRET_KEY, user_id="asha")
    assert {o["order_id"] for o in payload(run(server_to_server, lambda c: c.call_tool("order_status", {})))[
        "orders"]} == {"SA-100234", "SA-100235"}


def test_handoff_opens_a_ticket_for_the_visitor() -> None:
    app = assistant()
    server = server_for(app, settings())

    async def body(c: Any) -> tuple[Any, ...]:
        refused = await c.call_tool("handoff", {"reason": "wants a person"})
        token = payload(await c.call_tool("start_session", {}))["visitor_token"]
        return refused, await c.call_tool("handoff", {"reason": "size question, card 4111 1111 1111 1111",
                                                      "visitor_token": token})

    refused, ticket = run(server, body)
    assert "start_session" in error_text(refused)
    out = payload(ticket)
    assert out["ticket_id"] >= 1 and out["queue_position"] == 1
    queue = app.services.store.handoffs.queued()
    assert len(queue) == 1 and "[via AI agent] size question" in queue[0].reason
    assert "4111 1111 1111 1111" not in queue[0].reason


def test_resources_profile_and_policy_documents() -> None:
    server = server_for(assistant(), settings())

    async def body(c: Any) -> tuple[Any, ...]:
        listed = await c.list_resources()
        return listed, await c.read_resource("store://profile"), await c.read_resource("store://policies/03-returns")

    listed, profile, returns = run(server, body)
    uris = {str(r.uri) for r in listed.resources}
    assert "store://profile" in uris and len([u for u in uris if u.startswith("store://policies/")]) == 10
    data = json.loads(profile.contents[0].text)
    assert data["name"] == "ShopAssist Demo Store" and data["currency"] == "INR" and data["languages"] == ["en", "zh"]
    assert data["endpoints"]["mcp"] == "/mcp" and data["policies"][2]["sections"][0] == "3.1"
    assert returns.contents[0].text.startswith("# 3. Returns")


@pytest.mark.parametrize("burst", [3])
def test_the_apis_per_visitor_rate_limit_applies_per_tool_call(burst: int) -> None:
    server = server_for(assistant(), settings(rate_visitor_per_s=0.001, rate_visitor_burst=burst))

    async def body(c: Any) -> list[Any]:
        return [await c.call_tool("cart_get", {}) for _ in range(4 * burst + 2)]

    results = run(server, body)
    limited = [r for r in results if r.is_error and "Too many requests" in r.content[0].text]
    assert limited and "retry in" in limited[0].content[0].text
