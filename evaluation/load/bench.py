"""`run_bench(options)`: start the API in a subprocess, drive it with shoppers, return the summary dict.

Order: start and wait for /readyz, one warm-up turn per script (not counted), the main run at
`shoppers` concurrency, then optionally the sweep (1, 2, 4, ... shoppers, a few turns each, until
p95 to the first card passes 1 s) and the soak (shoppers for `soak_s` seconds while the server's
RSS is sampled). The server is always stopped, also on errors, Ctrl-C and `kill`.
The top-level `errors` counts every failed request of the main run, the sweep and the soak, plus
tracebacks in the server's log and a server that died.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.load.client import LoadPlan, run_load, run_shoppers, wait_ready
from evaluation.load.scripts import SCRIPTS
from evaluation.load.server import ServerProcess
from evaluation.load.stats import first_over, rss_trend, summarize

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


def _soak(base_url: str, srv: ServerProcess, opts: LoadOptions) -> tuple[dict[str, Any], list[tuple[float, float]]]:
    """Shoppers for `soak_s` seconds (their turn budget is unbounded; the time bound stops them)."""
    samples: list[tuple[float, float]] = []
    every = max(1.0, opts.soak_s / 300)

    async def main() -> Any:
        plan = LoadPlan(opts.shoppers, 10**9, opts.soak_s, opts.timeout_s, run_id="soak", think_ms=opts.think_ms)
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
    with tempfile.TemporaryDirectory(prefix="shopassist-load-") as tmp:
        srv = ServerProcess(data_dir=opts.data_dir, database_url=f"sqlite:///{Path(tmp) / 'load.db'}", llm=opts.llm,
                            workers=opts.workers, token_ms=opts.token_ms, log_path=Path(tmp) / "server.log")
        with srv:
            say(f"starting the API on {srv.base_url} ({opts.workers} worker(s), llm={opts.llm})")
            t_start = time.perf_counter()
            try:
                wait_ready(srv.base_url, opts.startup_s, alive=srv.alive, need_model=opts.llm != "fake")
            except RuntimeError as exc:
                raise RuntimeError(f"{exc}\n{srv.log_tail()}") from exc
            startup_s = round(time.perf_counter() - t_start, 1)
            rss_start = srv.rss_mb()
            say(f"ready in {startup_s} s; warm-up")
            run_load(srv.base_url, LoadPlan(len(SCRIPTS), 1, 60.0, max(opts.timeout_s, 60.0), run_id="warm"))
            say(f"{opts.shoppers} shoppers x {opts.turns} turns (at most {opts.max_seconds:.0f} s)")
            cpu0, client0 = srv.cpu_s(), time.process_time()
            main = summarize(run_load(srv.base_url, LoadPlan(opts.shoppers, opts.turns, opts.max_seconds,
                                                             opts.timeout_s, think_ms=opts.think_ms)))
            requests = main["turns"] + main["cart_adds"]
            main["server_cpu_ms_per_request"] = round(1000 * (srv.cpu_s() - cpu0) / max(requests, 1), 1)
            main["client_cpu_ms_per_request"] = round(1000 * (time.process_time() - client0) / max(requests, 1), 1)
            out: dict[str, Any] = {**main, "llm": opts.llm, "workers": opts.workers, "think_ms": opts.think_ms,
                                   "startup_s": startup_s, "rss_mb_start": rss_start, "rss_mb_end": srv.rss_mb()}
            if opts.sweep:
                out.update(_sweep(srv, opts, say))
                out["errors"] += sum(row["errors"] for row in out["sweep"])
            if opts.soak_s > 0:
                say(f"soak: {opts.shoppers} shoppers for {opts.soak_s:.0f} s")
                soak, samples = _soak(srv.base_url, srv, opts)
                out["soak"] = {k: soak[k] for k in ("elapsed_s", "turns_ok", "turns_per_s", "p95_first_card_ms",
                                                    "errors")}
                out["soak"].update(rss_trend(samples))
                out["soak"]["rss_series"] = samples[:: max(1, len(samples) // 60)]
                out["errors"] += soak["errors"]
            problems = {"server_died": 0 if srv.running() else 1, "server_tracebacks": srv.tracebacks()}
            for kind, n in problems.items():
                if n:
                    out["errors"] += n
                    out["error_kinds"][kind] = n
    return out


def _sweep(srv: ServerProcess, opts: LoadOptions, say: Progress) -> dict[str, Any]:
    rows = []
    c = 1
    while c <= opts.sweep_max:
        turns = max(opts.sweep_turns, -(-SWEEP_MIN_TURNS // c))  # enough turns for a p95 at low concurrency
        s = summarize(run_load(srv.base_url, LoadPlan(c, turns, opts.max_seconds, opts.timeout_s,
                                                      run_id=f"sweep{c}", think_ms=opts.think_ms)))
        row = {k: s[k] for k in ("concurrency", "turns_per_s", "p50_first_card_ms", "p95_first_card_ms",
                                 "p95_first_text_ms", "errors")}
        rows.append(row)
        say(f"sweep {c:>3} shoppers: {row['turns_per_s']} turns/s, p95 first card {row['p95_first_card_ms']} ms")
        if row["p95_first_card_ms"] is not None and row["p95_first_card_ms"] > SWEEP_LIMIT_MS:
            break
        c *= 2
    return {"sweep": rows, "p95_over_1s_at": first_over(rows, limit_ms=SWEEP_LIMIT_MS)}
