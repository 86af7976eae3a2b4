"""Catalog commands: `index`, `search`, `shell`, `info`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from assistant.settings import load_settings
from ui.cli.output import emit_json, err, fail, out, progress, table, warn


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
                                                 "(default: the store's)")] = None,
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

    cfg = load_settings()
    source = file or demo_catalog_path()
    cols: dict[str, str] = {}
    for item in mapping or []:
        if "=" not in item:
            fail(f"--map takes field=column, got {item!r}")
        key, _, value = item.partition("=")
        cols[key.strip()] = value.strip()
    rates = cfg.retrieval.fx_to_store or None  # a file in another currency is refused without configured rates

    with progress(f"reading {source.name}", None, quiet=as_json) as advance:
        report = read_catalog_file(source, fmt, cols or None, currency or cfg.store_currency, progress=advance,
                                   store_currency=cfg.store_currency, fx_rates=rates)
    for row_error in report.errors[:50]:
        err.print(f"[yellow]skipped[/] {source.name} {escape(str(row_error))}", highlight=False)
    if len(report.errors) > 50:
        warn(f"... and {len(report.errors) - 50} more skipped rows")
    if not report.products:
        fail(f"{source.name}: no valid products; the existing index was left unchanged")
    cfg.ensure_data_dir()
    with progress(f"indexing {len(report.products)} products", len(report.products), quiet=as_json) as advance:
        _, stats = index_catalog(
            cfg.data_dir, catalog, report, default_embedder(), delete_missing=not keep_missing, progress=advance,
            chroma_url=cfg.retrieval.chroma_url,  # several workers: the Chroma server they all read
        )
    summary = report.summary()
    if as_json:
        index = {k: round(v, 3) if isinstance(v, float) else v for k, v in stats.__dict__.items()}
        emit_json({**summary, "catalog": catalog, "index": index})
        return
    skipped = ", ".join(f"{n} {reason}" for reason, n in summary["skipped"].items()) or "none"
    converted = "".join(f", converted from {c} at {r:g}" for c, r in summary["converted_from"].items())
    out.print(
        f"{escape(source.name)} ({summary['format']}): {summary['products']} products, {summary['variants']} "
        f"variants, currency {summary['currency']}{converted}; skipped: {escape(skipped)}", highlight=False
    )
    out.print(
        f"catalog [bold]{catalog}[/]: {stats.added} added, {stats.updated} re-embedded, "
        f"{stats.refreshed} price/stock updated, {stats.unchanged} unchanged, {stats.deleted} deleted "
        f"({stats.seconds:.1f} s, {stats.products_per_s:.0f} products/s)"
    )


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
    columns = ["#", "product", "brand", "price", "rating", "score"] + (["why"] if ranked is not None else [])
    lines = []
    for row in ranked if ranked is not None else [_hit_json(h) for h in hits[:k]]:
        why = ["; ".join(row.get("reasons", [])[:3])] if ranked is not None else []
        price = f"{_amount(row['price'])} {row['currency']}" if row["price"] else "n/a"
        if row.get("discount_pct"):
            price += f" (-{row['discount_pct']:.0f}%)"
        lines.append([str(row["rank"]), row["title"][:70], row["brand"], price,
                      f"{row['rating']:.1f}" if row.get("rating") else "-", f"{row['score']:.3f}", *why])
    table(None, columns, lines, left=columns)


def _personalize(searcher: Any, query: str, hits: list[Any], user: str, k: int) -> list[dict[str, Any]]:
    """Re-rank the hits with the shopper's profile (an unknown user id is a new shopper)."""
    from assistant.storage.profiles import ProfileStore
    from ranking.service import index_embedding, index_vectors, rank_for_user

    cfg = load_settings()
    cfg.ensure_data_dir()
    index = searcher.index
    store = ProfileStore.from_url(cfg.resolved_database_url(), index.catalog, embed=index_embedding(index))
    by_id = {h.product.id: h for h in hits}
    ranked = rank_for_user(query, hits, user, store, vectors=index_vectors(index))[:k]
    return [
        {**_hit_json(by_id[r.product.id]), "rank": i + 1, "score": round(r.score, 4), "reasons": r.reasons}
        for i, r in enumerate(ranked)
    ]


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
    cfg = load_settings()

    clean_query(query)  # reject bad input before loading anything
    searcher = open_searcher(cfg.data_dir, catalog, default_embedder(), store_currency=cfg.store_currency,
                             fx_to_store=cfg.retrieval.fx_to_store, chroma_url=cfg.retrieval.chroma_url)
    _search_once(searcher, query, k, mode, as_json, user)


def shell_cmd(
    catalog: Annotated[str, typer.Option(help="catalog index to search")] = "demo",
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 8,
) -> None:
    """Interactive product search in the terminal (type a query; empty line or Ctrl-D quits)."""
    from retrieval.embedding import default_embedder
    from retrieval.hybrid import QueryError
    from retrieval.service import open_searcher

    cfg = load_settings()
    cfg.ensure_data_dir()

    with progress("opening the catalog index (first run builds it)", None) as advance:
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
            err.print(f"[red]{escape(str(exc))}[/]")


def info_cmd() -> None:
    """Show the effective settings (secrets hidden) and the state of each catalog index."""
    cfg = load_settings()
    data = json.loads(cfg.model_dump_json())
    out.print_json(json.dumps(data))
    root = cfg.data_dir / "catalogs"
    for manifest in sorted(root.glob("*/manifest.json")) if root.exists() else []:
        meta = json.loads(manifest.read_text())
        out.print(f"catalog {meta.get('name')}: {meta.get('products')} products, embedder {meta.get('embedder')}")
