"""`shopassist index` on real export formats and `shopassist search --json` with variants, in-process.

Most tests swap the MiniLM embedder for the hashing fake (the commands are what is tested here);
the slow one indexes a real Shopify export with the real embedder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retrieval.embedding import HashingEmbedder
from ui.cli.app import app

runner = CliRunner()
DATA = Path(__file__).parents[2] / "retrieval" / "data"


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A USD store with its own data directory."""
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SHOPASSIST_STORE_CURRENCY", "USD")
    monkeypatch.delenv("SHOPASSIST_RETRIEVAL__FX_TO_STORE", raising=False)
    return tmp_path / "data"


@pytest.fixture()
def fake_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("retrieval.embedding.default_embedder", lambda: HashingEmbedder())
    monkeypatch.setattr("evaluation.sync.default_embedder", lambda: HashingEmbedder())


def _json(result) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _error(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    return " ".join(result.output.split())


def test_index_a_shopify_export_then_search_it(store: Path, fake_embedder: None) -> None:
    summary = _json(runner.invoke(app, ["index", "--file", str(DATA / "shopify_legacy.csv"), "--catalog", "lux",
                                        "--json"]))
    assert (summary["format"], summary["products"], summary["variants"], summary["currency"]) == (
        "shopify", 3, 6, "USD")
    assert summary["skipped"] == {"draft": 1, "gift card": 1, "invalid row": 1, "shipping protection": 1,
                                  "unpublished": 1}
    assert summary["errors"] == ["line 19: tape-in-extensions: Variant Price is not an amount: 'call us'"]
    assert summary["index"]["added"] == 3

    found = _json(runner.invoke(app, ["search", "remy clip-in", "--catalog", "lux", "--json"]))
    top = found["results"][0]
    assert top["id"] == "clip-in-hair-extensions" and top["price"] == 89.0 and top["list_price"] == 119.0
    assert [(v["options"], v["price"], v["list_price"], v["in_stock"]) for v in top["variants"]] == [
        ({"Length": '16"', "Color": "Jet Black"}, 89.0, 119.0, True),
        ({"Length": '16"', "Color": "Honey Blonde"}, 89.0, None, False),
        ({"Length": '20"', "Color": "Jet Black"}, 109.5, 139.0, True),
        ({"Length": '20"', "Color": "Honey Blonde"}, 109.5, None, False),
    ]
    names = {r["id"] for r in _json(runner.invoke(app, ["search", "gift card shipping protection", "--catalog",
                                                        "lux", "--json"]))["results"]}
    assert not names & {"gift-card", "route-package-protection", "bond-repair-mask", "wig-cap"}
    table = runner.invoke(app, ["search", "satin scrunchie", "--catalog", "lux"])
    assert table.exit_code == 0 and "0.98 USD" in table.output, "cents are shown, never rounded away"

    again = runner.invoke(app, ["index", "--file", str(DATA / "shopify_legacy.csv"), "--catalog", "lux"])
    assert again.exit_code == 0 and "3 unchanged" in again.output and "0 re-embedded" in again.output


def test_every_fixture_format_is_detected_and_indexed(store: Path, fake_embedder: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    expected = {"shopify_current.csv": ("shopify", "EUR", 1), "woocommerce_products.csv": ("woocommerce", "USD", 4),
                "merchant_feed.xml": ("merchant", "USD", 3), "merchant_feed.tsv": ("merchant", "EUR", 2),
                "merchant_feed_atom.xml": ("merchant", "SEK", 2)}
    for name, (fmt, currency, products) in expected.items():
        monkeypatch.setenv("SHOPASSIST_STORE_CURRENCY", currency)
        summary = _json(runner.invoke(app, ["index", "--file", str(DATA / name), "--catalog", "x", "--json"]))
        assert (summary["format"], summary["currency"], summary["products"]) == (fmt, currency, products), name


def test_foreign_currency_is_refused_unless_rates_are_configured(store: Path, fake_embedder: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    feed = str(DATA / "merchant_feed_atom.xml")
    message = _error(runner.invoke(app, ["index", "--file", feed, "--catalog", "nordljus"]))
    assert "prices are in SEK" in message and "store sells in USD" in message
    shopify = str(DATA / "shopify_current.csv")
    assert "prices are in EUR" in _error(runner.invoke(app, ["index", "--file", shopify, "--currency", "EUR"]))
    monkeypatch.setenv("SHOPASSIST_RETRIEVAL__FX_TO_STORE", '{"USD": 83.0, "SEK": 7.9}')
    summary = _json(runner.invoke(app, ["index", "--file", feed, "--catalog", "nordljus", "--json"]))
    assert summary["currency"] == "USD" and summary["converted_from"]["SEK"] == pytest.approx(7.9 / 83)


def test_forced_and_unknown_formats(store: Path, fake_embedder: None, tmp_path: Path) -> None:
    shopify = str(DATA / "shopify_legacy.csv")
    assert "not a WooCommerce product export" in _error(
        runner.invoke(app, ["index", "--file", shopify, "--format", "woocommerce"]))
    assert "unknown format 'magento'" in _error(runner.invoke(app, ["index", "--file", shopify, "--format", "magento"]))
    unknown = tmp_path / "export.csv"
    unknown.write_text("artikel,bezeichnung,preis\n1,Tasse,4.50\n", encoding="utf-8")
    assert "unknown catalog layout" in _error(runner.invoke(app, ["index", "--file", str(unknown)]))


def test_bench_sync_prints_one_json_object(store: Path, fake_embedder: None, shared_data: Path) -> None:
    result = _json(runner.invoke(app, ["bench", "sync", "--products", str(shared_data / "homedepot" / "products.csv"),
                                       "--limit", "300", "--titles", "2", "--deletions", "2", "--json"]))
    assert result["products"] == 300 and result["sync"]["texts_embedded"] == 2
    assert all(result["checks"].values())


@pytest.mark.slow
def test_a_real_shopify_export_with_the_real_embedder(store: Path, shared_data: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_STORE_CURRENCY", "DOP")
    export = str(shared_data / "stores" / "shopify_baby_clothes_es.csv")
    summary = _json(runner.invoke(app, ["index", "--file", export, "--catalog", "baby", "--json"]))
    assert (summary["products"], summary["variants"], summary["skipped"]) == (98, 158, {"archived": 1})
    found = _json(runner.invoke(app, ["search", "conjunto de lino para bebé talla 3-6", "--catalog", "baby",
                                      "--json", "--k", "5"]))
    assert found["filters"]["sizes"] == ["3-6"]
    top = found["results"][0]
    assert "lino" in top["title"].lower() and top["currency"] == "DOP"
    assert any(v["options"].get("Meses") == "3-6" for v in top["variants"])
    assert all({"options", "price", "list_price", "in_stock"} <= set(v) for r in found["results"]
               for v in r["variants"])
