"""`shopassist bench mcp`: latency of `search_products` through the whole MCP stack, in process.

An MCP SDK client talks streamable HTTP to the real API app (`create_app`: the /mcp endpoint with its
CORS and key checks, the SDK's stateless JSON transport, the tool, hybrid search) over an in-process
ASGI transport, so the numbers are the server's work without a network or another process. The same
calls also go through the SDK's in-memory transport for comparison. No language model is involved:
the tools never call one. Every answer is checked: no tool error, and each price equal to the
catalog's. Rate limits are raised for the bench's one client (as `bench load` does). CPU time per call
and the machine's load average are reported too: on a shared machine wall-clock percentiles move with
other people's work, CPU time much less.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anyio

from assistant.services import Assistant
from assistant.settings import Settings
from evaluation.metrics import percentile

TARGET_P95_MS = 50.0
BENCH_RATES = {"rate_site_per_s": 1e6, "rate_site_burst": 1_000_000, "rate_visitor_per_s": 1e6,
               "rate_visitor_burst": 1_000_000}
_ITEMS = ("running shoes", "analog watch", "cotton kurta", "gold plated earrings", "leather wallet", "backpack",
          "sunglasses", "coffee mug", "bedsheet", "phone case", "sports sandals", "silver ring", "denim jeans",
          "wall clock", "perfume", "t-shirt", "saree", "baby romper", "laptop bag", "dinner set")
_MODS = ("", " under 1000", " for women", " on sale", " between 500 and 2000", " in black", " rated 4+",
         " under $30", " for men in blue", " 1000元以下")


def bench_calls(n: int) -> list[dict[str, Any]]:
    """`n` varied `search_products` argument sets: items x budgets, colours, sale, ratings, Chinese; every
    fourth with structured filters as well."""
    calls: list[dict[str, Any]] = []
    for i in range(n):
        args: dict[str, Any] = {"query": _ITEMS[i % len(_ITEMS)] + _MODS[(i // len(_ITEMS) + i) % len(_MODS)],
                                "limit": 10}
        if i % 4 == 3:
            args["max_price"] = 500.0 + 250 * (i % 7)
            args["in_stock"] = True
        calls.append(args)
    return calls


def _check(result: Any, catalog: Any) -> str | None:
    """Why an answer is wrong, or None."""
    if result.is_error:
        return str(result.content[0].text if result.content else "tool error")
    for item in (result.structured_content or {}).get("products", []):
        product = catalog.get(item["id"])
        if product is None or abs(item["price"]["amount"] - round(product.price, 2)) > 1e-6:
            return f"price of {item['id']} differs from the catalog"
    return None


async def _timed(call: Callable[[dict[str, Any]], Awaitable[Any]], calls: Sequence[dict[str, Any]], catalog: Any,
                 warmup: int) -> dict[str, Any]:
    for args in calls[:warmup]:
        await call(args)
    times: list[float] = []
    errors: list[str] = []
    results = 0
    cpu_started = time.process_time()
    for args in calls:
        started = time.perf_counter()
        result = await call(args)
        times.append((time.perf_counter() - started) * 1000.0)
        problem = _check(result, catalog)
        if problem:
            errors.append(problem)
        results += len((result.structured_content or {}).get("products", []))
    cpu_ms = (time.process_time() - cpu_started) * 1000.0 / max(1, len(calls))
    return {"calls": len(calls), "cpu_ms_per_call": round(cpu_ms, 1), "p50_ms": percentile(times, 50, 1),
            "p95_ms": percentile(times, 95, 1), "p99_ms": percentile(times, 99, 1),
            "mean_ms": round(sum(times) / len(times), 1) if times else None,
            "max_ms": round(max(times), 1) if times else None, "errors": len(errors), "first_error": next(
                iter(errors), None), "products_per_call": round(results / len(calls), 2) if calls else 0.0}


async def _run(assistant: Assistant, cfg: Settings, calls: Sequence[dict[str, Any]], warmup: int) -> dict[str, Any]:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    from ui.api.app import create_app
    from ui.mcp.identity import Authenticator, Credentials
    from ui.mcp.server import build_server

    key = next(iter(cfg.api.sites))
    catalog = assistant.services.catalog
    app = create_app(assistant, cfg)
    async with app.router.lifespan_context(app), httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app), base_url="http://bench.local",
            headers={"X-Site-Key": key}) as http, Client(
            streamable_http_client("http://bench.local/mcp", http_client=http)) as client:
        assert "search_products" in {t.name for t in (await client.list_tools()).tools}
        over_http = await _timed(lambda a: client.call_tool("search_products", a), calls, catalog, warmup)
    caller = Authenticator(cfg.api).authenticate(Credentials(key=key, client="bench"))
    async with Client(build_server(assistant, cfg.api, local_caller=caller)) as local:
        in_memory = await _timed(lambda a: local.call_tool("search_products", a), calls, catalog, warmup)
    return {"http": over_http, "in_memory": in_memory}


def run_mcp_bench(settings: Settings, *, calls: int = 200, warmup: int = 10,
                  assistant: Assistant | None = None) -> dict[str, Any]:
    """p50/p95 of `search_products` over `calls` varied queries on the configured catalog (the demo store)."""
    cfg = settings.model_copy(update={"api": settings.api.model_copy(update=BENCH_RATES)})
    if assistant is None:
        assistant = Assistant.from_settings(cfg, chat_model=None, with_ranker=False, with_support=False)
    args = bench_calls(calls)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    started = time.perf_counter()
    measured = anyio.run(_run, assistant, cfg, args, min(warmup, len(args)))
    p95 = measured["http"]["p95_ms"]
    return {"bench": "mcp", "tool": "search_products", "catalog": cfg.retrieval.catalog,
            "catalog_size": len(assistant.services.catalog), "distinct_queries": len({a["query"] for a in args}),
            "transport": "streamable HTTP, stateless JSON, in-process ASGI (create_app)",
            **measured["http"], "in_memory": measured["in_memory"], "target_p95_ms": TARGET_P95_MS,
            "pass": p95 is not None and p95 <= TARGET_P95_MS and measured["http"]["errors"] == 0,
            "cores": os.cpu_count(), "load_average_1m": round(load, 2) if load is not None else None,
            "seconds": round(time.perf_counter() - started, 1)}
