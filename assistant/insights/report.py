"""`build_insights`: every insights query over one period plus the experiments' statistics, as plain data
(what `GET /v1/insights` returns and the console's Insights tab draws)."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine

from assistant.experiments.config import ExperimentsConfig
from assistant.experiments.stats import ArmStats, Sums, arm_stats
from assistant.insights import queries

DAY_S = 86_400.0
MAX_DAYS = 366


def period_of(days: int, until: float | None = None) -> tuple[float, float]:
    """The last `days` days up to `until` (now by default)."""
    end = time.time() if until is None else until
    return end - max(1, min(days, MAX_DAYS)) * DAY_S, end


def _arm(stats: ArmStats) -> dict[str, Any]:
    out = asdict(stats)
    out["significant"] = stats.significant
    return out


def compare_arms(counts: dict[str, Sums], control: str) -> list[dict[str, Any]]:
    base = counts.get(control)
    return [_arm(arm_stats(arm, c, base if arm != control else None))
            for arm, c in sorted(counts.items(), key=lambda kv: (kv[0] != control, kv[0]))]


def experiments(engine: Engine, config: ExperimentsConfig) -> dict[str, Any]:
    """Every enabled experiment's arms over its whole run, and the holdout against everyone else."""
    out: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for exp in config.experiments:
            counts = queries.experiment_sums(conn, exp.name)
            out.append({"name": exp.name, "factor": exp.factor, "control": exp.control,
                        "split": dict(exp.variants), "arms": compare_arms(counts, exp.control)})
        holdout = queries.holdout_sums(conn)
    return {"holdout_share": config.holdout_share, "experiments": out,
            "holdout": compare_arms(holdout, "in") if holdout else []}


def build_insights(engine: Engine, config: ExperimentsConfig, period: tuple[float, float]) -> dict[str, Any]:
    with engine.connect() as conn:
        result: dict[str, Any] = {
            "period": {"since": period[0], "until": period[1]},
            "activity": queries.activity(conn, period),
            "unanswered": queries.unanswered(conn, period),
            "handoffs": queries.handoffs(conn, period),
            "funnel": queries.funnel(conn, period),
            "model": queries.model_health(conn, period),
            "ranker": queries.promotions(conn),
        }
    result["experiments"] = experiments(engine, config)
    return result
