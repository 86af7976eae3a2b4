"""A handful of bundled dialogues end to end on the real assistant (MiniLM, the demo index, the scene model,
templates for text), in process and through the HTTP API as the widget calls it. Marked slow; the demo
index is cached in `$SHOPASSIST_TEST_DATA_DIR` (default `var/test-data`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("SHOPASSIST_TEST_DATA_DIR", REPO / "var" / "test-data"))
IDS = ("cart-add-view", "ref-zh-third-too", "route-return-policy-first", "order-status-shipped", "chat-zh-hello")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def services(minilm, tmp_path_factory):  # type: ignore[no-untyped-def]
    from assistant.services import build_services
    from assistant.store_profile import demo_settings

    db = tmp_path_factory.mktemp("dialogues") / "state.db"
    cfg = demo_settings(data_dir=DATA_DIR, database_url=f"sqlite:///{db}")
    return cfg, build_services(cfg, embedder=minilm, chat_model=None)


@pytest.fixture(scope="module")
def chosen():  # type: ignore[no-untyped-def]
    from evaluation.dialogues.schema import load_dialogues

    found = [d for d in load_dialogues() if d.id in IDS]
    assert len(found) == len(IDS)
    return found


def test_dialogues_play_in_process_and_are_judged(services, chosen, demo_products) -> None:  # type: ignore[no-untyped-def]
    from evaluation.dialogues.bench import run_dialogues
    from evaluation.dialogues.report import failures, summary
    from evaluation.dialogues.runner_local import LocalPlayer

    _, svc = services
    player = LocalPlayer(services=svc, run_id="slowtest")
    results = run_dialogues(chosen, player.play, {p.id: p for p in demo_products})
    numbers = summary(results)
    assert numbers["n"] == len(IDS) and numbers["harness_errors"] == 0
    assert numbers["turns"] == sum(len(d.turns) for d in chosen)
    assert numbers["p95_first_card_ms"] is not None and numbers["p95_turn_ms"] > 0
    for r in results:
        assert all(t.scene for t in r.records), r.dialogue.id  # every turn streamed a scene event
        assert all(t.cart is not None for t in r.records)
        assert len(r.verdicts) == len(r.dialogue.turns)
    by_id = {r.dialogue.id: r for r in results}
    first = by_id["cart-add-view"].records[0]
    assert first.cards and first.first_card_ms is not None
    assert all(f["dialogue"] in IDS for f in failures(results))


def test_the_api_player_speaks_sse_and_reads_the_cart(services, chosen) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from assistant.services import Assistant
    from evaluation.dialogues.runner_api import ApiPlayer
    from ui.api.app import create_app

    cfg, svc = services
    client = TestClient(create_app(Assistant(svc), cfg))
    player = ApiPlayer("http://testserver", client=client)
    dialogue = next(d for d in chosen if d.id == "cart-add-view")
    records = player.play(dialogue)
    assert [r.failure for r in records] == ["", "", ""]
    assert records[0].scene == "search" and records[0].cards and records[0].first_card_ms is not None
    assert records[0].text
    demo = next(d for d in chosen if d.user == "demo")
    assert player.headers(demo)["X-User-Id"] == "demo"
    assert not player.play(demo)[0].failure  # the identified demo shopper is accepted (HMAC user hash)
