"""A small cross-encoder that re-reads query and title together for the head of the ranked list.

The LightGBM features see words, stems and one cosine between separately embedded
texts; a cross-encoder attends across the query and the title, so it can tell that
"18v drill battery" is not a drill. Ours is the first `LAYERS` transformer layers
of the bundled all-MiniLM-L6-v2, trained to predict the Home Depot 1..3 grade of a
(query, title) pair, distilled from a 6-layer teacher (`evaluation.training.cross_encoder`,
`shopassist train cross-encoder`).

Cost decides its shape: a 6-layer cross-encoder needs ~0.5 s for 100 pairs on 2
cores, far over the 20 ms ranking budget. Two layers on an int8 ONNX graph score the
`TOP_K` = 10 best candidates in ~8 ms. Its score is added to the relevance score of
those ten with a weight chosen on the dev queries (`rescore_head`).

Shipping: only the fine-tuned layers and the head are stored (fp16,
`ranking/models/cross_encoder.npz`). The token embeddings were frozen in training and
come from the bundled MiniLM package. The graph is exported to ONNX once per weights
file, quantized to int8, checked against the exact scores on probe pairs, and cached
next to the embedder's graph. If ONNX Runtime fails, scoring falls back to torch:
the same numbers, but ~4x slower (over the latency budget), and a warning is logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ranking.errors import ModelFileError

log = logging.getLogger(__name__)

FORMAT = "shopassist-cross-encoder/1"
LAYERS = 2  # the served model; its teacher in training has all 6 of MiniLM's
TEACHER_LAYERS = 6
MAX_LENGTH = 48  # query + title word pieces; longer titles are cut at the end
TOP_K = 10
GRADE_OFFSET = 2.38  # mean Home Depot grade: the head starts from it, so training starts centred
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
COMMAND = "shopassist train cross-encoder"
WHAT = "cross-encoder model"
PROBE_PAIRS = (
    ("cordless drill", "DEWALT 20-Volt MAX Lithium-Ion Cordless 1/2 in. Drill/Driver Kit"),
    ("cordless drill", "BEHR Premium 1-gal. Deck Stain"),
    ("white vanity 36", "Glacier Bay 36 in. Vanity in White with Cultured Marble Top"),
    ("outdoor led lights", "Hampton Bay 4-Light Black Outdoor LED Wall Lantern"),
)
MAX_INT8_ERROR = 0.15  # largest |int8 - exact| grade on the probe pairs (measured ~0.03)


def default_path() -> Path:
    return Path(str(resources.files("ranking") / "models" / "cross_encoder.npz"))


def is_english(query: str) -> bool:
    """The model only learned English queries: others keep the feature order."""
    letters = [ch for ch in query if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin >= 0.9 * len(letters)


@dataclass
class CrossEncoderFile:
    """The shipped weights: fine-tuned layer/head tensors (fp16) plus JSON metadata."""

    weights: dict[str, np.ndarray]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "unknown"))

    @property
    def layers(self) -> int:
        return int(self.metadata["layers"])

    def fingerprint(self) -> str:
        """Hash of the weights only (the metadata's blend weights may be retuned without re-export)."""
        h = hashlib.sha1()
        for name in sorted(self.weights):
            h.update(name.encode())
            h.update(np.ascontiguousarray(self.weights[name]).tobytes())
        return h.hexdigest()[:16]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        meta = {"format": FORMAT, **self.metadata}
        arrays = {f"w/{k}": v.astype(np.float16) for k, v in self.weights.items()}
        np.savez_compressed(tmp, __meta__=np.array(json.dumps(meta)), **arrays)  # type: ignore[arg-type]
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | None = None) -> CrossEncoderFile:
        source = path or default_path()
        if not source.is_file():
            raise ModelFileError(source, "is missing", WHAT, COMMAND)
        try:
            with np.load(source, allow_pickle=False) as npz:
                meta = json.loads(str(npz["__meta__"]))
                weights = {k[2:]: npz[k].astype(np.float32) for k in npz.files if k.startswith("w/")}
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise ModelFileError(source, f"is unreadable ({type(exc).__name__})", WHAT, COMMAND) from exc
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ModelFileError(source, "has an unknown format", WHAT, COMMAND)
        if not 1 <= int(meta.get("layers", -1)) <= TEACHER_LAYERS or not weights:
            raise ModelFileError(source, "does not hold MiniLM cross-encoder layers", WHAT, COMMAND)
        meta.pop("format")
        return cls(weights, meta)


