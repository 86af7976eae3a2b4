from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from retrieval.ingest import (
    IngestError,
    demo_catalog_path,
    detect_format,
    load_demo_catalog,
    load_flipkart,
    load_homedepot,
    load_mapped,
)


def test_demo_store_is_the_real_flipkart_catalog() -> None:
    catalog = load_demo_catalog()
    assert len(catalog) == 1002
    bellies = catalog["f449ec65dcbc041b6ae5e6a32717d01b"]
    assert bellies.title == "aw bellies"
    assert bellies.price == 499.0 and bellies.list_price == 999.0 and bellies.discount_pct == 50.0
    assert bellies.currency == "INR"
    assert bellies.category_path == ["footwear", "womens footwear", "ballerinas"]
    assert bellies.attributes["colour"] == "Red" and bellies.attributes["gender"] == "Women"
    assert bellies.image_urls and bellies.image_urls[0].startswith("http")
    # Demo stock is deterministic: the same id always gets the same level.
    assert bellies.stock == load_demo_catalog()["f449ec65dcbc041b6ae5e6a32717d01b"].stock
    stocks = [p.stock for p in catalog]
    assert 0 < sum(s == 0 for s in stocks) < 200, "some but few demo products are out of stock"
    assert (demo_catalog_path().parent / "ATTRIBUTION.md").exists()


def test_flipkart_malformed_rows_are_reported_with_line_numbers(tmp_path: Path) -> None:
    with gzip.open(demo_catalog_path(), "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines(keepends=True)
    header, first, second = lines[0], lines[1], lines[2]
    bad_price = first.replace(",999.0,499.0,", ",abc,499.0,", 1)
    assert bad_price != first
    path = tmp_path / "catalog.csv"
    path.write_text(header + bad_price + second, encoding="utf-8")
    report = load_flipkart(path)
    assert len(report.products) == 1
    assert len(report.errors) == 1 and report.errors[0].line == 2
    assert "retail_price" in report.errors[0].reason


def test_mapped_csv_and_jsonl(tmp_path: Path) -> None:
    csv_path = tmp_path / "shop.csv"
    csv_path.write_text(
        "sku,name,cost,was,stars,cat,qty\n"
        "A1,Trail Runner Shoe,49.99,79.99,4.5,Footwear > Running,3\n"
        "A2,,10,,,Misc,1\n"
        "A3,Rain Jacket,-5,,,Outerwear,1\n"
        "A4,Wool Socks,$7.50,,9,Socks,2\n"
        "A1,Duplicate,1,,,X,1\n",
        encoding="utf-8",
    )
    mapping = {"id": "sku", "title": "name", "price": "cost", "list_price": "was", "rating": "stars",
               "category": "cat", "stock": "qty"}
    report = load_mapped(csv_path, mapping, currency="USD")
    assert [p.id for p in report.products] == ["A1"]
    lines = {e.line: e.reason for e in report.errors}
    assert set(lines) == {3, 4, 5, 6}
    assert "title" in lines[3] and "non-negative" in lines[4] and "rating" in lines[5] and "duplicate" in lines[6]
    shoe = report.products[0]
    assert shoe.category_path == ["Footwear", "Running"] and shoe.stock == 3 and shoe.discount_pct == 38.0

    jsonl = tmp_path / "shop.jsonl"
    jsonl.write_text(
        json.dumps({"sku": "B1", "name": "Desk Lamp", "cost": 20}) + "\n{not json}\n"
        + json.dumps({"sku": "B2", "name": "Chair", "cost": "12"}) + "\n",
        encoding="utf-8",
    )
    report = load_mapped(jsonl, {"id": "sku", "title": "name", "price": "cost"})
    assert [p.id for p in report.products] == ["B1", "B2"]
    assert [e.line for e in report.errors] == [2]


def test_wrong_columns_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError, match="missing column"):
        load_mapped(wrong, {"id": "sku", "title": "name"})
    with pytest.raises(IngestError, match="not a Flipkart export"):
        load_flipkart(wrong)
    with pytest.raises(IngestError, match="not found"):
        load_mapped(tmp_path / "nope.csv", {"id": "a", "title": "b"})
    with pytest.raises(IngestError, match="unknown product field"):
        load_mapped(wrong, {"id": "a", "title": "b", "colour_of_sky": "c"})
    assert detect_format(wrong) == "mapped"


def test_home_depot_titles(shared_data: Path) -> None:
    report = load_homedepot(shared_data / "homedepot" / "products.csv")
    assert len(report.products) == 54667 and not report.errors
    assert report.products[0].title == "Simpson Strong-Tie 12-Gauge Angle"
    assert detect_format(shared_data / "homedepot" / "products.csv") == "homedepot"
