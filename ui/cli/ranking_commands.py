"""CLI commands of the ranking package (wired into `shopassist` by ui/cli.py).

    shopassist train ranker [--products FILE] [--labels FILE] [--out FILE]
    shopassist train cross-encoder [--products FILE] [--labels FILE] [--out FILE] [--teacher FILE]
    shopassist bench ranking --products FILE --labels FILE [--json]
    shopassist bench personalization --sequences FILE --attributes FILE [--json]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from ranking.errors import RankingError

HD_DIR = Path("../shared/data/homedepot")
DEFAULT_CACHE = Path("var/embcache")

ProductsOpt = Annotated[
    Path, typer.Option("--products", help="Home Depot products.csv (product_uid, product_title)")
]
LabelsOpt = Annotated[Path, typer.Option("--labels", help="relevance_train.csv (ISO-8859-1)")]
CacheOpt = Annotated[Path, typer.Option("--cache-dir", help="where title/query embeddings are cached")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print exactly one JSON object")]


def fail(reason: object) -> None:
    """One line `error: ...` on stderr and exit code 2: how every benchmark command refuses input."""
    typer.echo(f"error: {reason}", err=True)
    raise typer.Exit(code=2)


def print_metrics(title: str, result: Mapping[str, object]) -> None:
    """A two-column metric/value table of a benchmark result (the non-JSON output)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key, str(value))
    Console().print(table)


def report(title: str, result: Mapping[str, object], as_json: bool) -> None:
    """A benchmark result: exactly one JSON object with `--json`, else a metric table."""
    if as_json:
        typer.echo(json.dumps(result))
    else:
        print_metrics(title, result)


def register(app: typer.Typer, bench: typer.Typer, train: typer.Typer) -> None:
    @train.command("ranker")
    def train_ranker_cmd(
        products: ProductsOpt = HD_DIR / "products.csv",
        labels: LabelsOpt = HD_DIR / "relevance_train.csv",
        out: Annotated[Path | None, typer.Option("--out", help="model file (default: shipped)")] = None,
        cache_dir: CacheOpt = DEFAULT_CACHE,
    ) -> None:
        """Train the LambdaMART ranker + relevance regressor on the Home Depot judgements."""
        from evaluation.training.ranker import train_ranker
        from ranking.model import default_model_path
        from retrieval.embedding import EmbedderError, default_embedder

        try:
            model = train_ranker(products, labels, out or default_model_path(), default_embedder(), cache_dir)
        except (RankingError, EmbedderError) as exc:
            fail(exc)
            return
        typer.echo(json.dumps({"version": model.version, **model.metadata}, indent=2))

    @train.command("cross-encoder")
    def train_cross_encoder_cmd(
        products: ProductsOpt = HD_DIR / "products.csv",
        labels: LabelsOpt = HD_DIR / "relevance_train.csv",
        out: Annotated[Path | None, typer.Option("--out", help="weights file (default: shipped)")] = None,
        ranker: Annotated[
            Path | None, typer.Option("--ranker", help="ranker model the blend is tuned on (default: shipped)")
        ] = None,
        teacher: Annotated[
            Path, typer.Option("--teacher", help="6-layer teacher weights: reused if present, else trained here")
        ] = Path("var/cross-encoder-teacher.npz"),
        seed: int = 0,
        cache_dir: CacheOpt = DEFAULT_CACHE,
    ) -> None:
        """Distill the 2-layer cross-encoder that re-scores the ranker's top 10 from a 6-layer teacher
        (~35 min on 2 cores, ~18 with a saved teacher)."""
        from evaluation.training.cross_encoder import train_cross_encoder
        from ranking.cross_encoder import default_path
        from retrieval.embedding import EmbedderError, default_embedder

        try:
            model = train_cross_encoder(products, labels, out or default_path(), default_embedder(), cache_dir,
                                        teacher_path=teacher, ranker_path=ranker, seed=seed)
        except (RankingError, EmbedderError) as exc:
            fail(exc)
            return
        typer.echo(json.dumps(model.metadata, indent=2))

    @bench.command("ranking")
    def bench_ranking_cmd(
        products: ProductsOpt = HD_DIR / "products.csv",
        labels: LabelsOpt = HD_DIR / "relevance_train.csv",
        as_json: JsonOpt = False,
        cache_dir: CacheOpt = DEFAULT_CACHE,
        model: Annotated[Path | None, typer.Option("--model", help="model file (default: shipped)")] = None,
        cross_encoder: Annotated[
            Path | None, typer.Option("--cross-encoder", help="cross-encoder weights (default: shipped)")
        ] = None,
        no_cross_encoder: Annotated[
            bool, typer.Option("--no-cross-encoder", help="rank with the LightGBM models only")
        ] = False,
    ) -> None:
        """nDCG@10 / RMSE of the ranker on query-disjoint test queries vs the best retrieval-only order."""
        from evaluation import ranking as ranking_bench
        from retrieval.embedding import EmbedderError, default_embedder

        try:
            result = ranking_bench.run(
                products, labels, default_embedder(), cache_dir, model, progress=not as_json,
                log=None if as_json else typer.echo, cross_encoder_path=cross_encoder,
                use_cross_encoder=False if no_cross_encoder else None,
            )
        except (RankingError, EmbedderError) as exc:
            fail(exc)
            return
        report("ranking benchmark (Home Depot, test queries)", result, as_json)

    @bench.command("personalization")
    def bench_personalization_cmd(
        sequences: Annotated[Path, typer.Option("--sequences", help="lines of 'user item1 item2 ...'")],
        attributes: Annotated[
            Path | None, typer.Option("--attributes", help="item -> attribute ids JSON")
        ] = None,
        as_json: JsonOpt = False,
        stage: Annotated[str, typer.Option("--stage", help="test (last item) or valid")] = "test",
    ) -> None:
        """Leave-last-out HR@10 / NDCG@10 over all items of the sequential item-KNN recommender."""
        from evaluation.personalization import load_sequences, run

        if stage not in ("test", "valid"):
            fail(RankingError("--stage must be 'test' or 'valid'"))
        try:
            data = load_sequences(sequences, attributes)
            if as_json:
                result = run(data, stage=stage)
            else:
                from tqdm import tqdm

                n_users = sum(1 for s in data.sequences if len(s) > (1 if stage == "test" else 2))
                with tqdm(total=n_users, desc="evaluating", unit="user") as bar:
                    result = run(data, stage=stage, progress=bar.update)
        except RankingError as exc:
            fail(exc)
            return
        report(f"personalization benchmark ({sequences.name}, {stage})", result, as_json)
