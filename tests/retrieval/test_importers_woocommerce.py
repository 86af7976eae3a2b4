"""The WooCommerce importer: simple, variable + variations, drafts, private, grouped, external, virtual."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from retrieval.importers import detect_layout, import_catalog
from retrieval.importers.report import INVALID_ROW
from retrieval.importers.woocommerce import load_woocommerce, split_multi

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 11, 29)


def test_products_variations_and_skips() -> None:
    report = load_woocommerce(DATA / "woocommerce_products.csv", "USD", today=TODAY)
    assert [p.id for p in report.products] == ["10", "20", "50", "90"]
    assert (report.rows, report.variants, report.currency) == (14, 6, "USD")
    assert report.skipped == {"draft": 1, "private": 1, "grouped (a set of other products)": 1,
                              "service, not goods": 1, "disabled variation": 1, INVALID_ROW: 2}
    # Line numbers count the physical lines of the file: the V-neck's description spans two.
    assert [str(e) for e in report.errors] == [
        "line 14: product '70': Regular price is not an amount: 'twelve'",
        "line 15: variation of an unknown parent 'no-such-parent'",
    ]


def test_simple_product() -> None:
    beanie = load_woocommerce(DATA / "woocommerce_products.csv", "USD", today=TODAY).products[0]
    assert (beanie.title, beanie.brand, beanie.price, beanie.list_price) == ("Beanie", "Woolly", 18.0, 20.0)
    assert beanie.stock == 25 and beanie.in_stock and beanie.variants[0].sku == "woo-beanie"
    assert beanie.category_path == ["Clothing", "Accessories"]
    assert beanie.attributes == {"colour": "Red", "tags": "winter, wool"}
    assert beanie.image_urls == ["https://shop.example.com/wp-content/uploads/beanie.jpg",
                                 "https://shop.example.com/wp-content/uploads/beanie-2.jpg"]
    assert beanie.description == "Hand-knitted merino beanie. One size fits most.", "literal \\n and HTML"


def test_variable_product_and_its_variations() -> None:
    tee = load_woocommerce(DATA / "woocommerce_products.csv", "USD", today=TODAY).products[1]
    assert tee.title == "V-Neck T-Shirt"
    # Parent by SKU (21) and by id:20 (22, 24); 23 is switched off (Published 0); 24 sells any size.
    assert [(v.id, v.options, v.price, v.list_price, v.in_stock, v.stock) for v in tee.variants] == [
        ("21", {"Color": "Blue", "Size": "Large"}, 15.5, None, True, 8),
        ("22", {"Color": "Red", "Size": "Medium"}, 16.99, None, False, 0),
        ("24", {"Color": "Green"}, 14.0, None, True, None),
    ]
    assert tee.variants[0].image_url.endswith("vneck-blue.jpg")
    assert (tee.price, tee.price_max) == (14.0, 15.5)
    assert tee.attributes["colour"] == "Blue, Red, Green" and tee.attributes["size"] == "Large, Medium"
    assert tee.attributes["categories"] == "Clothing > Tshirts, Men, Women & Kids", "\\, is a comma in a value"


def test_external_and_downloadable_products_are_kept_with_decimals() -> None:
    report = load_woocommerce(DATA / "woocommerce_products.csv", "USD", today=TODAY)
    pennant, album = report.products[2], report.products[3]
    assert pennant.price == 0.98 and pennant.url.startswith("https://mercantile.wordpress.org/")
    assert album.price == 15.0 and album.description == "Lorem ipsum dolor sit amet."


def test_a_sale_applies_only_between_its_dates(tmp_path: Path) -> None:
    path = tmp_path / "wc.csv"
    path.write_text(
        "ID,Type,SKU,Name,Published,In stock?,Stock,Sale price,Regular price,Date sale price starts,"
        "Date sale price ends\n"
        "1,simple,a,Lamp,1,1,3,\"9,99\",\"12,50\",2026-11-01,2026-12-01\n"
        "2,simple,b,Desk,1,1,3,99,120,2026-12-02,\n",
        encoding="utf-8",
    )
    lamp, desk = load_woocommerce(path, "EUR", today=TODAY).products
    assert (lamp.price, lamp.list_price) == (9.99, 12.5), "decimal commas of a European store"
    assert (desk.price, desk.list_price) == (120.0, None)


def test_detection_and_multi_value_cells() -> None:
    assert detect_layout(DATA / "woocommerce_products.csv")[0] == "woocommerce"
    assert split_multi(r"Red, Blue\, navy, Green") == ["Red", "Blue, navy", "Green"]
    assert import_catalog(DATA / "woocommerce_products.csv", currency="USD").format == "woocommerce"
