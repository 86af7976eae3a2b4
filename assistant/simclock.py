"""The clock a simulation can move: the time the simulator says it is, within one request.

`shopassist simulate` spreads its shoppers' visits over simulated days. With `Settings.simulation` on
(tests and the simulator only), the API's `SimulatedTime` middleware reads `X-Sim-Time: <unix seconds>`
and sets it here for the request; the state store (and profiles) built with `clock=now` then stamp
their rows with it. Without the setting the middleware is not installed, nothing sets the variable and
`now()` is `time.time()`. A context variable, not a global: concurrent requests each see their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_now: ContextVar[float | None] = ContextVar("shopassist_sim_now", default=None)


def now() -> float:
    value = _now.get()
    return time.time() if value is None else value


@contextmanager
def at(ts: float) -> Iterator[None]:
    token = _now.set(ts)
    try:
        yield
    finally:
        _now.reset(token)
