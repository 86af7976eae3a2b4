from __future__ import annotations

from scene.detector import SceneResult
from scene.slots import SceneSlots
from scene.state import MAX_TURNS, DialogueState


def _result(scene: str, refs: list[str] | None = None) -> SceneResult:
    return SceneResult.model_validate(
        {"text": "t", "scene": scene, "confidence": 0.9, "slots": SceneSlots(references=refs or [])}
    )


def test_record_tracks_shown_and_focus() -> None:
    state = DialogueState()
    state.record(_result("search"), shown_ids=["a", "b", "c"], shown_prices=[10, 20, 30])
    assert state.last_shown == ["a", "b", "c"] and state.last_scene == "search"
    state.record(_result("product_qa", ["b"]))
    assert state.focus == ["b"] and state.last_shown == ["a", "b", "c"]
    assert state.last_product_scene == "search"
    state.record(_result("search"), shown_ids=["x"])
    assert state.focus == [] and state.last_shown == ["x"]


def test_turns_are_bounded_and_serializable() -> None:
    state = DialogueState()
    for _ in range(MAX_TURNS + 5):
        state.record(_result("chitchat"))
    assert len(state.turns) == MAX_TURNS
    assert DialogueState.model_validate_json(state.model_dump_json()) == state
