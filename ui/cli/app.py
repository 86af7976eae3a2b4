"""The `shopassist` command line: index catalogs, search, train, benchmark, run the assistant.

Every command turns a known failure (bad input, missing index, unreachable
backend) into one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.settings import Settings, load_settings

app = typer.Typer(
    name="shopassist",
    help="A self-hosted conversational shopping assistant: hybrid product search, personalized ranking, "
    "grounded LLM answers.",
    no_args_is_help=True,
    add_completion=False,
)
bench_app = typer.Typer(help="Benchmarks that print numbers (a table, or one JSON object with --json).",
                        no_args_is_help=True)
train_app = typer.Typer(help="Train the models the assistant ships (reproducible, minutes on 2 cores).",
                        no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(train_app, name="train")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

# Exceptions that carry a message meant for the user; anything else is a bug and shows a traceback.
USER_ERRORS: list[type[BaseException]] = []


def user_error_types() -> tuple[type[BaseException], ...]:
    if not USER_ERRORS:
        from retrieval.embedding import EmbedderError
        from retrieval.hybrid import QueryError
        from retrieval.index import CatalogIndexError
        from retrieval.ingest import IngestError
        from retrieval.store import StoreError

        USER_ERRORS.extend([QueryError, IngestError, CatalogIndexError, StoreError, EmbedderError, FileNotFoundError])
        for module, names in (("ranking.errors", ("RankingError",)), ("assistant.llm.errors", ("LLMError",))):
            try:
                mod = importlib.import_module(module)
            except ImportError:
                continue
            USER_ERRORS.extend(getattr(mod, n) for n in names if hasattr(mod, n))
    return tuple(USER_ERRORS)


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def guarded(fn: Callable[[], T]) -> T:
    """Run `fn`, turning user-facing errors into a one-line message and exit code 2."""
    try:
        return fn()
    except user_error_types() as exc:
        fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise  # unreachable: fail() exits


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields `advance(n)`."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=not err.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def settings() -> Settings:
    return load_settings()


# ---------------------------------------------------------------- index


@app.command("index")
def index_cmd(
    file: Annotated[
        Path | None, typer.Option(help="catalog file (CSV, TSV, XML feed, JSONL; .gz too); default: the demo store")
    ] = None,
    catalog: Annotated[str, typer.Option(help="name of the catalog index to create or update")] = "demo",
    fmt: Annotated[str, typer.Option("--format", help="auto | shopify | merchant | woocommerce | mapped | flipkart "
                                     "| homedepot (auto reads the file's header)")] = "auto",
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="field=column, e.g. --map id=sku (repeatable)")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="currency of prices the file does not label "
                                                 "(default: the store's, settings store_currency)")] = None,
    keep_missing: Annotated[bool, typer.Option(help="keep indexed products absent from the file")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as one JSON object")] = False,
) -> None:
    """Import a catalog file and build or update (sync) its search index.

    Only what changed is redone: new products and changed texts are embedded, price and stock
    changes are applied without re-embedding, products gone from the file are deleted.
    """
    from retrieval.embedding import default_embedder
    from retrieval.ingest import demo_catalog_path
    from retrieval.service import index_catalog, read_catalog_file

    cfg = settings()
    source = file or demo_catalog_path()
    cols: dict[str, str] = {}
    for item in mapping or []:
        if "=" not in item:
            fail(f"--map takes field=column, got {item!r}")
        key, _, value = item.partition("=")
        cols[key.strip()] = value.strip()
    # Catalog prices are converted only with rates the operator configured, never with the defaults
    # meant for reading "under $150" in a shopper's message.
    rates = cfg.retrieval.fx_to_store if "fx_to_store" in cfg.retrieval.model_fields_set else None

    def run() -> None:
        with progress_bar(f"reading {source.name}", None) as advance:
            report = read_catalog_file(source, fmt, cols or None, currency or cfg.store_currency, progress=advance,
                                       store_currency=cfg.store_currency, fx_rates=rates)
        for row_error in report.errors[:50]:
            err.print(f"[yellow]skipped[/] {source.name} {row_error}", highlight=False)
        if len(report.errors) > 50:
            err.print(f"[yellow]... and {len(report.errors) - 50} more skipped rows[/]")
        if not report.products:
            fail(f"{source.name}: no valid products; the existing index was left unchanged")
        cfg.ensure_data_dir()
        with progress_bar(f"indexing {len(report.products)} products", len(report.products)) as advance:
            _, stats = index_catalog(
                cfg.data_dir, catalog, report, default_embedder(), delete_missing=not keep_missing, progress=advance
            )
        summary = report.summary()
        if as_json:
            index = {k: round(v, 3) if isinstance(v, float) else v for k, v in stats.__dict__.items()}
            print(json.dumps({**summary, "catalog": catalog, "index": index}, ensure_ascii=False))
            return
        skipped = ", ".join(f"{n} {reason}" for reason, n in summary["skipped"].items()) or "none"
        converted = "".join(f", converted from {c} at {r:g}" for c, r in summary["converted_from"].items())
        out.print(
            f"{source.name} ({summary['format']}): {summary['products']} products, {summary['variants']} variants, "
            f"currency {summary['currency']}{converted}; skipped: {skipped}", highlight=False
        )
        out.print(
            f"catalog [bold]{catalog}[/]: {stats.added} added, {stats.updated} re-embedded, "
            f"{stats.refreshed} price/stock updated, {stats.unchanged} unchanged, {stats.deleted} deleted "
            f"({stats.seconds:.1f} s, {stats.products_per_s:.0f} products/s)"
        )

    guarded(run)


# ---------------------------------------------------------------- search


def _hit_json(hit: Any) -> dict[str, Any]:
    p = hit.product
    return {
        "rank": hit.rank, "id": p.id, "title": p.title, "brand": p.brand, "category": p.category,
        "price": p.price, "list_price": p.list_price, "currency": p.currency, "discount_pct": p.discount_pct,
        "rating": p.rating, "in_stock": p.in_stock, "score": round(hit.score, 4),
        "dense": round(hit.dense_score, 4), "bm25": round(hit.bm25_score, 4),
        "variants": [v.model_dump() for v in p.variants],
    }


def _amount(value: float) -> str:
    """A price as the catalog has it: cents kept ("0.98"), none shown for whole amounts ("1,349")."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _search_once(searcher: Any, query: str, k: int, mode: str, as_json: bool, user: str | None) -> None:
    response = searcher.search(query, k=k if not user else max(k, 50), mode=mode)
    hits = response.hits
    ranked = _personalize(searcher, query, hits, user, k) if user else None
    if as_json:
        payload: dict[str, Any] = {
            "query": response.query, "residual": response.parsed.residual,
            "filters": response.filters.model_dump(exclude_defaults=True),
            "filter_chips": response.filters.describe(), "mode": mode, "elapsed_ms": round(response.elapsed_ms, 2),
            "notes": response.notes,
            "results": [_hit_json(h) for h in hits[:k]],
        }
        if ranked is not None:
            payload["results"] = ranked
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    chips = ", ".join(response.filters.describe()) or "none"
    out.print(f"[dim]filters: {chips} · {response.elapsed_ms:.0f} ms[/]")
    for note in response.notes:
        out.print(f"[dim]{note}[/]")
    if not hits:
        out.print("No products found. Try fewer words or a wider price range.")
        return
    table = Table(show_header=True, header_style="bold")
    columns = ["#", "product", "brand", "price", "rating", "score"] + (["why"] if ranked is not None else [])
    for col in columns:
        table.add_column(col)
    rows = ranked if ranked is not None else [_hit_json(h) for h in hits[:k]]
    for row in rows:
        why = ["; ".join(row.get("reasons", [])[:3])] if ranked is not None else []
        price = f"{_amount(row['price'])} {row['currency']}" if row["price"] else "n/a"
        if row.get("discount_pct"):
            price += f" (-{row['discount_pct']:.0f}%)"
        table.add_row(str(row["rank"]), row["title"][:70], row["brand"], price,
                      f"{row['rating']:.1f}" if row.get("rating") else "-", f"{row['score']:.3f}", *why)
    out.print(table)


