"""Token buckets in the database (`rl_buckets`), so every worker of every machine charges the same bucket.

A take is ONE statement per bucket, `INSERT ... ON CONFLICT (scope, key) DO UPDATE ...
RETURNING`, with the same text on PostgreSQL and SQLite (>= 3.35): the row is refilled for the
time since its stamp, charged when it holds enough tokens, and says whether it did. The
upsert is atomic on both (PostgreSQL locks the row, SQLite has one writer), so concurrent
takes from any number of workers never admit more than `burst + rate * elapsed`: the
token bucket's guarantee, now for all workers together.

The clock is the workers' wall clock (`time.time`), never the database's: one machine's
workers agree exactly, several machines as closely as NTP keeps them (a stamp in the
future refills nothing rather than going negative). A bucket that has refilled completely
is the same as no row, so idle rows are deleted now and then (`forget_idle`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, case, delete, literal

from assistant.storage.engine import Repository
from assistant.storage.schema import RateBucketRow

TABLE: Table = RateBucketRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Limit:
    """`rate_per_s` tokens come back per second, up to `burst`; `scope` names the limit (its keys' namespace)."""

    scope: str
    rate_per_s: float
    burst: float

    @property
    def full_after_s(self) -> float:
        """Seconds in which an empty bucket fills up again."""
        return self.burst / max(self.rate_per_s, 1e-9)


Charge = tuple[Limit, str, float]  # (limit, key, cost)


class RateBuckets(Repository):
    def take(self, charges: Sequence[Charge]) -> float:
        """Charge each (limit, key, cost) in order, in ONE transaction, stopping at the first bucket without
        enough tokens (the ones before it stay charged, as with separate buckets). 0.0 when every charge
        went through, else the seconds until the refusing bucket holds enough."""
        now = self.clock()
        with self._write() as s:
            for limit, key, cost in charges:
                tokens, admitted = s.execute(self._take(limit, key, cost, now)).one()
                if not admitted:
                    return (cost - float(tokens)) / max(limit.rate_per_s, 1e-9)
        return 0.0

    def _take(self, limit: Limit, key: str, cost: float, now: float) -> Any:
        """The upsert. SET expressions read the row as it was (SQL semantics on both backends)."""
        t, rate, burst = TABLE, float(limit.rate_per_s), float(max(limit.burst, cost))
        now_, cost_ = literal(float(now)), literal(float(cost))
        elapsed = case((t.c.stamp < now_, now_ - t.c.stamp), else_=literal(0.0))
        refilled = t.c.tokens + elapsed * literal(rate)
        level = case((refilled > literal(burst), literal(burst)), else_=refilled)
        enough = level >= cost_
        return (self._insert(t).values(scope=limit.scope, key=key, tokens=burst - cost, stamp=float(now), admitted=True)
                .on_conflict_do_update(index_elements=[t.c.scope, t.c.key],
                                       set_={"tokens": case((enough, level - cost_), else_=level),
                                             "stamp": case((t.c.stamp < now_, now_), else_=t.c.stamp),
                                             "admitted": enough})
                .returning(t.c.tokens, t.c.admitted))

    def forget_idle(self, limit: Limit) -> int:
        """Delete the limit's buckets that have refilled completely (they behave as if absent)."""
        cutoff = self.clock() - limit.full_after_s - 1.0
        with self._write() as s:
            result = s.execute(delete(TABLE).where(TABLE.c.scope == limit.scope, TABLE.c.stamp < cutoff))
            return int(getattr(result, "rowcount", 0) or 0)

    def level(self, limit: Limit, key: str) -> float | None:
        """Tokens the bucket held at its last take (None: no row, i.e. full); for tests and operators."""
        with self._read() as s:
            row = s.get(RateBucketRow, (limit.scope, key))
            return None if row is None else float(row.tokens)
