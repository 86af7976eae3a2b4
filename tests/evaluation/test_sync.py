"""The sync benchmark (`shopassist bench sync`) on a slice of the real Home Depot catalog."""

from __future__ import annotations

from pathlib import Path

from evaluation.sync import run_sync_bench
from retrieval.embedding import HashingEmbedder


def test_sync_benchmark_on_a_slice_of_home_depot(shared_data: Path, tmp_path: Path) -> None:
    result = run_sync_bench(shared_data / "homedepot" / "products.csv", embedder=HashingEmbedder(), limit=400,
                            titles=3, deletions=2, work_dir=tmp_path)
    assert result["products"] == 400 and result["changes"]["price_and_stock"] == 4
    assert result["full_build"]["texts_embedded"] == 400
    sync = result["sync"]
    assert sync["texts_embedded"] == 3, "only the retitled products are embedded again"
    assert (sync["refreshed"], sync["reembedded"], sync["deleted"]) == (4, 3, 2)
    assert all(result["checks"].values()), result["checks"]
    assert result["full_build"]["seconds"] > 0 and result["speedup"] is not None
