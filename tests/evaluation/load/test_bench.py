"""`shopassist bench load`: the statistics, the shopper client against a real HTTP server (fake services, a
uvicorn thread: seconds) and, marked slow, the whole bench against the real assistant in a uvicorn subprocess
(MiniLM, the demo store's index from `$SHOPASSIST_TEST_DATA_DIR`): zero errors, every shopper served, cards
before text, the JSON keys, and no server left running afterwards."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.llm.fake import FakeChatModel
from assistant.services import Assistant
from assistant.store_profile import demo_settings
from assistant.testing import demo_products, make_services
from evaluation.load.client import LoadPlan, run_load, stream_turn
from evaluation.load.scripts import CART, SCRIPTS, script_for
from evaluation.load.server import PacedFakeModel, serve_in_thread
from evaluation.load.stats import Record, RunResult, first_over, rss_trend, summarize
from ui.api.app import create_app

REPO = Path(__file__).resolve().parents[3]
DATA_DIR = Path(os.environ.get("SHOPASSIST_TEST_DATA_DIR", REPO / "var" / "test-data"))
JSON_KEYS = {"turns_per_s", "p95_first_card_ms", "p99_first_card_ms", "errors", "concurrency", "p50_first_card_ms",
             "p95_first_text_ms", "rss_mb_start", "rss_mb_end", "shopper_turns_min", "shoppers_starved",
             "database", "vectors", "acknowledged", "loadavg_start", "loadavg_end", "requests_per_worker",
             "turns_per_s_cpu_bound"}


# ------------------------------------------------------------------ statistics


def test_summary_counts_errors_late_cards_and_starved_shoppers() -> None:
    records = [Record(0, "turn", "a", 100.0, first_card_ms=float(ms), first_text_ms=float(ms) + 5) for ms in
               range(10, 110, 10)]
    records += [Record(1, "turn", "b", 50.0, error="timeout"), Record(1, "cart", "add", 5.0),
                Record(0, "turn", "c", 80.0, first_card_ms=70.0, first_text_ms=20.0, cards_first=False)]
    s = summarize(RunResult(concurrency=3, elapsed_s=2.0, records=records))
    assert s["turns"] == 12 and s["turns_ok"] == 11 and s["turns_per_s"] == 5.5
    assert s["errors"] == 1 and s["error_kinds"] == {"timeout": 1} and s["error_rate"] == round(1 / 13, 4)
    assert s["cards_after_text"] == 1
    assert s["shopper_turns_min"] == 0 and s["shopper_turns_max"] == 11 and s["shoppers_starved"] == 2
    assert s["p50_first_card_ms"] is not None and s["p50_first_card_ms"] <= s["p95_first_card_ms"] <= 100.0
    assert s["shopper_mean_turn_ms_min"] == s["shopper_mean_turn_ms_max"] == round(1080 / 11, 1)  # shopper 0 only


def test_rss_trend_tells_flat_from_growing_and_sweep_finds_the_knee() -> None:
    flat = rss_trend([(float(t), 500.0 + (t % 3)) for t in range(0, 600, 5)])
    assert flat["rss_flat"] is True and abs(flat["rss_slope_mb_per_min"]) < 0.5
    growing = rss_trend([(float(t), 500.0 + t) for t in range(0, 600, 5)])
    assert growing["rss_flat"] is False and growing["rss_slope_mb_per_min"] == pytest.approx(60.0, rel=0.01)
    rows = [{"concurrency": c, "p95_first_card_ms": ms} for c, ms in ((1, 80.0), (2, 150.0), (4, 1200.0))]
    assert first_over(rows) == 4 and first_over(rows[:2]) is None


def test_scripts_mix_search_follow_ups_support_cart_and_chinese() -> None:
    text = " ".join(" ".join(script_for(i)) for i in range(len(SCRIPTS)))
    for needle in ("cheaper ones?", "compare the first two", "SA-100232", "return an item", "预算", CART):
        assert needle in text
    assert script_for(0, 0) != script_for(0, 1)  # another budget each round


def test_paced_fake_model_streams_the_first_fact_with_a_delay() -> None:
    model = PacedFakeModel(token_ms=2.0)
    t0 = time.perf_counter()
    pieces = list(model.stream([{"role": "user", "content": "Puma Running Shoes costs 1999\nmore"}]))
    assert "".join(pieces) == "Puma Running Shoes costs 1999." and len(pieces) == 5
    assert time.perf_counter() - t0 >= 0.009
    assert not hasattr(model, "calls")  # nothing accumulates over a soak


# ------------------------------------------------------------------ the client against a real HTTP server


@pytest.fixture
def fake_server(tmp_path: Path) -> Iterator[str]:
    """The API on fake services (hashing embedder, keyword scenes, a SQLite file: concurrent requests must not
    share the single connection of an in-memory database) served by uvicorn in a thread."""
    cfg = demo_settings(api={"rate_visitor_per_s": 1000, "rate_visitor_burst": 1000, "rate_site_per_s": 1000,
                             "rate_site_burst": 1000})
    app = create_app(Assistant(make_services(demo_products(), model=FakeChatModel(),
                                                 database_url=f"sqlite:///{tmp_path / 'state.db'}")), cfg)
    with serve_in_thread(app) as url:
        yield url


def test_shoppers_stream_turns_and_add_to_cart_over_http(fake_server: str) -> None:
    run = run_load(fake_server, LoadPlan(shoppers=3, turns=4, max_seconds=20, timeout_s=10))
    s = summarize(run)
    assert s["errors"] == 0, s["error_kinds"]
    assert s["turns_ok"] == 12 and s["shopper_turns_min"] == 4 and s["shoppers_starved"] == 0
    assert s["turns_with_cards"] > 0 and s["cards_after_text"] == 0
    assert s["cart_adds"] > 0 and all(r.error is None for r in run.records if r.kind == "cart")
    for r in run.records:
        if r.first_card_ms is not None:
            assert 0 < r.first_card_ms <= r.total_ms


def test_http_errors_are_counted_not_hidden(fake_server: str) -> None:
    async def one() -> Record:
        async with httpx.AsyncClient(base_url=fake_server, trust_env=False) as client:
            rec, cards = await stream_turn(client, {"X-Site-Key": "pk_demo", "X-Visitor-Id": "v1"}, "no-such-id",
                                           "running shoes", 0, 5.0)
            assert cards == []
            return rec

    assert asyncio.run(one()).error == "http_404"


# ------------------------------------------------------------------ the whole bench, real assistant


@pytest.mark.slow
def test_bench_load_on_the_real_assistant_in_a_subprocess() -> None:
    if not (DATA_DIR / "catalogs" / "demo").exists():
        pytest.skip(f"no demo index under {DATA_DIR}")
    from evaluation.load.bench import LoadOptions, run_bench

    said: list[str] = []
    t0 = time.monotonic()
    r = run_bench(LoadOptions(data_dir=DATA_DIR, shoppers=4, turns=3, max_seconds=20, timeout_s=20, startup_s=120),
                  progress=said.append)
    assert time.monotonic() - t0 < 60
    assert r.keys() >= JSON_KEYS
    assert r["errors"] == 0, r["error_kinds"]
    assert r["concurrency"] == 4 and r["turns_ok"] == 12 and r["shopper_turns_min"] == 3
    assert r["shoppers_starved"] == 0 and r["cards_after_text"] == 0 and r["turns_with_cards"] >= 4
    assert r["turns_per_s"] > 0 and r["p50_first_card_ms"] <= r["p95_first_card_ms"] <= r["p99_first_card_ms"]
    assert r["rss_mb_start"] > 100 and r["server_cpu_ms_per_request"] > 0
    assert (r["database"], r["vectors"]) == ("sqlite", "chroma-persistent")  # one worker: no servers needed
    assert r["acknowledged"]["acknowledged_turns"] == 12 and r["acknowledged"]["lost_messages"] == 0
    url = next(s for s in said if "http://127.0.0.1:" in s).split(" on ", 1)[1].split(" ")[0]
    with pytest.raises(httpx.ConnectError):  # the server process group is gone
        httpx.get(f"{url}/healthz", timeout=2, trust_env=False)
