"""`shopassist train ...`: rebuild the models the product ships (thin over evaluation.training).

Data files default to the shared data folder (evaluation.paths: `$SHOPASSIST_SHARED_DATA`,
else `../shared/data` beside the checkout).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import load_settings
from evaluation.paths import shared_data_dir, shared_file
from ui.cli.output import out, progress

ProductsOpt = Annotated[
    Path | None, typer.Option("--products", help="Home Depot products.csv (default: the shared data folder's)")
]
LabelsOpt = Annotated[
    Path | None, typer.Option("--labels", help="relevance_train.csv, ISO-8859-1 (default: the shared data folder's)")
]
CacheOpt = Annotated[Path, typer.Option("--cache-dir", help="where title/query embeddings are cached")]
DEFAULT_CACHE = Path("var/embcache")


def homedepot_files(products: Path | None, labels: Path | None) -> tuple[Path, Path]:
    return (products or shared_file("homedepot", "products.csv"),
            labels or shared_file("homedepot", "relevance_train.csv"))


def fusion_cmd(
    products: Annotated[Path, typer.Option(help="catalog CSV (Home Depot products.csv)")],
    labels: Annotated[Path, typer.Option(help="judgements CSV")],
    output: Annotated[Path | None, typer.Option(help="where to write fusion.json (default: the package's)")] = None,
) -> None:
    """Tune the hybrid fusion weight on the dev queries of the Home Depot split."""
    from evaluation.retrieval import tune_fusion

    params = tune_fusion(products, labels, load_settings().data_dir, output, progress=progress)
    out.print_json(params.model_dump_json())


def scene_cmd(
    out_file: Annotated[Path | None, typer.Option("--out", help="model file; default: the data dir's")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="shopassist data dir")] = None,
    rebuild_data: Annotated[bool, typer.Option(help="rebuild train/test jsonl from the shared data")] = False,
    shared_data: Annotated[Path | None, typer.Option(help="folder of the public data sets")] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="cache text embeddings here between runs")] = None,
) -> None:
    """Train the scene/intent model (MiniLM embeddings + n-gram TF-IDF, logistic heads)."""
    from evaluation.datasets.scenes import TEST_FILE, TRAIN_FILE, build, write_jsonl
    from evaluation.training.scene import build_model
    from scene.loader import cached_model_path

    if rebuild_data or not TRAIN_FILE.exists():
        train_rows, test_rows = build(shared_data or shared_data_dir())
        write_jsonl(TRAIN_FILE, train_rows)
        write_jsonl(TEST_FILE, test_rows)
        typer.echo(f"wrote {len(train_rows)} training and {len(test_rows)} test rows to {TRAIN_FILE.parent}")
    target = out_file or cached_model_path(data_dir or load_settings().data_dir)
    model = build_model(target, cache_dir=cache_dir)
    typer.echo(f"saved {target} ({', '.join(f'{k}={v}' for k, v in model.meta.items())})")


def ranker_cmd(
    products: ProductsOpt = None,
    labels: LabelsOpt = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="model file (default: shipped)")] = None,
    cache_dir: CacheOpt = DEFAULT_CACHE,
    from_events: Annotated[bool, typer.Option("--from-events", help="learn from the shoppers' logged clicks, carts, "
                                              "likes and dislikes instead; promote only if not worse")] = False,
    holdout_days: Annotated[int, typer.Option(min=1, max=60, help="--from-events: last days held out")] = 2,
    dry_run: Annotated[bool, typer.Option(help="--from-events: decide, but do not switch the served model")] = False,
) -> None:
    """Train the LambdaMART ranker + relevance regressor on the Home Depot judgements (or, with --from-events,
    on the logged behaviour of this store's shoppers)."""
    if from_events:
        _ranker_from_events(holdout_days, not dry_run)
        return
    from evaluation.training.ranker import train_ranker
    from ranking.model import default_model_path
    from retrieval.embedding import default_embedder

    products, labels = homedepot_files(products, labels)
    model = train_ranker(products, labels, out_file or default_model_path(), default_embedder(), cache_dir)
    typer.echo(json.dumps({"version": model.version, **model.metadata}, indent=2))


def cross_encoder_cmd(
    products: ProductsOpt = None,
    labels: LabelsOpt = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="weights file (default: shipped)")] = None,
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
    from retrieval.embedding import default_embedder

    products, labels = homedepot_files(products, labels)
    model = train_cross_encoder(products, labels, out_file or default_path(), default_embedder(), cache_dir,
                                teacher_path=teacher, ranker_path=ranker, seed=seed)
    typer.echo(json.dumps(model.metadata, indent=2))


def support_intents_cmd(
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="the shared public data folder (default: found as the benches do)")
    ] = None,
) -> None:
    """Retrain the shipped support sub-intent classifier from the Bitext sets."""
    from evaluation.training.support_intents import MODEL_PATH, train_from_bitext

    stats = train_from_bitext(data_dir)
    typer.echo(f"wrote {MODEL_PATH} ({json.dumps(stats)})")


def _ranker_from_events(holdout_days: int, promote: bool) -> None:
    from assistant.storage.store import StateStore
    from evaluation.training.from_events import retrain_from_events
    from ranking.registry import registry_for
    from ui.cli.output import note

    settings = load_settings()
    store = StateStore.from_url(settings.resolved_database_url())
    result = retrain_from_events(store, registry_for(settings.data_dir), holdout_days=holdout_days,
                                 promote=promote, log=note)
    typer.echo(json.dumps({"promoted": result.promoted, "reason": result.reason, "candidate": result.candidate,
                           "served_before": result.current, "model_path": result.model_path,
                           **result.figures}, indent=2))
