from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evaluation.datasets.scenes import TEST_FILE, TRAIN_FILE, expand_templates, handwritten_test, read_jsonl
from scene.taxonomy import BITEXT_INTENTS, SCENES, SUPPORT_INTENTS, bitext_label, clinc_label


def test_shipped_sets_cover_every_scene_in_both_languages() -> None:
    train = list(read_jsonl(TRAIN_FILE))
    test = list(read_jsonl(TEST_FILE))
    assert {e.scene for e in train} == set(SCENES) == {e.scene for e in test}
    zh_train = Counter(e.scene for e in train if e.source == "handwritten_zh")
    assert set(zh_train) == set(SCENES)
    assert any(e.context for e in test), "the test set has multi-turn rows"
    subs = {e.sub_intent for e in train if e.scene == "support"}
    assert subs == set(SUPPORT_INTENTS)


def test_test_set_is_disjoint_from_training() -> None:
    train_texts = {e.text.lower() for e in read_jsonl(TRAIN_FILE)}
    leaked = [e.text for e in read_jsonl(TEST_FILE) if not e.context and e.text.lower() in train_texts]
    assert leaked == []
    held_out = {e.text for e in handwritten_test()}
    assert not held_out & {e.text for e in expand_templates()}


def test_template_expansion_is_deterministic() -> None:
    assert expand_templates() == expand_templates()


def test_label_mappings() -> None:
    assert len(BITEXT_INTENTS) == 27
    assert bitext_label("contact_human_agent") == ("handoff", None)
    assert bitext_label("track_order") == ("support", "track_order")
    assert clinc_label("order_status") == ("support", "track_order")
    assert clinc_label("greeting") == ("chitchat", None)
    assert clinc_label("book_flight") == ("out_of_scope", None)
    assert clinc_label("shopping_list") is None


@pytest.mark.slow
def test_build_from_shared_data_matches_shipped_files(shared_data: Path) -> None:
    from evaluation.datasets.scenes import build

    train, test = build(shared_data)
    assert [e.text for e in train] == [e.text for e in read_jsonl(TRAIN_FILE)]
    assert [e.text for e in test] == [e.text for e in read_jsonl(TEST_FILE)]
