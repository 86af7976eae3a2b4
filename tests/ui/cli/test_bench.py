"""`shopassist bench ...` through typer's runner: one JSON object or a table, one-line errors with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import scene.loader
from scene.detector import SceneDetector
from ui.cli.app import app

runner = CliRunner()


def test_bench_personalization_json(tmp_path: Path) -> None:
    seq = tmp_path / "s.txt"
    seq.write_text("".join(f"u{i} 1 2 3 {4 + i % 3}\n" for i in range(30)))
    attrs = tmp_path / "a.json"
    attrs.write_text(json.dumps({"1": [1], "2": [1, 2]}))
    result = runner.invoke(app, ["bench", "personalization", "--sequences", str(seq), "--attributes", str(attrs),
                                 "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"hr@10", "ndcg@10", "users", "seconds"} and doc["users"] == 30


def test_bench_personalization_table_and_bad_file(tmp_path: Path) -> None:
    seq = tmp_path / "s.txt"
    seq.write_text("u1 1 2 3\nu2 1 2 3\n")
    ok = runner.invoke(app, ["bench", "personalization", "--sequences", str(seq)])
    assert ok.exit_code == 0 and "hr@10" in ok.stdout
    bad = runner.invoke(app, ["bench", "personalization", "--sequences", str(tmp_path / "x.txt")])
    assert bad.exit_code == 2 and "not found" in bad.output and "Traceback" not in bad.output
    stage = runner.invoke(app, ["bench", "personalization", "--sequences", str(seq), "--stage", "later"])
    assert stage.exit_code == 2 and "error: --stage must be" in stage.output


def test_bench_ranking_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["bench", "ranking", "--products", "p.csv", "--labels", "l.csv", "--model", str(tmp_path / "m.gz")]
    )
    assert result.exit_code == 2
    assert "shopassist train ranker" in result.output and "Traceback" not in result.output


def test_bench_scene_json_and_table(fake_detector: SceneDetector, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scene.loader, "_default", fake_detector)
    data = tmp_path / "b.jsonl"
    data.write_text(
        json.dumps({"text": "add the second one to my cart", "scene": "cart", "context": ["shoes please"]}) + "\n"
        + json.dumps({"text": "what's the weather", "scene": "out_of_scope"}) + "\n"
    )
    result = runner.invoke(app, ["bench", "scene", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["accuracy"] == 1.0 and out["per_scene"]["cart"]["n"] == 1
    table = runner.invoke(app, ["bench", "scene", "--data", str(data)])
    assert table.exit_code == 0 and "macro_f1" in table.stdout


def test_bench_scene_bad_file_is_one_line(fake_detector: SceneDetector, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scene.loader, "_default", fake_detector)
    result = runner.invoke(app, ["bench", "scene", "--data", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "error: scene rows file not found" in result.output and "Traceback" not in result.output


def test_support_and_model_errors_are_one_line(tmp_path: Path) -> None:
    out = runner.invoke(app, ["prepare-model", str(tmp_path / "missing.gguf")])
    assert out.exit_code == 2 and "error: Model file not found" in out.output
    out = runner.invoke(app, ["bench", "support", "--qa", str(tmp_path / "nope.csv"), "--json"])
    assert out.exit_code == 2 and "QA file not found" in out.output


@pytest.mark.slow
def test_bench_grounding_prints_one_json_object() -> None:
    out = runner.invoke(app, ["bench", "grounding", "--json", "--red-team", "--limit", "5", "--products", "2"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"cases", "ungrounded", "prompt_leaks", "ttft_p50_s", "ttft_p95_s", "tokens_per_s"} <= set(data)
