"""Refusals: wrong site key, foreign Origin, forged HMAC identity, a burst over the rate limit, an oversized
body, an agent endpoint without login. Each gets the right status and writes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.services import Assistant
from assistant.settings import ApiSettings, Settings, SiteSettings
from assistant.storage.schema import ConversationRow, EventLogRow, HandoffRow, MessageRow
from assistant.testing import demo_products, make_services
from ui.api.app import create_app
from ui.api.security import user_hash

SHOP = "https://shop.example"
H = {"X-Site-Key": "pk_shop", "X-Visitor-Id": "v_sec_visitor", "Origin": SHOP}


def settings(**api: object) -> Settings:
    site = SiteSettings(site_id="shop", origins=[SHOP], hmac_secret=SecretStr("s3cret"),
                        secret_keys=[SecretStr("sk_shop")])
    other = SiteSettings(site_id="other", origins=["https://other.example"])
    return Settings(api=ApiSettings(sites={"pk_shop": site, "pk_other": other}, **api))  # type: ignore[arg-type]


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(Assistant(make_services(demo_products())), settings()))


def rows(client: TestClient) -> tuple[int, ...]:
    engine = client.app.state.assistant.services.store.engine  # type: ignore[attr-defined]
    with Session(engine) as s:
        return tuple(int(s.scalar(select(func.count()).select_from(t)) or 0)
                     for t in (ConversationRow, MessageRow, EventLogRow, HandoffRow))


def refused(client: TestClient, status: int, code: str, call: Callable[[], object]) -> None:
    before = rows(client)
    r = call()
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.json()["error"]["code"] == code  # type: ignore[attr-defined]
    assert "Traceback" not in r.text  # type: ignore[attr-defined]
    assert rows(client) == before, "a refused request wrote to the database"


def test_wrong_or_missing_site_key(client: TestClient) -> None:
    refused(client, 401, "bad_site_key", lambda: client.post("/v1/conversations",
                                                             headers={**H, "X-Site-Key": "pk_nope"}))
    refused(client, 401, "bad_site_key", lambda: client.post("/v1/conversations", headers={"X-Visitor-Id": "v1"}))


def test_foreign_origin_is_refused_and_cors_is_per_site_never_star(client: TestClient) -> None:
    refused(client, 403, "origin_not_allowed",
            lambda: client.post("/v1/conversations", headers={**H, "Origin": "https://evil.example"}))
    # another store's origin cannot use this store's key
    refused(client, 403, "origin_not_allowed",
            lambda: client.post("/v1/conversations", headers={**H, "Origin": "https://other.example"}))
    pre = client.options("/v1/conversations", headers={"Origin": "https://evil.example",
                                                       "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 403 and "access-control-allow-origin" not in pre.headers
    pre = client.options("/v1/conversations", headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == SHOP
    ok = client.post("/v1/conversations", headers=H)
    assert ok.status_code == 201 and ok.headers["access-control-allow-origin"] == SHOP != "*"


def test_forged_hmac_identity_is_refused_and_a_valid_one_shares_the_profile(client: TestClient) -> None:
    forged = {**H, "X-User-Id": "alice", "X-User-Hash": user_hash("guessed", "alice")}
    refused(client, 401, "bad_user_hash", lambda: client.post("/v1/conversations", headers=forged))
    good = {**H, "X-User-Id": "alice", "X-User-Hash": user_hash("s3cret", "alice")}
    cid = client.post("/v1/conversations", headers=good).json()["id"]
    other_device = {**good, "X-Visitor-Id": "v_phone"}
    assert client.get(f"/v1/conversations/{cid}", headers=other_device).status_code == 200
    # an anonymous visitor cannot read alice's conversation
    assert client.get(f"/v1/conversations/{cid}", headers=H).status_code == 404


def test_secret_keys_for_server_calls(client: TestClient) -> None:
    refused(client, 401, "bad_secret_key", lambda: client.post(
        "/v1/conversations", headers={"Authorization": "Bearer sk_wrong", "X-User-Id": "bob"}))
    r = client.post("/v1/conversations", headers={"Authorization": "Bearer sk_shop", "X-User-Id": "bob"})
    assert r.status_code == 201


def test_burst_over_the_rate_limit_gets_429_with_retry_after() -> None:
    client = TestClient(create_app(Assistant(make_services(demo_products())),
                                   settings(rate_visitor_per_s=0.1, rate_visitor_burst=3)))
    for _ in range(3):
        assert client.post("/v1/conversations", headers=H).status_code == 201
    refused(client, 429, "rate_limited", lambda: client.post("/v1/conversations", headers=H))
    r = client.post("/v1/conversations", headers=H)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    # another visitor is not affected; the per-site bucket is separate
    assert client.post("/v1/conversations", headers={**H, "X-Visitor-Id": "v_other"}).status_code == 201


def test_site_wide_rate_limit() -> None:
    client = TestClient(create_app(Assistant(make_services(demo_products())),
                                   settings(rate_site_per_s=0.1, rate_site_burst=2)))
    for i in range(2):
        assert client.post("/v1/conversations", headers={**H, "X-Visitor-Id": f"v{i}"}).status_code == 201
    refused(client, 429, "rate_limited", lambda: client.post("/v1/conversations", headers={**H, "X-Visitor-Id": "v9"}))


def test_oversized_body_is_refused(client: TestClient) -> None:
    cid = client.post("/v1/conversations", headers=H).json()["id"]
    refused(client, 413, "too_large", lambda: client.post(f"/v1/conversations/{cid}/messages", headers=H,
                                                          content=b'{"message": "' + b"a" * 20_000 + b'"}'))


def test_agent_endpoints_need_login(client: TestClient) -> None:
    cid = client.post("/v1/conversations", headers=H).json()["id"]
    for method, path, body in (("get", "/console/api/queue", None), ("get", f"/console/api/conversations/{cid}", None),
                               ("post", f"/console/api/conversations/{cid}/take_over", None),
                               ("post", f"/console/api/conversations/{cid}/reply", {"text": "hi"}),
                               ("post", f"/console/api/conversations/{cid}/notes", {"text": "x"}),
                               ("get", f"/console/api/conversations/{cid}/suggest", None)):
        refused(client, 401, "login_required",
                lambda m=method, p=path, b=body: client.request(m.upper(), p, json=b))  # type: ignore[misc]
    client.cookies.set("sa_agent", "forged-token")
    refused(client, 401, "login_required", lambda: client.post(f"/console/api/conversations/{cid}/reply",
                                                               json={"text": "hi"}))


def test_console_login_guessing_is_rate_limited(client: TestClient) -> None:
    client.app.state.desk.auth.create_agent("alice", "password1")  # type: ignore[attr-defined]
    codes = [client.post("/console/api/login", json={"name": "alice", "password": f"guess{i}"}).status_code
             for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    r = client.post("/console/api/login", json={"name": "alice", "password": "password1"})
    assert r.status_code == 429 and "sa_agent" not in r.cookies and int(r.headers["retry-after"]) >= 1
