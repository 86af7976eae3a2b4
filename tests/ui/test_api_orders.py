"""A shopper named by the store (`X-User-Id`) sees their own orders through the API: the assistant's user id
("<site>:u:<id>") is compared as the store's own customer id, and someone else's order stays hidden."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from assistant.services import Assistant
from assistant.store_profile import demo_settings
from assistant.testing import demo_products, make_services
from ui.api.app import create_app

SERVER = {"Authorization": "Bearer sk_demo", "X-User-Id": "demo"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    settings = demo_settings()
    return TestClient(create_app(Assistant(make_services(demo_products(), support=True, settings=settings)),
                                 settings))


def reply(client: TestClient, message: str) -> str:
    cid = client.post("/v1/conversations", headers=SERVER).json()["id"]
    r = client.post(f"/v1/conversations/{cid}/messages", headers=SERVER, json={"message": message})
    assert r.status_code == 200
    events = [json.loads(line[5:]) for line in r.text.splitlines() if line.startswith("data:")]
    return "".join(e.get("text", "") for e in events if e.get("type") == "text_delta")


def test_the_demo_shopper_sees_their_order_through_the_api(client: TestClient) -> None:
    text = reply(client, "where is my order SA-100232?")
    assert "SA-100232" in text and "Delhivery" in text and "can't find" not in text


def test_an_order_of_another_customer_is_not_shown(client: TestClient) -> None:
    text = reply(client, "where is my order SA-100234?")
    assert "can't find" in text and "Pune" not in text


def test_my_order_without_a_number_is_the_shoppers_latest(client: TestClient) -> None:
    text = reply(client, "where is my order?")
    assert "SA-100233" in text and "can't find" not in text
