"""Against the real components: the shipped model file, MiniLM, the Amazon sequences."""

from __future__ import annotations

import pytest

from evaluation.datasets.amazon import load_sequences
from ranking.features import Candidate
from ranking.model import RankerModel, default_model_path
from ranking.ranker import Ranker
from ranking.sequential import SequentialKNN
from retrieval.catalog import Product

pytestmark = pytest.mark.slow


def test_shipped_model_loads_with_version_and_metadata():
    model = RankerModel.load(default_model_path())
    assert model.version.startswith("hd-lgbm-")
    assert model.metadata["train_queries"] > 1000 and "dev_rmse" in model.metadata


def test_shipped_model_with_minilm_ranks_the_exact_match_first(minilm):
    titles = [
        "Simpson Strong-Tie 12-Gauge Angle",
        "BEHR Premium Textured DeckOver 1-gal. Tugboat Wood and Concrete Coating",
        "Delta Vero 1-Handle Shower Only Faucet Trim Kit in Chrome",
        "Hampton Bay 4-Light Brushed Nickel Vanity Light",
    ]
    products = [Product(id=str(i), title=t, price=0) for i, t in enumerate(titles)]
    query = "deck over paint"
    q = minilm.embed([query])[0]
    vecs = minilm.embed(titles)
    cands = [Candidate(p, float(v @ q), 0.0) for p, v in zip(products, vecs, strict=True)]
    ranked = Ranker(RankerModel.load()).rank(query, cands, None, with_relevance=True)
    assert ranked[0].product.id == "1"
    assert ranked[0].relevance is not None and ranked[0].relevance > ranked[-1].relevance  # type: ignore[operator]


def test_sequential_model_on_real_beauty_prefix(shared_data):
    folder = shared_data / "amazon_sequences"
    data = load_sequences(folder / "Beauty.txt", folder / "Beauty_item2attributes.json")
    seqs = data.sequences[:3000]
    model = SequentialKNN(data.n_items).fit([s[:-1] for s in seqs], data.item_attributes)
    top = model.top_k([s[:-1] for s in seqs[:200]], k=10)
    hits = sum(int(s[-1] in row) for s, row in zip(seqs[:200], top, strict=True))
    assert hits >= 5  # far above chance (10 / 12k items)