def _personalize(searcher: Any, query: str, hits: list[Any], user: str, k: int) -> list[dict[str, Any]]:
    """Re-rank the hits with the shopper's profile (an unknown user id is a new shopper)."""
    from assistant.storage.profiles import ProfileStore
    from ranking.service import index_embedding, index_vectors, rank_for_user

    cfg = settings()
    cfg.ensure_data_dir()
    index = searcher.index
    store = ProfileStore.from_url(cfg.resolved_database_url(), index.catalog, embed=index_embedding(index))
    by_id = {h.product.id: h for h in hits}
    ranked = rank_for_user(query, hits, user, store, vectors=index_vectors(index))[:k]
    return [
        {**_hit_json(by_id[r.product.id]), "rank": i + 1, "score": round(r.score, 4), "reasons": r.reasons}
        for i, r in enumerate(ranked)
    ]


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="what the shopper types, e.g. 'waterproof jacket under 1500'")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="how many products")] = 10,
    catalog: Annotated[str, typer.Option(help="catalog index to search")] = "demo",
    mode: Annotated[str, typer.Option(help="hybrid | dense | bm25")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    user: Annotated[str | None, typer.Option("--user", help="personalize for this user id")] = None,
) -> None:
    """Search a catalog once: filters are read from the words (price, brand, colour, rating, sale)."""
    from retrieval.embedding import default_embedder
    from retrieval.hybrid import clean_query
    from retrieval.service import open_searcher

    if mode not in ("hybrid", "dense", "bm25"):
        fail(f"unknown mode {mode!r}: use hybrid, dense or bm25")
    cfg = settings()

    def run() -> None:
        clean_query(query)  # reject bad input before loading anything
        searcher = open_searcher(cfg.data_dir, catalog, default_embedder(), store_currency=cfg.store_currency,
                                 fx_to_store=cfg.retrieval.fx_to_store, chroma_url=cfg.retrieval.chroma_url)
        _search_once(searcher, query, k, mode, as_json, user)

    guarded(run)


