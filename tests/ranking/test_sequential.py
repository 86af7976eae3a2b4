"""The sequential item-KNN recommender (its benchmark is in tests/evaluation/test_personalization.py)."""

from __future__ import annotations

from ranking.sequential import SeqKNNConfig, SequentialKNN


def test_transitions_predict_the_next_item():
    # Item 0 is always followed by item 1, item 2 by item 3.
    seqs = [[0, 1, 4], [2, 3, 5], [0, 1, 5], [2, 3, 4]] * 5
    model = SequentialKNN(6, SeqKNNConfig(cooc=0.0)).fit(seqs)
    top = model.top_k([[0], [2]], k=1)
    assert top[0, 0] == 1 and top[1, 0] == 3


def test_seen_items_are_excluded_and_recency_matters():
    seqs = [[0, 1], [2, 3]] * 5
    model = SequentialKNN(4, SeqKNNConfig(recency=0.1)).fit(seqs)
    scores = model.score([[0, 2]])  # last item 2 dominates
    assert scores[0, 0] == float("-inf") and scores[0, 3] > scores[0, 1]
