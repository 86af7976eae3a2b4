"""The keyword scene model for CLI tests that must not load the real one."""

from __future__ import annotations

import pytest

from retrieval.embedding import HashingEmbedder
from scene.detector import SceneDetector
from tests.scene.conftest import KeywordModel


@pytest.fixture
def fake_detector() -> SceneDetector:
    return SceneDetector(KeywordModel(), HashingEmbedder())  # type: ignore[arg-type]
