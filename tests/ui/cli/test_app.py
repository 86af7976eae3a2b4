"""The `shopassist` command line, in-process through typer's runner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.store_profile import DEMO_PROFILE
from ui.cli.app import app

runner = CliRunner()


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    return lines[0]


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("index", "search", "shell", "run", "info", "bench", "train"):
        assert command in result.output
    bench = runner.invoke(app, ["bench", "--help"])
    assert "retrieval" in bench.output


@pytest.mark.parametrize("query", ["", "   ", "\x00\x01"])
def test_empty_query_is_a_one_line_error(data_dir: Path, query: str) -> None:
    assert "empty" in _one_line_error(runner.invoke(app, ["search", query]))


def test_bad_catalog_inputs_are_one_line_errors(data_dir: Path, tmp_path: Path) -> None:
    assert "not found" in _one_line_error(runner.invoke(app, ["index", "--file", str(tmp_path / "nope.csv")]))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    assert "column mapping" in _one_line_error(runner.invoke(app, ["index", "--file", str(wrong)]))
    line = _one_line_error(runner.invoke(app, ["index", "--file", str(wrong), "--map", "id=sku", "--map", "title=x"]))
    assert "missing column" in line
    assert "no index" in _one_line_error(runner.invoke(app, ["search", "shoes", "--catalog", "nothing"]))
    assert "unknown mode" in _one_line_error(runner.invoke(app, ["search", "shoes", "--mode", "magic"]))


def test_unknown_labels_file_is_a_one_line_error(data_dir: Path, tmp_path: Path) -> None:
    products = tmp_path / "p.csv"
    products.write_text("product_uid,product_title\n1,hammer\n")
    result = runner.invoke(app, ["bench", "retrieval", "--products", str(products), "--labels", str(tmp_path / "x")])
    assert "labels file not found" in _one_line_error(result)


@pytest.mark.slow
def test_index_search_and_corruption_end_to_end(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    monkeypatch.setenv("SHOPASSIST_CONFIG", str(DEMO_PROFILE))  # the demo store's catalog and currency
    built = runner.invoke(app, ["index"])
    assert built.exit_code == 0, built.output
    assert "1002 added" in built.output
    again = runner.invoke(app, ["index"])
    assert "1002 unchanged" in again.output

    result = runner.invoke(app, ["search", "red shoes for women under 1000", "--json", "--k", "5"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["filters"]["max_price"] == 1000 and "colour: red" in payload["filter_chips"]
    assert len(payload["results"]) == 5
    assert all(r["price"] <= 1000 and r["category"] == "footwear" for r in payload["results"])

    table = runner.invoke(app, ["search", "gold ring"])
    assert table.exit_code == 0 and "ring" in table.output

    personal = runner.invoke(app, ["search", "gold ring", "--json", "--k", "5", "--user", "new-shopper"])
    assert personal.exit_code == 0, personal.output
    ranked = json.loads(personal.stdout)["results"]
    assert len(ranked) == 5 and all(isinstance(r["reasons"], list) for r in ranked)
    assert any(r["reasons"] for r in ranked), "the ranker explains its order"

    products = data_dir / "catalogs" / "demo" / "products.jsonl"
    good = products.read_bytes()
    products.write_bytes(good[:1000])
    assert "corrupt" in _one_line_error(runner.invoke(app, ["search", "shoes"]))
    assert products.read_bytes() == good[:1000], "a failed search never rewrites the index"
    products.write_bytes(good)
    assert runner.invoke(app, ["search", "shoes", "--json"]).exit_code == 0


@pytest.mark.slow
def test_retrieval_benchmark_prints_the_issue_json(data_dir: Path, tmp_path: Path, shared_data: Path) -> None:
    """A small slice of the real Home Depot data through the real benchmark command."""
    labels_src = shared_data / "homedepot" / "relevance_train.csv"
    with labels_src.open(encoding="ISO-8859-1", newline="") as handle:
        rows = list(csv.DictReader(handle))
    queries = sorted({r["search_term"] for r in rows})[:40]
    keep_rows = [r for r in rows if r["search_term"] in queries]
    judged = {r["product_uid"] for r in keep_rows}
    labels = tmp_path / "labels.csv"
    with labels.open("w", encoding="ISO-8859-1", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(keep_rows)
    products = tmp_path / "products.csv"
    with (shared_data / "homedepot" / "products.csv").open(encoding="ISO-8859-1", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        picked = [row for i, row in enumerate(reader) if row[0] in judged or i % 60 == 0]
    with products.open("w", encoding="ISO-8859-1", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(picked)

    result = runner.invoke(app, ["bench", "retrieval", "--products", str(products), "--labels", str(labels), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    for method in ("bm25", "dense", "hybrid"):
        full = report["full"][method]
        assert 0 < full["ndcg@10"] <= 1 and 0 < full["recall@100"] <= 1
        assert 0 < full["p50_ms"] <= full["p95_ms"]
        assert 0 < report["rerank"][method]["ndcg@10"] <= 1
    assert report["index"]["products_per_s"] > 0 and report["index"]["products"] == len(picked)
    assert report["queries"] == 40
