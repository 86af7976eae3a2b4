"""Amazon 5-core purchase sequences (S3-Rec's Beauty / Sports_and_Outdoors) and their one split.

Split (leave-last-out, as in S3-Rec): per user the last item is the `test` target and the
second-to-last the `valid` target; the history is everything before the target.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from evaluation.datasets.errors import DatasetError, require_file

STAGES = ("test", "valid")


@dataclass(frozen=True)
class SequenceData:
    sequences: list[list[int]]  # item ids re-indexed to 0..n_items-1
    n_items: int
    item_attributes: dict[int, list[int]]


def load_sequences(sequences_file: Path, attributes_file: Path | None = None) -> SequenceData:
    """Read `user item1 item2 ...` lines and an optional item -> attribute ids JSON."""
    raw: list[list[str]] = []
    with require_file(sequences_file, "sequences file").open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 2:
                raise DatasetError(f"{sequences_file}:{lineno}: expected 'user item1 item2 ...'")
            raw.append(parts[1:])
    if not raw:
        raise DatasetError(f"no sequences in {sequences_file}")
    index: dict[str, int] = {}
    sequences = [[index.setdefault(t, len(index)) for t in items] for items in raw]
    attrs: dict[int, list[int]] = {}
    if attributes_file is not None:
        try:
            data = json.loads(require_file(attributes_file, "attributes file").read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DatasetError(f"attributes file is not valid JSON: {attributes_file}: {exc}") from exc
        if not isinstance(data, dict):
            raise DatasetError(f"attributes file must map item id -> attribute ids: {attributes_file}")
        for key, values in data.items():
            if key in index and isinstance(values, list):
                attrs[index[key]] = [int(v) for v in values]
    return SequenceData(sequences=sequences, n_items=len(index), item_attributes=attrs)


def leave_last_out(data: SequenceData, stage: str) -> tuple[list[list[int]], list[int]]:
    """Histories and targets: `test` = last item, `valid` = second-to-last (users with too few items are left out)."""
    if stage not in STAGES:
        raise DatasetError("--stage must be 'test' or 'valid'")
    cut = 1 if stage == "test" else 2
    users = [s for s in data.sequences if len(s) > cut]
    return [s[:-cut] for s in users], [s[-cut] for s in users]
