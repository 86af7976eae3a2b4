"""Who is calling: a widget with a publishable site key (`pk_...`), or a store's server with a secret key.

Widget calls carry `X-Site-Key` and a random `X-Visitor-Id` the widget keeps in
localStorage. A store that knows its shopper can add `X-User-Id` and
`X-User-Hash = hex(HMAC-SHA256(site secret, user id))` computed on its server, so
the same profile follows the shopper across devices; a wrong hash is refused.
Server-to-server calls send `Authorization: Bearer sk_...` and `X-User-Id`.
User ids are namespaced by site, so one store never sees another's shoppers.
A server with no site keys configured refuses every call with the sentence that
says how to get them (`shopassist init`, or SHOPASSIST_API__SITES).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from dataclasses import dataclass

from fastapi import Request

from assistant.settings import ApiSettings, SiteSettings
from assistant.storage.engine import Database
from assistant.store_profile import NO_SITE_KEYS
from ui.api.errors import ApiError
from ui.api.ratelimit import RateLimits

_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")


@dataclass(frozen=True)
class Caller:
    site_id: str
    site: SiteSettings
    user_id: str  # namespaced: "<site>:v:<visitor>" or "<site>:u:<store user id>"
    kind: str  # widget | server
    limit_key: str


def user_hash(secret: str, user_id: str) -> str:
    """What the store's server computes for `identify()`: hex HMAC-SHA256 of the user id."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def same_origin(request: Request, origin: str) -> bool:
    host = request.headers.get("host", "")
    return bool(host) and origin in (f"http://{host}", f"https://{host}")


def origin_allowed(request: Request, site: SiteSettings) -> bool:
    origin = request.headers.get("origin")
    return origin is None or same_origin(request, origin) or origin in site.origins


class Guard:
    """Authenticates and rate-limits `/v1` calls (a FastAPI dependency via `__call__`). With `db`, the rate
    limits are shared by every worker on that database (see `ui.api.ratelimit`); without, per process."""

    def __init__(self, cfg: ApiSettings, db: Database | None = None) -> None:
        self.cfg = cfg
        self.limits = RateLimits(cfg, db)
        self.site_buckets = self.limits.site  # one limit at a time, for the MCP server's per-tool charges
        self.visitor_buckets = self.limits.visitor
        self._secret_keys = {k.get_secret_value(): pk for pk, s in cfg.sites.items() for k in s.secret_keys
                             if k.get_secret_value()}

    def any_origin_allowed(self, origin: str) -> bool:
        return any(origin in s.origins for s in self.cfg.sites.values())

    def caller(self, request: Request) -> Caller:
        if not self.cfg.sites:
            raise ApiError(503, "no_site_keys", NO_SITE_KEYS)
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return self._server(request, auth[7:].strip())
        key = request.headers.get("x-site-key", "")
        site = self.cfg.sites.get(key) if key.startswith("pk_") else None
        if site is None:
            raise ApiError(401, "bad_site_key", "Unknown or missing site key (X-Site-Key: pk_...).")
        if not origin_allowed(request, site):
            raise ApiError(403, "origin_not_allowed", "This origin is not allowed for this site key.")
        visitor = request.headers.get("x-visitor-id", "")
        ip = request.client.host if request.client else "unknown"
        if visitor and not _ID.fullmatch(visitor):
            raise ApiError(400, "bad_visitor_id", "X-Visitor-Id must be 1-128 letters, digits or _ . : @ -")
        store_user = request.headers.get("x-user-id", "")
        if store_user:
            secret = site.hmac_secret.get_secret_value()
            given = request.headers.get("x-user-hash", "")
            if not secret:
                raise ApiError(403, "identity_disabled", "Identified users are not enabled for this site.")
            if not _ID.fullmatch(store_user) or not hmac.compare_digest(user_hash(secret, store_user), given):
                raise ApiError(401, "bad_user_hash", "The user hash does not match the user id.")
            user = f"{site.site_id}:u:{store_user}"
        elif visitor:
            user = f"{site.site_id}:v:{visitor}"
        else:
            raise ApiError(400, "missing_visitor_id", "Send X-Visitor-Id (the widget does this for you).")
        caller = Caller(site.site_id, site, user, "widget", f"{site.site_id}:{visitor or store_user}:{ip}")
        self._limit(caller, request)
        return caller

    def _server(self, request: Request, token: str) -> Caller:
        pk = self._secret_keys.get(token) if token.startswith("sk_") else None
        if pk is None:
            raise ApiError(401, "bad_secret_key", "Unknown secret key (Authorization: Bearer sk_...).")
        site = self.cfg.sites[pk]
        store_user = request.headers.get("x-user-id", "")
        if not store_user or not _ID.fullmatch(store_user):
            raise ApiError(400, "missing_user_id", "Server calls name the shopper in X-User-Id.")
        caller = Caller(site.site_id, site, f"{site.site_id}:u:{store_user}", "server", f"{site.site_id}:server")
        self._limit(caller, request)
        return caller

    def store_server(self, request: Request) -> SiteSettings:
        """A call from the store's own tools about the store as a whole (no shopper): the site's secret key
        (`Authorization: Bearer sk_...`) and nothing else; rate-limited with the site's other calls."""
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        pk = self._secret_keys.get(token) if token.startswith("sk_") else None
        if pk is None:
            raise ApiError(401, "bad_secret_key",
                           "This call needs the site's secret key (Authorization: Bearer sk_...).")
        site = self.cfg.sites[pk]
        wait = self.site_buckets.take(site.site_id, 1.0)
        if wait > 0:
            raise ApiError(429, "rate_limited", f"Too many requests; retry in {math.ceil(wait)} s.",
                           headers={"Retry-After": str(max(1, math.ceil(wait)))})
        return site

    def _limit(self, caller: Caller, request: Request) -> None:
        cost = 0.25 if request.method == "GET" else 1.0  # the widget polls while a person answers
        wait = self.limits.charge(caller.site_id, caller.limit_key, cost)
        if wait > 0:
            raise ApiError(429, "rate_limited", f"Too many requests; retry in {math.ceil(wait)} s.",
                           headers={"Retry-After": str(max(1, math.ceil(wait)))})