@app.command("shell")
def shell_cmd(
    catalog: Annotated[str, typer.Option(help="catalog index to search")] = "demo",
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 8,
) -> None:
    """Interactive product search in the terminal (type a query; empty line or Ctrl-D quits)."""
    from retrieval.embedding import default_embedder
    from retrieval.hybrid import QueryError
    from retrieval.service import open_searcher

    cfg = settings()
    cfg.ensure_data_dir()

    def run() -> None:
        with progress_bar("opening the catalog index (first run builds it)", None) as advance:
            searcher = open_searcher(cfg.data_dir, catalog, default_embedder(), store_currency=cfg.store_currency,
                                     fx_to_store=cfg.retrieval.fx_to_store, chroma_url=cfg.retrieval.chroma_url)
            advance(1)
        out.print(f"[bold]{cfg.store_name}[/] · {len(searcher.index)} products. Try: "
                  "'red shoes for women under 1000', 'analog watch on sale', 'gold ring rated 4+'.")
        while True:
            try:
                line = input("search> ")
            except (EOFError, KeyboardInterrupt):
                out.print()
                return
            if not line.strip():
                return
            try:
                _search_once(searcher, line, k, "hybrid", False, None)
            except QueryError as exc:
                err.print(f"[red]{exc}[/]")

    guarded(run)


@app.command("run")
def run_cmd(
    host: Annotated[str | None, typer.Option(help="address to listen on (default from settings: 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default 7860)")] = None,
) -> None:
    """The main job: the assistant on the bundled demo store with embedded defaults (no GPU needed)."""
    try:
        serve = importlib.import_module("ui.server")
    except ImportError:
        serve = None
    if serve is not None and hasattr(serve, "serve"):
        serve.serve(host=host, port=port)
        return
    shell_cmd(catalog="demo", k=8)


