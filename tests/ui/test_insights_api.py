"""`GET /v1/insights` (the site's secret key only) and the console's insights API (admins only)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.services import Assistant
from assistant.store_profile import demo_settings
from assistant.testing import demo_products, make_services
from ui.api.app import create_app

H = {"X-Site-Key": "pk_demo", "X-Visitor-Id": "v_insights"}


def _app(**settings: object):  # type: ignore[no-untyped-def]
    app = create_app(Assistant(make_services(demo_products())), demo_settings(**settings))
    client = TestClient(app)
    cid = client.post("/v1/conversations", headers=H).json()["id"]
    client.post(f"/v1/conversations/{cid}/messages", headers=H, json={"message": "running shoes"})
    client.post("/v1/events", headers=H, json={"conversation_id": cid, "type": "click", "product_id": "s1"})
    return app, client


def test_insights_for_the_stores_own_tools_need_the_secret_key() -> None:
    _, client = _app()
    assert client.get("/v1/insights").status_code == 401
    assert client.get("/v1/insights", headers=H).status_code == 401  # a publishable key is not enough
    assert client.get("/v1/insights", headers={"Authorization": "Bearer sk_wrong"}).status_code == 401
    r = client.get("/v1/insights?days=7", headers={"Authorization": "Bearer sk_demo"})
    assert r.status_code == 200
    body = r.json()
    assert body["activity"]["turns"] == 1 and body["funnel"]["scene"]["search"]["shown"] == 5
    assert sum(v["click"] for v in body["funnel"]["position"].values()) == 1
    assert client.get("/v1/insights?days=0", headers={"Authorization": "Bearer sk_demo"}).status_code == 422


def test_the_console_insights_are_for_admins_and_the_chart_library_is_served_locally() -> None:
    app, _ = _app()
    app.state.desk.auth.create_agent("boss", "password1", is_admin=True)
    app.state.desk.auth.create_agent("alice", "password1")
    agent, boss, anonymous = TestClient(app), TestClient(app), TestClient(app)
    assert anonymous.get("/console/api/insights").status_code == 401
    assert agent.post("/console/api/login", json={"name": "alice", "password": "password1"}).json()["is_admin"] is False
    r = agent.get("/console/api/insights")
    assert r.status_code == 403 and r.json()["error"]["code"] == "admins_only"
    assert boss.post("/console/api/login", json={"name": "boss", "password": "password1"}).json()["is_admin"]
    assert boss.get("/console/api/insights?days=30").json()["activity"]["turns"] == 1
    js = boss.get("/console/plotly.min.js")
    assert js.status_code == 200 and "plotly" in js.text[:2000].lower()
    assert "ShopAssistInsights" in boss.get("/console/insights.js").text


def test_simulated_time_is_honoured_only_in_simulation_mode() -> None:
    import time

    from assistant import simclock
    from assistant.storage.store import StateStore

    for simulation, expect_past in ((False, False), (True, True)):
        services = make_services(demo_products(), clock=simclock.now)
        app = create_app(Assistant(services), demo_settings(simulation=simulation))
        client = TestClient(app)
        headers = {**H, "X-Sim-Time": "1000000000"}
        cid = client.post("/v1/conversations", headers=headers).json()["id"]
        client.post(f"/v1/conversations/{cid}/messages", headers=headers, json={"message": "running shoes"})
        store: StateStore = services.store
        with store.engine.connect() as conn:
            (ts,) = conn.exec_driver_sql("SELECT ts FROM in_turns").one()
        assert (ts == 1_000_000_000) is expect_past and (ts > time.time() - 60) is not expect_past
