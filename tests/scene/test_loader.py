"""The product only loads a trained scene model; it never trains one."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.embedding import HashingEmbedder
from retrieval.errors import UserError
from scene.loader import load_model
from scene.model import ModelError


def test_no_model_for_the_embedder_names_the_training_command(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="run `shopassist train scene`") as info:
        load_model(HashingEmbedder(), tmp_path)  # the shipped model is MiniLM's
    assert isinstance(info.value, UserError)