@app.command("info")
def info_cmd() -> None:
    """Show the effective settings (secrets hidden) and the state of each catalog index."""
    cfg = settings()
    data = json.loads(cfg.model_dump_json())
    out.print_json(json.dumps(data))
    root = cfg.data_dir / "catalogs"
    for manifest in sorted(root.glob("*/manifest.json")) if root.exists() else []:
        meta = json.loads(manifest.read_text())
        out.print(f"catalog {meta.get('name')}: {meta.get('products')} products, embedder {meta.get('embedder')}")


# ---------------------------------------------------------------- benchmarks and training of retrieval


@bench_app.command("retrieval")
def bench_retrieval_cmd(
    products: Annotated[Path, typer.Option(help="catalog CSV (Home Depot products.csv)")],
    labels: Annotated[Path, typer.Option(help="judgements CSV (id, product_uid, search_term, relevance)")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    rebuild: Annotated[bool, typer.Option(help="rebuild the catalog index from scratch to time it")] = False,
    limit: Annotated[int, typer.Option(help="evaluate only the first N queries (0 = all)")] = 0,
) -> None:
    """BM25 vs dense vs hybrid: nDCG@10, recall@100 and latency on a judged catalog."""
    from evaluation.retrieval import run_retrieval_bench

    cfg = settings()

    def run() -> None:
        result = run_retrieval_bench(products, labels, cfg.data_dir, rebuild=rebuild, limit=limit,
                                     progress=progress_bar)
        if as_json:
            print(json.dumps(result))
            return
        _print_retrieval_table(result)

    guarded(run)


def _print_retrieval_table(result: dict[str, Any]) -> None:
    table = Table(title=f"retrieval on {result['queries']} queries, {result['catalog_size']} products")
    for col in ("method", "full nDCG@10", "recall@100", "p50 ms", "p95 ms", "rerank nDCG@10"):
        table.add_column(col, justify="right")
    for method in ("bm25", "dense", "hybrid"):
        full, rerank = result["full"][method], result["rerank"][method]
        table.add_row(method, f"{full['ndcg@10']:.4f}", f"{full['recall@100']:.4f}", f"{full['p50_ms']:.1f}",
                      f"{full['p95_ms']:.1f}", f"{rerank['ndcg@10']:.4f}")
    out.print(table)
    idx = result["index"]
    out.print(f"index: {idx['products_per_s']:.0f} products/s ({idx['seconds']:.0f} s for {idx['products']}, "
              f"{'fresh build' if idx.get('fresh') else 'from the last build'})")


@train_app.command("fusion")
def train_fusion_cmd(
    products: Annotated[Path, typer.Option(help="catalog CSV (Home Depot products.csv)")],
    labels: Annotated[Path, typer.Option(help="judgements CSV")],
    output: Annotated[Path | None, typer.Option(help="where to write fusion.json (default: the package's)")] = None,
) -> None:
    """Tune the hybrid fusion weight on a query-disjoint dev split of the judgements."""
    from evaluation.retrieval import tune_fusion

    cfg = settings()

    def run() -> None:
        params = tune_fusion(products, labels, cfg.data_dir, output, progress=progress_bar)
        out.print_json(params.model_dump_json())

    guarded(run)


# ---------------------------------------------------------------- other packages' commands

for _module in ("ui.cli.scene_commands", "ui.cli.ranking_commands", "ui.cli.retrieval_commands",
                "ui.cli.assistant_commands", "ui.cli.ui_commands"):
    try:
        _mod = importlib.import_module(_module)
    except ImportError as _exc:
        if _exc.name and _module.startswith(_exc.name):
            continue
        raise
    _mod.register(app, bench_app, train_app)


def main() -> None:
    from assistant.privacy import install_log_masking

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    install_log_masking()  # shoppers' cards, phones and emails never reach a log line (uvicorn's too)
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
