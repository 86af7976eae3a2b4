from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from ui.cli.ranking_commands import register


def _app() -> typer.Typer:
    app, bench, train = typer.Typer(), typer.Typer(), typer.Typer()
    app.add_typer(bench, name="bench")
    app.add_typer(train, name="train")
    register(app, bench, train)
    return app


def test_bench_personalization_json(tmp_path):
    seq = tmp_path / "s.txt"
    seq.write_text("".join(f"u{i} 1 2 3 {4 + i % 3}\n" for i in range(30)))
    attrs = tmp_path / "a.json"
    attrs.write_text(json.dumps({"1": [1], "2": [1, 2]}))
    result = CliRunner().invoke(
        _app(), ["bench", "personalization", "--sequences", str(seq), "--attributes", str(attrs), "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"hr@10", "ndcg@10", "users", "seconds"} and doc["users"] == 30


def test_bench_personalization_table_and_bad_file(tmp_path):
    seq = tmp_path / "s.txt"
    seq.write_text("u1 1 2 3\nu2 1 2 3\n")
    ok = CliRunner().invoke(_app(), ["bench", "personalization", "--sequences", str(seq)])
    assert ok.exit_code == 0 and "hr@10" in ok.stdout
    bad = CliRunner().invoke(_app(), ["bench", "personalization", "--sequences", str(tmp_path / "x.txt")])
    assert bad.exit_code == 2 and "not found" in bad.output and "Traceback" not in bad.output


def test_bench_ranking_missing_model_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(
        _app(), ["bench", "ranking", "--products", "p.csv", "--labels", "l.csv", "--model", str(tmp_path / "m.gz")]
    )
    assert result.exit_code == 2
    assert "shopassist train ranker" in result.output and "Traceback" not in result.output
