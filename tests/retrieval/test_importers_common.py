"""What every importer shares: money, HTML, not-goods rules, detection, forcing a format, the store currency."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from retrieval.importers import import_catalog
from retrieval.importers.amounts import PriceError, parse_amount, parse_money
from retrieval.importers.goods import GIFT_CARD, SERVICE, SHIPPING_PROTECTION, not_goods_reason
from retrieval.importers.html_text import html_to_text
from retrieval.ingest import IngestError

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("0.98", "0.98", ""), ("$0.98", "0.98", "USD"), ("24.99 USD", "24.99", "USD"), ("1349 SEK", "1349", "SEK"),
        ("USD 5", "5", "USD"), ("1.234,56", "1234.56", ""), ("1,234.56", "1234.56", ""), ("12,50", "12.50", ""),
        ("1,234", "1234", ""), ("1 349,00 kr", "1349.00", "SEK"), ("€12,50", "12.50", "EUR"), ("Rs. 499", "499", "INR"),
        ("5 dollars", "5", "USD"),
    ],
)
def test_prices_are_read_exactly(text: str, amount: str, currency: str) -> None:
    assert parse_money(text) == (Decimal(amount), currency)


@pytest.mark.parametrize("text", ["-5", "abc", "12a", "USD", "24.99 XYZ"])
def test_junk_prices_are_errors(text: str) -> None:
    with pytest.raises(PriceError):
        parse_money(text)


def test_empty_price_is_no_price() -> None:
    assert parse_amount("  ") is None


def test_html_to_text() -> None:
    html = ('<div><h2>Care</h2><p>Wash&nbsp;cold.<br/>Dry flat.</p><script>track()</script>'
            '<ul><li>One</li><li>Two</li></ul><!-- note --></div>')
    assert html_to_text(html) == "Care\nWash cold.\nDry flat.\nOne\nTwo"
    assert html_to_text("5 < 7 and plain") == "5 < 7 and plain"
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold"


@pytest.mark.parametrize(
    ("title", "kwargs", "reason"),
    [
        ("Shipping Protection by Route", {"vendor": "Route", "requires_shipping": False}, SHIPPING_PROTECTION),
        ("Package Protection", {}, SHIPPING_PROTECTION),
        ("Order Insurance", {"requires_shipping": False}, SHIPPING_PROTECTION),
        ("Accidental damage insurance", {"requires_shipping": False}, SERVICE),
        ("Extend Protection Plan", {"requires_shipping": False}, SERVICE),
        ("Store Gift Card", {"gift_card": True}, GIFT_CARD),
        ("$50 e-Gift Card", {}, GIFT_CARD),
        ("Installation service", {"product_type": "Service", "requires_shipping": False}, SERVICE),
        ("Warranty card holder", {"requires_shipping": True}, None),
        ("Tip-resistant dog bowl", {"requires_shipping": True}, None),
        ("Phone case with screen protection", {}, None),
        ("Gift card box", {"requires_shipping": True}, None),
        ("Ebook: knitting patterns", {"requires_shipping": False}, None),
    ],
)
def test_what_is_not_goods(title: str, kwargs: dict[str, object], reason: str | None) -> None:
    assert not_goods_reason(title, **kwargs) == reason  # type: ignore[arg-type]


def test_unknown_layout_is_refused_with_a_clear_sentence(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("artikel,bezeichnung,preis\n1,Tasse,4.50\n", encoding="utf-8")
    with pytest.raises(IngestError) as exc:
        import_catalog(path, currency="EUR")
    message = str(exc.value)
    assert "unknown catalog layout" in message and "artikel, bezeichnung, preis" in message
    assert "--format" in message and "--map id=sku" in message
    xml = tmp_path / "sitemap.xml"
    xml.write_text('<?xml version="1.0"?><urlset><url><loc>https://x</loc></url></urlset>', encoding="utf-8")
    with pytest.raises(IngestError, match="unknown catalog layout"):
        import_catalog(xml, currency="EUR")


def test_forcing_a_format(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not a WooCommerce product export"):
        import_catalog(DATA / "shopify_legacy.csv", "woocommerce", currency="USD")
    with pytest.raises(IngestError, match="not a Shopify product export"):
        import_catalog(DATA / "woocommerce_products.csv", "shopify", currency="USD")
    with pytest.raises(IngestError, match="unknown format 'magento'"):
        import_catalog(DATA / "shopify_legacy.csv", "magento", currency="USD")
    # A feed saved with an unusual extension is still read when the format is forced.
    odd = tmp_path / "feed.txt"
    odd.write_bytes((DATA / "merchant_feed.tsv").read_bytes())
    assert import_catalog(odd, "merchant", currency="EUR").format == "merchant"
    # A mapping overrides detection, as before: any CSV through --map.
    mapped = import_catalog(DATA / "shopify_current.csv", mapping={"id": "SKU", "title": "Title", "price": "Price"},
                            currency="USD")
    assert mapped.format == "mapped" and mapped.products[0].id == "TEE-S"


def test_a_file_in_the_store_currency_passes_and_another_is_refused() -> None:
    shopify = DATA / "shopify_current.csv"
    assert import_catalog(shopify, currency="EUR", store_currency="EUR").currency == "EUR"
    with pytest.raises(IngestError, match=r"prices are in EUR .*store sells in USD.*SHOPASSIST_STORE_CURRENCY=EUR"):
        import_catalog(shopify, currency="EUR", store_currency="USD")
    converted = import_catalog(shopify, currency="EUR", store_currency="USD", fx_rates={"EUR": 90, "USD": 83})
    tee = converted.products[0]
    assert converted.converted == {"EUR": pytest.approx(90 / 83)} and tee.currency == "USD"
    assert [v.price for v in tee.variants] == [27.1, 27.1, 29.27]


def test_a_catalog_without_prices_has_no_currency_to_refuse(shared_data: Path) -> None:
    report = import_catalog(shared_data / "homedepot" / "products.csv", currency="INR")
    assert report.format == "homedepot" and len(report.products) == 54667 and report.currency == "USD"


def test_legacy_loaders_keep_working(shared_data: Path) -> None:
    flipkart = import_catalog(shared_data / "flipkart" / "products.csv", currency="INR")
    assert flipkart.format == "flipkart" and len(flipkart.products) > 1000 and flipkart.currency == "INR"
    assert all(p.variants == [] for p in flipkart.products)
