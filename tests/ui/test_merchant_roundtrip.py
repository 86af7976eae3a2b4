"""The Google Merchant feed the store publishes (ui/mcp/feeds.py) is read back by the Merchant importer
(retrieval/importers/merchant.py): the two ends of the same format agree on every product fact they share."""

from __future__ import annotations

from pathlib import Path

from retrieval.catalog import Product
from retrieval.importers import import_catalog
from ui.mcp.feeds import merchant_feed


def test_the_published_feed_imports_back(tmp_path: Path, demo_products: list[Product]) -> None:
    products = demo_products[:60]
    feed = tmp_path / "feed.xml"
    feed.write_text("".join(merchant_feed(products, title="Demo & Co", link="https://demo.example",
                                          description="demo", currency="INR")), encoding="utf-8")
    report = import_catalog(feed, currency="INR")
    assert report.format == "merchant" and not report.errors
    back = {p.id: p for p in report.products}
    kept = [p for p in products if p.id in back]
    assert len(kept) + sum(report.skipped.values()) == len(products)
    for original in kept:
        imported = back[original.id]
        assert imported.title == original.title and imported.brand == original.brand
        assert imported.price == original.price and imported.currency == (original.currency or "INR")
        assert imported.list_price == (original.list_price if original.on_sale else None)
        assert imported.in_stock == original.in_stock
        assert imported.category_path == original.category_path
        assert imported.image_urls == original.image_urls[:11]
