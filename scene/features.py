"""Text features for the scene classifier: sentence embedding + n-gram TF-IDF.

MiniLM is an English model: Chinese (and typo-heavy English) gets poor
embeddings, so the classifier also sees sparse n-grams (word uni/bigrams for
Latin script, character 1-3 grams over CJK runs). The vectorizer is written
here, not taken from sklearn, so the trained model is a handful of plain
arrays that load without pickle and without a sklearn version match.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise

import numpy as np
from scipy import sparse

MAX_CHARS = 512  # longer messages are truncated before embedding (100 kB input stays fast)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Collapse whitespace and truncate; always returns a str (possibly empty)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text[: MAX_CHARS * 4]
    return _SPACE.sub(" ", text).strip()[:MAX_CHARS]


def cjk_ratio(text: str) -> float:
    """Share of non-space characters that are CJK ideographs."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    cjk = sum(len(m) for m in _CJK.findall(text))
    return cjk / len(chars)


def ngrams(text: str) -> list[str]:
    """Word 1-2 grams of Latin text plus char 1-3 grams of each CJK run."""
    low = text.lower()
    out: list[str] = []
    words = _WORD.findall(low)
    out.extend("w:" + w for w in words)
    out.extend(f"b:{a}_{b}" for a, b in pairwise(words))
    for run in _CJK.findall(low):
        for n in (1, 2, 3):
            out.extend("c:" + run[i : i + n] for i in range(len(run) - n + 1))
    return out


class NgramVectorizer:
    """Sublinear TF-IDF over `ngrams`, L2-normalized rows."""

    def __init__(self, vocab: dict[str, int] | None = None, idf: np.ndarray | None = None) -> None:
        self.vocab: dict[str, int] = vocab or {}
        self.idf: np.ndarray = idf if idf is not None else np.zeros(0, dtype=np.float32)

    @property
    def size(self) -> int:
        return len(self.vocab)

    def fit(self, texts: Iterable[str], min_df: int = 2, max_features: int = 30000) -> NgramVectorizer:
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update(set(ngrams(text)))
        kept = [g for g, c in df.most_common() if c >= min_df][:max_features]
        kept.sort()
        self.vocab = {g: i for i, g in enumerate(kept)}
        self.idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float32)
        return self

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray, float]:
        """(indices, values, coverage) of one text; coverage = share of its n-grams in the vocabulary."""
        grams = ngrams(text)
        if not grams:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), 0.0
        counts = Counter(g for g in grams if g in self.vocab)
        coverage = sum(counts.values()) / len(grams)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), coverage
        idx = np.fromiter((self.vocab[g] for g in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
        vals = tf * self.idf[idx]
        vals /= float(np.linalg.norm(vals)) or 1.0
        return idx, vals, coverage

    def transform(self, texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Sparse TF-IDF matrix and the per-text coverage."""
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        cov = np.zeros(len(texts), dtype=np.float32)
        for i, text in enumerate(texts):
            idx, vals, cov[i] = self.row(text)
            indices.append(idx)
            data.append(vals)
            indptr.append(indptr[-1] + len(idx))
        matrix = sparse.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0, dtype=np.float32),
                np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
                np.array(indptr),
            ),
            shape=(len(texts), self.size),
            dtype=np.float32,
        )
        return matrix, cov


def dense_extras(texts: Sequence[str]) -> np.ndarray:
    """Small hand-made dense features: CJK share, a length signal."""
    out = np.zeros((len(texts), 2), dtype=np.float32)
    for i, t in enumerate(texts):
        out[i, 0] = cjk_ratio(t)
        out[i, 1] = min(len(t), 200) / 200.0
    return out


def stack(emb: np.ndarray, tfidf: sparse.csr_matrix, extras: np.ndarray, tfidf_weight: float) -> sparse.csr_matrix:
    """[embedding | extras | weighted tf-idf] as one sparse matrix for training."""
    return sparse.hstack(
        [sparse.csr_matrix(emb), sparse.csr_matrix(extras), tfidf * tfidf_weight], format="csr", dtype=np.float32
    )
