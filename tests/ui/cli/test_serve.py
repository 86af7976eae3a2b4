"""`shopassist serve` and `shopassist bench turns` through typer's runner."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ui.cli.app import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[3]


def test_serve_and_bench_turns_are_registered() -> None:
    assert "serve" in runner.invoke(app, ["--help"]).output
    out = runner.invoke(app, ["bench", "turns", "--help"]).output
    assert "--json" in out and "--llm" in out


def test_bad_options_are_one_line_errors() -> None:
    result = runner.invoke(app, ["bench", "turns", "--llm", "gpt9"])
    assert result.exit_code == 2 and "unknown --llm" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["serve", "--llm", "gpt9"])
    assert result.exit_code == 2 and "unknown --llm" in result.output


@pytest.mark.slow
def test_bench_turns_json_prints_exactly_one_object(monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = os.environ.get("SHOPASSIST_TEST_DATA_DIR", str(REPO / "var" / "test-data"))
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", data_dir)
    result = runner.invoke(app, ["bench", "turns", "--json", "--repeat", "1"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(payload) == {"p95_first_card_ms", "p95_first_token_ms", "p95_turn_ms", "scene_switch_accuracy"}
    assert 0.0 <= payload["scene_switch_accuracy"] <= 1.0
