"""The insights queries over a period of whole days: each one reads one covering index in GROUP BY order.

A period (since, until) in seconds covers the UTC days from `since`'s to `until`'s, both included; the
queries filter and group on the stored `day` column, so each reads one range of an index whose
leading columns are the filter and the grouping (see `insights_schema`) and needs no sort. Every
function takes an open SQLAlchemy `Connection`, so the bench (`evaluation.insights_bench`) times exactly
what the console and `GET /v1/insights` run. Percentiles are computed in numpy from the index's values
(SQLite has no percentile function; PostgreSQL's differs), everything else in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from sqlalchemy import Connection, case, func, select

from assistant.experiments.config import HOLDOUT
from assistant.experiments.stats import Sums
from assistant.insights.trace import UNANSWERED_KINDS
from assistant.storage.insights_log import day_of
from assistant.storage.insights_rollup import MODEL_COUNTERS, bucket_ms
from assistant.storage.insights_schema import (
    AssignmentLogRow,
    DailyCountRow,
    HandoffLogRow,
    PromotionRow,
    TurnLogRow,
)

Period = tuple[float, float]
HEALTH_COUNTERS = (*MODEL_COUNTERS, "turns_with_fallback")
EXAMPLE_CONVERSATIONS = 5


def days_of(period: Period) -> tuple[str, str]:
    return day_of(period[0]), day_of(period[1])


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def _counters(conn: Connection, period: Period, kinds: tuple[str, ...]) -> list[Any]:
    d = DailyCountRow
    first, last = days_of(period)
    return list(conn.execute(select(d.day, d.kind, d.key, d.n)
                             .where(d.day >= first, d.day <= last, d.kind.in_(kinds))).all())


def _counter_totals(conn: Connection, period: Period, kinds: tuple[str, ...]) -> list[Any]:
    """(kind, key, total over the period's days)."""
    d = DailyCountRow
    first, last = days_of(period)
    return list(conn.execute(select(d.kind, d.key, func.sum(d.n))
                             .where(d.day >= first, d.day <= last, d.kind.in_(kinds)).group_by(d.kind, d.key)).all())


def activity(conn: Connection, period: Period) -> dict[str, Any]:
    """Conversations and turns per day, the scene mix and the languages."""
    turns: dict[str, int] = defaultdict(int)
    conversations: dict[str, int] = defaultdict(int)
    scenes: dict[str, int] = defaultdict(int)
    languages: dict[str, int] = defaultdict(int)
    for day, kind, key, n in _counters(conn, period, ("turns", "conversations")):
        if kind == "conversations":
            conversations[day] += n
            continue
        scene, _, language = key.partition("|")
        turns[day] += n
        scenes[scene] += n
        languages[language] += n
    return {
        "days": [{"day": d, "turns": turns[d], "conversations": conversations[d]} for d in sorted(turns)],
        "turns": sum(turns.values()),
        "scenes": dict(sorted(scenes.items(), key=lambda kv: -kv[1])),
        "languages": dict(sorted(languages.items(), key=lambda kv: -kv[1])),
    }


def unanswered(conn: Connection, period: Period, limit: int = 20) -> dict[str, Any]:
    """Searches with no result and questions the assistant could not answer, grouped by their normalized
    text and counted, each group with a few conversations to open."""
    t = TurnLogRow
    first, last = days_of(period)
    where = (t.unanswered.in_(UNANSWERED_KINDS), t.day >= first, t.day <= last)
    totals = dict(conn.execute(select(t.unanswered, func.count()).where(*where).group_by(t.unanswered)).all())
    groups = conn.execute(select(t.unanswered, t.query_key, func.count().label("n"), func.max(t.day))
                          .where(*where).group_by(t.unanswered, t.query_key)
                          .order_by(func.count().desc(), func.max(t.day).desc()).limit(limit)).all()
    wanted = {(k, q) for k, q, _, _ in groups}
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    texts: dict[tuple[str, str], str] = {}
    if wanted:
        rows = conn.execute(select(t.unanswered, t.query_key, t.conversation_id, t.query)
                            .where(*where, t.query_key.in_({q for _, q in wanted}))
                            .order_by(t.ts.desc()).limit(50 * len(wanted))).all()
        for kind, key, conversation_id, text in rows:
            ids = examples[(kind, key)]
            texts.setdefault((kind, key), text)
            if (kind, key) in wanted and conversation_id not in ids and len(ids) < EXAMPLE_CONVERSATIONS:
                ids.append(conversation_id)
    return {
        "totals": {k: int(totals.get(k, 0)) for k in UNANSWERED_KINDS},
        "groups": [{"kind": k, "query": texts.get((k, q), q), "count": n, "last_day": last,
                    "conversations": examples.get((k, q), [])} for k, q, n, last in groups],
    }


def handoffs(conn: Connection, period: Period) -> dict[str, Any]:
    """How many, why, the time to pick up (p50/p95 seconds) and the picked-up and resolved shares."""
    h = HandoffLogRow
    first, last = days_of(period)
    rows = conn.execute(select(h.kind, h.ts, h.picked_at, h.resolved_at)
                        .where(h.day >= first, h.day <= last)).all()
    waits = [p - ts for _, ts, p, _ in rows if p is not None]
    kinds: dict[str, int] = defaultdict(int)
    for kind, *_ in rows:
        kinds[kind] += 1
    n = len(rows)
    return {
        "count": n,
        "by_kind": dict(kinds),
        "pickup_p50_s": _pct(waits, 50),
        "pickup_p95_s": _pct(waits, 95),
        "picked_up_share": round(len(waits) / n, 4) if n else None,
        "resolved_share": round(sum(1 for *_, r in rows if r is not None) / n, 4) if n else None,
    }


FUNNEL_ACTIONS = ("click", "add_to_cart", "like", "dislike")


def funnel(conn: Connection, period: Period) -> dict[str, Any]:
    """Shown -> clicked -> carted, by position, by scene and by experiment variant."""
    out: dict[str, dict[str, dict[str, int]]] = {"position": {}, "scene": {}, "variant": {}}
    blank = {"shown": 0, **dict.fromkeys(FUNNEL_ACTIONS, 0)}
    for kind, key, n in _counter_totals(conn, period, ("shown", *FUNNEL_ACTIONS)):
        position, scene, variant = [*key.split("|", 2), "", ""][:3]
        for dim, value in (("position", position), ("scene", scene), ("variant", variant or "none")):
            out[dim].setdefault(value, dict(blank))[kind] += int(n)
    out["position"] = dict(sorted(out["position"].items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0))
    return out


def _histogram_pct(hist: dict[int, int], q: float) -> float | None:
    total = sum(hist.values())
    if not total:
        return None
    rank, seen = q / 100 * total, 0
    for bucket in sorted(hist):
        seen += hist[bucket]
        if seen >= rank:
            return round(bucket_ms(bucket), 1)
    return round(bucket_ms(max(hist)), 1)


def model_health(conn: Connection, period: Period) -> dict[str, Any]:
    """Time to first card and first token (p50/p95 ms, from 9 %-wide histogram buckets), template fallbacks
    and grounding removals per day."""
    hists: dict[str, dict[int, int]] = {"first_card_ms": defaultdict(int), "first_token_ms": defaultdict(int)}
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(HEALTH_COUNTERS, 0))
    for day, kind, key, n in _counters(conn, period, (*hists, *HEALTH_COUNTERS)):
        if kind in hists:
            hists[kind][int(key)] += n
        else:
            per_day[day][kind] += n
    days = [{"day": d, **v} for d, v in sorted(per_day.items())]
    return {
        **{k: {"p50": _histogram_pct(h, 50), "p95": _histogram_pct(h, 95), "n": sum(h.values())}
           for k, h in hists.items()},
        "days": days,
        **{k: sum(d[k] for d in days) for k in ("template_fallbacks", "removed_sentences", "model_sentences")},
    }


