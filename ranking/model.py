"""The shipped ranker file: two LightGBM boosters plus version and training metadata.

One gzip'd JSON document (`ranking/models/ranker.json.gz`): the LambdaMART
ranker orders candidates, the regressor predicts the 1..3 relevance grade (used
for the RMSE benchmark and as a calibrated "how relevant" number). Loading
checks the format and the feature list so a stale or corrupt file fails with a
message naming `shopassist train ranker` instead of a LightGBM stack trace.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from ranking.errors import ModelFileError
from ranking.features import RELEVANCE_FEATURES

FORMAT = "shopassist-ranker/1"


def default_model_path() -> Path:
    return Path(str(resources.files("ranking") / "models" / "ranker.json.gz"))


@dataclass
class RankerModel:
    ranker: lgb.Booster
    regressor: lgb.Booster
    version: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def rank_scores(self, X: np.ndarray) -> np.ndarray:
        """Relevance order score in units of its dev-set standard deviation (so blend weights are
        comparable across retrains): the ranker, the regressor or their sum, as chosen on dev."""
        meta = self.metadata
        order_by = str(meta.get("order_by", "ranker"))
        out = np.zeros(len(X), dtype=np.float64)
        if order_by in ("ranker", "mix"):
            out += np.asarray(self.ranker.predict(X, num_threads=1)) / float(meta.get("ranker_std", 1.0) or 1.0)
        if order_by in ("regressor", "mix"):
            out += self.relevance(X) / float(meta.get("regressor_std", 1.0) or 1.0)
        return (out / float(meta.get("order_std", 1.0) or 1.0)).astype(np.float32)

    def relevance(self, X: np.ndarray) -> np.ndarray:
        """Predicted 1..3 relevance grade."""
        return np.clip(np.asarray(self.regressor.predict(X, num_threads=1), dtype=np.float32), 1.0, 3.0)

    def save(self, path: Path) -> None:
        doc = {
            "format": FORMAT,
            "version": self.version,
            "features": list(RELEVANCE_FEATURES),
            "metadata": self.metadata,
            "ranker": self.ranker.model_to_string(),
            "regressor": self.regressor.model_to_string(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=9) as fh:
            json.dump(doc, fh)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | None = None) -> RankerModel:
        source = path or default_model_path()
        if not source.is_file():
            raise ModelFileError(source, "is missing")
        try:
            with gzip.open(source, "rt", encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, EOFError, ValueError) as exc:
            raise ModelFileError(source, f"is unreadable ({type(exc).__name__})") from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ModelFileError(source, "has an unknown format")
        if doc.get("features") != list(RELEVANCE_FEATURES):
            raise ModelFileError(source, "was trained on a different feature set")
        try:
            ranker = lgb.Booster(model_str=doc["ranker"])
            regressor = lgb.Booster(model_str=doc["regressor"])
        except (KeyError, lgb.basic.LightGBMError, TypeError) as exc:
            raise ModelFileError(source, "holds a corrupt LightGBM model") from exc
        return cls(ranker, regressor, str(doc.get("version", "unknown")), dict(doc.get("metadata", {})))


@lru_cache(maxsize=4)
def load_default(path: str | None = None) -> RankerModel:
    """The shipped model, loaded once per process."""
    return RankerModel.load(Path(path) if path else None)
