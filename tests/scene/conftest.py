"""Fakes for the scene tests: a keyword model standing in for the trained one."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.embedding import HashingEmbedder
from scene.detector import SceneDetector
from scene.model import Prediction
from scene.taxonomy import SCENES

KEYWORDS = {
    "compare": "compare",
    "cart": "cart",
    "waterproof": "product_qa",
    "多少钱": "product_qa",
    "shoes": "search",
    "鞋": "search",
    "cheaper": "search",
    "refund": "support",
    "human": "handoff",
    "hello": "chitchat",
    "weather": "out_of_scope",
}


class KeywordModel:
    """Deterministic stand-in for SceneModel: the first keyword found decides, else out_of_scope."""

    embedder_name = HashingEmbedder().name

    def predict(self, text: str, embedding: np.ndarray) -> Prediction:
        scene = next((s for k, s in KEYWORDS.items() if k in text.lower()), "out_of_scope")
        probs = {s: 0.02 for s in SCENES}
        probs[scene] = 1.0 - 0.02 * (len(SCENES) - 1)
        if scene == "out_of_scope":  # let context rules pick product scenes by a small margin
            probs["product_qa"] = 0.05
        oos = scene == "out_of_scope"
        return Prediction(probs, "get_refund", 0.9, 0.95 if oos else 0.05, oos)


@pytest.fixture
def fake_detector() -> SceneDetector:
    return SceneDetector(KeywordModel(), HashingEmbedder())  # type: ignore[arg-type]
