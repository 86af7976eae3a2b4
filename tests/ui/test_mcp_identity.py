"""Visitor tokens and credential checks of the MCP server (ui/mcp/identity.py)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from assistant.settings import SiteSettings
from tests.ui.mcp_helpers import HMAC_SECRET, PUBLISHABLE, SECRET_KEY, SHOP, settings
from ui.api.security import user_hash
from ui.mcp.identity import (
    Authenticator,
    AuthError,
    Credentials,
    can_issue_tokens,
    credentials_from_env,
    credentials_from_headers,
    new_visitor_id,
    verify_visitor_token,
    visitor_token,
)

SITE = SiteSettings(site_id="shop", hmac_secret=SecretStr(HMAC_SECRET))


def test_a_visitor_token_is_bound_to_its_visitor_and_site() -> None:
    visitor = new_visitor_id()
    token = visitor_token(SITE, visitor)
    assert token.startswith(f"vt1.{visitor}.") and len(token.rsplit(".", 1)[1]) == 64
    assert verify_visitor_token(SITE, token) == visitor
    assert verify_visitor_token(SITE, token.replace(visitor, visitor + "x")) is None
    assert verify_visitor_token(SITE, token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    other = SITE.model_copy(update={"site_id": "other"})
    assert verify_visitor_token(other, token) is None, "a token of one site opens nothing on another"
    rotated = SITE.model_copy(update={"hmac_secret": SecretStr("rotated")})
    assert verify_visitor_token(rotated, token) is None
    assert token.rsplit(".", 1)[1] != user_hash(HMAC_SECRET, visitor), "never equal to an identify() hash"
    assert new_visitor_id() != visitor
    for junk in ("", "vt1.", "vt1..", "vt2.a.b", "vt1.a b.00", "vt1." + "a" * 200 + ".00"):
        assert verify_visitor_token(SITE, junk) is None


def test_a_site_without_secrets_cannot_issue_tokens() -> None:
    bare = SiteSettings(site_id="bare")
    assert not can_issue_tokens(bare)
    with pytest.raises(ValueError):
        visitor_token(bare, "v1")
    keyed = SiteSettings(site_id="keyed", secret_keys=[SecretStr("sk_x")])
    assert verify_visitor_token(keyed, visitor_token(keyed, "v1")) == "v1"


def test_credentials_from_headers_and_environment() -> None:
    creds = credentials_from_headers({"authorization": "Bearer sk_1", "x-site-key": "pk_2", "x-visitor-token": "t",
                                      "x-user-id": "u", "x-user-hash": "h", "origin": SHOP}, "1.2.3.4")
    assert (creds.key, creds.visitor_token, creds.user_id, creds.user_hash, creds.origin, creds.client) == (
        "sk_1", "t", "u", "h", SHOP, "1.2.3.4")
    env = credentials_from_env({"SHOPASSIST_MCP_KEY": "pk_2", "SHOPASSIST_MCP_VISITOR_TOKEN": "t"})
    assert (env.key, env.visitor_token, env.origin, env.client) == ("pk_2", "t", None, "stdio")


def test_authentication_mirrors_the_http_api() -> None:
    auth = Authenticator(settings().api)
    caller = auth.authenticate(Credentials(key=PUBLISHABLE, client="ip"))
    assert (caller.site_id, caller.kind, caller.cart_owner, caller.limit_key) == ("shop", "publishable", None,
                                                                                 "shop:anon:ip")
    token = visitor_token(settings().api.sites[PUBLISHABLE], "v7")
    visitor = auth.authenticate(Credentials(key=PUBLISHABLE, visitor_token=token, origin=SHOP, client="ip"))
    assert visitor.cart_owner == "shop:v:v7" and visitor.limit_key == "shop:v7:ip"
    shopper = auth.authenticate(Credentials(key=PUBLISHABLE, user_id="alice",
                                            user_hash=user_hash(HMAC_SECRET, "alice")))
    assert shopper.cart_owner == "shop:u:alice"
    server = auth.authenticate(Credentials(key=SECRET_KEY, user_id="alice"))
    assert server.kind == "secret" and server.store_user_id == "alice"
    for bad, status in ((Credentials(key=SECRET_KEY.replace("sk_", "pk_")), 401),
                        (Credentials(key=PUBLISHABLE, origin="https://evil.example"), 403),
                        (Credentials(key=PUBLISHABLE, user_id="bad id!"), 400),
                        (Credentials(key="pk_bare", user_id="a", user_hash="b"), 403)):
        with pytest.raises(AuthError) as err:
            auth.authenticate(bad)
        assert err.value.status == status and err.value.message
