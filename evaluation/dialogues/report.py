"""The numbers: dialogue and check pass rates overall, per category, language, split and check kind;
latency to the first card and of whole turns; every failed check with its dialogue, turn, expected and got."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from evaluation.dialogues.bench import DialogueResult


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _pct(values: Sequence[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def _rates(results: Sequence[DialogueResult]) -> dict[str, Any]:
    checks = [c for r in results for c in r.checks]
    return {"n": len(results), "pass_rate": _rate(sum(r.passed for r in results), len(results)),
            "check_pass_rate": _rate(sum(c.passed for c in checks), len(checks))}


def _grouped(results: Sequence[DialogueResult], key: Callable[[DialogueResult], str]) -> dict[str, Any]:
    groups: dict[str, list[DialogueResult]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r)
    return {k: _rates(v) for k, v in sorted(groups.items())}


def summary(results: Sequence[DialogueResult], **meta: Any) -> dict[str, Any]:
    records = [t for r in results for t in r.records]
    cards = [t.first_card_ms for t in records if t.first_card_ms is not None]
    kinds: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        for c in r.checks:
            kinds[c.kind].append(c.passed)
    overall = _rates(results)
    return {
        **meta,
        "n": overall["n"],
        "turns": len(records),
        "checks": sum(len(r.checks) for r in results),
        "pass_rate": overall["pass_rate"],
        "check_pass_rate": overall["check_pass_rate"],
        "per_category": _grouped(results, lambda r: r.dialogue.category),
        "per_language": _grouped(results, lambda r: r.dialogue.language),
        "per_split": _grouped(results, lambda r: r.dialogue.split),
        "per_check_kind": {k: {"n": len(v), "pass_rate": _rate(sum(v), len(v))} for k, v in sorted(kinds.items())},
        "p50_first_card_ms": _pct(cards, 50),
        "p95_first_card_ms": _pct(cards, 95),
        "p95_turn_ms": _pct([t.turn_ms for t in records], 95),
        "harness_errors": sum(1 for t in records if t.failure),
    }


def failures(results: Sequence[DialogueResult]) -> list[dict[str, Any]]:
    """Every failed check (and every turn the harness could not play), in dialogue order."""
    out: list[dict[str, Any]] = []
    for r in results:
        d = r.dialogue
        for i, (record, verdicts) in enumerate(zip(r.records, r.verdicts, strict=False), 1):
            base = {"dialogue": d.id, "category": d.category, "language": d.language, "turn": i,
                    "message": record.message, "scene": record.scene}
            if record.failure:
                out.append({**base, "check": "harness", "expected": "the turn plays", "got": record.failure})
            out += [{**base, "check": v.kind, "expected": v.expected, "got": v.got} for v in verdicts if not v.passed]
    return out


def transcripts(results: Sequence[DialogueResult]) -> list[dict[str, Any]]:
    """What each turn gave the shopper (for the report file)."""
    return [{"dialogue": r.dialogue.id, "passed": r.passed, "turns": [
        {"message": t.message, "scene": t.scene, "cards": t.card_ids, "compared": t.compared, "text": t.text,
         "handoff": t.handoff, "cart": t.cart, "errors": t.errors, "first_card_ms": t.first_card_ms,
         "turn_ms": t.turn_ms} for t in r.records]} for r in results]
