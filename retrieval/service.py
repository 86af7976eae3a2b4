"""Ingest a catalog file into a named index and open it for search: what the CLI and the app call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from retrieval.embedding import Embedder
from retrieval.hybrid import HybridSearcher
from retrieval.importers import ImportReport, import_catalog
from retrieval.index import CatalogIndex, CatalogIndexError, UpdateStats, catalog_dir
from retrieval.ingest import IngestReport, demo_catalog_path, load_flipkart
from retrieval.store import ChromaProductStore, ProductStore

DEMO_CATALOG = "demo"


def read_catalog_file(
    path: Path,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    currency: str = "",
    progress: Callable[[int], None] | None = None,
    *,
    store_currency: str | None = None,
    fx_rates: Mapping[str, float] | None = None,
) -> ImportReport:
    """Parse a catalog file in the given (or detected) format (see `retrieval.importers`)."""
    return import_catalog(path, fmt, mapping, currency=currency, store_currency=store_currency, fx_rates=fx_rates,
                          progress=progress)


def index_catalog(
    data_dir: Path,
    name: str,
    report: IngestReport,
    embedder: Embedder,
    *,
    delete_missing: bool = True,
    progress: Callable[[int], None] | None = None,
    chroma_url: str = "",
) -> tuple[CatalogIndex, UpdateStats]:
    """Build or update the index; its vectors go to the Chroma server at `chroma_url` when set."""
    return CatalogIndex.build(
        data_dir, name, report.products, embedder, delete_missing=delete_missing, progress=progress,
        store=vector_store(name, chroma_url),
    )


def vector_store(name: str, chroma_url: str = "") -> ProductStore | None:
    """A Chroma server collection when `chroma_url` is set (several workers), else None: the
    catalog's own persistent Chroma directory."""
    return ChromaProductStore.connect_http(chroma_url, name) if chroma_url else None


def ensure_demo_index(
    data_dir: Path, embedder: Embedder, progress: Callable[[int], None] | None = None, chroma_url: str = ""
) -> CatalogIndex:
    """Open the demo store's index, building it from the bundled catalog the first time."""
    store = vector_store(DEMO_CATALOG, chroma_url)
    try:
        return CatalogIndex.open(data_dir, DEMO_CATALOG, embedder, store=store)
    except CatalogIndexError:
        if (catalog_dir(data_dir, DEMO_CATALOG) / "manifest.json").exists():
            raise  # corrupt, not missing: never overwrite silently
    report = load_flipkart(demo_catalog_path())
    index, _ = CatalogIndex.build(data_dir, DEMO_CATALOG, report.products, embedder, progress=progress, store=store)
    return index


def open_index(data_dir: Path, name: str, embedder: Embedder, chroma_url: str = "") -> CatalogIndex:
    """A catalog's index (the demo store's is built on first use)."""
    if name == DEMO_CATALOG:
        return ensure_demo_index(data_dir, embedder, chroma_url=chroma_url)
    return CatalogIndex.open(data_dir, name, embedder, store=vector_store(name, chroma_url))


def open_searcher(
    data_dir: Path, name: str, embedder: Embedder, *, store_currency: str = "",
    fx_to_store: Mapping[str, float] | None = None, chroma_url: str = "",
) -> HybridSearcher:
    index = open_index(data_dir, name, embedder, chroma_url)
    return HybridSearcher(index, store_currency=store_currency, fx_to_store=fx_to_store)
