"""`shopassist bench insights`: time every insights query on a throw-away database of N logged turns.

The database is filled with synthetic rows shaped like a busy store's month: `turns` turns over `days`
days from `turns // 5` shoppers, five cards per search turn, clicks falling with position, some carts,
likes and dislikes, unanswered questions, handoffs, and one running experiment with a holdout. Each
query of `assistant.insights.queries` (what the console and `GET /v1/insights` run) is timed `repeat`
times over the whole period; the report gives the median and the worst, and whether every query stayed
under the budget (200 ms).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from assistant.experiments.config import HOLDOUT, Experiment, ExperimentsConfig
from assistant.insights import queries
from assistant.insights.report import build_insights
from assistant.storage.insights_log import day_of
from assistant.storage.insights_rollup import rebuild
from assistant.storage.insights_schema import (
    ActionRow,
    AssignmentLogRow,
    HandoffLogRow,
    ImpressionRow,
    TurnLogRow,
)
from assistant.storage.store import StateStore

BUDGET_MS = 200.0
SCENES = ("search",) * 6 + ("recommend", "product_qa", "support", "cart", "chitchat", "out_of_scope")
UNANSWERED = {"out_of_scope": "out_of_scope", "product_qa": "listing_silent", "support": "support_no_policy"}
EXPERIMENT = Experiment("ranker-test", "ranker", (("learned", 0.5), ("random", 0.5)))


def fill(store: StateStore, turns: int, days: int, seed: int = 0, end: float | None = None,
         batch: int = 20_000) -> dict[str, int]:
    """Write `turns` synthetic turns with their cards, actions, handoffs and assignments."""
    rng = random.Random(seed)
    stop = time.time() if end is None else end
    start = stop - days * 86_400.0
    users = max(turns // 5, 1)
    arms: dict[int, str] = {}
    rows: dict[str, list[dict[str, Any]]] = {"t": [], "i": [], "a": [], "h": []}
    counts = {"turns": 0, "impressions": 0, "actions": 0, "handoffs": 0, "shoppers": users}
    engine = store.engine

    def flush(force: bool = False) -> None:
        if not force and len(rows["t"]) < batch:
            return
        with engine.begin() as conn:
            for key, table in (("t", TurnLogRow), ("i", ImpressionRow), ("a", ActionRow), ("h", HandoffLogRow)):
                if rows[key]:
                    conn.execute(insert(table), rows[key])
                    rows[key] = []

    for n in range(1, turns + 1):
        ts = start + (stop - start) * n / (turns + 1)
        day = day_of(ts)
        u = rng.randrange(users)
        user, conv = f"site:v:u{u}", f"c{u}-{int(ts // 86_400)}"
        if u not in arms:
            arms[u] = "holdout" if rng.random() < 0.05 else rng.choice(("learned", "random"))
        variant = "holdout" if arms[u] == "holdout" else f"{EXPERIMENT.name}={arms[u]}"
        scene = rng.choice(SCENES)
        shown = 5 if scene in ("search", "recommend") and rng.random() > 0.04 else 0
        unanswered = UNANSWERED.get(scene, "") if rng.random() < 0.5 else ""
        if scene == "search" and not shown:
            unanswered = "no_results"
        query = f"query {rng.randrange(400)}"
        rows["t"].append({"id": n, "ts": ts, "day": day, "conversation_id": conv, "user_id": user, "scene": scene,
                          "language": "zh" if rng.random() < 0.1 else "en", "query": query, "query_key": query,
                          "rank_query": query if shown else "", "result_count": shown, "unanswered": unanswered,
                          "first_card_ms": rng.lognormvariate(4.5, 0.4) if shown else None,
                          "first_token_ms": rng.lognormvariate(6, 0.5) if shown else None,
                          "elapsed_ms": rng.lognormvariate(7, 0.4), "model_calls": int(bool(shown)),
                          "model_sentences": 2 if shown else 0, "template_fallbacks": int(rng.random() < 0.05),
                          "removed_sentences": int(rng.random() < 0.03), "variant": variant})
        for pos in range(1, shown + 1):
            imp = counts["impressions"] + 1
            counts["impressions"] = imp
            product = f"p{rng.randrange(1000)}"
            rows["i"].append({"id": imp, "turn_id": n, "ts": ts, "day": day, "conversation_id": conv,
                              "user_id": user, "product_id": product, "position": pos, "scene": scene,
                              "variant": variant, "features": None})
            if rng.random() < 0.3 / pos:
                for action in ("click", "add_to_cart", "like")[: rng.choice((1, 1, 2, 3))]:
                    counts["actions"] += 1
                    rows["a"].append({"ts": ts + 30, "day": day, "conversation_id": conv, "user_id": user,
                                      "product_id": product, "action": action, "impression_id": imp,
                                      "position": pos, "scene": scene, "variant": variant})
        if rng.random() < 0.01:
            counts["handoffs"] += 1
            picked = ts + rng.expovariate(1 / 300) if rng.random() < 0.8 else None
            rows["h"].append({"ticket_id": counts["handoffs"], "ts": ts, "day": day, "conversation_id": conv,
                              "kind": rng.choice(("explicit", "frustration", "scene_rule", "repeated_failures")),
                              "reason": "", "picked_at": picked,
                              "resolved_at": picked + 600 if picked and rng.random() < 0.7 else None})
        counts["turns"] = n
        flush()
    flush(force=True)
    with engine.begin() as conn:
        conn.execute(insert(AssignmentLogRow), [
            {"experiment": HOLDOUT, "user_id": f"site:v:u{u}", "variant": "holdout" if a == "holdout" else "in",
             "assigned_at": start} for u, a in arms.items()] + [
            {"experiment": EXPERIMENT.name, "user_id": f"site:v:u{u}", "variant": a, "assigned_at": start}
            for u, a in arms.items() if a != "holdout"])
    rebuild(engine)  # the daily counters the logging keeps as it writes
    return counts


def _time(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    fn()  # warm the page cache once, as a running server would have it
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def run_insights_bench(turns: int = 100_000, days: int = 30, repeat: int = 5, seed: int = 0,
                       work_dir: Path | None = None, progress: Callable[[str], None] | None = None
                       ) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        store = StateStore.from_url(f"sqlite:///{Path(tmp) / 'insights-bench.db'}")
        t0 = time.perf_counter()
        counts = fill(store, turns, days, seed)
        fill_s = time.perf_counter() - t0
        if progress:
            progress(f"filled {counts['turns']:,} turns, {counts['impressions']:,} cards in {fill_s:.0f} s")
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        period = (time.time() - days * 86_400.0 - 1, time.time() + 1)
        config = ExperimentsConfig(0.05, (EXPERIMENT,))
        timings: dict[str, dict[str, float]] = {}
        with store.engine.connect() as conn:
            for name, fn in (("activity", queries.activity), ("unanswered", queries.unanswered),
                             ("handoffs", queries.handoffs), ("funnel", queries.funnel),
                             ("model_health", queries.model_health)):
                timings[name] = _time(lambda f=fn: f(conn, period), repeat)  # type: ignore[misc]
            timings["experiment_arms"] = _time(lambda: queries.experiment_sums(conn, EXPERIMENT.name), repeat)
            timings["holdout_arms"] = _time(lambda: queries.holdout_sums(conn), repeat)
        timings["whole_report"] = _time(lambda: build_insights(store.engine, config, period), repeat)
        store.engine.dispose()
    worst = max(t["max_ms"] for name, t in timings.items() if name != "whole_report")
    return {"turns": counts["turns"], "impressions": counts["impressions"], "actions": counts["actions"],
            "shoppers": counts["shoppers"], "days": days, "fill_s": round(fill_s, 1), "repeat": repeat,
            "queries": timings, "worst_query_ms": worst, "budget_ms": BUDGET_MS,
            "all_under_budget": worst < BUDGET_MS}
