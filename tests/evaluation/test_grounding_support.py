"""The grounding bench under a red-team generator, and the support bench on a small file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from assistant.store_profile import DEMO_DIR
from assistant.support.answer import SupportAnswerer
from assistant.support.index import PolicyIndex
from evaluation.datasets.errors import DatasetError
from evaluation.grounding import red_team_model, run_grounding_bench
from evaluation.support import run_support_bench
from retrieval.catalog import Catalog, Product
from retrieval.embedding import HashingEmbedder
from tests.assistant.conftest import INR


def _catalog() -> Catalog:
    return Catalog(
        Product(
            id=f"p{i}",
            title=f"demo item {i}",
            brand=f"brandname{i}",
            category_path=["footwear"],
            price=100.0 + 37 * i,
            list_price=(300.0 + 37 * i) if i % 2 else None,
            rating=4.1 if i % 3 == 0 else None,
            stock=0 if i == 4 else 3,
        )
        for i in range(8)
    )


def test_red_team_generator_gets_nothing_past_the_guard() -> None:
    answerer = SupportAnswerer(PolicyIndex.from_folder(HashingEmbedder(), DEMO_DIR / "policies"), money=INR)
    result = run_grounding_bench(red_team_model(), _catalog(), answerer, n_products=6)
    assert result["cases"] == 6 * 5 + 20 + 6
    assert result["ungrounded"] == 0 and result["prompt_leaks"] == 0
    assert result["sentences_removed_by_guard"] >= result["cases"]


def test_support_bench_on_a_small_file(tmp_path: Path) -> None:
    qa = tmp_path / "qa.csv"
    qa.write_text(
        "instruction,intent\nhow do I cancel my order,cancel_order\nI forgot my password,recover_password\n"
        "which payment methods do you accept,check_payment_methods\n",
        encoding="utf-8",
    )
    result = run_support_bench(qa, HashingEmbedder(), heldout_only=False, progress=False)
    assert result["n"] == 3 and result["intent_accuracy"] == 1.0 and result["hit@1"] == 1.0
    bad = tmp_path / "bad.csv"
    bad.write_text("question\nhi\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="instruction"):
        run_support_bench(bad, HashingEmbedder(), progress=False)


@pytest.mark.slow
def test_real_embedder_routes_held_out_bitext_questions(shared_data: Path, tmp_path: Path) -> None:
    from evaluation.datasets.bitext import read_qa
    from retrieval.embedding import default_embedder

    rows = read_qa(shared_data / "support" / "bitext_support_qa.csv")
    sample = tmp_path / "qa_sample.csv"
    with sample.open("w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["instruction", "intent"])
        w.writerows(rows[::80])
    result = run_support_bench(sample, default_embedder(), heldout_only=False, progress=False)
    assert float(result["intent_accuracy"]) >= 0.9 and float(result["hit@1"]) >= 0.9
