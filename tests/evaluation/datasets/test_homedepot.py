"""The one Home Depot reader and the one query split."""

from __future__ import annotations

import pytest

from evaluation.datasets.errors import DatasetError
from evaluation.datasets.homedepot import judged_by_term, query_split, read_judgements


def test_split_is_query_disjoint_and_stable():
    assert query_split("angle bracket") == query_split("  Angle   Bracket ")
    shares = [query_split(f"q{i}") for i in range(2000)]
    assert 0.6 < shares.count("train") / 2000 < 0.8 and shares.count("test") > 200


def test_reader_keeps_the_typed_term_and_normalizes_the_query(tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("id,product_uid,search_term,relevance\n1,100, cabinet  crown ,2.67\n2,101,drill,x\n"
                      "3,100, cabinet  crown ,3\n", encoding="ISO-8859-1")
    rows = read_judgements(labels)
    assert [(j.search_term, j.query, j.relevance) for j in rows] == [
        ("cabinet  crown", "cabinet crown", 2.67), ("cabinet  crown", "cabinet crown", 3.0)]
    assert judged_by_term(rows) == {"cabinet  crown": {"100": 3.0}}  # a pair judged twice: the last grade


@pytest.mark.parametrize(("content", "problem"), [(None, "not found"), ("a,b\n1,2\n", "expected columns"),
                                                  ("product_uid,search_term,relevance\n", "no usable judgements")])
def test_bad_label_files(tmp_path, content, problem):
    labels = tmp_path / "labels.csv"
    if content is not None:
        labels.write_text(content)
    with pytest.raises(DatasetError, match=problem):
        read_judgements(labels)
