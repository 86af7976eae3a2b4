"""`SimulatedTime`: an ASGI middleware, installed only with `Settings.simulation`, that runs a request at the
time its `X-Sim-Time` header names (see `assistant.simclock`). Never installed on a real store."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant import simclock

HEADER = "x-sim-time"


class SimulatedTime:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        value = Headers(scope=scope).get(HEADER) if scope["type"] == "http" else None
        try:
            ts = float(value) if value else None
        except ValueError:
            ts = None
        if ts is None:
            await self.app(scope, receive, send)
            return
        with simclock.at(ts):
            await self.app(scope, receive, send)
