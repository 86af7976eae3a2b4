"""BM25 over title + brand + category + attributes (bm25s, Snowball-stemmed English).

Scores for the whole collection come back as one dense array, so a filter is a
boolean mask and the top-k an `argpartition`: a few milliseconds on 55k products.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import bm25s
import numpy as np
import Stemmer

# bm25s sets its own logger to DEBUG at import, which floods any configured handler.
logging.getLogger("bm25s").setLevel(logging.WARNING)

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = frozenset(
    (
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no",
        "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to",
        "was", "will", "with", "i", "me", "my", "want", "need", "looking", "find", "show", "some", "any",
        "please", "buy", "get",
    )
)
_stemmer = Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    words = [w for w in _TOKEN.findall(text.lower()) if w not in _STOPWORDS]
    return list(_stemmer.stemWords(words))


class BM25Index:
    """An in-memory BM25 index with stable integer positions for ids."""

    def __init__(self, ids: list[str], model: bm25s.BM25, vocabulary: set[str]) -> None:
        self.ids = ids
        self.position = {pid: i for i, pid in enumerate(ids)}
        self._model = model
        self._vocabulary = vocabulary

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> BM25Index:
        if len(ids) != len(texts):
            raise ValueError("ids and texts differ in length")
        corpus = [tokenize(t) or ["__empty__"] for t in texts]
        model = bm25s.BM25(k1=k1, b=b)
        model.index(corpus, show_progress=False)
        vocabulary = {tok for doc in corpus for tok in doc}
        return cls(list(ids), model, vocabulary)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 of every document, in `ids` order (zeros when no query term is known)."""
        tokens = [t for t in tokenize(query) if t in self._vocabulary]
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens), dtype=np.float32)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k (id, score) with score > 0, restricted to `mask` (bool array in `ids` order)."""
        scores = self.scores(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        return top_k(self.ids, scores, k)

    def score(self, query: str, ids: Sequence[str]) -> np.ndarray:
        """BM25 of the given documents (0 for unknown ids)."""
        scores = self.scores(query)
        return np.array([scores[self.position[i]] if i in self.position else 0.0 for i in ids], dtype=np.float32)


def top_k(ids: Sequence[str], scores: np.ndarray, k: int) -> list[tuple[str, float]]:
    """The k highest positive scores, best first."""
    positive = int(np.count_nonzero(scores > 0))
    k = min(k, positive)
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k]
    order = part[np.argsort(-scores[part], kind="stable")]
    return [(ids[i], float(scores[i])) for i in order]
