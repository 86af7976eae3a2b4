"""`/mcp` (streamable HTTP), `/llms.txt` and the merchant feed inside the API app.

`mount_agent_endpoints(app, ...)` adds them to the FastAPI app of ui/api/app.py. The MCP endpoint
is stateless and answers in JSON (any worker serves any request; nothing lives in one process) and
sits behind `McpHttpApp`, which does for `/mcp` what ui/api/middleware.py and ui/api/security.py do
for `/v1`: CORS for the sites' exact origins (never `*`), then the site key, visitor token and
shopper identity checks (401/403 JSON with a sentence). The checked caller rides in the ASGI scope
to the tools, which charge the API's rate limits per call.

The SDK's own Host-header check (DNS-rebinding protection) is off on purpose: behind a real
hostname it answers 421 to everything until configured, and what it guards against, a browser page
of another origin, is refused here by the exact-origin rule whatever the Host.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.services import Assistant
from assistant.settings import Settings
from ui.api.security import Guard
from ui.mcp.identity import Authenticator, AuthError, credentials_from_headers
from ui.mcp.server import SCOPE_KEY, build_server

PATH = "/mcp"
ALLOW_HEADERS = {"content-type", "accept", "authorization", "x-site-key", "x-visitor-token", "x-user-id",
                 "x-user-hash", "last-event-id"}  # plus the protocol's own mcp-* headers
EXPOSE_HEADERS = b"mcp-session-id, mcp-protocol-version"
MIN_BODY_BYTES = 16_384  # an initialize request with a client's capabilities must always fit


async def _json(send: Send, status: int, code: str, message: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})


class McpHttpApp:
    """CORS and authentication in front of the SDK's streamable HTTP app (a raw ASGI endpoint)."""

    def __init__(self, sdk_app: ASGIApp, auth: Authenticator) -> None:
        self.sdk_app = sdk_app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.sdk_app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if scope["method"] == "OPTIONS" and origin is not None and "access-control-request-method" in headers:
            await self._preflight(send, origin, headers.get("access-control-request-headers", ""))
            return
        cors = [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin"),
                (b"access-control-expose-headers", EXPOSE_HEADERS)] if origin else []
        client = scope.get("client")
        try:
            caller = self.auth.authenticate(credentials_from_headers(headers, client[0] if client else "unknown"))
        except AuthError as exc:
            allowed = origin is not None and self.auth.origin_allowed_anywhere(origin)
            await _json(send, exc.status, exc.code, exc.message, cors if allowed else [])
            return
        scope[SCOPE_KEY] = caller
        scope["path"] = scope.get("root_path", "") + PATH  # "/mcp/" too, without the SDK's 307

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and cors:
                message = {**message, "headers": [*message.get("headers", []), *cors]}
            await send(message)

        await self.sdk_app(scope, receive, send_with_cors)

    async def _preflight(self, send: Send, origin: str, requested: str) -> None:
        if not self.auth.origin_allowed_anywhere(origin):
            await _json(send, 403, "origin_not_allowed", "This origin is not allowed to call the MCP server.", [])
            return
        wanted = [h.strip().lower() for h in requested.split(",") if h.strip()]
        allowed = ", ".join(h for h in wanted if h in ALLOW_HEADERS or h.startswith("mcp-"))
        await send({"type": "http.response.start", "status": 204, "headers": [
            (b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin"),
            (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
            (b"access-control-allow-headers", allowed.encode()), (b"access-control-max-age", b"600")]})
        await send({"type": "http.response.body", "body": b""})


def _sdk_app(server: MCPServer, settings: Settings) -> Any:
    return server.streamable_http_app(
        streamable_http_path=PATH, stateless_http=True, json_response=True,
        max_request_body_size=max(settings.api.max_body_bytes, MIN_BODY_BYTES),
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))


def mount_agent_endpoints(app: FastAPI, assistant: Assistant, settings: Settings, guard: Guard) -> MCPServer:
    """Add `/mcp`, `/llms.txt` and `/feeds/google-merchant.xml` to `app`; returns the MCP server."""
    from ui.mcp.feeds import make_feed_router

    server = build_server(assistant, settings.api, guard=guard)
    endpoint = McpHttpApp(_sdk_app(server, settings), Authenticator(settings.api))
    app.router.routes.append(Route(PATH, endpoint))
    app.router.routes.append(Route(PATH + "/", endpoint))
    app.include_router(make_feed_router(assistant))
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        # A mounted app's own lifespan never runs: start the SDK's session manager here. A manager runs once,
        # so every start of the app (tests start one app several times) gets a fresh one.
        endpoint.sdk_app = _sdk_app(server, settings)
        async with server.session_manager.run(), inner(application) as state:
            yield state

    app.router.lifespan_context = lifespan
    return server
