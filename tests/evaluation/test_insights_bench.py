"""`shopassist bench insights` on a small database: every query timed, the counters consistent with the rows."""

from __future__ import annotations

from evaluation.insights_bench import run_insights_bench


def test_the_insights_bench_times_every_query(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_insights_bench(turns=3000, days=10, repeat=2, work_dir=tmp_path)
    assert result["turns"] == 3000 and result["impressions"] > 3000
    assert set(result["queries"]) == {"activity", "unanswered", "handoffs", "funnel", "model_health",
                                      "experiment_arms", "holdout_arms", "whole_report"}
    assert result["all_under_budget"], result["queries"]
