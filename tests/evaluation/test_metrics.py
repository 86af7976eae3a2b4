"""The one set of metrics every bench reports."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.metrics import mean, ndcg_at, paired_bootstrap_ci, percentile, rank_metrics, recall_at


def test_ndcg_gain_is_relevance_minus_one():
    assert ndcg_at([3.0, 1.0]) == 1.0
    assert ndcg_at([1.0, 3.0]) == pytest.approx(1 / 1.5849625, rel=1e-4)
    assert ndcg_at([1.0, 1.0]) is None  # nothing relevant: the query cannot be scored
    # the ideal comes from the whole list: a relevant product ranked below k still counts against it
    assert ndcg_at([1.0, 3.0], k=1) == 0.0
    assert ndcg_at([2.0, 1.0, 3.0], k=2) == pytest.approx((1 / 1) / (2 / 1 + 1 / np.log2(3)))


def test_ndcg_against_all_judgements_counts_what_the_list_missed():
    judged = {"a": 3.0, "b": 2.0, "c": 1.0}
    ranked = ["c", "x", "a"]  # "x" was never judged: no gain
    got = ndcg_at([judged.get(p, 1.0) for p in ranked], 10, judged=judged.values())
    assert got == pytest.approx((2 / np.log2(4)) / (2 + 1 / np.log2(3)))
    assert ndcg_at([3.0, 2.0], 10, judged=judged.values()) == 1.0


def test_recall_and_rank_metrics():
    assert recall_at(["a", "b", "c"], {"a", "z"}, k=2) == 0.5
    assert recall_at(["a"], set()) is None
    hits, ndcg = rank_metrics(np.array([0, 1, 10, 50]), k=10)
    assert hits == 2 and ndcg == pytest.approx(1 + 1 / np.log2(3))


def test_percentile_and_mean_of_nothing():
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([1.234567], 95, 3) == 1.235
    assert percentile([], 95) is None and mean([]) == 0.0


def test_paired_gain_interval_separates_a_real_gain_from_noise():
    rng = np.random.default_rng(3)
    base = rng.uniform(0.8, 1.0, 500)
    lo, hi = paired_bootstrap_ci(base + 0.01, base)
    assert lo == pytest.approx(0.01) and hi == pytest.approx(0.01)
    lo, hi = paired_bootstrap_ci(base + rng.normal(0, 0.05, 500), base)  # no real gain: the interval spans 0
    assert lo < 0 < hi