def build_torch_model(layers: int = LAYERS, weights: dict[str, np.ndarray] | None = None) -> Any:
    """The network in torch: MiniLM's embeddings and first `layers` layers, mean pooling, a linear head.

    Without `weights` the layers start from MiniLM (training); with them, the fine-tuned tensors are
    loaded on top (everything but the embeddings, which stay MiniLM's)."""
    import torch
    from transformers import BertConfig, BertModel
    from transformers.utils import logging as hf_logging

    from retrieval.embedding import minilm_model_path

    path = minilm_model_path()
    config = BertConfig.from_pretrained(path)
    config.num_hidden_layers = layers
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # "unused weights of layers 2-5" is the point, not a problem
    try:
        bert = BertModel.from_pretrained(path, config=config, add_pooling_layer=False)
    finally:
        hf_logging.set_verbosity(verbosity)

    class CrossEncoderNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.head = torch.nn.Linear(config.hidden_size, 1)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.head(pooled).squeeze(-1) + GRADE_OFFSET

    net = CrossEncoderNet()
    for p in net.bert.embeddings.parameters():
        p.requires_grad_(False)
    if weights is not None:
        state = net.state_dict()
        missing = [k for k in trainable_names(net) if k not in weights]
        unknown = [k for k in weights if k not in state]
        if missing or unknown:
            raise ValueError(f"weights do not fit the network (missing {missing[:3]}, unknown {unknown[:3]})")
        net.load_state_dict({k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in weights.items()},
                            strict=False)
    return net.eval()


def trainable_names(net: Any) -> list[str]:
    return [name for name, p in net.named_parameters() if p.requires_grad]


def tokenizer() -> Any:
    from transformers import AutoTokenizer

    from retrieval.embedding import minilm_model_path

    return AutoTokenizer.from_pretrained(minilm_model_path())


def encode_pairs(tok: Any, query: str | Sequence[str], titles: Sequence[str], tensors: str) -> dict[str, Any]:
    queries = [query] * len(titles) if isinstance(query, str) else list(query)
    return dict(tok(queries, list(titles), padding=True, truncation="only_second", max_length=MAX_LENGTH,
                    return_tensors=tensors))


def rescore_head(base: np.ndarray, head: np.ndarray, grades: np.ndarray, mean: float, std: float,
                 weight: float) -> np.ndarray:
    """`base` plus `weight` x the standardized cross-encoder grade on the `head` rows.

    The rows outside the head were not read; they get the head's lowest standardized grade, so
    none of them overtakes a head row that was ahead of it before."""
    z = (np.asarray(grades, dtype=np.float64) - mean) / (std or 1.0)
    out = np.asarray(base, dtype=np.float64) + weight * (float(z.min()) if len(z) else 0.0)
    out[head] = np.asarray(base, dtype=np.float64)[head] + weight * z
    return out.astype(np.float32)


