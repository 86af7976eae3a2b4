"""The one call the assistant makes per search turn: profile lookup + vectors + `rank`.

    ranked = rank_for_user(query, response.hits, user_id, profiles, vectors=index_vectors(index))

`profiles` is any `ProfileSource` (the assistant passes its `ProfileStore`, built with
`embed=index_embedding(index)` so events update the interest vector).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ranking.profile import ProfileSource
from ranking.ranker import RankedProduct, Ranker, default_ranker
from retrieval.catalog import Product

if TYPE_CHECKING:
    from retrieval.index import CatalogIndex

VectorLookup = Callable[[Sequence[str]], np.ndarray | None]


def index_vectors(index: CatalogIndex) -> VectorLookup:
    """Product ids -> their stored (normalized) vectors, or None if any is unknown."""

    def lookup(ids: Sequence[str]) -> np.ndarray | None:
        if any(i not in index.position for i in ids):
            return None
        rows = [index.position[i] for i in ids]
        return np.asarray(index.vectors[rows], dtype=np.float32)

    return lookup


def index_embedding(index: CatalogIndex) -> Callable[[Product], np.ndarray]:
    """Product -> vector for profile updates: the stored one, else embedded on the fly."""

    def embed(product: Product) -> np.ndarray:
        row = index.position.get(product.id)
        if row is not None:
            return np.asarray(index.vectors[row], dtype=np.float32)
        return np.asarray(index.embedder.embed([product.embedding_text()])[0], dtype=np.float32)

    return embed


def rank_for_user(
    query: str,
    hits: Sequence[Any],
    user_id: str | None,
    store: ProfileSource | None,
    *,
    vectors: VectorLookup | None = None,
    ranker: Ranker | None = None,
    **kwargs: Any,
) -> list[RankedProduct]:
    """Rank search hits for `user_id` (None or unknown -> cold start); kwargs go to `Ranker.rank`."""
    profile = store.get(user_id) if (store is not None and user_id) else None
    product_vectors = vectors([h.product.id for h in hits]) if (vectors and hits) else None
    return (ranker or default_ranker()).rank(query, hits, profile, product_vectors=product_vectors, **kwargs)
