"""Benchmark plumbing: the guard under a red-team generator, the support bench, CLI wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.support.answer import SupportAnswerer
from assistant.support.index import PolicyIndex
from evaluation.grounding import red_team_model, run_grounding_bench
from evaluation.support import BenchInputError, run_support_bench
from retrieval.catalog import Catalog, Product
from retrieval.embedding import HashingEmbedder
from ui.cli.assistant_commands import register


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
    answerer = SupportAnswerer(PolicyIndex(HashingEmbedder()))
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
    with pytest.raises(BenchInputError, match="instruction"):
        run_support_bench(bad, HashingEmbedder(), progress=False)


def _app() -> typer.Typer:
    app, bench, train = typer.Typer(), typer.Typer(), typer.Typer()
    app.add_typer(bench, name="bench")
    app.add_typer(train, name="train")
    register(app, bench, train)
    return app


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(_app(), ["prepare-model", str(tmp_path / "missing.gguf")])
    assert out.exit_code == 2 and "error: Model file not found" in out.output
    out = runner.invoke(_app(), ["bench", "support", "--qa", str(tmp_path / "nope.csv"), "--json"])
    assert out.exit_code == 2 and "QA file not found" in out.output


@pytest.mark.slow
def test_cli_grounding_bench_prints_one_json_object() -> None:
    out = CliRunner().invoke(_app(), ["bench", "grounding", "--json", "--red-team", "--limit", "5", "--products", "2"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"cases", "ungrounded", "prompt_leaks", "ttft_p50_s", "ttft_p95_s", "tokens_per_s"} <= set(data)
