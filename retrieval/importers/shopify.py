"""Shopify's product CSV export, in both header dialects, into products with variants.

Shopify writes one row per variant. Product-level fields (title, body, vendor,
type, tags, published, status, option *names*, gift card) appear only on a
handle's first row; later rows of the handle carry option values, the variant's
price, SKU, stock and image; a row with only the handle and image columns adds
an image. Two header dialects exist (help.shopify.com, "Using CSV files"):

    legacy:  Handle, Title, Body (HTML), ..., Variant SKU, Variant Price, Variant Compare At Price,
             Variant Inventory Qty, Variant Requires Shipping, Image Src, Gift Card, Variant Image, Status
    current: Title, URL handle, Description, ..., SKU, Price, Compare-at price, Inventory quantity,
             Requires shipping, Product image URL, Variant image URL, Gift card

so every column is found by any of its names, and each optional one may be
missing. Metafield columns (`Color (product.metafields.shopify.color-pattern)`)
become attributes. Drafts, archived, unlisted and unpublished products, gift
cards and checkout add-ons are skipped with the reason counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from retrieval.catalog import Product, Variant, canonical_key
from retrieval.importers.amounts import PriceError, as_price, parse_amount
from retrieval.importers.assemble import (
    category_path,
    clean_text,
    option_attributes,
    readable_slug,
    truthy,
    unique_variant_ids,
)
from retrieval.importers.goods import not_goods_reason
from retrieval.importers.html_text import html_to_text
from retrieval.importers.report import ImportReport, read_export
from retrieval.importers.tabular import Columns, Record, Table
from retrieval.ingest import short_reason

NAME = "shopify"

# field -> every header it goes by (legacy dialect first).
COLUMNS: dict[str, tuple[str, ...]] = {
    "handle": ("Handle", "URL handle"),
    "title": ("Title",),
    "body": ("Body (HTML)", "Description", "Body HTML"),
    "vendor": ("Vendor",),
    "category": ("Product Category", "Standard Product Type"),
    "google_category": ("Google Shopping / Google Product Category",),
    "type": ("Type", "Custom Product Type", "Product Type"),
    "tags": ("Tags",),
    "published": ("Published", "Published on online store"),
    "status": ("Status",),
    "sku": ("Variant SKU", "SKU"),
    "barcode": ("Variant Barcode", "Barcode"),
    "price": ("Variant Price", "Price"),
    "compare_at": ("Variant Compare At Price", "Compare-at price", "Compare at price"),
    "qty": ("Variant Inventory Qty", "Inventory quantity", "Variant Inventory Quantity"),
    "tracker": ("Variant Inventory Tracker", "Inventory tracker"),
    "requires_shipping": ("Variant Requires Shipping", "Requires shipping"),
    "image": ("Image Src", "Product image URL", "Image source", "Image URL"),
    "variant_image": ("Variant Image", "Variant image URL"),
    "gift_card": ("Gift Card",),
    "gender": ("Google Shopping / Gender",),
    "age_group": ("Google Shopping / Age Group",),
    "mpn": ("Google Shopping / MPN",),
}
_METAFIELD = re.compile(
    r"^(?P<label>.*?)\s*\((?P<owner>product|variant)\.metafields\.(?P<ns>[^.()]+)\.(?P<key>[^()]+)\)$"
)
# Shopify's standard (category) metafields that mean one of the canonical attributes.
_METAFIELD_KEYS = {"color-pattern": "colour", "color": "colour", "size": "size", "shoe-size": "size",
                   "material": "material", "fabric": "material", "pattern": "pattern", "target-gender": "gender",
                   "age-group": "age group"}
_VARIANT_FIELDS = ("price", "sku", "barcode", "compare_at", "qty")


def looks_like(names: set[str]) -> bool:
    """Whether a header (normalized names) is a Shopify product export."""
    has_handle = "handle" in names or "url handle" in names
    markers = {"variant price", "price", "option1 name", "body (html)", "vendor", "variant sku", "published",
               "published on online store"}
    return has_handle and "title" in names and bool(names & markers)


@dataclass
class _Group:
    """The rows of one handle."""

    head: Record
    variants: list[Record] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, table: Table) -> None:
        self.cols = {name: table.columns.index(*aliases) for name, aliases in COLUMNS.items()}
        self.options = [
            (table.columns.index(f"Option{i} Name"), table.columns.index(f"Option{i} Value"),
             table.columns.index(f"Option{i} Linked To"))
            for i in (1, 2, 3)
        ]
        self.metafields = _metafield_columns(table.columns)

    def get(self, record: Record, name: str) -> str:
        return record.get(self.cols[name])

    def is_variant_row(self, record: Record) -> bool:
        return any(self.get(record, f) for f in _VARIANT_FIELDS) or any(record.get(v) for _, v, _ in self.options)


def _metafield_columns(columns: Columns) -> list[tuple[int, str]]:
    """(column index, attribute name) of each product metafield column worth keeping."""
    out: list[tuple[int, str]] = []
    for i, header in enumerate(columns.header):
        match = _METAFIELD.match(header.strip())
        if not match or match["owner"] != "product" or "google" in match["ns"].lower():
            continue  # variant metafields and Google-feed app settings are not product facts
        key = match["key"].strip().lower()
        name = _METAFIELD_KEYS.get(key) if match["ns"] == "shopify" else None
        out.append((i, name or canonical_key(match["label"] or key)))
    return out


def load_shopify(path: Path, currency: str) -> ImportReport:
    """Read a Shopify product CSV export; prices are in `currency` (Shopify exports do not name it)."""
    table, report = read_export(path, NAME, currency, looks_like,
                                "not a Shopify product export (no Handle/URL handle and Title columns)")
    reader = _Reader(table)
    groups: dict[str, _Group] = {}
    for record in table.records:
        handle = reader.get(record, "handle")
        if not handle:
            report.reject(record.line, "no Handle: a row must name the product it belongs to")
            continue
        group = groups.get(handle)
        if group is None:
            group = groups[handle] = _Group(head=record)
        elif not reader.get(group.head, "title") and reader.get(record, "title"):
            group.head = record  # product-level fields are on the handle's first row that has them
        image = reader.get(record, "image")
        if image and image not in group.images:
            group.images.append(image)
        if reader.is_variant_row(record):
            group.variants.append(record)
        elif not image and record is not group.head:
            report.reject(record.line, f"row of {handle!r} has neither variant nor image data")
    for handle, group in groups.items():
        product = _product(reader, handle, group, currency, report)
        if product is not None:
            report.products.append(product)
    return report.done()


def _product(reader: _Reader, handle: str, group: _Group, currency: str, report: ImportReport) -> Product | None:
    head = group.head
    title = clean_text(reader.get(head, "title"))
    if not title:
        report.reject(head.line, f"product {handle!r} has no Title on its first row")
        return None
    status = reader.get(head, "status").lower() or "active"
    published = truthy(reader.get(head, "published"))
    if status in ("draft", "archived", "unlisted"):
        report.skip(status)
        return None
    if published is False:
        report.skip("unpublished")
        return None
    first_variant = group.variants[0] if group.variants else head
    reason = not_goods_reason(
        title,
        vendor=reader.get(head, "vendor"),
        product_type=reader.get(head, "type"),
        category=reader.get(head, "category"),
        gift_card=truthy(reader.get(head, "gift_card")) is True,
        requires_shipping=truthy(reader.get(first_variant, "requires_shipping")),
    )
    if reason:
        report.skip(reason)
        return None
    option_names = [head.get(n) for n, _, _ in reader.options]
    linked = [head.get(link) for _, _, link in reader.options]
    variants: list[Variant] = []
    for record in group.variants:
        try:
            variants.append(_variant(reader, handle, record, option_names, linked))
        except (PriceError, ValueError, ValidationError) as exc:
            report.reject(record.line, f"{handle}: {short_reason(exc)}")
    if not variants:
        report.skip("no valid variant")
        return None
    product_type = clean_text(reader.get(head, "type"))
    path = category_path(reader.get(head, "category")) or category_path(reader.get(head, "google_category"))
    attributes = option_attributes(variants)
    for index, name in reader.metafields:
        value = head.get(index)
        if value and name not in attributes:
            attributes[name] = ", ".join(readable_slug(v) for v in re.split(r"\s*;\s*", value) if v.strip())
    for name, field_name in (("type", "type"), ("gender", "gender"), ("age group", "age_group"), ("mpn", "mpn")):
        value = clean_text(reader.get(head, field_name))
        if value:
            attributes.setdefault(name, value)
    tags = clean_text(reader.get(head, "tags"))
    if tags:
        attributes["tags"] = tags
    try:
        return Product(
            id=handle,
            title=title,
            brand=clean_text(reader.get(head, "vendor")),
            category_path=path or ([product_type] if product_type else []),
            price=0.0,
            currency=currency,
            description=html_to_text(reader.get(head, "body")),
            attributes=attributes,
            image_urls=group.images,
            variants=unique_variant_ids(variants),
        )
    except ValidationError as exc:
        report.reject(head.line, f"{handle}: {short_reason(exc)}")
        return None


def _variant(reader: _Reader, handle: str, record: Record, option_names: list[str], linked: list[str]) -> Variant:
    options: dict[str, str] = {}
    for (_, value_col, _), name, link in zip(reader.options, option_names, linked, strict=True):
        value = record.get(value_col)
        if not value or (name.lower() == "title" and value.lower() == "default title"):
            continue
        key = name or f"option {len(options) + 1}"
        if link.endswith((".color-pattern", ".size", ".shoe-size")) and canonical_key(key) not in ("colour", "size"):
            key = "colour" if link.endswith(".color-pattern") else "size"  # the option is linked to that metafield
        options[key] = value
    price = parse_amount(reader.get(record, "price"), "Variant Price")
    if price is None:
        raise ValueError("Variant Price is empty")
    compare_at = parse_amount(reader.get(record, "compare_at"), "Compare At Price")
    stock, in_stock = _stock(reader, record)
    sku = reader.get(record, "sku")
    return Variant(
        id=sku or "/".join([handle, *options.values()]) or handle,
        sku=sku,
        options=options,
        price=as_price(price),
        list_price=as_price(compare_at) if compare_at is not None and compare_at > price else None,
        stock=stock,
        in_stock=in_stock,
        image_url=reader.get(record, "variant_image"),
        barcode=reader.get(record, "barcode").lstrip("'"),
    )


def _stock(reader: _Reader, record: Record) -> tuple[int | None, bool]:
    """(stock, in stock): untracked inventory (no tracker) counts as in stock with unknown stock; "continue
    selling when out of stock" does not make a variant with none left in stock."""
    tracked = reader.cols["tracker"] is None or bool(reader.get(record, "tracker"))
    raw = reader.get(record, "qty")
    if not tracked or not raw:
        return None, True
    try:
        qty = max(0, int(float(raw)))  # Shopify allows oversold (negative) inventory
    except ValueError as exc:
        raise ValueError(f"Inventory quantity is not a number: {raw[:40]!r}") from exc
    return qty, qty > 0

