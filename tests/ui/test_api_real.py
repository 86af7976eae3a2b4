"""The API on the real assistant (MiniLM, the demo store's index, the trained scene model, a SQLite file):
one streamed turn and a cart add through HTTP. Marked slow; the demo index is cached in
`$SHOPASSIST_TEST_DATA_DIR` (default `var/test-data`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("SHOPASSIST_TEST_DATA_DIR", REPO / "var" / "test-data"))
H = {"X-Site-Key": "pk_demo", "X-Visitor-Id": "v_real"}

pytestmark = pytest.mark.slow


def test_streamed_turn_and_cart_on_the_real_assistant(tmp_path, minilm) -> None:  # type: ignore[no-untyped-def]
    from assistant.services import Assistant, build_services
    from assistant.store_profile import demo_settings
    from ui.api.app import create_app

    cfg = demo_settings(data_dir=DATA_DIR, database_url=f"sqlite:///{tmp_path / 'state.db'}")
    app = create_app(Assistant(build_services(cfg, embedder=minilm, chat_model=None, with_support=False)), cfg)
    client = TestClient(app)
    assert client.get("/readyz").json()["status"] == "ok"
    cid = client.post("/v1/conversations", headers=H).json()["id"]
    r = client.post(f"/v1/conversations/{cid}/messages", headers=H, json={"message": "running shoes under 2000"})
    events = [json.loads(b.split("data: ", 1)[1]) for b in r.text.strip().split("\n\n")]
    types = [e["type"] for e in events]
    assert types[0] == "scene" and types[-1] == "done" and types.index("products") < types.index("text_delta")
    cards = events[types.index("products")]["cards"]
    assert cards and all(c["price"] <= 2000 for c in cards)
    added = client.post("/v1/cart/items", headers=H, json={"product_id": cards[0]["id"], "conversation_id": cid})
    assert added.json()["events"][0]["lines"][0]["product_id"] == cards[0]["id"]
