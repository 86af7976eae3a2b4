"""Who is calling the MCP server, and what they have proved.

The MCP server accepts the same credentials as the HTTP API (ui/api/security.py), presented the
same way whatever the transport:

- the site key, publishable `pk_...` or secret `sk_...`: `X-Site-Key: pk_...` or
  `Authorization: Bearer sk_...` over HTTP; `SHOPASSIST_MCP_KEY` over stdio;
- the visitor token `vt1.<visitor id>.<hmac>` (the visitor's cart): `X-Visitor-Token` or the cart
  tools' `visitor_token` argument; `SHOPASSIST_MCP_VISITOR_TOKEN` over stdio;
- the shopper's identity, user id + hex(HMAC-SHA256(site hmac_secret, user id)) as the widget's
  identify(): `X-User-Id` + `X-User-Hash`; `SHOPASSIST_MCP_USER_ID` + `SHOPASSIST_MCP_USER_HASH`.

A visitor token is HMAC-SHA256 over the site and the visitor id with a key derived from the site's
own secret (its `hmac_secret`, else its first secret key), so any worker can check it, it cannot be
guessed, and it is bound to one visitor of one site. `start_session` issues one for a new visitor; a
store's server can issue one for a widget visitor with `visitor_token(site, visitor_id)` (the cart is
then the widget's). A secret-key caller is the store's own server: as in the HTTP API, its `X-User-Id`
is trusted without a hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from assistant.settings import ApiSettings, SiteSettings
from ui.api.security import user_hash

TOKEN_PREFIX = "vt1."
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")  # the HTTP API's rule for visitor and user ids
ENV_KEY = "SHOPASSIST_MCP_KEY"
ENV_VISITOR_TOKEN = "SHOPASSIST_MCP_VISITOR_TOKEN"
ENV_USER_ID = "SHOPASSIST_MCP_USER_ID"
ENV_USER_HASH = "SHOPASSIST_MCP_USER_HASH"


class AuthError(Exception):
    """A refused credential: HTTP status, a stable code and a sentence saying how to fix it."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Credentials:
    """What the client presented, before any check."""

    key: str = ""
    visitor_token: str = ""
    user_id: str = ""
    user_hash: str = ""
    origin: str | None = None
    client: str = "unknown"  # the peer address, or "stdio"


@dataclass(frozen=True)
class AgentCaller:
    """A checked caller. `visitor_id` and `store_user_id` are set only when proved."""

    site_id: str
    site: SiteSettings
    kind: Literal["publishable", "secret"]
    visitor_id: str | None = None
    store_user_id: str | None = None
    client: str = "unknown"

    @property
    def cart_owner(self) -> str | None:
        """The namespaced user id whose cart this caller may use (the HTTP API's ids), or None."""
        if self.visitor_id:
            return f"{self.site_id}:v:{self.visitor_id}"
        if self.store_user_id:
            return f"{self.site_id}:u:{self.store_user_id}"
        return None

    @property
    def limit_key(self) -> str:
        """The per-visitor rate-limit bucket: the HTTP API's key, so widget and agent share one budget."""
        return f"{self.site_id}:{self.visitor_id or self.store_user_id or 'anon'}:{self.client}"

    def with_visitor(self, visitor_id: str) -> AgentCaller:
        return AgentCaller(self.site_id, self.site, self.kind, visitor_id, self.store_user_id, self.client)


def _token_key(site: SiteSettings) -> bytes | None:
    secret = site.hmac_secret.get_secret_value() or next(
        (k.get_secret_value() for k in site.secret_keys if k.get_secret_value()), "")
    if not secret:
        return None
    # Domain separation: a visitor token is never equal to an identify() hash of the same id.
    return hmac.new(secret.encode(), b"shopassist/mcp/visitor-token/v1", hashlib.sha256).digest()


def can_issue_tokens(site: SiteSettings) -> bool:
    return _token_key(site) is not None


def visitor_token(site: SiteSettings, visitor_id: str) -> str:
    """The token that proves `visitor_id` on `site` (what a store's server hands its own visitor)."""
    key = _token_key(site)
    if key is None:
        raise ValueError(f"site {site.site_id!r} has no hmac_secret or secret key to sign visitor tokens with")
    if not ID_PATTERN.fullmatch(visitor_id):
        raise ValueError("a visitor id is 1-128 letters, digits or _ . : @ -")
    mac = hmac.new(key, f"{site.site_id}\n{visitor_id}".encode(), hashlib.sha256).hexdigest()
    return f"{TOKEN_PREFIX}{visitor_id}.{mac}"


