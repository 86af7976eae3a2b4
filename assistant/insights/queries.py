"""The insights queries over a period [since, until): each one a few GROUP BYs over indexed columns.

Every function takes an open SQLAlchemy `Connection`, so the bench (`evaluation.insights_bench`) times
exactly what the console and `GET /v1/insights` run. Percentiles are computed in numpy from one
column (SQLite has no percentile function; PostgreSQL's differs), everything else in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from sqlalchemy import Connection, case, func, select

from assistant.experiments.config import HOLDOUT
from assistant.experiments.stats import ShopperCounts
from assistant.insights.trace import UNANSWERED_KINDS
from assistant.storage.insights_schema import (
    ActionRow,
    AssignmentLogRow,
    HandoffLogRow,
    ImpressionRow,
    PromotionRow,
    TurnLogRow,
)

Period = tuple[float, float]
EXAMPLE_CONVERSATIONS = 5


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def activity(conn: Connection, period: Period) -> dict[str, Any]:
    """Conversations and turns per day, the scene mix and the languages."""
    t = TurnLogRow
    since, until = period
    in_period = (t.ts >= since, t.ts < until)
    days = conn.execute(select(t.day, func.count(), func.count(t.conversation_id.distinct()))
                        .where(*in_period).group_by(t.day).order_by(t.day)).all()
    scenes = conn.execute(select(t.scene, func.count()).where(*in_period).group_by(t.scene)).all()
    languages = conn.execute(select(t.language, func.count()).where(*in_period).group_by(t.language)).all()
    return {
        "days": [{"day": d, "turns": n, "conversations": c} for d, n, c in days],
        "turns": sum(n for _, n, _ in days),
        "scenes": dict(sorted(((s, n) for s, n in scenes), key=lambda kv: -kv[1])),
        "languages": dict(sorted(((lang, n) for lang, n in languages), key=lambda kv: -kv[1])),
    }


def unanswered(conn: Connection, period: Period, limit: int = 20) -> dict[str, Any]:
    """Searches with no result and questions the assistant could not answer, grouped by their normalized
    text and counted, each group with a few conversations to open."""
    t = TurnLogRow
    since, until = period
    where = (t.unanswered.in_(UNANSWERED_KINDS), t.ts >= since, t.ts < until)
    totals = dict(conn.execute(select(t.unanswered, func.count()).where(*where).group_by(t.unanswered)).all())
    groups = conn.execute(select(t.unanswered, t.query_key, func.count().label("n"), func.max(t.ts))
                          .where(*where).group_by(t.unanswered, t.query_key)
                          .order_by(func.count().desc(), func.max(t.ts).desc()).limit(limit)).all()
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
        "groups": [{"kind": k, "query": texts.get((k, q), q), "count": n, "last_ts": last,
                    "conversations": examples.get((k, q), [])} for k, q, n, last in groups],
    }


def handoffs(conn: Connection, period: Period) -> dict[str, Any]:
    """How many, why, the time to pick up (p50/p95 seconds) and the picked-up and resolved shares."""
    h = HandoffLogRow
    since, until = period
    rows = conn.execute(select(h.kind, h.ts, h.picked_at, h.resolved_at)
                        .where(h.ts >= since, h.ts < until)).all()
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


def funnel(conn: Connection, period: Period) -> dict[str, Any]:
    """Shown -> clicked -> carted, by position, by scene and by experiment variant."""
    i, a = ImpressionRow, ActionRow
    since, until = period
    shown = conn.execute(select(i.position, i.scene, i.variant, func.count())
                         .where(i.ts >= since, i.ts < until).group_by(i.position, i.scene, i.variant)).all()
    acted = conn.execute(select(a.position, a.scene, a.variant, a.action, func.count())
                         .where(a.ts >= since, a.ts < until, a.position.is_not(None),
                                a.action.in_(("click", "add_to_cart", "like", "dislike")))
                         .group_by(a.position, a.scene, a.variant, a.action)).all()
    out: dict[str, dict[str, dict[str, int]]] = {"position": {}, "scene": {}, "variant": {}}
    blank = {"shown": 0, "click": 0, "add_to_cart": 0, "like": 0, "dislike": 0}
    for position, scene, variant, n in shown:
        for dim, key in (("position", str(position)), ("scene", scene), ("variant", variant or "none")):
            out[dim].setdefault(key, dict(blank))["shown"] += n
    for position, scene, variant, action, n in acted:
        for dim, key in (("position", str(position)), ("scene", scene), ("variant", variant or "none")):
            out[dim].setdefault(key, dict(blank))[action] += n
    out["position"] = dict(sorted(out["position"].items(), key=lambda kv: int(kv[0])))
    return out


def model_health(conn: Connection, period: Period) -> dict[str, Any]:
    """Time to first card and first token (p50/p95 ms), template fallbacks and grounding removals, per day."""
    t = TurnLogRow
    since, until = period
    in_period = (t.ts >= since, t.ts < until)
    cards = list(conn.execute(select(t.first_card_ms).where(*in_period, t.first_card_ms.is_not(None))).scalars())
    tokens = list(conn.execute(select(t.first_token_ms).where(*in_period, t.first_token_ms.is_not(None)))
                  .scalars())
    days = conn.execute(select(t.day, func.sum(t.model_calls), func.sum(t.model_sentences),
                               func.sum(t.template_fallbacks), func.sum(t.removed_sentences),
                               func.sum(case((t.template_fallbacks > 0, 1), else_=0)))
                        .where(*in_period).group_by(t.day).order_by(t.day)).all()
    return {
        "first_card_ms": {"p50": _pct(cards, 50), "p95": _pct(cards, 95), "n": len(cards)},
        "first_token_ms": {"p50": _pct(tokens, 50), "p95": _pct(tokens, 95), "n": len(tokens)},
        "days": [{"day": d, "model_calls": int(mc or 0), "model_sentences": int(ms or 0),
                  "template_fallbacks": int(tf or 0), "removed_sentences": int(rs or 0),
                  "turns_with_fallback": int(tw or 0)} for d, mc, ms, tf, rs, tw in days],
        "template_fallbacks": int(sum(int(r[3] or 0) for r in days)),
        "removed_sentences": int(sum(int(r[4] or 0) for r in days)),
        "model_sentences": int(sum(int(r[2] or 0) for r in days)),
    }


def experiment_counts(conn: Connection, period: Period, experiment: str) -> dict[str, ShopperCounts]:
    """Per arm of `experiment` (or "holdout"/"in" of the holdout), per shopper: impressions, clicks, carts
    since the shopper's assignment. Shoppers assigned but never shown a card count with zeros."""
    i, a, x = ImpressionRow, AssignmentLogRow, ActionRow
    since, until = period
    joined = (a.experiment == experiment, a.assigned_at < until)
    users = conn.execute(select(a.variant, a.user_id).where(*joined)).all()
    shown = conn.execute(select(a.user_id, func.count()).join(i, i.user_id == a.user_id)
                         .where(*joined, i.ts >= since, i.ts < until, i.ts >= a.assigned_at)
                         .group_by(a.user_id)).all()
    acted = conn.execute(select(a.user_id, x.action, func.count()).join(x, x.user_id == a.user_id)
                         .where(*joined, x.ts >= since, x.ts < until, x.ts >= a.assigned_at,
                                x.position.is_not(None), x.action.in_(("click", "add_to_cart")))
                         .group_by(a.user_id, x.action)).all()
    n_shown = dict(shown)
    n_acted: dict[tuple[str, str], int] = {(u, act): n for u, act, n in acted}
    by_arm: dict[str, list[str]] = defaultdict(list)
    for arm, user in users:
        if n_shown.get(user):  # a shopper counts once they have seen cards in the period
            by_arm[arm].append(user)
    return {arm: ShopperCounts(np.array([n_shown.get(u, 0) for u in us], dtype=np.float64),
                               np.array([n_acted.get((u, "click"), 0) for u in us], dtype=np.float64),
                               np.array([n_acted.get((u, "add_to_cart"), 0) for u in us], dtype=np.float64))
            for arm, us in sorted(by_arm.items())}


def holdout_counts(conn: Connection, period: Period) -> dict[str, ShopperCounts]:
    return experiment_counts(conn, period, HOLDOUT)


def promotions(conn: Connection, limit: int = 10) -> list[dict[str, Any]]:
    """The latest ranker retrain decisions (promoted or not, with their offline figures)."""
    import json

    p = PromotionRow
    rows = conn.execute(select(p.ts, p.candidate, p.current, p.promoted, p.reason, p.figures_json)
                        .order_by(p.id.desc()).limit(limit)).all()
    return [{"ts": ts, "candidate": cand, "current": cur, "promoted": bool(prom), "reason": reason,
             "figures": json.loads(fig)} for ts, cand, cur, prom, reason, fig in rows]
