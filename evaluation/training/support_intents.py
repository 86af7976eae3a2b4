"""Train the shipped support sub-intent classifier (`shopassist train support-intents`).

TF-IDF over word 1-2 grams (the classifier's own `word_features`) and a logistic regression
with scikit-learn, exported as float16 arrays that assistant.support.intent predicts with numpy
alone. Trained on every Bitext intents row plus the QA questions outside the held-out fifth
(evaluation.datasets.bitext.is_heldout), which `bench support` scores.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.support.intent import MODEL_PATH, word_features
from assistant.support.routing import normalize_intent
from evaluation.datasets.bitext import is_heldout, read_intents, read_qa
from evaluation.paths import shared_data_dir


def train_intent_model(
    texts: Sequence[str], labels: Sequence[str], out: Path = MODEL_PATH, max_features: int = 12000
) -> dict[str, float]:
    """Fit TF-IDF + logistic regression and export the weights as float16 arrays."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    labels = [normalize_intent(x) for x in labels]
    vec = TfidfVectorizer(analyzer=word_features, sublinear_tf=True, min_df=2, max_features=max_features)
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


def train_from_bitext(data_dir: Path | None = None, out: Path = MODEL_PATH) -> dict[str, float]:
    """Train on all Bitext intent utterances plus the non-held-out Bitext QA questions."""
    support = (data_dir or shared_data_dir()) / "support"
    rows = read_intents(support / "bitext_intents.csv")
    rows += [(text, intent) for text, intent in read_qa(support / "bitext_support_qa.csv") if not is_heldout(text)]
    texts, labels = [t for t, _ in rows], [label for _, label in rows]
    texts, labels = augment(texts, labels)
    stats = train_intent_model(texts, labels, out)
    stats["examples"] = float(len(texts))
    return stats
