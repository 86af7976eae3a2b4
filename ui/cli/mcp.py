"""CLI commands for other AI agents (self-contained; `register` wires them into `shopassist`).

    shopassist mcp                                    # the MCP server over stdio (caller from the environment)
    shopassist export --format merchant [--output F]  # the catalog as a Google Merchant feed
    shopassist bench mcp [--json] [--calls N]         # search_products latency through the MCP stack
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from retrieval.catalog import Product


def _fail(reason: object) -> None:
    typer.echo(f"error: {reason}", err=True)
    raise typer.Exit(code=2)


def _catalog_products(data_dir: Path, name: str) -> list[Product]:
    """The catalog as indexed (`products.jsonl`), or the bundled demo file when the demo is not indexed yet."""
    from retrieval.index import catalog_dir

    path = catalog_dir(data_dir, name) / "products.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            return [Product.model_validate_json(line) for line in fh if line.strip()]
    if name == "demo":
        from retrieval.ingest import load_demo_catalog

        return list(load_demo_catalog())
    _fail(f"no index for catalog {name!r}; build it with `shopassist index --catalog {name} --file ...`")
    return []


def register(app: typer.Typer, bench: typer.Typer, train: typer.Typer | None = None) -> None:
    @app.command("mcp")
    def mcp_cmd() -> None:
        """The store's MCP server over stdio for local MCP clients. Set SHOPASSIST_MCP_KEY (pk_... or sk_...),
        and optionally SHOPASSIST_MCP_VISITOR_TOKEN (a cart) or SHOPASSIST_MCP_USER_ID + SHOPASSIST_MCP_USER_HASH
        (a signed-in shopper). Over HTTP the same server is at /mcp of `shopassist serve`."""
        from assistant.services import AppBuildError
        from assistant.settings import load_settings
        from ui.mcp.stdio import StdioSetupError, run_stdio

        try:
            run_stdio(load_settings(), os.environ)
        except (StdioSetupError, AppBuildError) as exc:
            _fail(exc)

    @app.command("export")
    def export_cmd(
        fmt: Annotated[str, typer.Option("--format", help="merchant: Google Merchant feed (RSS 2.0, g: namespace)")],
        output: Annotated[Path | None, typer.Option(help="file to write (default: stdout)")] = None,
        catalog: Annotated[str | None, typer.Option(help="catalog name (default from settings)")] = None,
        base_url: Annotated[str, typer.Option(help="the store's public address, for the channel link")]
        = "http://127.0.0.1:7860/",
    ) -> None:
        """Export the catalog for shopping agents and marketplaces."""
        from assistant.settings import load_settings
        from ui.mcp.feeds import merchant_feed, store_summary

        if fmt != "merchant":
            _fail(f"unknown --format {fmt!r}: use merchant")
        cfg = load_settings()
        products = _catalog_products(cfg.data_dir, catalog or cfg.retrieval.catalog)
        pieces = merchant_feed(products, title=cfg.store_name, link=base_url,
                               description=store_summary(cfg.store_name, cfg.store_currency, products))
        if output is None:
            sys.stdout.writelines(pieces)
            return
        tmp = output.with_name(output.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.writelines(pieces)
        tmp.replace(output)
        typer.echo(f"wrote {len(products)} products to {output}", err=True)

    @bench.command("mcp")
    def bench_mcp_cmd(
        as_json: Annotated[bool, typer.Option("--json", help="print exactly one JSON object")] = False,
        calls: Annotated[int, typer.Option(min=10, max=5000, help="search_products calls to time")] = 200,
    ) -> None:
        """search_products latency (p50/p95) through the MCP stack in process, on the configured catalog."""
        from assistant.services import AppBuildError
        from assistant.settings import load_settings
        from evaluation.mcp import run_mcp_bench

        try:
            result = run_mcp_bench(load_settings(), calls=calls)
        except AppBuildError as exc:
            _fail(exc)
            return
        if as_json:
            print(json.dumps(result))
            return
        for key in ("catalog_size", "calls", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms", "errors",
                    "target_p95_ms", "pass"):
            typer.echo(f"{key:>14}  {result[key]}")
        typer.echo(f"{'in-memory p95':>14}  {result['in_memory']['p95_ms']}")
