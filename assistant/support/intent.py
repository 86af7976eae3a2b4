"""Support sub-intent classifier: TF-IDF over word 1-2 grams and a linear model.

Trained by `shopassist train support-intents` (evaluation.training.support_intents) on
the Bitext intent set with scikit-learn; the weights ship as a small `.npz` and predict
with numpy alone, so serving needs neither scikit-learn nor a pickle that breaks across
versions.
This is the fallback when the scene detector gives no support sub-intent.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.errors import UserError

MODEL_PATH = Path(__file__).parent / "models" / "support_intents.npz"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


class IntentModelMissing(UserError, RuntimeError):
    """The shipped intent weights are missing: run `shopassist train support-intents`."""


@dataclass(frozen=True)
class IntentPrediction:
    intent: str
    confidence: float


def word_features(text: str) -> list[str]:
    toks = _TOKEN.findall(text.lower())
    return toks + [f"{a} {b}" for a, b in itertools.pairwise(toks)]


class SupportIntentClassifier:
    def __init__(self, path: Path = MODEL_PATH) -> None:
        self.path = path
        self._loaded = False
        self._lock = threading.Lock()

    def _load(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            if not self.path.is_file():
                raise IntentModelMissing(f"No intent model at {self.path}: run `shopassist train support-intents`")
            data = np.load(self.path, allow_pickle=False)
            self.labels = [str(x) for x in data["labels"]]
            self.vocab = {str(t): i for i, t in enumerate(data["vocab"])}
            self.idf = data["idf"].astype(np.float32)
            self.coef = data["coef"].astype(np.float32)
            self.intercept = data["intercept"].astype(np.float32)
            self._loaded = True

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(len(self.vocab), dtype=np.float32)
        for tok in word_features(text):
            j = self.vocab.get(tok)
            if j is not None:
                vec[j] += 1.0
        nz = vec > 0
        vec[nz] = (1.0 + np.log(vec[nz])) * self.idf[nz]  # sublinear tf * idf
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def predict(self, text: str) -> IntentPrediction:
        self._load()
        scores = self.coef @ self._vector(text) + self.intercept
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        k = int(probs.argmax())
        return IntentPrediction(self.labels[k], float(probs[k]))
