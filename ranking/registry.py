"""Where the served ranker lives, and how a new one is switched in.

    registry = ModelRegistry(data_dir / "models" / "ranker")
    registry.served_path()          # None: serve the shipped model
    registry.promote(model)         # writes ranker-<version>.json.gz, then switches `served.json` atomically

`served.json` names the served file and the previous one (`os.replace` of a fully written file, so a
reader sees the old pointer or the new one, never half of one). Model files are never deleted: the
previous model stays on disk and `rollback` switches back to it.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from ranking.model import RankerModel, default_model_path

POINTER = "served.json"


class ModelRegistry:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _pointer(self) -> dict[str, Any]:
        try:
            doc = json.loads((self.root / POINTER).read_text())
        except (OSError, ValueError):
            return {}
        return doc if isinstance(doc, dict) else {}

    def served_path(self) -> Path | None:
        """The promoted model's file, or None (the shipped model is served)."""
        path = self._pointer().get("path")
        return self.root / path if path and (self.root / path).is_file() else None

    def current_path(self) -> Path:
        return self.served_path() or default_model_path()

    def previous_path(self) -> Path | None:
        prev = self._pointer().get("previous")
        return self.root / prev if prev and (self.root / prev).is_file() else None

    def _switch(self, path: str, previous: str, version: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{POINTER}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"path": path, "previous": previous, "version": version,
                                   "switched_at": time.time()}))
        os.replace(tmp, self.root / POINTER)

    def promote(self, model: RankerModel) -> Path:
        """Save `model` beside the others and serve it from now on; returns its path."""
        name = "ranker-" + re.sub(r"[^A-Za-z0-9._-]+", "_", model.version) + ".json.gz"
        target = self.root / name
        model.save(target)
        self._switch(name, self._pointer().get("path", ""), model.version)
        return target

    def rollback(self) -> Path | None:
        """Serve the previous model again (the shipped one when there was none); returns what is served."""
        doc = self._pointer()
        if not doc:
            return None
        self._switch(doc.get("previous", ""), doc.get("path", ""), "previous")
        return self.served_path()


def registry_for(data_dir: Path) -> ModelRegistry:
    """The registry of a data directory (`<data_dir>/models/ranker`)."""
    return ModelRegistry(data_dir / "models" / "ranker")
