"""`run_bench(options)`: start the API in a subprocess, drive it with shoppers, return the summary dict.

Order: start the backing services (`stack`: PostgreSQL, a Chroma server for several workers), start
the API and wait for /readyz, one warm-up turn per script (not counted), the main run at `shoppers`
concurrency (with `restart_worker`, one worker is restarted a third of the way in: SIGTERM, uvicorn
starts its replacement), then optionally the sweep (1, 2, 4, ... shoppers, a few turns each, until
p95 to the first card passes 1 s) and the soak (shoppers for `soak_s` seconds while the server's
RSS is sampled). Once the API has stopped, everything the main run saw acknowledged is looked up
in the database (`verify`). Servers are always stopped, also on errors, Ctrl-C and `kill`.
The top-level `errors` counts every failed request of the main run, the sweep and the soak, plus
tracebacks in the server's log, a server that died, and acknowledged records the database lacks.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.load.client import LoadPlan, run_load, run_shoppers, wait_ready
from evaluation.load.scripts import SCRIPTS
from evaluation.load.server import ServerProcess
from evaluation.load.stack import Stack, backing_services
from evaluation.load.stats import Record, first_over, rss_trend, summarize
from evaluation.load.verify import lost_records

Progress = Callable[[str], None]
SWEEP_LIMIT_MS = 1000.0
SWEEP_MIN_TURNS = 40


@dataclass(frozen=True)
class LoadOptions:
    data_dir: Path
    shoppers: int = 16
    turns: int = 10
    max_seconds: float = 60.0
    llm: str = "fake"
    workers: int = 1
    token_ms: float = 5.0
    timeout_s: float = 30.0
    startup_s: float = 300.0
    sweep: bool = False
    sweep_max: int = 64
    sweep_turns: int = 4
    soak_s: float = 0.0
    think_ms: float = 0.0
    database: str = "sqlite"  # sqlite | postgres (a throw-away server)
    database_url: str = ""  # an existing database instead
    chroma_url: str = ""  # an existing Chroma server; several workers start one when empty
    restart_worker: bool = False


def _soak(base_url: str, srv: ServerProcess, opts: LoadOptions) -> tuple[dict[str, Any], list[tuple[float, float]]]:
    """Shoppers for `soak_s` seconds (their turn budget is unbounded; the time bound stops them)."""
    samples: list[tuple[float, float]] = []
    every = max(1.0, opts.soak_s / 300)

    async def main() -> Any:
        plan = LoadPlan(opts.shoppers, 10**9, opts.soak_s, opts.timeout_s, run_id="soak", think_ms=opts.think_ms,
                        keepalive=opts.workers == 1)
        t0 = time.monotonic()

        async def sample() -> None:
            while True:
                samples.append((round(time.monotonic() - t0, 2), srv.rss_mb()))
                await asyncio.sleep(every)

        sampler = asyncio.create_task(sample())
        try:
            return await run_shoppers(base_url, plan)
        finally:
            sampler.cancel()
            samples.append((round(time.monotonic() - t0, 2), srv.rss_mb()))

    run = asyncio.run(main())
    return summarize(run), samples


def run_bench(opts: LoadOptions, progress: Progress | None = None) -> dict[str, Any]:
    say = progress or (lambda _text: None)
    with tempfile.TemporaryDirectory(prefix="shopassist-load-") as tmp_name:
        tmp = Path(tmp_name)
        with backing_services(workers=opts.workers, database=opts.database, database_url=opts.database_url,
                              chroma_url=opts.chroma_url, data_dir=opts.data_dir, tmp=tmp, say=say) as stack:
            records: list[Record] = []
            srv = ServerProcess(data_dir=opts.data_dir, database_url=stack.database_url, llm=opts.llm,
                                workers=opts.workers, token_ms=opts.token_ms, log_path=tmp / "server.log",
                                extra_env={"SHOPASSIST_RETRIEVAL__CHROMA_URL": stack.chroma_url})
            with srv:
                out = _run(srv, opts, records, say, stack)
                out.update(database=stack.database, vectors=stack.vectors, **stack.rss_mb())
            out["acknowledged"] = lost_records(stack.database_url, records)  # the API has stopped: all written
    lost = sum(v for k, v in out["acknowledged"].items() if k.startswith("lost_"))
    if lost:
        out["errors"] += lost
        out["error_kinds"]["acknowledged_but_lost"] = lost
    out["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    return out


def _run(srv: ServerProcess, opts: LoadOptions, records: list[Record], say: Progress, stack: Stack
         ) -> dict[str, Any]:
    say(f"starting the API on {srv.base_url} ({opts.workers} worker(s), llm={opts.llm})")
    t_start = time.perf_counter()
    try:
        wait_ready(srv.base_url, opts.startup_s, alive=srv.alive, need_model=opts.llm != "fake")
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n{srv.log_tail()}") from exc
    startup_s = round(time.perf_counter() - t_start, 1)
    rss_start = srv.rss_mb()
    say(f"ready in {startup_s} s; warm-up")
    # every worker warms up (first turns load lazily): a turn per script per worker, at once
    run_load(srv.base_url, LoadPlan(len(SCRIPTS) * opts.workers, 1, 60.0, max(opts.timeout_s, 60.0), run_id="warm",
                                    keepalive=opts.workers == 1))
    say(f"{opts.shoppers} shoppers x {opts.turns} turns (at most {opts.max_seconds:.0f} s)")
    loadavg_start = [round(x, 2) for x in os.getloadavg()]
    restart: dict[str, Any] = {}
    restarter = _restart_later(srv, opts, records, restart, say) if opts.restart_worker else None
    cpu0, client0, side0 = srv.cpu_s(), time.process_time(), stack.cpu_s()
    main = summarize(run_load(srv.base_url, LoadPlan(opts.shoppers, opts.turns, opts.max_seconds, opts.timeout_s,
                                                     think_ms=opts.think_ms, keepalive=opts.workers == 1), records))
    requests = main["turns"] + main["cart_adds"]
    main["server_cpu_ms_per_request"] = round(1000 * (srv.cpu_s() - cpu0) / max(requests, 1), 1)
    main["client_cpu_ms_per_request"] = round(1000 * (time.process_time() - client0) / max(requests, 1), 1)
    main.update(_cpu_costs(main, stack.cpu_s(), side0, requests))
    out: dict[str, Any] = {**main, "llm": opts.llm, "workers": opts.workers, "think_ms": opts.think_ms,
                           "startup_s": startup_s, "rss_mb_start": rss_start, "rss_mb_end": srv.rss_mb(),
                           "loadavg_start": loadavg_start, "cpu_count": os.cpu_count(),
                           "requests_per_worker": _per_worker(records)}
    if restarter is not None:
        restarter.join(timeout=opts.startup_s + 30)
        served = _per_worker(records)
        restart["replacement_served"] = served.get(str(restart.get("replacement_pid")), 0)
        out["restart"] = restart
    if opts.sweep:
        out.update(_sweep(srv, opts, say))
        out["errors"] += sum(row["errors"] for row in out["sweep"])
    if opts.soak_s > 0:
        say(f"soak: {opts.shoppers} shoppers for {opts.soak_s:.0f} s")
        soak, samples = _soak(srv.base_url, srv, opts)
        out["soak"] = {k: soak[k] for k in ("elapsed_s", "turns_ok", "turns_per_s", "p95_first_card_ms", "errors")}
        out["soak"].update(rss_trend(samples))
        out["soak"]["rss_series"] = samples[:: max(1, len(samples) // 60)]
        out["errors"] += soak["errors"]
    problems = {"server_died": 0 if srv.running() else 1, "server_tracebacks": srv.tracebacks()}
    for kind, n in problems.items():
        if n:
            out["errors"] += n
            out["error_kinds"][kind] = n
    return out


def _cpu_costs(main: dict[str, Any], side: dict[str, float], side0: dict[str, float], requests: int
               ) -> dict[str, Any]:
    """CPU per request of the servers beside the API (PostgreSQL, Chroma), and the turns/s all these CPU costs
    (the load generator's included, it runs here too) would allow on this machine's cores if nothing else ran:
    a load-independent ceiling next to the measured turns/s, which other users of a shared machine depress."""
    out: dict[str, Any] = {f"{name}_cpu_ms_per_request": round(1000 * (side[name] - side0[name]) / max(requests, 1), 1)
                           for name in side}
    per_request = main["server_cpu_ms_per_request"] + main["client_cpu_ms_per_request"] + sum(out.values())
    per_turn = per_request * requests / max(main["turns"], 1)
    out["turns_per_s_cpu_bound"] = round((os.cpu_count() or 1) * 1000 / per_turn, 1) if per_turn > 0 else None
    return out


def _per_worker(records: list[Record]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in list(records):
        if r.worker:
            counts[r.worker] = counts.get(r.worker, 0) + 1
    return dict(sorted(counts.items()))


def _restart_later(srv: ServerProcess, opts: LoadOptions, records: list[Record], into: dict[str, Any],
                   say: Progress) -> threading.Thread:
    """A thread that restarts one worker once a third of the main run's turns are done."""
    target = max(1, opts.shoppers * opts.turns // 3)
    deadline = time.monotonic() + opts.max_seconds / 3

    def run() -> None:
        while sum(1 for r in list(records) if r.kind == "turn") < target and time.monotonic() < deadline:
            time.sleep(0.05)
        into["at_turn"] = sum(1 for r in list(records) if r.kind == "turn")
        say(f"restarting one worker (SIGTERM) after {into['at_turn']} turns")
        into.update(srv.restart_worker(timeout_s=opts.startup_s))

    thread = threading.Thread(target=run, name="restart-worker", daemon=True)
    thread.start()
    return thread


def _sweep(srv: ServerProcess, opts: LoadOptions, say: Progress) -> dict[str, Any]:
    rows = []
    c = 1
    while c <= opts.sweep_max:
        turns = max(opts.sweep_turns, -(-SWEEP_MIN_TURNS // c))  # enough turns for a p95 at low concurrency
        s = summarize(run_load(srv.base_url, LoadPlan(c, turns, opts.max_seconds, opts.timeout_s, run_id=f"sweep{c}",
                                                      think_ms=opts.think_ms, keepalive=opts.workers == 1)))
        row = {k: s[k] for k in ("concurrency", "turns_per_s", "p50_first_card_ms", "p95_first_card_ms",
                                 "p95_first_text_ms", "errors")}
        rows.append(row)
        say(f"sweep {c:>3} shoppers: {row['turns_per_s']} turns/s, p95 first card {row['p95_first_card_ms']} ms")
        if row["p95_first_card_ms"] is not None and row["p95_first_card_ms"] > SWEEP_LIMIT_MS:
            break
        c *= 2
    return {"sweep": rows, "p95_over_1s_at": first_over(rows, limit_ms=SWEEP_LIMIT_MS)}
