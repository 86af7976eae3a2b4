"""/llms.txt (llmstxt.org) and the Google Merchant feed: structure, prices, variants' absence, escaping of
hostile catalog text, and `shopassist export --format merchant`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.testing import demo_products
from retrieval.catalog import Product
from tests.ui.mcp_helpers import EVIL_ID, evil_product
from ui.cli.app import app
from ui.mcp.feeds import G_NS, llms_txt, merchant_feed

G = f"{{{G_NS}}}"
NASTY = Product(id="n&1<x>", title='Tom & Jerry <b>"Mug"</b> \x00\x07 ☕', brand="A&B", price=1234.5, currency="USD",
                list_price=1500, category_path=["Kitchen & Dining", "Mugs <big>"], stock=0,
                description="]]> <script>alert('x')</script> & \ud7ff fine \x1b",
                attributes={"GTIN": "00012345678905", "model number": "MUG-1"},
                image_urls=["https://img.example/a.jpg?x=1&y=2", "https://img.example/b.jpg"],
                url="https://shop.example/p?id=1&ref=feed")


def parse(products: list[Product]) -> ET.Element:
    text = "".join(merchant_feed(products, title="Shop & Co", link="https://shop.example/", description="a <store>",
                                 currency="INR"))
    return ET.fromstring(text.encode())


def test_the_feed_is_well_formed_rss_with_the_g_namespace_whatever_the_catalog_holds() -> None:
    root = parse([*demo_products(), NASTY, evil_product()])
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None and channel.findtext("title") == "Shop & Co"
    items = {i.findtext(f"{G}id"): i for i in channel.findall("item")}
    assert len(items) == 14
    nasty = items["n&1<x>"]
    assert nasty.findtext(f"{G}title") == 'Tom & Jerry <b>"Mug"</b> ☕'
    assert nasty.findtext(f"{G}price") == "1500.00 USD" and nasty.findtext(f"{G}sale_price") == "1234.50 USD"
    assert nasty.findtext(f"{G}availability") == "out_of_stock" and nasty.findtext(f"{G}brand") == "A&B"
    assert nasty.findtext(f"{G}link") == "https://shop.example/p?id=1&ref=feed"
    assert nasty.findtext(f"{G}image_link") == "https://img.example/a.jpg?x=1&y=2"
    assert nasty.findtext(f"{G}additional_image_link") == "https://img.example/b.jpg"
    assert nasty.findtext(f"{G}product_type") == "Kitchen & Dining > Mugs <big>"
    assert nasty.findtext(f"{G}gtin") == "00012345678905" and nasty.findtext(f"{G}mpn") == "MUG-1"
    assert nasty.find(f"{G}identifier_exists") is None and nasty.find(f"{G}item_group_id") is None
    plain = items["w2"]
    assert plain.findtext(f"{G}price") == "3995.00 INR" and plain.find(f"{G}sale_price") is None
    assert plain.findtext(f"{G}availability") == "in_stock" and plain.findtext(f"{G}identifier_exists") == "no"
    assert plain.findtext(f"{G}condition") == "new"
    assert plain.findtext(f"{G}description") == "Titan Analog Watch by Titan."
    assert "add this item" not in (items[EVIL_ID].findtext(f"{G}description") or "")


def test_llms_txt_follows_llmstxt_org() -> None:
    from assistant.store_profile import DEMO_DIR
    from ui.mcp.sources import _documents

    text = llms_txt("Acme & Sons", "USD", demo_products(), "https://acme.example/", _documents(DEMO_DIR / "policies"))
    lines = text.splitlines()
    assert lines[0] == "# Acme & Sons" and lines[1] == "" and lines[2].startswith("> Acme & Sons is an online store "
                                                                                "with 12 products")
    assert "Prices are in USD" in lines[2]
    links = re.findall(r"^- \[([^\]]+)\]\((\S+)\)", text, re.M)
    targets = {u for _, u in links}
    assert {"https://acme.example/mcp", "https://acme.example/docs",
            "https://acme.example/feeds/google-merchant.xml", "https://acme.example/policies/03-returns.md"} <= targets
    sections = re.findall(r"^## (.+)$", text, re.M)
    assert sections == ["Agents", "Policies", "Optional"]
    assert "pk_demo" not in text and "sk_" not in text.replace("sk_...", "")


def test_export_merchant_writes_the_indexed_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval.index import catalog_dir

    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "data"))
    folder = catalog_dir(tmp_path / "data", "mystore")
    folder.mkdir(parents=True)
    (folder / "products.jsonl").write_text("".join(p.model_dump_json() + "\n" for p in [NASTY, *demo_products()]))
    out = tmp_path / "feed.xml"
    runner = CliRunner()
    done = runner.invoke(app, ["export", "--format", "merchant", "--catalog", "mystore", "--output", str(out)])
    assert done.exit_code == 0, done.output
    ids = [i.findtext(f"{G}id") for i in ET.parse(out).getroot().iter("item")]
    assert ids[0] == "n&1<x>" and len(ids) == 13
    bad = runner.invoke(app, ["export", "--format", "csv"])
    assert bad.exit_code == 2 and "unknown --format" in bad.output
    missing = runner.invoke(app, ["export", "--format", "merchant", "--catalog", "nothing"])
    assert missing.exit_code == 2 and "no index for catalog" in missing.output
    assert "Traceback" not in bad.output + missing.output
