from __future__ import annotations

from types import SimpleNamespace

from ranking.features import Candidate
from ranking.ranker import Ranker
from ranking.service import index_embedding, index_vectors, rank_for_user
from retrieval.catalog import Product
from retrieval.embedding import HashingEmbedder


def _index(products):
    emb = HashingEmbedder(32)
    return SimpleNamespace(
        position={p.id: i for i, p in enumerate(products)},
        vectors=emb.embed([p.embedding_text() for p in products]),
        embedder=emb,
    )


def test_rank_for_user_uses_profile_and_vectors(tiny_model, products, profiles):
    index = _index(products)
    hits = [Candidate(p, 0.5, 1.0) for p in products[:30]]
    ranker = Ranker(tiny_model)
    cold = rank_for_user("shoes", hits, "zoe", profiles, vectors=index_vectors(index), ranker=ranker)
    for _ in range(3):
        profiles.record_event("zoe", "purchase", products[7])
    warm = rank_for_user("shoes", hits, "zoe", profiles, vectors=index_vectors(index), ranker=ranker)
    assert [r.product.id for r in cold] != [r.product.id for r in warm]
    assert warm[0].components.get("interest", 0) != 0 or warm[0].components.get("brand", 0) != 0
    anon = rank_for_user("shoes", hits, None, None, ranker=ranker)
    assert len(anon) == len(hits)


def test_index_lookups(products):
    index = _index(products[:5])
    found = index_vectors(index)(["p0", "p1"])
    assert found is not None and found.shape == (2, 32)
    assert index_vectors(index)(["p0", "nope"]) is None
    new = Product(id="new", title="something new", price=1)
    assert index_embedding(index)(new).shape == (32,)
    assert index_embedding(index)(products[0]).shape == (32,)
