"""The counters behind the dashboard: per day (`in_daily_counts`) and per shopper in each experiment (the totals
on `ex_assignments`), bumped in the same transaction as the log rows they summarize and rebuildable from
those rows (`rebuild`; it counts every logged card since assignment).

Bumps are upserts (`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`), which SQLite and
PostgreSQL both have, so concurrent workers add up instead of overwriting each other.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from sqlalchemy import Engine, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from assistant.storage.insights_schema import ActionRow, AssignmentLogRow, DailyCountRow, ImpressionRow, TurnLogRow

BUCKETS_PER_DOUBLING = 8  # latency histogram resolution: each bucket is 2**(1/8) = 9 % wide
MODEL_COUNTERS = ("model_calls", "model_sentences", "template_fallbacks", "removed_sentences")


def latency_bucket(ms: float) -> int:
    return round(BUCKETS_PER_DOUBLING * math.log2(max(ms, 1.0)))


def bucket_ms(bucket: int) -> float:
    return float(2 ** (bucket / BUCKETS_PER_DOUBLING))


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which has `on_conflict_do_update` (SQLite and PostgreSQL spell it alike)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def bump_counts(session: Session, day: str, counts: Counter[tuple[str, str]]) -> None:
    rows = [{"day": day, "kind": kind, "key": key, "n": n} for (kind, key), n in counts.items() if n]
    if not rows:
        return
    stmt = _insert(session)(DailyCountRow).values(rows)
    session.execute(stmt.on_conflict_do_update(index_elements=["day", "kind", "key"],
                                               set_={"n": DailyCountRow.n + stmt.excluded.n}))


def bump_shopper(session: Session, user_id: str, shown: int = 0, clicks: int = 0, carts: int = 0) -> None:
    """Add to the shopper's totals in every experiment (and the holdout) they are assigned to."""
    if not (shown or clicks or carts):
        return
    a = AssignmentLogRow
    session.execute(update(a).where(a.user_id == user_id).values(
        shown=a.shown + shown, clicks=a.clicks + clicks, carts=a.carts + carts))


def turn_counts(record: Any, positions: list[int], first_of_day: bool) -> Counter[tuple[str, str]]:
    """The counters one logged turn adds (`record` is a `TurnRecord`)."""
    c: Counter[tuple[str, str]] = Counter()
    c[("turns", f"{record.scene}|{record.language}")] += 1
    c[("conversations", "")] += int(first_of_day)
    for name in MODEL_COUNTERS:
        c[(name, "")] += int(getattr(record, name) or 0)
    c[("turns_with_fallback", "")] += int(bool(record.template_fallbacks))
    for name in ("first_card_ms", "first_token_ms"):
        value = getattr(record, name)
        if value is not None:
            c[(name, str(latency_bucket(value)))] += 1
    for position in positions:
        c[("shown", f"{position}|{record.scene}|{record.variant}")] += 1
    return c


def rebuild(engine: Engine) -> None:
    """Recompute every counter from the log rows (after a bulk load or a restore)."""
    t, i, a = TurnLogRow, ImpressionRow, ActionRow
    with Session(engine) as s, s.begin():
        s.execute(delete(DailyCountRow))
        per_day: dict[str, Counter[tuple[str, str]]] = {}
        turns = s.execute(select(t.day, t.conversation_id, t.scene, t.language, t.variant, t.first_card_ms,
                                 t.first_token_ms, *[getattr(t, n) for n in MODEL_COUNTERS])
                          .order_by(t.id)).all()
        seen: set[tuple[str, str]] = set()
        for row in turns:
            c = per_day.setdefault(row.day, Counter())
            first = (row.day, row.conversation_id) not in seen
            seen.add((row.day, row.conversation_id))
            c.update(turn_counts(row, [], first))
        for day, position, scene, variant, n in s.execute(
                select(i.day, i.position, i.scene, i.variant, func.count())
                .group_by(i.day, i.position, i.scene, i.variant)).all():
            per_day.setdefault(day, Counter())[("shown", f"{position}|{scene}|{variant}")] += int(n or 0)
        for day, action, pos, scene, variant, n in s.execute(
                select(a.day, a.action, a.position, a.scene, a.variant, func.count()).where(a.position.is_not(None))
                .group_by(a.day, a.action, a.position, a.scene, a.variant)).all():
            per_day.setdefault(day, Counter())[(action, f"{pos}|{scene}|{variant}")] += int(n or 0)
        for day, counts in per_day.items():
            bump_counts(s, day, counts)
        totals: dict[str, list[int]] = {}
        for user, n in s.execute(select(i.user_id, func.count()).group_by(i.user_id)).all():
            totals.setdefault(user, [0, 0, 0])[0] = int(n or 0)
        for user, act, n in s.execute(select(a.user_id, a.action, func.count())
                                      .where(a.position.is_not(None), a.action.in_(("click", "add_to_cart")))
                                      .group_by(a.user_id, a.action)).all():
            totals.setdefault(user, [0, 0, 0])[1 if act == "click" else 2] += int(n)
        table: Any = AssignmentLogRow.__table__
        s.execute(update(table).values(shown=0, clicks=0, carts=0))
        if totals:
            s.execute(update(table).where(table.c.user_id == bindparam("u"))
                      .values(shown=bindparam("s"), clicks=bindparam("c"), carts=bindparam("k")),
                      [{"u": u, "s": v[0], "c": v[1], "k": v[2]} for u, v in totals.items()])
