"""Fixtures of the bench tests: the keyword stand-in for the trained scene model."""

from __future__ import annotations

import pytest

from retrieval.embedding import HashingEmbedder
from scene.detector import SceneDetector
from tests.scene.conftest import KeywordModel


@pytest.fixture
def fake_detector() -> SceneDetector:
    return SceneDetector(KeywordModel(), HashingEmbedder())  # type: ignore[arg-type]
