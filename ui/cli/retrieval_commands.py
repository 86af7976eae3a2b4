"""CLI commands of the retrieval package (wired into `shopassist` by ui/cli/app.py).

    shopassist bench sync --products FILE [--change-pct 1] [--titles 10] [--deletions 10] [--limit N] [--json]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ui.cli.ranking_commands import fail, report


def register(app: typer.Typer, bench: typer.Typer, train: typer.Typer) -> None:
    @bench.command("sync")
    def bench_sync_cmd(
        products: Annotated[Path, typer.Option(help="Home Depot products.csv (product_uid, product_title)")],
        change_pct: Annotated[float, typer.Option(min=0.01, max=100, help="percent of products whose price and "
                                                  "stock change")] = 1.0,
        titles: Annotated[int, typer.Option(min=0, help="products whose title changes")] = 10,
        deletions: Annotated[int, typer.Option(min=0, help="products removed from the feed")] = 10,
        limit: Annotated[int, typer.Option(min=0, help="use only the first N products (0 = all)")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="print exactly one JSON object")] = False,
    ) -> None:
        """Full index build vs the sync of a changed feed (prices/stock of 1 % of products, a few new titles
        and deletions), with the real embedder: seconds, texts embedded, and checks of the result."""
        from evaluation.sync import run_sync_bench
        from retrieval.index import CatalogIndexError
        from retrieval.ingest import IngestError

        try:
            result = run_sync_bench(products, change_pct=change_pct, titles=titles, deletions=deletions, limit=limit)
        except (IngestError, CatalogIndexError) as exc:
            fail(exc)
            return
        report("bench sync", result, as_json)
