"""The bundled dialogue set: valid, up to date with its generator, verified against the catalog, balanced."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evaluation.dialogues.report import failures, summary
from evaluation.dialogues.schema import DEFAULT_DATA, Dialogue, load_dialogues


@pytest.fixture(scope="module")
def dialogues() -> list[Dialogue]:
    return load_dialogues(DEFAULT_DATA)


def test_size_language_share_turns_and_splits(dialogues: list[Dialogue]) -> None:
    assert len(dialogues) >= 200
    assert sum(d.language == "zh" for d in dialogues) / len(dialogues) >= 0.25
    assert all(2 <= len(d.turns) <= 5 for d in dialogues)
    splits = Counter(d.split for d in dialogues)
    assert abs(splits["dev"] - splits["test"]) <= len(dialogues) * 0.1
    for cat in {d.category for d in dialogues}:
        both = Counter(d.split for d in dialogues if d.category == cat)
        assert both["dev"] and both["test"], cat
    assert {d.user for d in dialogues if d.category == "orders"} == {"demo"}


def test_the_file_is_what_the_generator_writes(demo_products) -> None:  # type: ignore[no-untyped-def]
    from evaluation.dialogues.authoring.generate import build

    built, errors = build()
    assert errors == []
    assert built == load_dialogues(DEFAULT_DATA)


def test_a_bad_line_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = {"id": "a", "category": "c", "language": "en", "split": "dev", "turns": [{"message": "hi"}]}
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": "b", "turns": [
        {"message": "x", "checks": [{"kind": "cart", "lines": [{"product": {"turn": 2, "position": 1}}]}]}]}) + "\n")
    with pytest.raises(ValueError, match=":2:"):
        load_dialogues(path)


def test_report_counts_a_failed_check_once_per_turn(dialogues: list[Dialogue]) -> None:
    from evaluation.dialogues.bench import judge_dialogue
    from evaluation.dialogues.transcript import TurnRecord

    d = Dialogue.model_validate({"id": "x", "category": "c", "language": "zh", "split": "dev", "turns": [
        {"message": "hi", "checks": [{"kind": "scene", "any_of": ["chitchat"]}, {"kind": "handoff", "opened": False}]},
        {"message": "bye", "checks": [{"kind": "scene", "any_of": ["chitchat"]}]}]})
    result = judge_dialogue(d, [TurnRecord("hi", scene="chitchat", turn_ms=5.0),
                                TurnRecord("bye", scene="search", turn_ms=7.0)], {})
    numbers = summary([result])
    assert numbers["pass_rate"] == 0.0 and numbers["check_pass_rate"] == pytest.approx(2 / 3, abs=1e-3)
    assert numbers["per_language"]["zh"]["n"] == 1
    [fail] = failures([result])
    assert fail["turn"] == 2 and fail["check"] == "scene" and fail["got"] == "search"
