"""Fixtures for the ranking tests: a small catalog, a tiny trained model, a SQLite store."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.datasets.homedepot import LtrData
from evaluation.training.ranker import fit
from ranking.events import EventType
from ranking.features import RELEVANCE_FEATURES, Candidate, relevance_matrix
from ranking.model import RankerModel
from ranking.profile import ProfileConfig, UserProfile, apply_event
from retrieval.catalog import Catalog, Product
from retrieval.embedding import HashingEmbedder

BRANDS = ["acme", "bolt", "corex", "dyna", "evo"]
CATEGORIES = [["Footwear", "Running Shoes"], ["Footwear", "Sandals"], ["Bags", "Backpacks"]]
COLOURS = ["black", "red", "blue"]


def make_products(n: int = 60) -> list[Product]:
    out = []
    for i in range(n):
        brand = BRANDS[i % len(BRANDS)]
        cat = CATEGORIES[i % len(CATEGORIES)]
        colour = COLOURS[i % len(COLOURS)]
        price = 500.0 + 97.0 * i
        out.append(
            Product(
                id=f"p{i}",
                title=f"{brand.title()} {colour} {cat[1].lower()} model {i}",
                brand=brand.title(),
                category_path=cat,
                price=price,
                list_price=price * 1.25 if i % 4 == 0 else None,
                rating=3.0 + (i % 5) * 0.4,
                rating_count=(i * 37) % 400,
                attributes={"colour": colour},
            )
        )
    return out


@pytest.fixture
def products() -> list[Product]:
    return make_products()


@pytest.fixture
def catalog(products: list[Product]) -> Catalog:
    return Catalog(products, name="test")


def _synthetic_split(seed: int, n_queries: int) -> LtrData:
    """Queries over the test catalog; relevance = how many query words the title contains."""
    rng = np.random.default_rng(seed)
    prods = make_products()
    vocab = ["acme", "bolt", "black", "red", "running", "shoes", "sandals", "backpacks", "blue", "evo"]
    X, y, groups, queries, cands = [], [], [], [], []
    for _ in range(n_queries):
        q = " ".join(rng.choice(vocab, size=2, replace=False))
        pick = rng.choice(len(prods), size=8, replace=False)
        cs = []
        for j in pick:
            p = prods[j]
            words = set(p.title.lower().split())
            rel = 1.0 + sum(w in words for w in q.split())
            cs.append(Candidate(p, dense_score=0.2 * rel + 0.05 * rng.random(), bm25_score=2.0 * (rel - 1)))
            y.append(min(rel, 3.0))
        X.append(relevance_matrix(q, cs))
        groups.append(len(cs))
        queries.append(q)
        cands.append(cs)
    return LtrData(np.vstack(X), np.asarray(y, dtype=np.float32), groups, queries, cands)


@pytest.fixture(scope="session")
def tiny_model() -> RankerModel:
    """A real LightGBM ranker+regressor trained in about a second on synthetic judgements."""
    train, dev = _synthetic_split(0, 120), _synthetic_split(1, 40)
    ranker, regressor, metrics = fit(train, dev, log=lambda _msg: None, max_rounds=60, threads=1)
    assert len(RELEVANCE_FEATURES) == train.X.shape[1]
    return RankerModel(ranker, regressor, version="test-tiny", metadata=metrics)


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class MemoryProfiles:
    """A `ProfileSource` in memory: events fold into profiles as the stored ones do (no database)."""

    def __init__(self, catalog: Catalog, clock: FakeClock) -> None:
        self.catalog, self.clock = catalog, clock
        self.embedder = HashingEmbedder(32)
        self.profiles: dict[str, UserProfile] = {}

    def get(self, user_id: str) -> UserProfile:
        return self.profiles.get(user_id) or UserProfile(user_id=user_id)

    def record_event(self, user_id: str, event_type: str, product: Product) -> None:
        profile = self.profiles.setdefault(user_id, UserProfile(user_id=user_id))
        embedding = self.embedder.embed([product.embedding_text()])[0]
        apply_event(profile, EventType(event_type), product, self.clock(), ProfileConfig(), embedding)


@pytest.fixture
def profiles(catalog: Catalog, clock: FakeClock) -> MemoryProfiles:
    return MemoryProfiles(catalog, clock)
