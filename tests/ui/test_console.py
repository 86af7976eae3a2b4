"""The agent console API: login, queue, conversation view, take over, reply (the shopper sees it), private
notes (the shopper never does), suggested replies, hand back and resolve."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.services import Assistant
from assistant.store_profile import demo_settings
from assistant.testing import demo_products, make_services
from ui.api.app import create_app

H = {"X-Site-Key": "pk_demo", "X-Visitor-Id": "v_console_test"}


def test_console_flow_end_to_end() -> None:
    app = create_app(Assistant(make_services(demo_products())), demo_settings())
    app.state.desk.auth.create_agent("alice", "password1")
    shopper, agent = TestClient(app), TestClient(app)
    cid = shopper.post("/v1/conversations", headers=H).json()["id"]
    shopper.post(f"/v1/conversations/{cid}/messages", headers=H, json={"message": "running shoes"})
    shopper.post(f"/v1/conversations/{cid}/handoff", headers=H, json={"reason": "need sizing help"})

    assert agent.post("/console/api/login", json={"name": "alice", "password": "bad"}).status_code == 401
    r = agent.post("/console/api/login", json={"name": "alice", "password": "password1"})
    assert r.status_code == 200 and "sa_agent" in r.cookies
    assert "httponly" in r.headers["set-cookie"].lower()
    items = agent.get("/console/api/queue?which=handoff").json()["items"]
    assert [(i["conversation_id"], i["reason"]) for i in items] == [(cid, "need sizing help")]

    view = agent.get(f"/console/api/conversations/{cid}").json()
    assert view["products_shown"] and view["scene_decisions"][0]["scene"] == "search"
    assert [m["role"] for m in view["messages"]][:2] == ["user", "assistant"]
    assert agent.get("/console/page-does-not-exist").status_code == 404
    assert agent.get("/console").status_code == 200

    assert agent.post(f"/console/api/conversations/{cid}/take_over").json()["ok"]
    assert [i["conversation_id"] for i in agent.get("/console/api/queue?which=mine").json()["items"]] == [cid]
    agent.post(f"/console/api/conversations/{cid}/notes", json={"text": "secret note"})
    draft = agent.get(f"/console/api/conversations/{cid}/suggest").json()
    assert "text" in draft
    agent.post(f"/console/api/conversations/{cid}/reply", json={"text": "Hi, Alice here!"})

    seen = shopper.get(f"/v1/conversations/{cid}", headers=H).json()
    assert seen["status"] == "agent"
    assert seen["messages"][-1]["role"] == "agent" and seen["messages"][-1]["content"] == "Hi, Alice here!"
    assert "secret note" not in str(seen)
    assert agent.get(f"/console/api/conversations/{cid}").json()["notes"][0]["text"] == "secret note"

    agent.post(f"/console/api/conversations/{cid}/hand_back")
    assert shopper.get(f"/v1/conversations/{cid}", headers=H).json()["status"] == "pending"
    agent.post(f"/console/api/conversations/{cid}/resolve")
    assert [i["conversation_id"] for i in agent.get("/console/api/queue?which=resolved").json()["items"]] == [cid]
    assert agent.get("/console/api/queue?which=bogus").status_code == 422
    agent.post("/console/api/logout")
    assert agent.get("/console/api/me").status_code == 401
