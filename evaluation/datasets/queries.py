"""Shopper search requests without judgements: WebShop goals and WANDS queries (scene training)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from evaluation.datasets.errors import require_file


def webshop_goals(path: Path) -> set[str]:
    """WebShop `human_goals.json`: the crowd-written purchase requests (stripped, unique)."""
    goals = json.loads(require_file(path).read_text(encoding="utf-8"))
    return {g.strip() for g in goals if isinstance(g, str) and g.strip()}


def wands_queries(path: Path) -> set[str]:
    """WANDS `query.csv` (tab-separated): the query texts (stripped, unique)."""
    with require_file(path).open(encoding="utf-8", newline="") as fh:
        return {q for row in csv.DictReader(fh, delimiter="\t") if (q := (row.get("query") or "").strip())}
