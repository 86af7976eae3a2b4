"""Simulated shoppers: one asyncio task per visitor, each with its own `X-Visitor-Id` and conversations.

A shopper plays its script (evaluation.load.scripts) turn after turn, by default without think time (closed
loop: the measured throughput is the server's ceiling at that concurrency, and latency is queueing
included), or with `think_ms` (0.5-1.5x, seeded) between requests like a person reading the answer;
it starts a new conversation when the script ends. Every request is bounded by `timeout_s`; no new
request starts after `max_seconds`.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass
from typing import Any

import httpx

from evaluation.load.scripts import CART, script_for
from evaluation.load.stats import Record, RunResult

SITE_KEY = "pk_demo"


@dataclass(frozen=True)
class LoadPlan:
    shoppers: int
    turns: int  # chat turns per shopper (cart adds come on top)
    max_seconds: float
    timeout_s: float = 30.0
    run_id: str = "load"
    think_ms: float = 0.0
    # False: a new connection per request, as behind a reverse proxy that opens one per request (nginx's
    # default). uvicorn's workers share one listening socket and the kernel gives each new connection to a
    # worker waiting in accept(), i.e. an idle one; kept-alive connections stay on whichever worker accepted
    # them first (measured: all 186 requests of a run on one of 4 workers).
    keepalive: bool = True


def _source(generation: dict[str, Any]) -> str:
    """Who wrote a turn's text, from the `done` event's generation summary."""
    model, fallbacks = generation.get("model_sentences", 0), generation.get("template_fallbacks", 0)
    if not model and not fallbacks:
        return "none"
    return "mixed" if model and fallbacks else ("model" if model else "template")


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000.0, 2)


async def stream_turn(client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, message: str,
                      shopper: int, timeout_s: float) -> tuple[Record, list[str]]:
    """POST one message and read the SSE stream; returns the timing record and the card ids shown."""
    t0 = time.perf_counter()
    rec = Record(shopper=shopper, kind="turn", message=message, total_ms=0.0,
                 visitor=headers.get("X-Visitor-Id", ""), conversation_id=conversation_id)
    card_ids: list[str] = []
    event_type = ""
    done = False
    try:
        async with asyncio.timeout(timeout_s):
            async with client.stream("POST", f"/v1/conversations/{conversation_id}/messages", headers=headers,
                                     json={"message": message}) as resp:
                rec.worker = resp.headers.get("x-worker", "")
                if resp.status_code != 200:
                    await resp.aread()
                    rec.error = f"http_{resp.status_code}"
                else:
                    async for line in resp.aiter_lines():
                        if line.startswith("event: "):
                            event_type = line[7:]
                            if event_type == "products" and rec.first_card_ms is None:
                                rec.first_card_ms = _ms(t0)
                                rec.cards_first = rec.first_text_ms is None
                            elif event_type == "text_delta" and rec.first_text_ms is None:
                                rec.first_text_ms = _ms(t0)
                            elif event_type == "done":
                                done = True
                        elif line.startswith("data: ") and event_type in ("products", "error", "done"):
                            data = json.loads(line[6:])
                            if event_type == "products":
                                card_ids = [c["id"] for c in data.get("cards", [])]
                            elif event_type == "done":
                                generation = data.get("generation") or {}
                                rec.text_source = _source(generation)
                            elif rec.error is None:
                                rec.error = f"event:{data.get('code', 'unknown')}"
                    if not done and rec.error is None:
                        rec.error = "no_done_event"
    except TimeoutError:
        rec.error = "timeout"
    except httpx.HTTPError as exc:
        rec.error = f"transport:{type(exc).__name__}"
    rec.total_ms = _ms(t0)
    return rec, card_ids


async def add_to_cart(client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, product_id: str,
                      shopper: int, timeout_s: float) -> Record:
    t0 = time.perf_counter()
    rec = Record(shopper=shopper, kind="cart", message=f"add {product_id}", total_ms=0.0,
                 visitor=headers.get("X-Visitor-Id", ""), conversation_id=conversation_id, product_id=product_id)
    try:
        resp = await client.post("/v1/cart/items", headers=headers, timeout=timeout_s,
                                 json={"product_id": product_id, "conversation_id": conversation_id})
        rec.worker = resp.headers.get("x-worker", "")
        if resp.status_code != 200:
            rec.error = f"http_{resp.status_code}"
        elif not resp.json().get("ok"):
            rec.error = "cart_not_ok"
    except httpx.HTTPError as exc:
        rec.error = "timeout" if isinstance(exc, httpx.TimeoutException) else f"transport:{type(exc).__name__}"
    rec.total_ms = _ms(t0)
    return rec


async def _new_conversation(client: httpx.AsyncClient, headers: dict[str, str], timeout_s: float) -> str:
    resp = await client.post("/v1/conversations", headers=headers, timeout=timeout_s)
    resp.raise_for_status()
    return str(resp.json()["id"])


async def shopper(client: httpx.AsyncClient, index: int, plan: LoadPlan, deadline: float, out: list[Record]) -> None:
    headers = {"X-Site-Key": SITE_KEY, "X-Visitor-Id": f"{plan.run_id}-{index}"}
    rng = random.Random(index)
    if plan.think_ms > 0:  # people arrive spread out, not all in the same millisecond
        await asyncio.sleep(plan.think_ms * rng.uniform(0.0, 1.0) / 1000.0)
    done_turns = 0
    round_ = 0
    while done_turns < plan.turns and time.monotonic() < deadline:
        script = script_for(index, round_)
        round_ += 1
        try:
            cid = await _new_conversation(client, headers, plan.timeout_s)
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            out.append(Record(shopper=index, kind="turn", message="<new conversation>", total_ms=0.0,
                              error=f"create:{type(exc).__name__}"))
            return
        cards: list[str] = []
        for step in script:
            if done_turns >= plan.turns or time.monotonic() >= deadline:
                break
            if step == CART:
                if cards:
                    out.append(await add_to_cart(client, headers, cid, cards[0], index, plan.timeout_s))
            else:
                rec, shown = await stream_turn(client, headers, cid, step, index, plan.timeout_s)
                out.append(rec)
                cards = shown or cards
                done_turns += 1
            if plan.think_ms > 0:
                await asyncio.sleep(plan.think_ms * rng.uniform(0.5, 1.5) / 1000.0)


async def run_shoppers(base_url: str, plan: LoadPlan, records: list[Record] | None = None) -> RunResult:
    """Run `plan.shoppers` shoppers concurrently; bounded by `max_seconds` plus one request timeout. Records
    are appended to `records` as they finish (another thread may watch it grow)."""
    records = [] if records is None else records
    limits = httpx.Limits(max_connections=plan.shoppers + 4,
                          max_keepalive_connections=plan.shoppers + 4 if plan.keepalive else 0)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=plan.timeout_s, trust_env=False) as client:
        t0 = time.perf_counter()
        deadline = time.monotonic() + plan.max_seconds
        tasks = [asyncio.create_task(shopper(client, i, plan, deadline, records)) for i in range(plan.shoppers)]
        _, pending = await asyncio.wait(tasks, timeout=plan.max_seconds + plan.timeout_s + 5)
        for task in pending:
            task.cancel()
        for task in tasks:
            if not task.cancelled() and task.exception() is not None:
                records.append(Record(shopper=-1, kind="turn", message="<shopper crashed>", total_ms=0.0,
                                      error=f"client:{type(task.exception()).__name__}"))
        elapsed = time.perf_counter() - t0
    return RunResult(concurrency=plan.shoppers, elapsed_s=elapsed, records=records)


def run_load(base_url: str, plan: LoadPlan, records: list[Record] | None = None) -> RunResult:
    return asyncio.run(run_shoppers(base_url, plan, records))


def wait_ready(base_url: str, timeout_s: float, alive: Any = None, need_model: bool = False) -> None:
    """Poll /readyz until it answers 200 (and, with `need_model`, the model has loaded); `alive()` False (the
    server died) or the timeout raise RuntimeError."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=base_url, trust_env=False, timeout=5) as client:
        while time.monotonic() < deadline:
            if alive is not None and not alive():
                raise RuntimeError("the server failed during startup (its log follows)")
            try:
                resp = client.get("/readyz")
                model_ready = (resp.json().get("model") or {}).get("state") == "ready"
                if resp.status_code == 200 and (model_ready or not need_model):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
    raise RuntimeError(f"the server was not ready within {timeout_s:.0f} s")
