"""`shopassist bench support`: intent accuracy, policy-section hit@1 and answer latency on Bitext QA.

Only the deterministic held-out fifth of the Bitext QA questions is scored (the
other four fifths train the fallback intent classifier; evaluation.datasets.bitext).
The intent comes from the support intent classifier, or with `--intent-source scene`
from `scene.detect` end to end. hit@1: the top policy section returned by the index
equals the section the gold intent routes to. Latency covers intent, retrieval,
order lookup and the answer text (template; the LLM's latency is in the
grounding benchmark).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from assistant.support.answer import SupportAnswerer
from assistant.support.index import PolicyIndex
from assistant.support.intent import IntentPrediction, SupportIntentClassifier
from assistant.support.routing import normalize_intent
from evaluation.datasets import bitext
from evaluation.datasets.errors import DatasetError
from evaluation.metrics import percentile
from retrieval.embedding import Embedder
from scene import detect


def scene_intent(message: str) -> IntentPrediction | None:
    """The support intent `scene.detect` gives (handoff counts as `contact_human_agent`)."""
    res = detect(message, None)
    if res.scene == "handoff":
        return IntentPrediction("contact_human_agent", res.confidence)
    if not res.sub_intent:
        return None
    return IntentPrediction(normalize_intent(res.sub_intent), res.confidence)


def read_qa(path: Path, heldout_only: bool = True) -> list[tuple[str, str]]:
    """(question, normalized intent) of the QA file; only the held-out fifth unless told otherwise."""
    rows = [(text, normalize_intent(intent)) for text, intent in bitext.read_qa(path)]
    return [r for r in rows if bitext.is_heldout(r[0])] if heldout_only else rows


def run_support_bench(
    qa_path: Path,
    embedder: Embedder,
    *,
    heldout_only: bool = True,
    progress: bool = True,
    intent_source: str = "support",
    compare_scene: bool = False,
) -> dict[str, float | int | str]:
    """Score intent, hit@1 and latency.

    `intent_source="support"` uses the support sub-intent classifier (what answers a
    message once it is routed to support); `"scene"` uses `scene.detect` end to end
    (scene and sub-intent), falling back to the classifier when it gives no sub-intent.
    `compare_scene` adds the other source's accuracy as `scene_intent_accuracy`.
    """
    rows = read_qa(qa_path, heldout_only)
    if not rows:
        raise DatasetError(f"No questions to score in {qa_path}")
    if intent_source not in ("support", "scene"):
        raise DatasetError(f"intent source must be 'support' or 'scene' (got {intent_source!r})")
    classifier = SupportIntentClassifier()
    detector = scene_intent if (intent_source == "scene" or compare_scene) else None
    from assistant.store_profile import DEMO_DIR, demo_config

    index = PolicyIndex.from_folder(embedder, DEMO_DIR / "policies")  # the bench's questions are the demo's
    answerer = SupportAnswerer(index, model=None, classifier=classifier, money=demo_config().money)
    correct = hits = scene_correct = 0
    latencies: list[float] = []
    iterator: Any = rows
    if progress:
        from tqdm import tqdm

        iterator = tqdm(rows, desc="support bench", unit="q")
    for text, gold in iterator:
        t0 = time.perf_counter()
        scene_pred = detector(text) if detector else None
        pred = (scene_pred if intent_source == "scene" else None) or classifier.predict(text)
        answer = answerer.answer(text, user_id="demo", intent=pred.intent, confidence=pred.confidence)
        latencies.append((time.perf_counter() - t0) * 1000.0)
        correct += pred.intent == gold
        hits += answer.section_id == index.routing.section_for(gold)
        scene_correct += bool(scene_pred and scene_pred.intent == gold)
    n = len(rows)
    result: dict[str, float | int | str] = {
        "intent_accuracy": round(correct / n, 4),
        "hit@1": round(hits / n, 4),
        "p95_ms": percentile(latencies, 95) or 0.0,
        "n": n,
        "intent_source": "scene.detect" if intent_source == "scene" else "support classifier",
    }
    if compare_scene and detector is not None:
        result["scene_intent_accuracy"] = round(scene_correct / n, 4)
    return result