class CrossEncoder:
    """Scores (query, title) pairs with the shipped weights. Thread-safe; the graph loads on first use."""

    def __init__(self, path: Path | None = None, cache_dir: Path | None = None, threads: int | None = None,
                 use_onnx: bool = True) -> None:
        self.file = CrossEncoderFile.load(path)
        meta = self.file.metadata
        self.top_k = int(meta.get("top_k", TOP_K))
        self.weight = float(meta.get("blend_weight", 0.0))
        self.grade_weight = float(meta.get("grade_weight", 0.0))
        self.mean = float(meta.get("score_mean", GRADE_OFFSET))
        self.std = float(meta.get("score_std", 1.0)) or 1.0
        self._cache_dir = cache_dir
        self._threads = threads or min(2, os.cpu_count() or 1)
        self._use_onnx = use_onnx
        self._lock = threading.Lock()
        self._tok: Any = None
        self._session: Any = None
        self._torch: Any = None

    @property
    def version(self) -> str:
        return self.file.version

    @property
    def backend(self) -> str:
        self._ensure_loaded()
        return "onnx-int8" if self._session is not None else "torch"

    def warm_up(self) -> None:
        self._ensure_loaded()

    def score(self, query: str, titles: Sequence[str]) -> np.ndarray:
        """Predicted 1..3 grade (unclipped) of each title for the query."""
        return self.score_batch([query] * len(titles), titles)

    def score_batch(self, queries: Sequence[str], titles: Sequence[str]) -> np.ndarray:
        """Predicted grade of each (query, title) pair."""
        if not titles:
            return np.zeros(0, dtype=np.float32)
        self._ensure_loaded()
        if self._session is not None:
            feeds = encode_pairs(self._tok, queries, titles, "np")
            return np.asarray(
                self._session.run(None, {k: np.asarray(feeds[k], dtype=np.int64) for k in INPUTS})[0],
                dtype=np.float32)
        return self._score_torch(queries, titles)

    def rescore(self, base: np.ndarray, head: np.ndarray, grades: np.ndarray) -> np.ndarray:
        return rescore_head(base, head, grades, self.mean, self.std, self.weight)

    def blend_grade(self, regressor_grade: np.ndarray, grades: np.ndarray) -> np.ndarray:
        """The 1..3 relevance grade of head rows: the regressor's, moved toward the cross-encoder's."""
        a = self.grade_weight
        return ((1 - a) * regressor_grade + a * np.clip(grades, 1.0, 3.0)).astype(np.float32)

    # ------------------------------------------------------------------ loading

    def _score_torch(self, queries: Sequence[str], titles: Sequence[str]) -> np.ndarray:
        import torch

        from retrieval.embedding import single_torch_thread

        self._ensure_loaded()
        feeds = encode_pairs(self._tok, queries, titles, "pt")
        with single_torch_thread(), torch.inference_mode():
            return np.asarray(self._torch(*(feeds[k] for k in INPUTS)).numpy(), dtype=np.float32)

    def _ensure_loaded(self) -> None:
        if self._tok is not None:
            return
        with self._lock:
            if self._tok is not None:
                return
            tok = tokenizer()
            self._torch = build_torch_model(self.file.layers, self.file.weights)
            if self._use_onnx:
                self._session = self._onnx_session(tok)
            self._tok = tok

    def _onnx_session(self, tok: Any) -> Any:
        """The int8 graph, exported and quantized once per weights file; None keeps torch."""
        from retrieval.onnx_encoder import default_cache_dir, export_module, ort_session, quantize

        try:
            import onnx  # noqa: F401
            import onnxruntime
            import torch
        except ImportError as exc:
            log.warning("cross-encoder runs on torch: %s is not installed", exc.name)
            return None
        cache = self._cache_dir or default_cache_dir()
        key = hashlib.sha1(f"{self.file.fingerprint()}|{torch.__version__}|{onnxruntime.__version__}".encode())
        exact = cache / f"cross-encoder-{key.hexdigest()[:16]}.onnx"
        int8 = exact.with_name(exact.stem + "-int8.onnx")
        try:
            if not int8.exists():
                if not exact.exists():
                    sample = encode_pairs(tok, ["a query", "another query"], ["a title", "a longer title"], "pt")
                    export_module(self._torch, tuple(sample[k] for k in INPUTS), exact, "grade", per_token=False)
                quantize(exact, int8)
            session = ort_session(int8, self._threads)
        except Exception as exc:  # any export or runtime failure leaves us on torch
            int8.unlink(missing_ok=True)
            exact.unlink(missing_ok=True)
            log.warning("cross-encoder ONNX graph unavailable (%s: %s); scoring on torch", type(exc).__name__, exc)
            return None
        queries = [q for q, _ in PROBE_PAIRS]
        titles = [t for _, t in PROBE_PAIRS]
        feeds = encode_pairs(tok, queries, titles, "pt")
        with torch.inference_mode():
            want = self._torch(*(feeds[k] for k in INPUTS)).numpy()
        np_feeds = {k: feeds[k].numpy().astype(np.int64) for k in INPUTS}
        got = session.run(None, np_feeds)[0]
        error = float(np.max(np.abs(got - want)))
        if error > MAX_INT8_ERROR:
            int8.unlink(missing_ok=True)
            log.warning("int8 cross-encoder off by %.3f grade on probe pairs; scoring on torch", error)
            return None
        return session


_default: dict[str, CrossEncoder] = {}
_default_lock = threading.Lock()


def load_default(path: Path | None = None, threads: int | None = None) -> CrossEncoder:
    """The shipped cross-encoder, loaded once per process (the graph itself loads on first use)."""
    key = f"{path or default_path()}|{threads}"
    with _default_lock:
        if key not in _default:
            _default[key] = CrossEncoder(path, threads=threads)
        return _default[key]
