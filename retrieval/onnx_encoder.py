"""MiniLM through ONNX Runtime: the same vectors as torch, without PyTorch's per-call overhead.

On the 2-core reference machine a one-text query takes ~5 ms here against ~12-17 ms
in eager PyTorch (most of a short forward pass is framework bookkeeping), and
batches for indexing run ~10-20 % faster. The ONNX graph is exported once from
the bundled weights with `torch.onnx` (the `onnx` package), checked against the
torch output on probe texts, and cached on disk keyed by the weights and the
library versions; anything that fails on the way leaves the caller on torch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
PROBES = ("waterproof hiking shoes under 3000", "where is my order SA-100232?", "我想买一双防水的登山鞋",
          "Simpson Strong-Tie 12-Gauge Angle", "a")
MIN_COSINE = 0.9999  # the exported graph must reproduce torch's vectors, not approximate them
MIN_INT8_COSINE = 0.97  # the quantized batch graph approximates them (measured mean 0.992, min 0.983)


class OnnxUnavailable(RuntimeError):
    """ONNX Runtime cannot serve this model here; the caller keeps using torch."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shopassist" / "onnx"


def _fingerprint(model_dir: Path) -> str:
    import onnxruntime
    import torch

    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    key = f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{torch.__version__}|{onnxruntime.__version__}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def export(auto_model: Any, tokenizer: Any, out: Path) -> None:
    """Write `auto_model` (a BERT-style encoder) as ONNX with dynamic batch and sequence axes."""
    import torch

    class Encoder(torch.nn.Module):  # positional inputs in a fixed order for the exporter
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    sample = tokenizer(["a short example", "another one"], return_tensors="pt", padding=True)
    export_module(Encoder(auto_model), tuple(sample[k] for k in INPUTS), out, "hidden", per_token=True)


def export_module(module: Any, sample: tuple[Any, ...], out: Path, output: str, per_token: bool) -> None:
    """Write a torch module taking `INPUTS` positionally as ONNX (batch and sequence axes dynamic;
    the output has a token axis when `per_token`), atomically: a concurrent process sees the old
    file or the whole new one."""
    import torch

    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    axes[output] = {0: "batch", 1: "tokens"} if per_token else {0: "batch"}
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(module.eval(), sample, str(tmp), input_names=list(INPUTS), output_names=[output],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    tmp.replace(out)


def ort_session(graph: Path, threads: int) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    # Idle workers sleep instead of spinning: spinning steals the CPU that the index writer and
    # other shoppers' requests need on a 2-core host (measured: index build 191 -> 218 products/s).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])


class OnnxEncoder:
    """Mean-pooled, L2-normalized sentence vectors from an exported encoder.

    Queries run on one thread (concurrent shoppers' queries run in parallel: ONNX Runtime
    releases the GIL), batches on `threads` (index builds use every core). `encode(...,
    documents=True)` runs catalog documents on an int8 copy of the graph when one was asked
    for (`int8_path`): created on first use, and only if it stays within `MIN_INT8_COSINE`
    of the exact vectors, else documents run on the exact graph too.
    """

    def __init__(self, path: Path, tokenizer: Any, max_length: int, threads: int,
                 int8_path: Path | None = None) -> None:
        self.path = path
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.threads = max(1, threads)
        self._query = ort_session(path, 1)
        self._batch = ort_session(path, self.threads) if self.threads > 1 else self._query
        self._int8_path = int8_path
        self._int8: Any = None
        self._int8_lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch: bool = False, documents: bool = False) -> np.ndarray:
        session = self._documents_session() if documents else (self._batch if batch else self._query)
        return self._run(session, texts)

    def _run(self, session: Any, texts: Sequence[str]) -> np.ndarray:
        enc = self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_length,
                             return_tensors="np")
        feeds = {k: np.asarray(enc[k], dtype=np.int64) for k in INPUTS}
        hidden = session.run(None, feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    @property
    def documents_precision(self) -> str:
        """"int8" once catalog documents run on the quantized graph, else "fp32"."""
        return "int8" if self._int8 not in (None, False) else "fp32"

    def _documents_session(self) -> Any:
        if self._int8_path is None:
            return self._batch
        with self._int8_lock:
            if self._int8 is None:
                self._int8 = self._load_int8() or False  # False: tried, unusable; stay exact
        return self._int8 or self._batch

    def _load_int8(self) -> Any:
        assert self._int8_path is not None
        try:
            with _export_lock:
                if not self._int8_path.exists():
                    quantize(self.path, self._int8_path)
            session = ort_session(self._int8_path, self.threads)
        except Exception as exc:
            self._int8_path.unlink(missing_ok=True)
            log.warning("int8 document encoding unavailable (%s); documents use the exact graph", exc)
            return None
        exact = self._run(self._batch, PROBES)
        got = self._run(session, PROBES)
        cosine = float(np.min(np.sum(got * exact, axis=1)))
        if cosine < MIN_INT8_COSINE:
            log.warning("int8 vectors too far from the exact ones (min cosine %.4f); documents stay exact", cosine)
            return None
        return session


_export_lock = threading.Lock()


def quantize(src: Path, out: Path) -> None:
    """int8 weights (per output channel) for the matrix products, activations quantized on the fly.

    Only for catalog documents: ~2.3x the products/s of fp32 on 2 cores, at cosine ~0.99 to the fp32
    vectors (min ~0.98), which `shopassist bench retrieval` shows costs no measurable nDCG; queries,
    the scene model and everything per-turn stay on the exact fp32 graph.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])
    tmp.replace(out)


def load(st_model: Any, model_dir: Path, reference: Any, cache_dir: Path | None = None,
         threads: int | None = None, int8_documents: bool = False) -> OnnxEncoder:
    """An `OnnxEncoder` for a loaded mean-pooling SentenceTransformer, exporting it on first use.

    `reference(texts)` gives torch's vectors for the probe texts; a graph that does not reproduce
    them is deleted and `OnnxUnavailable` raised. With `int8_documents`, catalog documents may run on
    a quantized copy (see `OnnxEncoder`).
    """
    try:
        import onnx  # noqa: F401  (the exporter needs it)
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise OnnxUnavailable(f"onnx/onnxruntime not installed ({exc.name})") from exc
    transformer = st_model[0]
    tokenizer = st_model.tokenizer
    max_length = int(getattr(transformer, "max_seq_length", 256) or 256)
    path = (cache_dir or default_cache_dir()) / f"{model_dir.name}-{_fingerprint(model_dir)}.onnx"
    with _export_lock:
        try:
            if not path.exists():
                log.info("exporting %s to ONNX (once): %s", model_dir.name, path)
                export(transformer.auto_model, tokenizer, path)
            int8_path = path.with_name(path.stem + "-int8.onnx") if int8_documents else None
            encoder = OnnxEncoder(path, tokenizer, max_length, threads or (os.cpu_count() or 1), int8_path)
        except Exception as exc:
            path.unlink(missing_ok=True)  # a damaged cache file is exported again next time
            raise OnnxUnavailable(f"ONNX export/load failed: {type(exc).__name__}: {exc}") from exc
        got = encoder.encode(PROBES)
        want = np.asarray(reference(list(PROBES)), dtype=np.float32)
        cosine = float(np.min(np.sum(got * want, axis=1)))
        if cosine < MIN_COSINE:
            path.unlink(missing_ok=True)
            raise OnnxUnavailable(f"ONNX vectors differ from torch (min cosine {cosine:.5f})")
    return encoder
