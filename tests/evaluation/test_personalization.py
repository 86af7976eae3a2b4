"""The leave-last-out personalization bench on tiny sequence files, and the Amazon reader's errors."""

from __future__ import annotations

import json

import pytest

from evaluation.datasets.amazon import leave_last_out, load_sequences
from evaluation.datasets.errors import DatasetError
from evaluation.personalization import evaluate, run
from ranking.sequential import SeqKNNConfig, SequentialKNN


def _write(tmp_path, lines, attrs=None):
    seq = tmp_path / "seq.txt"
    seq.write_text("\n".join(lines) + "\n")
    att = None
    if attrs is not None:
        att = tmp_path / "attrs.json"
        att.write_text(json.dumps(attrs))
    return seq, att


def test_load_and_benchmark_protocol(tmp_path):
    # Group a's last item (14) never occurs before a target, so it cannot be learned; group b's
    # target 13 follows 12 in group a's training prefixes, so it must be ranked first.
    lines = [f"a{i} 10 11 12 13 14" for i in range(20)] + [f"b{i} 10 11 12 13" for i in range(20)]
    lines += [f"c{i} {100 + i} {200 + i} {300 + i}" for i in range(15)]  # 45 one-off items
    seq, att = _write(tmp_path, lines, {"10": [1], "11": [1], "14": [2]})
    data = load_sequences(seq, att)
    assert data.n_items == 50 and data.item_attributes
    hist, targets = leave_last_out(data, "test")
    assert len(hist) == 55 and sorted({len(h) for h in hist}) == [2, 3, 4]
    result = run(data)
    assert set(result) == {"hr@10", "ndcg@10", "users", "seconds"}
    assert result["hr@10"] == result["ndcg@10"] == round(20 / 55, 4)
    model = SequentialKNN(data.n_items).fit(hist)
    assert evaluate(model, hist[20:40], targets[20:40], k=1) == (1.0, 1.0)


def test_ties_count_against_the_target(tmp_path):
    # Nothing links the history to the target: all scores tie at 0, which must not count as a hit.
    model = SequentialKNN(30, SeqKNNConfig(cooc=0.0)).fit([[0, 1]])
    hr, _ = evaluate(model, [[5]], [20], k=10)
    assert hr == 0.0


def test_bad_inputs(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        load_sequences(tmp_path / "missing.txt")
    seq, _ = _write(tmp_path, ["lonely"])
    with pytest.raises(DatasetError, match="expected"):
        load_sequences(seq)
    seq, _ = _write(tmp_path, ["u 1 2"])
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DatasetError, match="not valid JSON"):
        load_sequences(seq, bad)
