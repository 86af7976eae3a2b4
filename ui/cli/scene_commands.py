"""CLI: `shopassist train scene` and `shopassist bench scene`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from evaluation.scene import BenchError, BenchReport, clinc_rows, load_rows, run
from scene.dataset import TEST_FILE, TRAIN_FILE, DatasetError, build, default_shared_dir, write_jsonl
from scene.loader import build_model, cached_model_path, default_data_dir
from scene.model import ModelError


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=1)


def _print_report(report: BenchReport, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=title)
    for col in ("scene", "precision", "recall", "f1", "n"):
        table.add_column(col, justify="left" if col == "scene" else "right")
    for scene, m in report.per_scene.items():
        table.add_row(scene, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["n"]))
    console.print(table)

    def fmt(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.4f}"

    console.print(
        f"n={report.n}  accuracy={fmt(report.accuracy)}  macro_f1={fmt(report.macro_f1)}  "
        f"oos_recall={fmt(report.oos_recall)}  in_scope_accuracy={fmt(report.in_scope_accuracy)}  "
        f"p50={report.p50_ms:.1f} ms  p95={report.p95_ms:.1f} ms"
    )


def register(app: typer.Typer, bench: typer.Typer, train: typer.Typer) -> None:
    @train.command("scene")
    def train_scene(
        out: Annotated[Path | None, typer.Option(help="model file; default: the data dir's cache")] = None,
        data_dir: Annotated[Path | None, typer.Option(help="shopassist data dir")] = None,
        rebuild_data: Annotated[bool, typer.Option(help="rebuild train/test jsonl from the shared data")] = False,
        shared_data: Annotated[Path | None, typer.Option(help="folder of the public data sets")] = None,
        cache_dir: Annotated[Path | None, typer.Option(help="cache text embeddings here between runs")] = None,
    ) -> None:
        """Train the scene/intent model (MiniLM embeddings + n-gram TF-IDF, logistic heads)."""
        try:
            if rebuild_data or not TRAIN_FILE.exists():
                train_rows, test_rows = build(shared_data or default_shared_dir())
                write_jsonl(TRAIN_FILE, train_rows)
                write_jsonl(TEST_FILE, test_rows)
                typer.echo(f"wrote {len(train_rows)} training and {len(test_rows)} test rows to {TRAIN_FILE.parent}")
            target = out or cached_model_path(data_dir or default_data_dir())
            model = build_model(target, cache_dir=cache_dir)
        except (DatasetError, ModelError, OSError) as exc:
            raise _fail(str(exc)) from exc
        typer.echo(f"saved {target} ({', '.join(f'{k}={v}' for k, v in model.meta.items())})")

    @bench.command("scene")
    def bench_scene(
        data: Annotated[Path | None, typer.Option(help="JSONL rows {text, scene, context?}")] = None,
        clinc: Annotated[Path | None, typer.Option(help="CLINC150 train_val.json: score val + oos_val")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
        errors: Annotated[int, typer.Option(help="show this many misclassified rows")] = 0,
    ) -> None:
        """Accuracy, macro-F1, per-scene P/R/F1, out-of-scope recall, in-scope accuracy, latency."""
        from scene.loader import default_detector

        try:
            if clinc is not None:
                rows, title = clinc_rows(clinc), f"scene bench: CLINC150 val + oos_val ({clinc.name})"
            else:
                path = data or TEST_FILE
                rows, title = load_rows(path), f"scene bench: {path.name}"
            detector = default_detector()
            if as_json:
                report = run(detector, rows)
            else:
                from tqdm import tqdm

                with tqdm(total=len(rows), desc="scene bench", unit="msg") as bar:
                    report = run(detector, rows, progress=bar.update)
        except (BenchError, ModelError, OSError) as exc:
            raise _fail(str(exc)) from exc
        if as_json:
            typer.echo(json.dumps(report.to_dict()))
            return
        _print_report(report, title)
        for e in report.errors[:errors]:
            typer.echo(f"  [{e['gold']} -> {e['pred']}] ({e['reason']}) {e['text'][:120]}")
