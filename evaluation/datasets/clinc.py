"""CLINC150 (`train_val.json`): its own split (`train`, `val`, `oos_train`, `oos_val`), read once."""

from __future__ import annotations

import json
from pathlib import Path

from evaluation.datasets.errors import DatasetError, require_file

PARTS = ("train", "val", "oos_train", "oos_val")


def read_clinc(path: Path) -> dict[str, list[tuple[str, str]]]:
    """part -> [(text, intent)] for the four parts of the file."""
    try:
        data = json.loads(require_file(path, "CLINC150 file").read_text(encoding="utf-8"))
        return {part: [(str(text), str(intent)) for text, intent in data[part]] for part in PARTS}
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"{path} is not CLINC150 train_val.json ({exc})") from exc
