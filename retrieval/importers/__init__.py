"""Catalog importers: one per export format stores really have, all producing `Product`s with `Variant`s.

    shopify      Shopify product CSV (legacy and current headers)          retrieval/importers/shopify.py
    merchant     Google Merchant Center feed: RSS/Atom XML or TSV          retrieval/importers/merchant.py
    woocommerce  WooCommerce product CSV                                   retrieval/importers/woocommerce.py
    flipkart, homedepot, mapped (any CSV/JSONL through --map field=column) retrieval/ingest.py

`import_catalog` picks the importer from the file (or takes the one forced),
reads it, and makes sure every price is in the store's currency. Whatever it
cannot use is in the report: malformed rows with their line, and the products
left out with the reason counted (drafts, gift cards, shipping protection...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from retrieval.importers.currency import enforce_store_currency
from retrieval.importers.detect import detect_layout
from retrieval.importers.merchant import load_merchant
from retrieval.importers.report import ImportReport
from retrieval.importers.shopify import load_shopify
from retrieval.importers.woocommerce import load_woocommerce
from retrieval.ingest import FLIPKART_CURRENCY, HOMEDEPOT_MAPPING, IngestError, load_flipkart, load_mapped

FORMATS = ("auto", "shopify", "merchant", "woocommerce", "mapped", "flipkart", "homedepot")

__all__ = ["FORMATS", "ImportReport", "detect_layout", "import_catalog"]


def import_catalog(
    path: Path | str,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    *,
    currency: str,
    store_currency: str | None = None,
    fx_rates: Mapping[str, float] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Read a catalog file into products.

    `currency` is the currency of prices the file does not label (Shopify, WooCommerce,
    mapped files); `store_currency` (default: `currency`) is the one the store sells in;
    `fx_rates` are the configured conversion rates, or None when none were configured
    (then a file in another currency is refused).
    """
    path = Path(path)
    if not path.exists():
        raise IngestError(f"catalog file not found: {path}")
    if fmt not in FORMATS:
        raise IngestError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    if fmt == "auto":
        fmt = "mapped" if mapping else _detected(path)
    report = _read(path, fmt, mapping, currency.upper(), progress)
    enforce_store_currency(report, store_currency or currency, fx_rates)
    return report


def _detected(path: Path) -> str:
    found, header = detect_layout(path)
    if found is None:
        seen = f" (header: {', '.join(header[:12])}{', ...' if len(header) > 12 else ''})" if header else ""
        raise IngestError(
            f"{path.name}: unknown catalog layout{seen}; it is not a Shopify, WooCommerce or Google Merchant export: "
            "pass --format, or a column mapping, e.g. --map id=sku --map title=name"
        )
    return found


def _read(
    path: Path, fmt: str, mapping: Mapping[str, str] | None, currency: str, progress: Callable[[int], None] | None
) -> ImportReport:
    if fmt == "shopify":
        report = load_shopify(path, currency)
    elif fmt == "merchant":
        report = load_merchant(path, currency)
    elif fmt == "woocommerce":
        report = load_woocommerce(path, currency)
    elif fmt == "flipkart":
        return ImportReport.from_ingest(load_flipkart(path, progress=progress), fmt, FLIPKART_CURRENCY)
    elif fmt == "homedepot":
        homedepot = load_mapped(path, HOMEDEPOT_MAPPING, currency="USD", encoding="ISO-8859-1", progress=progress)
        return ImportReport.from_ingest(homedepot, fmt, "USD")
    else:
        if not mapping:
            raise IngestError(
                f"{path.name}: --format mapped needs a column mapping, e.g. --map id=sku --map title=name"
            )
        return ImportReport.from_ingest(load_mapped(path, mapping, currency=currency, progress=progress), fmt, currency)
    if progress:
        progress(len(report.products))
    return report
