"""User profiles, events and the learned ranker.

The assistant calls `ranking.rank(query, hits, profile)` and records shopper
events through `ranking.ProfileStore`. Heavy imports (LightGBM, SQLAlchemy) load
lazily on first attribute access so `import ranking` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "rank": "ranking.ranker",
    "Ranker": "ranking.ranker",
    "RankedProduct": "ranking.ranker",
    "BlendWeights": "ranking.ranker",
    "DiversityConfig": "ranking.ranker",
    "Candidate": "ranking.features",
    "UserProfile": "ranking.profile",
    "StaticAttributes": "ranking.profile",
    "ProfileConfig": "ranking.profile",
    "EventType": "ranking.events",
    "RankerModel": "ranking.model",
    "RankingError": "ranking.errors",
    "RankingInputError": "ranking.errors",
    "UnknownProductError": "ranking.errors",
    "ModelFileError": "ranking.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ranking' has no attribute {name!r}")
