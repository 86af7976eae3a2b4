"""`shopassist bench mcp` logic on the hand-written catalog (the real demo store runs in `bench mcp` itself)."""

from __future__ import annotations

from evaluation.mcp import bench_calls, run_mcp_bench
from tests.ui.mcp_helpers import assistant, settings


def test_bench_calls_are_varied() -> None:
    calls = bench_calls(200)
    assert len({c["query"] for c in calls}) >= 150
    assert any("max_price" in c for c in calls) and any("元" in c["query"] for c in calls)


def test_bench_times_search_products_through_the_mcp_stack() -> None:
    result = run_mcp_bench(settings(), calls=20, warmup=2, assistant=assistant())
    assert result["bench"] == "mcp" and result["calls"] == 20 and result["errors"] == 0, result
    assert result["in_memory"]["errors"] == 0 and result["in_memory"]["calls"] == 20
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
    assert result["target_p95_ms"] == 50.0 and isinstance(result["pass"], bool)
    assert result["catalog_size"] == 13 and result["products_per_call"] > 0
