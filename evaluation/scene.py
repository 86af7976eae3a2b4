"""`shopassist bench scene`: replay each row's context through the detector, classify its text, score.

Rows come from the held-out scene test set (evaluation.datasets.scenes.TEST_FILE) or any JSONL of
`{text, scene, context?}`, or CLINC150's `val` + `oos_val` (scored as in the CLINC paper).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evaluation.datasets.clinc import read_clinc
from evaluation.datasets.errors import DatasetError
from evaluation.datasets.scenes import read_jsonl
from evaluation.metrics import percentile
from scene.detector import SceneDetector, SceneResult
from scene.state import DialogueState
from scene.taxonomy import OUT_OF_SCOPE, SCENES, clinc_label

SHOWN_PER_TURN = 5  # each search/recommend turn in a context counts as having shown 5 products


@dataclass(frozen=True)
class BenchRow:
    text: str
    scene: str
    context: tuple[str, ...] = ()
    group: str = ""  # CLINC rows: "val" (CLINC's in-scope intents) or "oos_val"


@dataclass
class BenchReport:
    accuracy: float
    macro_f1: float
    oos_recall: float | None
    in_scope_accuracy: float | None
    p50_ms: float
    p95_ms: float
    per_scene: dict[str, dict[str, float]]
    n: int
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "oos_recall": self.oos_recall,
            "in_scope_accuracy": self.in_scope_accuracy,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "per_scene": self.per_scene,
            "n": self.n,
        }


def load_rows(path: Path) -> list[BenchRow]:
    """The rows of a scene set (the held-out test set by default in the CLI)."""
    rows = [BenchRow(e.text, e.scene, e.context) for e in read_jsonl(path)]
    if not rows:
        raise DatasetError(f"{path} holds no rows")
    return rows


def clinc_rows(path: Path) -> list[BenchRow]:
    """CLINC150 `val` (its 150 intents mapped to shop scenes) plus `oos_val` (out_of_scope).

    Scored like the CLINC paper: `oos_recall` on `oos_val` only and `in_scope_accuracy`
    on `val` only (CLINC's in-scope queries, most of which are out of scope for a shop).
    """
    data = read_clinc(path)
    rows = [BenchRow(t, OUT_OF_SCOPE, group="oos_val") for t, _ in data["oos_val"]]
    for text, intent in data["val"]:
        label = clinc_label(intent)
        if label is not None:
            rows.append(BenchRow(text, label[0], group="val"))
    return rows


def replay(detector: SceneDetector, context: Sequence[str]) -> DialogueState:
    """A state as if `context` had been said, search/recommend turns showing 5 fake products each."""
    state = DialogueState()
    for turn, message in enumerate(context):
        result = detector.detect(message, state)
        shown = None
        if result.scene in ("search", "recommend"):
            shown = [f"ctx{turn}-p{i}" for i in range(1, SHOWN_PER_TURN + 1)]
        state.record(result, shown_ids=shown)
    return state


def run(detector: SceneDetector, rows: Iterable[BenchRow],
        progress: Callable[[int], None] | None = None) -> BenchReport:
    rows = list(rows)
    groups = [r.group for r in rows]
    gold: list[str] = []
    pred: list[str] = []
    times: list[float] = []
    errors: list[dict[str, str]] = []
    detector.detect("warm up")
    for row in rows:
        state = replay(detector, row.context) if row.context else None
        t0 = time.perf_counter()
        result: SceneResult = detector.detect(row.text, state)
        times.append((time.perf_counter() - t0) * 1000)
        gold.append(row.scene)
        pred.append(result.scene)
        if result.scene != row.scene:
            errors.append({"text": row.text, "gold": row.scene, "pred": result.scene, "reason": result.reason})
        if progress:
            progress(1)
    report = score(gold, pred, times, errors)
    if "oos_val" in groups:  # CLINC protocol
        g, p, grp = np.array(gold), np.array(pred), np.array(groups)
        report.oos_recall = round(float((p[grp == "oos_val"] == OUT_OF_SCOPE).mean()), 4)
        if (grp == "val").any():
            report.in_scope_accuracy = round(float((p[grp == "val"] == g[grp == "val"]).mean()), 4)
    return report


def score(gold: Sequence[str], pred: Sequence[str], times_ms: Sequence[float],
          errors: list[dict[str, str]] | None = None) -> BenchReport:
    g = np.array(gold)
    p = np.array(pred)
    per_scene: dict[str, dict[str, float]] = {}
    f1s = []
    for s in SCENES:
        n = int((g == s).sum())
        predicted = int((p == s).sum())
        if n == 0 and predicted == 0:
            continue
        tp = int(((g == s) & (p == s)).sum())
        prec = tp / predicted if predicted else 0.0
        rec = tp / n if n else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_scene[s] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "n": n}
        if n:
            f1s.append(f1)
    oos = g == OUT_OF_SCOPE
    return BenchReport(
        accuracy=round(float((g == p).mean()), 4),
        macro_f1=round(float(np.mean(f1s)), 4) if f1s else 0.0,
        oos_recall=round(float((p[oos] == OUT_OF_SCOPE).mean()), 4) if oos.any() else None,
        in_scope_accuracy=round(float((p[~oos] == g[~oos]).mean()), 4) if (~oos).any() else None,
        p50_ms=percentile(times_ms, 50) or 0.0,
        p95_ms=percentile(times_ms, 95) or 0.0,
        per_scene=per_scene,
        n=len(g),
        errors=errors or [],
    )
