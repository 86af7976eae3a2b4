"""Which importer reads a file, from its first bytes and header row."""

from __future__ import annotations

from pathlib import Path

from retrieval.importers import merchant, shopify, woocommerce
from retrieval.importers.tabular import decode, header_names, read_head
from retrieval.ingest import FLIPKART_COLUMNS

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")


def detect_layout(path: Path) -> tuple[str | None, list[str]]:
    """(format name or None, the header cells seen) for a catalog file.

    Recognised: shopify, woocommerce, merchant (XML or TSV), flipkart, homedepot; a
    JSONL file is "mapped" (it needs a column mapping). None means unknown.
    """
    path = Path(path)
    if path.name.lower().endswith(JSONL_SUFFIXES):
        return "mapped", []
    head = decode(read_head(path, 16384))[0].lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        return (merchant.NAME if merchant.looks_like_xml(head) else None), []
    names, delimiter = header_names(path)
    shown = sorted(names)
    if shopify.looks_like(names):
        return shopify.NAME, shown
    if woocommerce.looks_like(names):
        return woocommerce.NAME, shown
    if delimiter == "\t" and merchant.looks_like_tsv(names):
        return merchant.NAME, shown
    if all(c in names for c in FLIPKART_COLUMNS):
        return "flipkart", shown
    if {"product_uid", "product_title"} <= names:
        return "homedepot", shown
    return None, shown
