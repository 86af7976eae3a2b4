"""ASGI middleware: per-site-key CORS (exact origins, never `*`) and a request body size limit."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import ApiSettings

ALLOW_HEADERS = "content-type, x-site-key, x-visitor-id, x-user-id, x-user-hash, authorization"


async def _json(send: Send, status: int, code: str, message: str, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": body})


class CorsAndLimits:
    def __init__(self, app: ASGIApp, cfg: ApiSettings) -> None:
        self.app = app
        self.cfg = cfg

    def _same_origin(self, headers: Headers, origin: str) -> bool:
        host = headers.get("host", "")
        return bool(host) and origin in (f"http://{host}", f"https://{host}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] in ("POST", "PUT", "PATCH") and str(scope.get("path", "")).startswith(("/v1", "/console")):
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.cfg.max_body_bytes):
                await _json(send, 413, "too_large", f"Request bodies are limited to {self.cfg.max_body_bytes} bytes.")
                return
            receive = self._capped(receive)
        origin = headers.get("origin")
        if not str(scope.get("path", "")).startswith("/v1") or origin is None or self._same_origin(headers, origin):
            await self.app(scope, receive, send)
            return
        site = self.cfg.sites.get(headers.get("x-site-key", ""))
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            if any(origin in s.origins for s in self.cfg.sites.values()):
                await send({"type": "http.response.start", "status": 204, "headers": [
                    (b"access-control-allow-origin", origin.encode()),
                    (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
                    (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
                    (b"access-control-max-age", b"600"), (b"vary", b"Origin")]})
                await send({"type": "http.response.body", "body": b""})
            else:
                await _json(send, 403, "origin_not_allowed", "This origin is not allowed to call the API.")
            return
        if site is not None and origin not in site.origins:
            await _json(send, 403, "origin_not_allowed", "This origin is not allowed for this site key.")
            return
        allowed = site is not None

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and allowed:
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"access-control-allow-origin", origin.encode()),
                                      (b"vary", b"Origin")]
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def _capped(self, receive: Receive) -> Receive:
        """Counts streamed (chunked) bodies too; past the limit the body is cut, so validation fails."""
        seen = 0
        limit = self.cfg.max_body_bytes

        async def wrapped() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        return wrapped
