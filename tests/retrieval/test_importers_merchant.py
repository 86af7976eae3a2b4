"""The Google Merchant Center importer: RSS and Atom XML (leniently) and the TSV text feed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrieval.importers import detect_layout, import_catalog
from retrieval.importers.feed_xml import read_items, repair
from retrieval.importers.merchant import load_merchant
from retrieval.importers.report import INVALID_ROW
from retrieval.ingest import IngestError

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_rss_feed_groups_items_into_products_with_variants() -> None:
    report = load_merchant(DATA / "merchant_feed.xml", "USD", now=NOW)
    assert [p.id for p in report.products] == ["MERINO-TEE", "MATCH-CASE", "STOVE-1"]
    assert (report.rows, report.variants, report.currency) == (9, 5, "USD")
    tee = report.products[0]
    assert tee.title == "Merino Trail Tee", "the variants' common title, without colour and size"
    assert tee.brand == "Trailhead" and tee.category_path == ["Apparel", "Tops", "T-Shirts"]
    assert [(v.id, v.options) for v in tee.variants] == [
        ("TEE-RED-S", {"color": "Red", "size": "S"}), ("TEE-RED-M", {"color": "Red", "size": "M"}),
        ("TEE-BLUE-M", {"color": "Blue", "size": "M"}),
    ]
    # The sale runs from Nov 1 to Dec 31 2026: the sale price applies and the regular price is the list price.
    assert [(v.price, v.list_price) for v in tee.variants] == [(39.2, 49.0), (49.0, None), (52.5, None)]
    assert [v.in_stock for v in tee.variants] == [True, False, True], "'in stock' (old spelling) is in stock"
    assert (tee.price, tee.list_price, tee.discount_pct) == (39.2, 49.0, 20.0)
    assert tee.variants[0].barcode == "00812345678901", "GTINs keep their leading zeros"
    assert tee.attributes["colour"] == "Red, Blue" and tee.attributes["size"] == "S, M"
    assert tee.attributes["gender"] == "male" and tee.attributes["age group"] == "adult"
    assert tee.attributes["google product category"] == "Apparel & Accessories > Clothing > Shirts & Tops"
    assert tee.image_urls == ["https://cdn.trailhead.example.com/tee-red.jpg",
                              "https://cdn.trailhead.example.com/tee-back.jpg",
                              "https://cdn.trailhead.example.com/tee-blue.jpg"]
    assert tee.url.endswith("?variant=1&utm_source=google"), "a bare & in a URL is repaired, not fatal"
    assert tee.description == "Lightweight merino wool tee for long days on the trail. Odour resistant."


def test_rss_feed_prices_plain_rss_fields_and_skips() -> None:
    report = load_merchant(DATA / "merchant_feed.xml", "USD", now=NOW)
    case, stove = report.products[1], report.products[2]
    assert case.title == "Waterproof Match Case", "RSS <title>/<link>/<description> stand in for g: ones"
    assert case.price == 0.98 and case.description == "Keeps matches dry."
    assert case.url == "https://trailhead.example.com/products/match-case?ref=feed&src=gmc"
    assert case.attributes["mpn"] == "TH-MC-01"
    # The stove's sale ended in June 2025; backorder is not in stock.
    assert (stove.price, stove.list_price, stove.in_stock) == (64.95, None, False)
    assert report.skipped == {INVALID_ROW: 2, "gift card": 1, "shipping protection": 1}
    assert [str(e) for e in report.errors] == [
        "line 92: item 'BROKEN-1' is not well-formed XML (mismatched tag); it was skipped",
        "line 108: LANTERN-1: availability 'maybe' is not one of in_stock, out_of_stock, preorder, backorder",
    ]


def test_atom_feed_in_swedish_kronor() -> None:
    report = load_merchant(DATA / "merchant_feed_atom.xml", "USD", now=NOW)
    assert report.currency == "SEK" and all(p.currency == "SEK" for p in report.products)
    lamp, throw = report.products
    assert lamp.id == "LUMEN" and lamp.title == "Pendellampa Lumen"
    assert [(v.options, v.price, v.list_price, v.in_stock) for v in lamp.variants] == [
        ({"size": "40 cm"}, 1079.2, 1349.0, True), ({"size": "60 cm"}, 1899.0, None, False),
    ]
    assert lamp.attributes["colour"] == "vit", "a colour every variant shares is a product fact, not an option"
    assert lamp.url == "https://nordljus.example.se/lumen?storlek=40&farg=vit", "Atom <link href>"
    assert throw.description == "Mjuk pläd i 100 % lammull.", "&nbsp; is not an XML entity but is read"
    assert throw.variants[0].barcode == "07350012345672"


def test_tsv_feed_with_a_broken_row_and_a_bad_price() -> None:
    report = load_merchant(DATA / "merchant_feed.tsv", "USD", now=NOW)
    assert report.currency == "EUR"
    assert [p.id for p in report.products] == ["TR-GTX", "SOCK-1"]
    shoe = report.products[0]
    assert [(v.options, v.price, v.list_price) for v in shoe.variants] == [
        ({"color": "Black", "size": "42"}, 139.95, None), ({"color": "Black", "size": "43"}, 139.95, None),
        ({"color": "Red", "size": "43"}, 119.96, 149.95),
    ]
    assert shoe.image_urls[:3] == ["https://img.example.com/tr-black.jpg", "https://img.example.com/tr-sole.jpg",
                                   "https://img.example.com/tr-side.jpg"], "comma-separated additional images"
    assert shoe.category_path == ["Shoes", "Running", "Trail"]
    assert report.products[1].url == "https://shoes.example.com/p/socks?ref=feed&x=1"
    assert report.skipped == {INVALID_ROW: 2, "gift card": 1}
    assert [e.line for e in report.errors] == [6, 8]
    assert "20 fields" in report.errors[0].reason and "'abc EUR'" in report.errors[1].reason


def test_each_layout_is_detected() -> None:
    for name in ("merchant_feed.xml", "merchant_feed_atom.xml", "merchant_feed.tsv"):
        assert detect_layout(DATA / name)[0] == "merchant", name


def test_a_feed_in_another_currency_is_refused_unless_rates_are_configured() -> None:
    with pytest.raises(IngestError, match=r"prices are in SEK .* but the store sells in USD"):
        import_catalog(DATA / "merchant_feed_atom.xml", currency="USD")
    converted = import_catalog(DATA / "merchant_feed_atom.xml", currency="USD", fx_rates={"USD": 83.0, "SEK": 7.9})
    assert converted.currency == "USD" and converted.converted == {"SEK": pytest.approx(7.9 / 83.0)}
    lamp = converted.products[0]
    assert lamp.currency == "USD" and [v.price for v in lamp.variants] == [102.72, 180.75]
    assert lamp.variants[0].list_price == 128.4 and lamp.price == 102.72
    same_currency = import_catalog(DATA / "merchant_feed_atom.xml", currency="SEK")
    assert same_currency.currency == "SEK" and not same_currency.converted


def test_repair_and_item_by_item_recovery() -> None:
    assert repair("a & b &amp; c &nbsp; &bogus; &#169;") == "a &amp; b &amp; c &#160; &amp;bogus; &#169;"
    feed = (
        '<rss xmlns:g="http://base.google.com/ns/1.0"><channel>\n'
        "<item><g:id>1</g:id><g:title>One</g:title></item>\n"
        "<item><g:id>2</g:id><g:title>Two\n"  # never closed
        "<item><g:id>3</g:id><g:title>Three &copy;</g:title></item>\n"
        "</channel></rss>"
    )
    items, errors = read_items(feed)
    assert [i.first("id") for i in items] == ["1", "3"] and items[1].first("title") == "Three ©"
    assert [(e.line, e.reason) for e in errors] == [(3, "<item> is never closed")]
