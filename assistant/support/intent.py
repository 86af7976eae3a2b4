"""Support sub-intent classifier: TF-IDF over word 1-2 grams and a linear model.

Trained by `shopassist train support-intents` on the Bitext intent set with
scikit-learn; the weights ship as a small `.npz` and predict with numpy alone, so
serving needs neither scikit-learn nor a pickle that breaks across versions.
This is the fallback when the scene detector gives no support sub-intent.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.support.routing import normalize_intent
from retrieval.errors import UserError

MODEL_PATH = Path(__file__).parent / "models" / "support_intents.npz"
# `../shared/data` beside the project checkout (where CI and developers keep the public data)
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


class IntentModelMissing(UserError, RuntimeError):
    """The shipped intent weights are missing: run `shopassist train support-intents`."""


@dataclass(frozen=True)
class IntentPrediction:
    intent: str
    confidence: float


def _word_features(text: str) -> list[str]:
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
        for tok in _word_features(text):
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


def train_intent_model(
    texts: Sequence[str], labels: Sequence[str], out: Path = MODEL_PATH, max_features: int = 12000
) -> dict[str, float]:
    """Fit TF-IDF + logistic regression and export the weights as float16 arrays."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    labels = [normalize_intent(x) for x in labels]
    vec = TfidfVectorizer(analyzer=_word_features, sublinear_tf=True, min_df=2, max_features=max_features)
    x = vec.fit_transform(texts)
    clf = LogisticRegression(C=20.0, max_iter=2000, class_weight="balanced")
    clf.fit(x, labels)
    vocab = np.array([str(t) for t in vec.get_feature_names_out()], dtype=str)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        labels=np.array([str(c) for c in clf.classes_], dtype=str),
        vocab=vocab,
        idf=vec.idf_.astype(np.float16),
        coef=clf.coef_.astype(np.float16),
        intercept=clf.intercept_.astype(np.float32),
    )
    return {"train_accuracy": float(clf.score(x, labels)), "features": float(len(vocab))}


def is_heldout(text: str) -> bool:
    """Deterministic 20% of Bitext QA questions kept out of training for the benchmark."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 5 == 0


_ARTICLE = re.compile(
    r"\b(?:an|a|the|one|some)\s+(order|purchase|account|invoice|refund|package|delivery|payment)\b", re.IGNORECASE
)
_PLACEHOLDER = re.compile(r"\b(order|purchase|invoice|account)\s+(?:\{\{[^}]*\}\}|#?\w*\d\w*)", re.IGNORECASE)


def augment(texts: list[str], labels: list[str]) -> tuple[list[str], list[str]]:
    """Add "my order" variants: Bitext says "an order" or "order {{Order Number}}", shoppers say "my order"."""
    out_t, out_l = list(texts), list(labels)
    for text, label in zip(texts, labels, strict=True):
        variant = _PLACEHOLDER.sub(lambda m: f"my {m.group(1)}", _ARTICLE.sub(lambda m: f"my {m.group(1)}", text))
        if variant != text:
            out_t.append(variant)
            out_l.append(label)
    return out_t, out_l


def train_from_bitext(data_dir: Path = SHARED_DATA, out: Path = MODEL_PATH) -> dict[str, float]:
    """Train on all Bitext intent utterances plus the non-held-out Bitext QA questions."""
    support = data_dir / "support"
    texts: list[str] = []
    labels: list[str] = []
    with (support / "bitext_intents.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["utterance"])
            labels.append(row["intent"])
    with (support / "bitext_support_qa.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not is_heldout(row["instruction"]):
                texts.append(row["instruction"])
                labels.append(row["intent"])
    texts, labels = augment(texts, labels)
    stats = train_intent_model(texts, labels, out)
    stats["examples"] = float(len(texts))
    return stats
