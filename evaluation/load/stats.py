"""Numbers of a load run: latency percentiles, throughput, errors, per-shopper fairness, RSS trend."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evaluation.metrics import percentile


@dataclass
class Record:
    """One request of a shopper: a streamed chat turn (`kind="turn"`) or a cart add (`kind="cart"`)."""

    shopper: int
    kind: str
    message: str
    total_ms: float
    error: str | None = None  # "http_500", "event:internal", "timeout", "connect", ...
    first_card_ms: float | None = None
    first_text_ms: float | None = None
    cards_first: bool = True  # False when a text_delta came before the products event
    text_source: str = ""  # model | template | mixed | none: who wrote the turn's text (the `done` event says)
    visitor: str = ""  # X-Visitor-Id, and what was acknowledged: checked against the database afterwards
    conversation_id: str = ""
    product_id: str = ""  # of a cart add
    worker: str = ""  # the server process that answered (X-Worker)


@dataclass
class RunResult:
    concurrency: int
    elapsed_s: float
    records: list[Record] = field(default_factory=list)


def summarize(run: RunResult) -> dict[str, Any]:
    """The `--json` keys for one run at one concurrency."""
    turns = [r for r in run.records if r.kind == "turn"]
    ok_turns = [r for r in turns if r.error is None]
    carts = [r for r in run.records if r.kind == "cart"]
    cards = [r.first_card_ms for r in ok_turns if r.first_card_ms is not None]
    texts = [r.first_text_ms for r in ok_turns if r.first_text_ms is not None]
    errors = [r for r in run.records if r.error is not None]
    kinds: dict[str, int] = {}
    for r in errors:
        kinds[str(r.error)] = kinds.get(str(r.error), 0) + 1
    per_shopper = [sum(1 for r in ok_turns if r.shopper == s) for s in range(run.concurrency)]
    # fair queueing (one local model for everyone) shows as similar mean turn times across shoppers
    means = [statistics.fmean(ms) for s in range(run.concurrency)
             if (ms := [r.total_ms for r in ok_turns if r.shopper == s])]
    elapsed = max(run.elapsed_s, 1e-9)
    return {
        "concurrency": run.concurrency,
        "elapsed_s": round(run.elapsed_s, 2),
        "turns": len(turns),
        "turns_ok": len(ok_turns),
        "turns_per_s": round(len(ok_turns) / elapsed, 2),
        "cart_adds": len(carts),
        "requests_per_s": round((len(ok_turns) + sum(1 for r in carts if r.error is None)) / elapsed, 2),
        "turns_with_cards": len(cards),
        "p50_first_card_ms": percentile(cards, 50, 1),
        "p95_first_card_ms": percentile(cards, 95, 1),
        "p99_first_card_ms": percentile(cards, 99, 1),
        "p50_first_text_ms": percentile(texts, 50, 1),
        "p95_first_text_ms": percentile(texts, 95, 1),
        "p99_first_text_ms": percentile(texts, 99, 1),
        "p50_turn_ms": percentile([r.total_ms for r in ok_turns], 50, 1),
        "p95_turn_ms": percentile([r.total_ms for r in ok_turns], 95, 1),
        "p95_cart_ms": percentile([r.total_ms for r in carts if r.error is None], 95, 1),
        "errors": len(errors),
        "error_rate": round(len(errors) / len(run.records), 4) if run.records else 0.0,
        "error_kinds": kinds,
        "cards_after_text": sum(1 for r in ok_turns if not r.cards_first),
        # with a real model: the share of answers with model text (templates alone would look fast)
        "model_text_turns": sum(1 for r in ok_turns if r.text_source in ("model", "mixed")),
        "template_only_turns": sum(1 for r in ok_turns if r.text_source == "template"),
        "shopper_turns_min": min(per_shopper, default=0),
        "shopper_turns_max": max(per_shopper, default=0),
        "shoppers_starved": sum(1 for n in per_shopper if n == 0),
        "shopper_mean_turn_ms_min": round(min(means), 1) if means else None,
        "shopper_mean_turn_ms_max": round(max(means), 1) if means else None,
    }


def rss_trend(samples: Sequence[tuple[float, float]], window_s: float = 60.0, tolerance: float = 0.10
              ) -> dict[str, Any]:
    """Is memory flat? `samples` are (seconds since start, RSS MB). The baseline is the median of the first
    `window_s` (of the first third when the soak is shorter than three windows), compared with the last sample;
    the slope is a least-squares fit over all samples."""
    if len(samples) < 2:
        return {"rss_samples": len(samples), "rss_flat": None}
    t = np.array([s[0] for s in samples])
    mb = np.array([s[1] for s in samples])
    window = min(window_s, (t[-1] - t[0]) / 3)
    first = [m for s, m in samples if s - t[0] <= window] or [samples[0][1]]
    baseline = statistics.median(first)
    change = (mb[-1] - baseline) / baseline if baseline else 0.0
    slope = float(np.polyfit(t, mb, 1)[0]) * 60.0 if np.ptp(t) > 0 else 0.0
    return {
        "rss_samples": len(samples),
        "rss_baseline_mb": round(baseline, 1),
        "rss_soak_end_mb": round(float(mb[-1]), 1),
        "rss_change_pct": round(100 * change, 2),
        "rss_slope_mb_per_min": round(slope, 3),
        "rss_flat": bool(abs(change) <= tolerance),
    }


def first_over(sweep: Sequence[dict[str, Any]], key: str = "p95_first_card_ms", limit_ms: float = 1000.0
               ) -> int | None:
    """The lowest swept concurrency whose `key` passes `limit_ms` (None: never within the sweep)."""
    for row in sweep:
        value = row.get(key)
        if value is not None and value > limit_ms:
            return int(row["concurrency"])
    return None