def experiment_sums(conn: Connection, experiment: str) -> dict[str, Sums]:
    """Per arm of `experiment` (or "holdout"/"in" of `HOLDOUT`), over its shoppers who have seen cards since
    their assignment: the sums the statistics need, aggregated by the database over one covering index.
    Experiments are reported over their whole run (the totals accumulate from assignment on)."""
    a = AssignmentLogRow
    rows = conn.execute(select(a.variant, func.count(), func.sum(a.shown), func.sum(a.clicks), func.sum(a.carts),
                               func.sum(a.shown * a.shown), func.sum(a.clicks * a.clicks),
                               func.sum(a.carts * a.carts), func.sum(a.shown * a.clicks),
                               func.sum(a.shown * a.carts), func.sum(case((a.carts > 0, 1), else_=0)))
                        .where(a.experiment == experiment, a.shown > 0).group_by(a.variant)).all()
    out: dict[str, Sums] = {}
    for arm, n, *values, carting in rows:
        v = [float(x or 0) for x in values]
        out[arm] = Sums(int(n), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], int(carting or 0))
    return out


def holdout_sums(conn: Connection) -> dict[str, Sums]:
    return experiment_sums(conn, HOLDOUT)


def promotions(conn: Connection, limit: int = 10) -> list[dict[str, Any]]:
    """The latest ranker retrain decisions (promoted or not, with their offline figures)."""
    import json

    p = PromotionRow
    rows = conn.execute(select(p.ts, p.candidate, p.current, p.promoted, p.reason, p.figures_json)
                        .order_by(p.id.desc()).limit(limit)).all()
    return [{"ts": ts, "candidate": cand, "current": cur, "promoted": bool(prom), "reason": reason,
             "figures": json.loads(fig)} for ts, cand, cur, prom, reason, fig in rows]
