"""Rate limits: token buckets per key (site key, visitor, IP). `take(key, cost)` returns 0 or the seconds to wait.

The API's limits are shared by every worker (`SharedBuckets`, `RateLimits`): N uvicorn
workers, or N machines, admit together what one would, never N times the limit. The
buckets live in the database the workers already share (`assistant.storage.limits`:
one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` per bucket, the same on PostgreSQL
and SQLite), not in Redis, because:

- every deployment already has that database, and a second server to install, secure,
  monitor and keep up (Redis) would be a new way for the shop to go down;
- the cost is one short write per request, next to the several a chat turn makes anyway
  (measured with `shopassist bench load`: see the README);
- it keeps today's exact token-bucket semantics (rate plus burst), where the `limits`
  library's Redis windows would change them (a fixed window admits up to twice the rate
  at its edges), and its SQL-less storage list has no PostgreSQL backend anyway.

When the database cannot be written (busy, down) a worker falls back to its own
in-process buckets for that call, so limits degrade to per-worker rather than turning
every request into an error; `rate_limit_store = "memory"` chooses per-worker buckets
outright (one process, or a limit enforced in the load balancer).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from assistant.settings import ApiSettings
from assistant.storage.engine import Database
from assistant.storage.errors import StorageError
from assistant.storage.limits import Limit, RateBuckets

log = logging.getLogger(__name__)

CLEANUP_EVERY_S = 60.0


class Limiter(Protocol):
    def take(self, key: str, cost: float = 1.0) -> float: ...


class TokenBuckets:
    """In-process buckets: each worker enforces the limit on its own share of traffic."""

    def __init__(self, rate_per_s: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.rate = max(rate_per_s, 1e-6)
        self.burst = float(max(burst, 1))
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> float:
        """Spend `cost` tokens; 0.0 when allowed, else the seconds until enough tokens are back."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > self.max_keys:  # forget the fullest buckets' keys first: they are idle
                self._buckets.pop(next(iter(self._buckets)))
            return (cost - tokens) / self.rate


class SharedBuckets:
    """One limit's buckets in the database, the same for every worker; per-worker buckets while it fails."""

    def __init__(self, buckets: RateBuckets, limit: Limit) -> None:
        self.buckets = buckets
        self.limit = limit
        self.fallback = TokenBuckets(limit.rate_per_s, int(limit.burst))
        self._last_cleanup = time.monotonic()
        self._last_warning = 0.0

    def take(self, key: str, cost: float = 1.0) -> float:
        return self.take_with([(self.limit, key, cost)], lambda: self.fallback.take(key, cost))

    def take_with(self, charges: list[tuple[Limit, str, float]], fallback: Callable[[], float]) -> float:
        """Charge `charges` in one transaction; on a storage failure, `fallback()` (in-process buckets)."""
        try:
            wait = self.buckets.take(charges)
        except StorageError as exc:
            now = time.monotonic()
            if now - self._last_warning > 60:
                self._last_warning = now
                log.warning("rate limits are per worker until the database answers again (%s)", exc.reason)
            return fallback()
        self._forget_idle_now_and_then({limit for limit, _, _ in charges})
        return wait

    def _forget_idle_now_and_then(self, limits: set[Limit]) -> None:
        now = time.monotonic()
        if now - self._last_cleanup < CLEANUP_EVERY_S:
            return
        self._last_cleanup = now
        for limit in limits:
            with contextlib.suppress(StorageError):  # next time
                self.buckets.forget_idle(limit)


class RateLimits:
    """The API's two limits, per site and per visitor (charged site first, as two separate buckets would be).
    `site` and `visitor` are `Limiter`s for callers that charge one (the MCP server)."""

    def __init__(self, cfg: ApiSettings, db: Database | None = None) -> None:
        self.shared = db is not None and cfg.rate_limit_store == "database"
        site = Limit("site", cfg.rate_site_per_s, cfg.rate_site_burst)
        visitor = Limit("visitor", cfg.rate_visitor_per_s, cfg.rate_visitor_burst)
        self.site: Limiter
        self.visitor: Limiter
        if self.shared:
            assert db is not None
            buckets = RateBuckets(db)
            self.site, self.visitor = SharedBuckets(buckets, site), SharedBuckets(buckets, visitor)
        else:
            self.site = TokenBuckets(site.rate_per_s, int(site.burst))
            self.visitor = TokenBuckets(visitor.rate_per_s, int(visitor.burst))

    def charge(self, site_key: str, visitor_key: str, cost: float) -> float:
        """0.0 when both buckets had `cost` tokens, else the seconds to wait (one database write when shared)."""
        if isinstance(self.site, SharedBuckets) and isinstance(self.visitor, SharedBuckets):
            site, visitor = self.site, self.visitor

            def local() -> float:
                return site.fallback.take(site_key, cost) or visitor.fallback.take(visitor_key, cost)

            return site.take_with([(site.limit, site_key, cost), (visitor.limit, visitor_key, cost)], local)
        return self.site.take(site_key, cost) or self.visitor.take(visitor_key, cost)
