"""Where the trained model lives, building it when missing, and the shared default detector.

Lookup order: the model cached in the data dir (written by `shopassist train
scene`), then the one shipped inside the package (`scene/models/`); if neither fits the embedder, the model is trained
from the shipped training set (progress bar) and cached in the data dir.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from retrieval.embedding import Embedder, default_embedder
from retrieval.filters import Vocabulary
from scene.dataset import TRAIN_FILE, examples_digest, read_jsonl
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


def _tqdm_progress(show: bool) -> Callable[[str, int], None] | None:
    """A (stage, percent) callback drawing one tqdm bar per stage."""
    if not show:
        return None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(stage: str, pct: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=100, desc=f"scene model: {stage}", unit="%", file=sys.stderr, leave=True)
        bar.update(max(0, pct - bar.n))
        if pct >= 100:
            bar.close()

    return progress


def build_model(
    out: Path,
    embedder: Embedder | None = None,
    train_file: Path = TRAIN_FILE,
    cache_dir: Path | None = None,
    show_progress: bool = True,
) -> SceneModel:
    """Train on `train_file` and save to `out`."""
    from scene.train import train  # sklearn is only needed here

    examples = list(read_jsonl(train_file))
    model = train(examples, embedder or default_embedder(), cache_dir=cache_dir, progress=_tqdm_progress(show_progress))
    model.save(out)
    return model


def _usable(path: Path, embedder: Embedder) -> SceneModel | None:
    if not path.exists():
        return None
    try:
        model = SceneModel.load(path)
    except ModelError:
        return None
    return model if model.embedder_name == embedder.name else None


def load_or_build(embedder: Embedder | None = None, data_dir: Path | None = None,
                  show_progress: bool = True) -> SceneModel:
    """The cached model if it was trained on the current training set, else the packaged one,
    else any usable cached one, else a freshly trained and cached one."""
    embedder = embedder or default_embedder()
    cached = _usable(cached_model_path(data_dir), embedder)
    if (
        cached is not None
        and TRAIN_FILE.exists()
        and cached.meta.get("train_sha1") == examples_digest(list(read_jsonl(TRAIN_FILE)))
    ):
        return cached
    packaged = _usable(PACKAGED_MODEL, embedder)
    if packaged is not None:
        return packaged
    if cached is not None:
        return cached
    return build_model(cached_model_path(data_dir), embedder, show_progress=show_progress)


def make_detector(
    data_dir: Path | None = None,
    embedder: Embedder | None = None,
    vocab: Vocabulary | None = None,
    store_currency: str = "",
    fx_to_store: Mapping[str, float] | None = None,
    show_progress: bool = True,
) -> SceneDetector:
    """A detector for one store: its catalog vocabulary (brands, categories) and currency.

    The assistant calls this with values from its settings, e.g.
    `make_detector(settings.data_dir, vocab=Vocabulary.from_products(catalog),
    store_currency=settings.store_currency, fx_to_store=settings.retrieval.fx_to_store)`.
    """
    embedder = embedder or default_embedder()
    model = load_or_build(embedder, data_dir, show_progress=show_progress)
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
