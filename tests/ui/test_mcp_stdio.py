"""The MCP server over stdio, through the SDK's stdio client: a spawned process whose caller comes from its
environment. The fast tests serve the hand-written catalog from a small script and check that `shopassist mcp`
refuses to start without a key; the slow one spawns `python -m ui.cli mcp` on the real demo store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.ui.mcp_helpers import HMAC_SECRET, payload
from ui.api.security import user_hash

REPO = Path(__file__).resolve().parents[2]
SERVE_FAKE_STORE = """
import os
from assistant.services import Assistant
from tests.ui.mcp_helpers import assistant, settings
from ui.mcp.stdio import build_stdio_server
build_stdio_server(settings(), os.environ, assistant=assistant()).run("stdio")
"""


def env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("SHOPASSIST_MCP_")}
    return {**keep, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **extra}


def over_stdio(args: list[str], environment: dict[str, str], body: Any) -> Any:
    params = StdioServerParameters(command=sys.executable, args=args, env=environment, cwd=str(REPO))

    async def main() -> Any:
        async with Client(params, read_timeout_seconds=120) as client:
            return await body(client)

    return anyio.run(main)


def test_stdio_server_takes_its_caller_from_the_environment() -> None:
    async def body(c: Any) -> tuple[Any, ...]:
        tools = await c.list_tools()
        found = await c.call_tool("search_products", {"query": "shoes", "max_price": 1000})
        cart = await c.call_tool("cart_add", {"product_id": "s4"})
        orders = await c.call_tool("order_status", {})
        return tools, found, cart, orders

    identity = {"SHOPASSIST_MCP_KEY": "pk_shop", "SHOPASSIST_MCP_USER_ID": "demo",
                "SHOPASSIST_MCP_USER_HASH": user_hash(HMAC_SECRET, "demo")}
    tools, found, cart, orders = over_stdio(["-c", SERVE_FAKE_STORE], env(**identity), body)
    assert len(tools.tools) == 12
    assert all(p["price"]["amount"] <= 1000 for p in payload(found)["products"])
    assert payload(cart)["cart"]["owner"] == "shopper"  # the signed-in shopper's own cart
    assert {o["order_id"] for o in payload(orders)["orders"]} == {"SA-100231", "SA-100232", "SA-100233"}


def test_shopassist_mcp_refuses_to_start_without_a_valid_key() -> None:
    for extra in ({}, {"SHOPASSIST_MCP_KEY": "pk_nope"},
                  {"SHOPASSIST_MCP_KEY": "pk_demo", "SHOPASSIST_MCP_USER_ID": "demo",
                   "SHOPASSIST_MCP_USER_HASH": "forged"}):
        done = subprocess.run([sys.executable, "-m", "ui.cli", "mcp"], env=env(**extra), cwd=REPO, input="",
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and done.stdout == "", done.stderr
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in done.stderr


@pytest.mark.slow
def test_shopassist_mcp_on_the_demo_store(tmp_path: Path) -> None:
    from retrieval.index import catalog_dir
    from retrieval.ingest import load_demo_catalog

    data_dir = Path(os.environ.get("SHOPASSIST_TEST_DATA_DIR", REPO / "var" / "test-data"))
    demo = {p.id: p for p in load_demo_catalog()}
    from assistant.store_profile import DEMO_PROFILE

    identity = {"SHOPASSIST_CONFIG": str(DEMO_PROFILE), "SHOPASSIST_MCP_KEY": "pk_demo",
                "SHOPASSIST_MCP_USER_ID": "demo",
                "SHOPASSIST_MCP_USER_HASH": user_hash("demo-secret", "demo"), "SHOPASSIST_DATA_DIR": str(data_dir),
                "SHOPASSIST_DATABASE_URL": f"sqlite:///{tmp_path / 'state.db'}", "SHOPASSIST_LLM__BACKEND": "fake"}

    async def body(c: Any) -> tuple[Any, ...]:
        return (await c.call_tool("search_products", {"query": "analog watch under 1000"}),
                await c.call_tool("search_products", {"query": "sandals", "max_price": 500, "in_stock": True}),
                await c.call_tool("order_status", {"order_id": "SA-100232"}))

    under, sandals, order = over_stdio(["-m", "ui.cli", "mcp"], env(**identity), body)
    assert (catalog_dir(data_dir, "demo") / "products.jsonl").exists()
    for result, budget in ((under, 1000), (sandals, 500)):
        products = payload(result)["products"]
        assert products
        for item in products:
            assert item["price"]["amount"] <= budget and item["price"]["amount"] == demo[item["id"]].price
    assert all(p["availability"] == "in_stock" for p in payload(sandals)["products"])
    assert payload(order)["orders"][0]["status"] == "shipped"