def verify_visitor_token(site: SiteSettings, token: str) -> str | None:
    """The visitor id a token proves on `site`, or None."""
    if not token.startswith(TOKEN_PREFIX) or "." not in token[len(TOKEN_PREFIX):]:
        return None
    visitor_id, _, _mac = token[len(TOKEN_PREFIX):].rpartition(".")
    if not ID_PATTERN.fullmatch(visitor_id) or not can_issue_tokens(site):
        return None
    return visitor_id if hmac.compare_digest(visitor_token(site, visitor_id), token) else None


def new_visitor_id() -> str:
    return "mcp_" + secrets.token_urlsafe(18)


def credentials_from_headers(headers: Mapping[str, str], client: str) -> Credentials:
    auth = headers.get("authorization", "")
    key = auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get("x-site-key", "")
    return Credentials(key=key, visitor_token=headers.get("x-visitor-token", ""),
                       user_id=headers.get("x-user-id", ""), user_hash=headers.get("x-user-hash", ""),
                       origin=headers.get("origin"), client=client)


def credentials_from_env(environ: Mapping[str, str]) -> Credentials:
    return Credentials(key=environ.get(ENV_KEY, ""), visitor_token=environ.get(ENV_VISITOR_TOKEN, ""),
                       user_id=environ.get(ENV_USER_ID, ""), user_hash=environ.get(ENV_USER_HASH, ""),
                       client="stdio")


class Authenticator:
    """Checks `Credentials` against the sites of the settings (the HTTP API's `ApiSettings`)."""

    def __init__(self, cfg: ApiSettings) -> None:
        self.cfg = cfg
        self._secret_keys = {k.get_secret_value(): pk for pk, s in cfg.sites.items() for k in s.secret_keys
                             if k.get_secret_value()}

    def origin_allowed_anywhere(self, origin: str) -> bool:
        return any(origin in s.origins for s in self.cfg.sites.values())

    def authenticate(self, creds: Credentials) -> AgentCaller:
        if creds.key.startswith("sk_") and creds.key in self._secret_keys:
            site, kind = self.cfg.sites[self._secret_keys[creds.key]], "secret"
        elif creds.key.startswith("pk_") and creds.key in self.cfg.sites:
            site, kind = self.cfg.sites[creds.key], "publishable"
        else:
            raise AuthError(401, "bad_site_key", "Unknown or missing site key: send X-Site-Key: pk_... or "
                            f"Authorization: Bearer sk_... (over stdio, set {ENV_KEY}).")
        # Exact origins only: a browser page elsewhere (DNS rebinding included) is refused whatever its Host.
        if creds.origin is not None and creds.origin not in site.origins:
            raise AuthError(403, "origin_not_allowed", "This origin is not allowed for this site key.")
        visitor = None
        if creds.visitor_token:
            visitor = verify_visitor_token(site, creds.visitor_token)
            if visitor is None:
                raise AuthError(401, "bad_visitor_token", "The visitor token is not valid for this site; call "
                                "start_session for a new one.")
        store_user = self._store_user(site, kind, creds)
        return AgentCaller(site.site_id, site, kind, visitor, store_user, creds.client)  # type: ignore[arg-type]

    def _store_user(self, site: SiteSettings, kind: str, creds: Credentials) -> str | None:
        if not creds.user_id:
            return None
        if not ID_PATTERN.fullmatch(creds.user_id):
            raise AuthError(400, "bad_user_id", "A user id is 1-128 letters, digits or _ . : @ -")
        if kind == "secret":
            return creds.user_id  # the store's server vouches for its shopper, as in the HTTP API
        secret = site.hmac_secret.get_secret_value()
        if not secret:
            raise AuthError(403, "identity_disabled", "Identified users are not enabled for this site.")
        if not hmac.compare_digest(user_hash(secret, creds.user_id), creds.user_hash):
            raise AuthError(401, "bad_user_hash", "The user hash does not match the user id "
                            "(hex HMAC-SHA256 of the user id with the site's hmac_secret).")
        return creds.user_id
