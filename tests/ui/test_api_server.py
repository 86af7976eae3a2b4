"""One process serves everything: the Gradio chat under /chat next to the API, widget, demo page and console."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.services import Assistant
from assistant.store_profile import demo_settings
from assistant.testing import demo_products, make_services
from ui.server import combined_app


def test_gradio_chat_is_mounted_next_to_the_api_widget_and_console() -> None:
    app = combined_app(Assistant(make_services(demo_products())), demo_settings())
    with TestClient(app) as client:
        assert client.get("/chat/").status_code == 200
        assert client.get("/", follow_redirects=False).headers["location"] == "/chat/"
        assert client.get("/healthz").json()["status"] == "ok"
        js = client.get("/widget.js")
        assert js.status_code == 200 and "attachShadow" in js.text
        assert 'data-site-key="pk_demo"' in client.get("/demo").text
        assert "Agent login" in client.get("/console").text
        assert "/v1/conversations" in client.get("/openapi.json").json()["paths"]
