"""The trained scene model: plain arrays, saved as a gzipped .npz (no pickle).

Three linear heads share one feature vector [MiniLM embedding | extras | n-gram
TF-IDF]: the scene classifier, the support sub-intent classifier and a binary
in-scope vs out-of-scope classifier. An out-of-scope gate (a tiny logistic
regression) combines the binary head, the scene head's out-of-scope
probability, the cosine to the nearest in-scope centroid and the share of known
n-grams, so out-of-scope detection does not rest on the top score alone.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.errors import UserError
from scene.features import NgramVectorizer, dense_extras, normalize

FORMAT_VERSION = 2


class ModelError(UserError, RuntimeError):
    """The model file is missing, corrupt or was built for another embedder."""


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


@dataclass
class LinearHead:
    """Weights over the dense part (embedding + extras) and the sparse n-gram part."""

    classes: list[str]
    w_dense: np.ndarray  # (k, d_dense)
    w_sparse: np.ndarray  # (k, vocab)
    bias: np.ndarray  # (k,)

    def logits(self, dense: np.ndarray, idx: np.ndarray, vals: np.ndarray) -> np.ndarray:
        out = self.w_dense.astype(np.float32) @ dense + self.bias
        if len(idx):
            out = out + self.w_sparse[:, idx].astype(np.float32) @ vals
        return out


@dataclass
class Prediction:
    """Raw model outputs for one message."""

    scene_probs: dict[str, float]
    sub_intent: str | None
    sub_confidence: float
    oos_score: float  # gate probability that the message is out of scope
    is_oos: bool
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class SceneModel:
    embedder_name: str
    vectorizer: NgramVectorizer
    tfidf_weight: float
    scene: LinearHead
    sub: LinearHead
    binary: LinearHead  # classes ["0", "1"]; "1" is out of scope
    centroids: np.ndarray  # (m, emb_dim) unit vectors of in-scope clusters
    gate_w: np.ndarray  # weights over gate_features
    gate_b: float
    gate_threshold: float
    meta: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------- inference
    def gate_features(self, p_oos_scene: float, p_oos_binary: float, centroid_sim: float,
                      coverage: float, cjk: float) -> np.ndarray:
        return np.array([p_oos_scene, p_oos_binary, centroid_sim, coverage, cjk], dtype=np.float64)

    def predict(self, text: str, embedding: np.ndarray) -> Prediction:
        text = normalize(text)
        extras = dense_extras([text])[0]
        dense = np.concatenate([embedding.astype(np.float32), extras])
        idx, vals, coverage = self.vectorizer.row(text)
        vals = vals * self.tfidf_weight
        scene_p = softmax(self.scene.logits(dense, idx, vals))
        sub_p = softmax(self.sub.logits(dense, idx, vals))
        p_bin = float(softmax(self.binary.logits(dense, idx, vals))[-1])  # classes ["0", "1"]: 1 = out of scope
        sim = float(np.max(self.centroids @ embedding)) if len(self.centroids) else 0.0
        p_oos_scene = float(scene_p[self.scene.classes.index("out_of_scope")])
        gf = self.gate_features(p_oos_scene, p_bin, sim, coverage, float(extras[0]))
        score = float(sigmoid(gf @ self.gate_w + self.gate_b))
        j = int(np.argmax(sub_p))
        return Prediction(
            scene_probs={c: float(p) for c, p in zip(self.scene.classes, scene_p, strict=True)},
            sub_intent=self.sub.classes[j],
            sub_confidence=float(sub_p[j]),
            oos_score=score,
            is_oos=score >= self.gate_threshold,
            features={"p_oos_scene": p_oos_scene, "p_oos_binary": p_bin, "centroid_sim": sim, "coverage": coverage},
        )

    # ------------------------------------------------------------- persistence
    def save(self, path: Path) -> Path:
        arrays: dict[str, np.ndarray] = {
            "version": np.array(FORMAT_VERSION),
            "embedder_name": np.array(self.embedder_name),
            "vocab": np.array(sorted(self.vectorizer.vocab, key=self.vectorizer.vocab.__getitem__)),
            "idf": self.vectorizer.idf.astype(np.float32),
            "tfidf_weight": np.array(self.tfidf_weight),
            "centroids": self.centroids.astype(np.float16),
            "gate_w": self.gate_w,
            "gate_b": np.array(self.gate_b),
            "gate_threshold": np.array(self.gate_threshold),
            "meta_keys": np.array(list(self.meta) or [""]),
            "meta_values": np.array(list(self.meta.values()) or [""]),
        }
        for name, head in (("scene", self.scene), ("sub", self.sub), ("binary", self.binary)):
            arrays[f"{name}_classes"] = np.array(head.classes)
            arrays[f"{name}_w_dense"] = head.w_dense.astype(np.float16)
            arrays[f"{name}_w_sparse"] = head.w_sparse.astype(np.float16)
            arrays[f"{name}_bias"] = head.bias.astype(np.float32)
        buf = io.BytesIO()
        np.savez(buf, **arrays)  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with gzip.open(tmp, "wb", compresslevel=6) as fh:
            fh.write(buf.getvalue())
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: Path) -> SceneModel:
        try:
            with gzip.open(path, "rb") as fh:
                raw = fh.read()
            z = np.load(io.BytesIO(raw), allow_pickle=False)
            if int(z["version"]) != FORMAT_VERSION:
                raise ModelError(f"{path} has model format {int(z['version'])}, expected {FORMAT_VERSION}")
            vocab = {str(g): i for i, g in enumerate(z["vocab"])}
            heads = {
                name: LinearHead(
                    classes=[str(c) for c in z[f"{name}_classes"]],
                    w_dense=z[f"{name}_w_dense"].astype(np.float32),
                    w_sparse=z[f"{name}_w_sparse"],
                    bias=z[f"{name}_bias"],
                )
                for name in ("scene", "sub", "binary")
            }
            meta = {str(k): str(v) for k, v in zip(z["meta_keys"], z["meta_values"], strict=True) if str(k)}
            return cls(
                embedder_name=str(z["embedder_name"]),
                vectorizer=NgramVectorizer(vocab, z["idf"].astype(np.float32)),
                tfidf_weight=float(z["tfidf_weight"]),
                scene=heads["scene"],
                sub=heads["sub"],
                binary=heads["binary"],
                centroids=z["centroids"].astype(np.float32),
                gate_w=z["gate_w"].astype(np.float64),
                gate_b=float(z["gate_b"]),
                gate_threshold=float(z["gate_threshold"]),
                meta=meta,
            )
        except ModelError:
            raise
        except (OSError, KeyError, ValueError, EOFError) as exc:
            raise ModelError(f"Cannot read the scene model {path}: {exc} (rebuild: shopassist train scene)") from exc
