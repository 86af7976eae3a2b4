"""The Shopify importer on both header dialects (fixtures written for these tests) and on two real exports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval.importers import detect_layout, import_catalog
from retrieval.importers.report import INVALID_ROW
from retrieval.importers.shopify import load_shopify

DATA = Path(__file__).parent / "data"


def test_legacy_export_groups_variant_rows_into_products() -> None:
    report = load_shopify(DATA / "shopify_legacy.csv", "USD")
    ids = [p.id for p in report.products]
    assert ids == ["clip-in-hair-extensions", "satin-scrunchie", "tape-in-extensions"]
    hair = report.products[0]
    assert hair.title == "Clip-In Hair Extensions" and hair.brand == "Lux Strands"
    assert [v.options for v in hair.variants] == [
        {"Length": '16"', "Color": "Jet Black"}, {"Length": '16"', "Color": "Honey Blonde"},
        {"Length": '20"', "Color": "Jet Black"}, {"Length": '20"', "Color": "Honey Blonde"},
    ]
    assert [v.price for v in hair.variants] == [89.0, 89.0, 109.5, 109.5]
    assert [v.list_price for v in hair.variants] == [119.0, None, 139.0, None]
    assert [v.stock for v in hair.variants] == [12, 0, 4, 0], "oversold (-2) is no stock, not negative stock"
    assert [v.in_stock for v in hair.variants] == [True, False, True, False]
    assert [v.sku for v in hair.variants] == ["HX-16-JB", "HX-16-HB", "HX-20-JB", "HX-20-HB"]
    assert hair.variants[0].image_url == "https://cdn.example.com/hx-jb.jpg"
    # Barcodes stay strings: leading zeros and even an Excel-mangled one survive untouched.
    assert hair.variants[0].barcode == "0850012345671" and hair.variants[3].barcode == "3.65275E+11"
    # The shown price is the lowest price among variants in stock, with that variant's compare-at price.
    assert (hair.price, hair.list_price, hair.discount_pct) == (89.0, 119.0, 25.0)
    assert hair.price_max == 109.5 and hair.stock == 16 and hair.in_stock
    # Image-only rows add images in order; the product's images are not lost to the variant rows.
    assert hair.image_urls == ["https://cdn.example.com/hx-main.jpg", "https://cdn.example.com/hx-side.jpg",
                               "https://cdn.example.com/hx-back.jpg"]
    assert hair.category_path == ["Health & Beauty", "Personal Care", "Hair Care", "Hair Extensions"]


def test_legacy_export_attributes_html_and_options() -> None:
    hair = load_shopify(DATA / "shopify_legacy.csv", "USD").products[0]
    # HTML bodies become text: tags gone, entities decoded, blocks separated.
    assert "<" not in hair.description and "&amp;" not in hair.description
    assert "Silky Remy human hair clip-in extensions." in hair.description
    assert "7 wefts & 16 clips" in hair.description and "180°C" in hair.description
    attrs = hair.attributes
    assert attrs["colour"] == "Jet Black, Honey Blonde", "the Color option is the canonical colour"
    assert attrs["length"] == '16", 20"'
    assert attrs["hair type"] == "straight", "a metafield column becomes an attribute"
    assert attrs["type"] == "Hair Extensions" and attrs["tags"] == "clip-in, human hair, remy"
    assert attrs["gender"] == "Female"
    assert not any("google" in key for key in attrs), "Google-feed app settings are not product facts"
    assert hair.option_values("colour") == ["Jet Black", "Honey Blonde"]
    assert "colour Jet Black, Honey Blonde" in hair.search_text()
    assert "89" not in hair.search_text() and "109" not in hair.embedding_text(), "no price in embedded text"


def test_legacy_export_skips_what_is_not_searchable_with_reasons() -> None:
    report = load_shopify(DATA / "shopify_legacy.csv", "USD")
    assert report.skipped == {"gift card": 1, "shipping protection": 1, "draft": 1, "unpublished": 1,
                              INVALID_ROW: 1}
    assert report.rows == 14
    # The one bad variant row is named by its line; the product keeps its good variant.
    assert [str(e) for e in report.errors] == [
        "line 19: tape-in-extensions: Variant Price is not an amount: 'call us'"
    ]
    tape = report.products[2]
    assert [v.sku for v in tape.variants] == ["TP-18"] and tape.price == 129.95


def test_decimal_prices_are_kept_to_the_cent() -> None:
    report = load_shopify(DATA / "shopify_legacy.csv", "USD")
    scrunchie = report.products[1]
    assert scrunchie.price == 0.98 and scrunchie.currency == "USD"
    # "Title / Default Title" is a product without options: one variant, no option values.
    assert len(scrunchie.variants) == 1 and scrunchie.variants[0].options == {}
    assert scrunchie.variants[0].stock is None and scrunchie.in_stock, "untracked inventory is in stock"
    assert scrunchie.variants[0].barcode == "00012345678905"


def test_current_dialect() -> None:
    report = load_shopify(DATA / "shopify_current.csv", "EUR")
    assert [p.id for p in report.products] == ["organic-cotton-tee"]
    assert report.skipped == {"archived": 1, "shipping protection": 1, "service, not goods": 1}
    tee = report.products[0]
    assert tee.title == "Organic Cotton Tee" and tee.currency == "EUR"
    assert tee.description == "Soft organic cotton. Made in Portugal."
    assert [(v.options, v.price, v.list_price, v.stock) for v in tee.variants] == [
        ({"Size": "S", "Colour": "Forest Green"}, 24.99, None, 5),
        ({"Size": "M", "Colour": "Forest Green"}, 24.99, 29.99, 0),
        ({"Size": "L", "Colour": "Forest Green"}, 26.99, None, 7),
    ]
    # M is out of stock, so its compare-at price is not the product's: the shown price is S's.
    assert (tee.price, tee.list_price, tee.price_max) == (24.99, None, 26.99)
    assert tee.attributes["size"] == "S, M, L" and tee.attributes["colour"] == "Forest Green"
    assert tee.attributes["material"] == "organic cotton", "the fabric metafield, handle made readable"
    assert tee.image_urls == ["https://cdn.example.com/tee.jpg", "https://cdn.example.com/tee-back.jpg"]
    assert [v.barcode for v in tee.variants] == ["00123450", "00123451", "00123452"]


def test_both_dialects_are_detected() -> None:
    assert detect_layout(DATA / "shopify_legacy.csv")[0] == "shopify"
    assert detect_layout(DATA / "shopify_current.csv")[0] == "shopify"


def test_real_export_with_variants_in_spanish(shared_data: Path) -> None:
    path = shared_data / "stores" / "shopify_baby_clothes_es.csv"
    report = import_catalog(path, currency="DOP")
    assert report.format == "shopify"
    assert (len(report.products), report.variants, report.rows) == (98, 158, 522)
    assert report.skipped == {"archived": 1} and not report.errors
    assert report.currency == "DOP" and all(p.currency == "DOP" for p in report.products)
    outfit = next(p for p in report.products if p.id == "conjunto-de-2-piezas-de-lino")
    assert [v.options for v in outfit.variants][:2] == [{"Meses": "0-3", "Color": "Beige claro"},
                                                         {"Meses": "0-3", "Color": "Cafe"}]
    assert outfit.attributes["size"] == "0-3, 3-6" and outfit.attributes["colour"] == "Beige claro, Cafe"
    pacifier = next(p for p in report.products if p.id.startswith("chupon-de-silicona"))
    # Metafields of the Spanish store: list values, metaobject handles made readable.
    assert pacifier.attributes["colour"] == "rosa, clara, gris, azul, purpura, beige"
    assert pacifier.attributes["material"] == "silicona"
    assert not any(re.search(r"</?[a-z]+[^>]*>", p.description) for p in report.products), "no HTML tags left"
    assert any("(<50 dB)" in p.description for p in report.products), "a '<' in the text itself stays"


def test_real_export_with_a_reduced_column_set(shared_data: Path) -> None:
    report = import_catalog(shared_data / "stores" / "shopify_hair_care_small.csv", currency="EGP")
    assert (len(report.products), report.variants, report.skipped) == (7, 7, {})
    shampoo = report.products[0]
    assert shampoo.price == 420.0 and shampoo.in_stock and shampoo.variants[0].stock is None
    assert shampoo.category_path[-1] == "Shampoo" and shampoo.attributes["type"] == "Hydrating Hair Shampoo"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_encodings_and_a_broken_quote_lose_only_that_row(tmp_path: Path, encoding: str) -> None:
    text = (
        "Handle,Title,Body (HTML),Vendor,Variant Price,Status\n"
        'bolso,Bolso de piel,"<p>Piel genuina,\nhecho a mano</p>",Cuero & Co,59.90,active\n'
        "gorro,Gorro de lana,,Cuero & Co,12.00,active\n"
        'roto,"Sin cerrar,,Cuero & Co,5.00,active\n'
    )
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    report = load_shopify(path, "EUR")
    assert [p.title for p in report.products] == ["Bolso de piel", "Gorro de lana"]
    assert report.products[0].description == "Piel genuina, hecho a mano"
    assert len(report.errors) == 1 and report.errors[0].line == 5 and "fields" in report.errors[0].reason


def test_semicolon_separated_resave(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Handle;Title;Vendor;Variant Price\nmug;Tasse;Keramik;12,50\n", encoding="utf-8")
    report = import_catalog(path, currency="EUR")
    assert report.products[0].price == 12.5


def test_product_fields_come_from_the_row_that_has_them(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Handle,Title,Vendor,Option1 Name,Option1 Value,Variant Price,Image Src,Status\n"
        "tote,,,,,,https://cdn.example.com/tote-1.jpg,\n"  # an image row first (re-sorted export)
        "tote,Canvas Tote,Northwind,Colour,Natural,18.00,https://cdn.example.com/tote-2.jpg,active\n"
        "tote,,,,Black,19.50,,\n"
        ",,,,,,https://cdn.example.com/orphan.jpg,\n",
        encoding="utf-8",
    )
    report = load_shopify(path, "USD")
    tote = report.products[0]
    assert (tote.title, tote.brand, tote.price, tote.price_max) == ("Canvas Tote", "Northwind", 18.0, 19.5)
    assert [v.options for v in tote.variants] == [{"Colour": "Natural"}, {"Colour": "Black"}]
    assert tote.image_urls == ["https://cdn.example.com/tote-1.jpg", "https://cdn.example.com/tote-2.jpg"]
    assert [str(e) for e in report.errors] == ["line 5: no Handle: a row must name the product it belongs to"]
