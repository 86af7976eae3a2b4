"""Bitext customer-support sets: the labelled intents and the support QA, and the QA's one split.

Split of the QA questions: a deterministic fifth (sha1 of the question text) is held out for
`bench support`; the other four fifths (with every intents row) train the shipped support
sub-intent classifier (`train support-intents`). The scene sets sample the intents file on
their own (see evaluation.datasets.scene).
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from evaluation.datasets.errors import DatasetError, require_file


def is_heldout(text: str) -> bool:
    """Deterministic 20% of Bitext QA questions kept out of training for the benchmark."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 5 == 0


def _rows(path: Path, text_column: str, what: str) -> list[tuple[str, str]]:
    with require_file(path, f"{what} file").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {text_column, "intent"} <= set(reader.fieldnames):
            raise DatasetError(f"{path} needs the columns '{text_column}' and 'intent'")
        return [(row[text_column] or "", row["intent"] or "") for row in reader]


def read_intents(path: Path) -> list[tuple[str, str]]:
    """(utterance, intent) rows of `bitext_intents.csv`, as written."""
    return _rows(path, "utterance", "Bitext intents")


def read_qa(path: Path) -> list[tuple[str, str]]:
    """(instruction, intent) rows of `bitext_support_qa.csv`, as written."""
    return _rows(path, "instruction", "QA")
