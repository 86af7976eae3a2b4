"""The scene bench: scoring, context replay, row files."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.scene import SHOWN_PER_TURN, BenchRow, DatasetError, load_rows, replay, run, score
from scene.detector import SceneDetector


def test_score_metrics() -> None:
    gold = ["search", "search", "cart", "out_of_scope", "out_of_scope"]
    pred = ["search", "cart", "cart", "out_of_scope", "search"]
    r = score(gold, pred, [1.0, 2.0, 3.0, 4.0, 5.0])
    assert r.accuracy == 0.6
    assert r.oos_recall == 0.5
    assert r.in_scope_accuracy == pytest.approx(2 / 3, abs=1e-4)
    assert r.per_scene["cart"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(0.6667, abs=1e-4), "n": 1}
    assert r.p50_ms == 3.0
    assert set(r.to_dict()) >= {"accuracy", "macro_f1", "oos_recall", "in_scope_accuracy", "p50_ms", "p95_ms",
                                "per_scene"}


def test_replay_shows_five_products_per_search_turn(fake_detector: SceneDetector) -> None:
    state = replay(fake_detector, ["i need running shoes", "hello"])
    assert len(state.last_shown) == SHOWN_PER_TURN
    assert [t.scene for t in state.turns] == ["search", "chitchat"]


def test_run_with_context(fake_detector: SceneDetector) -> None:
    rows = [BenchRow("compare the first two", "compare", ("i need shoes",)), BenchRow("weather?", "out_of_scope")]
    report = run(fake_detector, rows)
    assert report.accuracy == 1.0 and report.n == 2


def test_load_rows_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="scene rows file not found"):
        load_rows(tmp_path / "nope.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hi", "scene": "greeting"}\n')
    with pytest.raises(DatasetError, match="unknown scene"):
        load_rows(bad)
    bad.write_text("not json\n")
    with pytest.raises(DatasetError, match=":1:"):
        load_rows(bad)
