"""Where the trained scene model lives, and the shared default detector.

Lookup order: the model in the data dir (written there by `shopassist train scene`), then the
one shipped inside the package (`scene/models/`); each only if it was built for the embedder in
use. The product never trains a model: when neither fits, `ModelError` says to run
`shopassist train scene` (training and its data sets live in evaluation/).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path

from retrieval.embedding import Embedder, default_embedder
from retrieval.filters import Vocabulary
from scene.detector import SceneDetector, SceneResult
from scene.model import ModelError, SceneModel
from scene.state import DialogueState

MODEL_NAME = "scene_model.npz.gz"
PACKAGED_MODEL = Path(__file__).resolve().parent / "models" / MODEL_NAME


def default_data_dir() -> Path:
    """Same rule as assistant.settings (scene may not import upward): `$XDG_DATA_HOME/shopassist`."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "shopassist"


def cached_model_path(data_dir: Path | None = None) -> Path:
    return (data_dir or default_data_dir()) / "scene" / MODEL_NAME


def _usable(path: Path, embedder: Embedder) -> SceneModel | None:
    if not path.exists():
        return None
    try:
        model = SceneModel.load(path)
    except ModelError:
        return None
    return model if model.embedder_name == embedder.name else None


def load_model(embedder: Embedder | None = None, data_dir: Path | None = None) -> SceneModel:
    """The data dir's model (an operator's `shopassist train scene`), else the shipped one."""
    embedder = embedder or default_embedder()
    cached = cached_model_path(data_dir)
    for path in (cached, PACKAGED_MODEL):
        model = _usable(path, embedder)
        if model is not None:
            return model
    raise ModelError(f"no scene model for the embedder {embedder.name!r} at {cached} or {PACKAGED_MODEL}: "
                     "run `shopassist train scene`")


def make_detector(
    data_dir: Path | None = None,
    embedder: Embedder | None = None,
    vocab: Vocabulary | None = None,
    store_currency: str = "",
    fx_to_store: Mapping[str, float] | None = None,
) -> SceneDetector:
    """A detector for one store: its catalog vocabulary (brands, categories) and currency.

    The assistant calls this with values from its settings, e.g.
    `make_detector(settings.data_dir, vocab=Vocabulary.from_products(catalog),
    store_currency=settings.store_currency, fx_to_store=settings.retrieval.fx_to_store)`.
    """
    embedder = embedder or default_embedder()
    model = load_model(embedder, data_dir)
    return SceneDetector(model, embedder, vocab=vocab, store_currency=store_currency, fx_to_store=fx_to_store)


_default: SceneDetector | None = None
_lock = threading.Lock()


def default_detector(data_dir: Path | None = None) -> SceneDetector:
    """One shared detector per process on the default MiniLM embedder, loaded on first use."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = make_detector(data_dir)
    return _default


def detect(message: str, state: DialogueState | None = None) -> SceneResult:
    """Scene of `message` given the dialogue `state`, using the shared default detector."""
    return default_detector().detect(message, state)
