"""The widget API through httpx (TestClient) on fake services: conversations, SSE turns, events, cart, health,
and a contract test validating every JSON response against the app's own OpenAPI schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from assistant.llm.fake import FakeChatModel
from assistant.services import Assistant
from assistant.store_profile import demo_settings
from assistant.testing import demo_products, make_services
from ui.api.app import create_app

H = {"X-Site-Key": "pk_demo", "X-Visitor-Id": "v_test_visitor"}


@pytest.fixture
def client() -> TestClient:
    services = make_services(demo_products(), model=FakeChatModel("Light and comfortable for running."))
    return TestClient(create_app(Assistant(services), demo_settings()))


def parse_sse(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        data = json.loads(lines["data"])
        assert data["type"] == lines["event"]
        events.append(data)
    return events


def new_conversation(client: TestClient) -> str:
    r = client.post("/v1/conversations", headers=H)
    assert r.status_code == 201
    return str(r.json()["id"])


def test_a_turn_streams_typed_events_cards_before_text_and_is_stored(client: TestClient) -> None:
    cid = new_conversation(client)
    r = client.post(f"/v1/conversations/{cid}/messages", headers=H, json={"message": "running shoes under 3000"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    types = [e["type"] for e in events]
    assert types[0] == "scene" and types[-1] == "done"
    assert types.index("products") < types.index("text_delta")
    assert all(c["price"] < 3000 for c in events[types.index("products")]["cards"])
    conv = client.get(f"/v1/conversations/{cid}", headers=H).json()
    assert [m["role"] for m in conv["messages"]] == ["user", "assistant"]
    assert conv["messages"][1]["payload"]["products"]["cards"]
    newer = client.get(f"/v1/conversations/{cid}?after={conv['messages'][0]['id']}", headers=H).json()
    assert [m["role"] for m in newer["messages"]] == ["assistant"]


def test_cart_endpoints_add_list_and_remove(client: TestClient) -> None:
    cid = new_conversation(client)
    r = client.post("/v1/cart/items", headers=H, json={"product_id": "s1", "quantity": 2, "conversation_id": cid})
    assert r.status_code == 200 and r.json()["events"][0]["item_count"] == 2
    assert client.get("/v1/cart", headers=H).json()["lines"][0]["product_id"] == "s1"
    assert client.delete("/v1/cart/items/s1", headers=H).json()["events"][0]["item_count"] == 0
    assert client.post("/v1/cart/items", headers=H, json={"product_id": "nope"}).json()["error"]["code"] == \
        "unknown_product"


def test_events_and_handoff(client: TestClient) -> None:
    cid = new_conversation(client)
    assert client.post("/v1/events", headers=H, json={"conversation_id": cid, "type": "click",
                                                       "product_id": "w1"}).json()["ok"]
    assert client.post("/v1/events", headers=H, json={"conversation_id": cid, "type": "open"}).json()["ok"]
    r = client.post(f"/v1/conversations/{cid}/handoff", headers=H, json={"reason": "my parcel is damaged"})
    handoff = r.json()["events"][0]
    assert handoff["type"] == "handoff" and handoff["reason"] == "my parcel is damaged"
    store = client.app.state.assistant.services.store  # type: ignore[attr-defined]
    assert [t.reason for t in store.handoffs.queued()] == ["my parcel is damaged"]


def test_validation_errors_are_clear_json_without_traces(client: TestClient) -> None:
    cid = new_conversation(client)
    for body in ({"message": ""}, {"message": "x" * 2001}, {"msg": "hi"}, {"message": 5}):
        r = client.post(f"/v1/conversations/{cid}/messages", headers=H, json=body)
        assert r.status_code == 422, body
        err = r.json()["error"]
        assert err["code"] == "invalid_request" and "Traceback" not in r.text and err["message"]
    r = client.post(f"/v1/conversations/{cid}/messages", headers={**H, "Content-Type": "application/json"},
                    content=b"{not json")
    assert r.status_code == 422
    assert client.get("/v1/conversations/doesnotexist", headers=H).status_code == 404


def test_health_ready_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok" and ready["checks"]["database"] == "ok"
    spec = client.get("/openapi.json").json()
    for path in ("/v1/conversations", "/v1/conversations/{conversation_id}/messages", "/v1/events", "/v1/cart"):
        assert path in spec["paths"]
    stream = spec["paths"]["/v1/conversations/{conversation_id}/messages"]["post"]["responses"]["200"]
    assert "text/event-stream" in stream["content"]


def _validate(spec: dict[str, Any], path: str, method: str, response: Any) -> None:
    op = spec["paths"][path][method]
    content = op["responses"][str(response.status_code)]["content"]
    schema = {**content["application/json"]["schema"], "components": spec["components"]}
    jsonschema.validate(response.json(), schema, cls=jsonschema.Draft202012Validator)


def test_contract_responses_match_the_openapi_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    r = client.post("/v1/conversations", headers=H)
    _validate(spec, "/v1/conversations", "post", r)
    cid = r.json()["id"]
    client.post(f"/v1/conversations/{cid}/messages", headers=H, json={"message": "running shoes"})
    checks = [
        ("/v1/conversations/{conversation_id}", "get", client.get(f"/v1/conversations/{cid}", headers=H)),
        ("/v1/cart/items", "post", client.post("/v1/cart/items", headers=H, json={"product_id": "s2"})),
        ("/v1/cart", "get", client.get("/v1/cart", headers=H)),
        ("/v1/cart/items/{product_id}", "delete", client.delete("/v1/cart/items/s2", headers=H)),
        ("/v1/events", "post", client.post("/v1/events", headers=H, json={"conversation_id": cid, "type": "open"})),
        ("/v1/conversations/{conversation_id}/handoff", "post",
         client.post(f"/v1/conversations/{cid}/handoff", headers=H)),
        ("/healthz", "get", client.get("/healthz")),
        ("/readyz", "get", client.get("/readyz")),
        # errors have a documented shape too
        ("/v1/conversations/{conversation_id}", "get", client.get("/v1/conversations/nope", headers=H)),
        ("/v1/events", "post", client.post("/v1/events", headers=H, json={"type": "bogus"})),
        ("/v1/conversations", "post", client.post("/v1/conversations", headers={"X-Site-Key": "pk_wrong"})),
    ]
    for path, method, response in checks:
        _validate(spec, path, method, response)
    with pytest.raises(jsonschema.ValidationError):  # the validator really checks
        jsonschema.validate({"id": 1}, {**spec["components"]["schemas"]["ConversationOut"],
                                        "components": spec["components"]})
