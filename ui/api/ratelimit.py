"""Token buckets per key (site key, visitor, IP): `take(key)` returns 0 or the seconds to wait.

In-process: with N uvicorn workers each worker enforces the limit on its own share
of traffic (put a shared limiter in the load balancer for exact global limits).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBuckets:
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
