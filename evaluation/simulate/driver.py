"""Drive simulated shoppers through the HTTP API over simulated days.

Day d of the simulation is `start + d * 86400`; each visit happens at a random hour of its day and every
request of it carries `X-Sim-Time`, so the server stamps turns, cards and actions with simulated time
(the logs spread over `days` days). A visit is a new conversation: one or two searches for types the
shopper wants, a reaction to each card (click, add to cart, sometimes like or dislike), and now and then
a question about a product, an off-topic question or a request for a person, so every part of the
owner's view has data. Randomness is drawn per (seed, shopper, day) and a fixed number of draws per
card, so two runs against different rankers face the same shoppers making the same coin flips.
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from evaluation.simulate.shoppers import CatalogTypes, Shopper, query_for, reaction
from retrieval.catalog import Catalog

DAY_S = 86_400.0
SITE_KEY = "pk_demo"


@dataclass
class SimCounts:
    """What the shoppers did, per shopper (the client's own tally; the server has its logs)."""

    impressions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    clicks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    carts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    turns: int = 0
    visits: int = 0
    requests: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        shown = sum(self.impressions.values())
        users = [u for u, n in self.impressions.items() if n]
        return {
            "visits": self.visits, "turns": self.turns, "requests": self.requests, "impressions": shown,
            "clicks": sum(self.clicks.values()), "carts": sum(self.carts.values()),
            "click_through": round(sum(self.clicks.values()) / shown, 4) if shown else 0.0,
            "add_to_cart_rate": round(sum(self.carts.values()) / shown, 5) if shown else 0.0,
            "carting_shoppers": round(sum(1 for u in users if self.carts.get(u)) / len(users), 4) if users else 0.0,
            "seconds": round(self.seconds, 1),
        }


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in text.split("\n\n"):
        kind, data = "", ""
        for line in block.splitlines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
        if kind and data:
            out.append((kind, json.loads(data)))
    return out


class Driver:
    def __init__(self, base_url: str, catalog: Catalog, types: CatalogTypes, start: float, seed: int = 0,
                 side_questions: bool = True) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=60.0)
        self.catalog = catalog
        self.types = types
        self.start = start
        self.seed = seed
        self.side_questions = side_questions
        self.counts = SimCounts()

    def close(self) -> None:
        self.client.close()

    def _call(self, method: str, path: str, shopper: Shopper, now: float, body: dict[str, Any] | None = None
              ) -> httpx.Response:
        headers = {"X-Site-Key": SITE_KEY, "X-Visitor-Id": shopper.visitor_id, "X-Sim-Time": f"{now:.3f}"}
        self.counts.requests += 1
        r = self.client.request(method, path, headers=headers, json=body)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {r.status_code}: {r.text[:200]}")
        return r

    def run(self, shoppers: list[Shopper], days: int, first_day: int = 0,
            progress: Callable[[int, int], None] | None = None) -> SimCounts:
        started = time.perf_counter()
        for day in range(first_day, first_day + days):
            for shopper in shoppers:
                rng = random.Random(f"{self.seed}:{shopper.index}:{day}")
                if rng.random() < shopper.visit_prob:
                    self.visit(shopper, day, rng)
            if progress is not None:
                progress(day - first_day + 1, days)
        self.counts.seconds += time.perf_counter() - started
        return self.counts

    def visit(self, shopper: Shopper, day: int, rng: random.Random) -> None:
        now = self.start + day * DAY_S + rng.uniform(8, 22) * 3600
        self.counts.visits += 1
        cid = self._call("POST", "/v1/conversations", shopper, now).json()["id"]
        user = shopper.visitor_id
        for wanted in rng.sample(shopper.wants, k=min(len(shopper.wants), rng.choice((1, 1, 2)))):
            now += rng.uniform(5, 30)
            events = parse_sse(self._call("POST", f"/v1/conversations/{cid}/messages", shopper, now,
                                          {"message": query_for(wanted, rng)}).text)
            self.counts.turns += 1
            cards: list[dict[str, Any]] = next((d["cards"] for k, d in events if k == "products"), [])
            for card in cards:
                product = self.catalog.get(card["id"])
                draws = (rng.random(), rng.random(), rng.random())  # fixed draws per card (common random numbers)
                if product is None:
                    continue
                self.counts.impressions[user] += 1
                fit = shopper.fit(product, wanted, self.types)
                clicked, carted = reaction(card["position"], fit, draws[:2])
                if clicked:
                    now += rng.uniform(3, 20)
                    self.counts.clicks[user] += 1
                    self._call("POST", "/v1/events", shopper, now,
                               {"conversation_id": cid, "type": "click", "product_id": product.id})
                    if draws[2] < 0.1 * fit or draws[2] > 0.97 - 0.1 * (1 - fit):
                        self._call("POST", "/v1/events", shopper, now,
                                   {"conversation_id": cid, "type": "like" if fit > 0.3 else "dislike",
                                    "product_id": product.id})
                if carted:
                    now += rng.uniform(3, 20)
                    self.counts.carts[user] += 1
                    self._call("POST", "/v1/cart/items", shopper, now,
                               {"product_id": product.id, "quantity": 1, "conversation_id": cid})
        if self.side_questions:
            self._side_question(shopper, cid, now, rng)

    def _side_question(self, shopper: Shopper, cid: str, now: float, rng: random.Random) -> None:
        roll = rng.random()
        message = ("is the first one waterproof?" if roll < 0.08 else "what is the weather in Paris?" if roll < 0.12
                   else "I want to talk to a person" if roll < 0.14 else "")
        if message:
            self._call("POST", f"/v1/conversations/{cid}/messages", shopper, now + rng.uniform(5, 30),
                       {"message": message})
            self.counts.turns += 1
