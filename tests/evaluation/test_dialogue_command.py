"""`shopassist bench dialogues`: user errors are one line with exit 2; the printed forms of the numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evaluation.dialogues import command
from evaluation.dialogues.bench import judge_dialogue
from evaluation.dialogues.report import summary
from evaluation.dialogues.schema import Dialogue
from evaluation.dialogues.transcript import TurnRecord
from ui.cli.app import app

runner = CliRunner()


@pytest.mark.parametrize("args, message", [
    (["--data", "missing.jsonl"], "No such file"),
    (["--llm", "gpt"], "unknown --llm"),
    (["--split", "train"], "unknown --split"),
    (["--category", "no-such-category"], "no dialogue matches"),
])
def test_bad_options_are_one_line_errors(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["bench", "dialogues", "--json", *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def _fake_run(opts: command.Options) -> tuple[dict[str, Any], list[Any]]:
    d = Dialogue.model_validate({"id": "d1", "category": "orders", "language": "en", "split": "dev", "turns": [
        {"message": "where is SA-100232", "checks": [{"kind": "says", "all": [["shipped"]]}]},
        {"message": "thanks", "checks": []}]})
    result = judge_dialogue(d, [TurnRecord("where is SA-100232", scene="support", text="I can't find it."),
                                TurnRecord("thanks", scene="chitchat", text="You're welcome!")], {})
    return summary([result], mode="in_process", llm="fake", model_state="off"), [result]


def test_json_verbose_and_report_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(command, "run", _fake_run)
    report = tmp_path / "r" / "report.json"
    command.main(command.Options(json_out=True, verbose=True, report=report))
    out = json.loads(capsys.readouterr().out)
    assert out["pass_rate"] == 0.0 and out["failures"][0]["dialogue"] == "d1"
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert saved["transcripts"][0]["turns"][1]["text"] == "You're welcome!"


def test_table_and_failure_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(command, "run", _fake_run)
    command.main(command.Options(verbose=True))
    out = capsys.readouterr().out
    assert "category: orders" in out and "FAIL d1 turn 1 [says]" in out
