"""Where the public data sets are: one rule for the CLI, the benches, training and the tests.

`$SHOPASSIST_SHARED_DATA` when set, else `../shared/data` beside the checkout (where CI and
developers keep it; see its README.md). Read at call time, so a test or a shell can point
elsewhere without re-importing anything. Product code never reads these files: only
evaluation/ (benches, training) and the CLI defaults do.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "SHOPASSIST_SHARED_DATA"
REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The folder of the public data sets (it may not exist on a machine without them)."""
    env = os.environ.get(ENV)
    return Path(env) if env else REPO.parent / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """A file of the shared data folder, e.g. `shared_file("homedepot", "products.csv")`."""
    return shared_data_dir().joinpath(*parts)
