"""`shopassist mcp | export | bench mcp`: the store for other AI agents.

    shopassist mcp                                    # the MCP server over stdio (caller from the environment)
    shopassist export --format merchant [--output F]  # the catalog as a Google Merchant feed
    shopassist bench mcp [--json] [--calls N]         # search_products latency through the MCP stack
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import load_settings
from retrieval.catalog import Product
from ui.cli.output import emit_json, fail, out


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
    fail(f"no index for catalog {name!r}; build it with `shopassist index --catalog {name} --file ...`")


def mcp_cmd() -> None:
    """The store's MCP server over stdio for local MCP clients. Set SHOPASSIST_MCP_KEY (pk_... or sk_...),
    and optionally SHOPASSIST_MCP_VISITOR_TOKEN (a cart) or SHOPASSIST_MCP_USER_ID + SHOPASSIST_MCP_USER_HASH
    (a signed-in shopper). Over HTTP the same server is at /mcp of `shopassist serve`."""
    from ui.mcp.stdio import run_stdio

    run_stdio(load_settings(), os.environ)


def export_cmd(
    fmt: Annotated[str, typer.Option("--format", help="merchant: Google Merchant feed (RSS 2.0, g: namespace)")],
    output: Annotated[Path | None, typer.Option(help="file to write (default: stdout)")] = None,
    catalog: Annotated[str | None, typer.Option(help="catalog name (default from settings)")] = None,
    base_url: Annotated[str, typer.Option(help="the store's public address, for the channel link")]
    = "http://127.0.0.1:7860/",
) -> None:
    """Export the catalog for shopping agents and marketplaces."""
    from ui.mcp.feeds import merchant_feed, store_summary

    if fmt != "merchant":
        fail(f"unknown --format {fmt!r}: use merchant")
    cfg = load_settings()
    products = _catalog_products(cfg.data_dir, catalog or cfg.retrieval.catalog)
    pieces = merchant_feed(products, title=cfg.store_name, link=base_url,
                           description=store_summary(cfg.store_name, cfg.store_currency, products),
                           currency=cfg.store_currency)
    if output is None:
        sys.stdout.writelines(pieces)
        return
    tmp = output.with_name(output.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.writelines(pieces)
    tmp.replace(output)
    typer.echo(f"wrote {len(products)} products to {output}", err=True)


def bench_mcp_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="print exactly one JSON object")] = False,
    calls: Annotated[int, typer.Option(min=10, max=5000, help="search_products calls to time")] = 200,
) -> None:
    """search_products latency (p50/p95) through the MCP stack in process, on the configured catalog (the demo
    store's when no store profile is configured)."""
    from assistant.settings import config_path
    from assistant.store_profile import demo_settings
    from evaluation.mcp import run_mcp_bench

    result = run_mcp_bench(load_settings() if config_path() is not None else demo_settings(), calls=calls)
    if as_json:
        emit_json(result)
        return
    for key in ("catalog_size", "calls", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms", "errors",
                "target_p95_ms", "pass"):
        out.print(f"{key:>14}  {result[key]}")
    out.print(f"{'in-memory p95':>14}  {result['in_memory']['p95_ms']}")
