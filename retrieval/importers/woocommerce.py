"""WooCommerce's product CSV export (Products > Export) into products with variants.

Columns are those of woocommerce `includes/export/class-wc-product-csv-exporter.php`:
`ID, Type, SKU, Name, Published, Visibility in catalog, Short description,
Description, Date sale price starts/ends, In stock?, Stock, Sale price, Regular
price, Categories, Tags, Images, Parent, External URL, Attribute N name / value(s)
/ visible / global / default, Meta: <key>`.

- `Type` is simple | variable | variation | grouped | external, with ", virtual"
  or ", downloadable" appended when those apply. A variation names its parent in
  `Parent`, as the parent's SKU or `id:<ID>`.
- `Published` is -1 (draft), 0 (private) or 1; a private variation is one the
  store switched off.
- Multi-value cells are joined with ", " and a comma inside a value is written
  "\\,"; newlines inside descriptions are a literal "\\n". Cells starting with
  = + - @ may carry a leading apostrophe (the exporter's formula guard).
- Prices use the store's decimal separator ("12,50" in a German store).

Headers are matched in English; an export whose headers were translated into the
site's language is not recognised (pass --format mapped with --map instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import ValidationError

from retrieval.catalog import Product, Variant, canonical_key
from retrieval.importers.amounts import PriceError, as_price, parse_amount
from retrieval.importers.assemble import category_path, clean_text, option_attributes, unique_variant_ids
from retrieval.importers.goods import not_goods_reason
from retrieval.importers.html_text import html_to_text
from retrieval.importers.report import ImportReport, read_export
from retrieval.importers.tabular import Record, Table
from retrieval.ingest import short_reason

NAME = "woocommerce"
_MAIN_TYPES = ("simple", "variable", "variation", "grouped", "external")


def looks_like(names: set[str]) -> bool:
    """Whether a header (normalized names) is a WooCommerce product export."""
    return {"type", "name"} <= names and bool(names & {"regular price", "in stock?", "parent", "attribute 1 name"})


def split_multi(cell: str) -> list[str]:
    """WooCommerce's multi-value cell: ", "-joined, "\\," for a comma inside a value."""
    if not cell.strip():
        return []
    return [part.replace("\\,", ",").strip() for part in re.split(r"(?<!\\),", cell) if part.strip()]


def _unguard(cell: str) -> str:
    """Undo the exporter's formula guard ("'-1" -> "-1")."""
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@" else cell


@dataclass
class _Row:
    record: Record
    kinds: set[str]
    values: dict[str, str]
    attributes: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return next((k for k in _MAIN_TYPES if k in self.kinds), "")

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def key(self) -> str:
        """The id a product is indexed under: its WooCommerce ID, else its SKU."""
        return self.get("id") or self.get("sku")


_FIELDS = ("id", "type", "sku", "name", "published", "visibility in catalog", "short description", "description",
           "date sale price starts", "date sale price ends", "in stock?", "stock", "sale price", "regular price",
           "categories", "tags", "images", "parent", "external url", "brands")


def _rows(table: Table) -> list[_Row]:
    cols = table.columns
    attribute_numbers = sorted(
        int(m.group(1)) for n in cols.names() if (m := re.fullmatch(r"attribute (\d+) name", n))
    )
    rows: list[_Row] = []
    for record in table.records:
        values = {f: _unguard(record.get(cols.index(f))) for f in _FIELDS}
        kinds = {k.strip().lower() for k in values["type"].split(",") if k.strip()}
        attributes: list[tuple[str, list[str]]] = []
        for n in attribute_numbers:
            name = record.get(cols.index(f"attribute {n} name"))
            if name:
                attributes.append((name, split_multi(record.get(cols.index(f"attribute {n} value(s)")))))
        rows.append(_Row(record, kinds, values, attributes))
    return rows


def load_woocommerce(path: Path, currency: str, today: date | None = None) -> ImportReport:
    """Read a WooCommerce product CSV export; prices are in `currency` (the export does not name it)."""
    table, report = read_export(path, NAME, currency, looks_like,
                                "not a WooCommerce product export (no Type, Name and price columns)")
    today = today or datetime.now(UTC).date()
    rows = _rows(table)
    parents: dict[str, int] = {}  # "id:<ID>" or SKU -> index of the parent row
    for i, row in enumerate(rows):
        if row.kind not in ("variation", ""):
            for ref in (f"id:{row.get('id')}" if row.get("id") else "", row.get("sku")):
                if ref:
                    parents.setdefault(ref, i)
    variations: dict[int, list[_Row]] = {}
    for row in rows:
        if row.kind == "":
            report.reject(row.record.line, f"Type {row.get('type')!r} is none of {', '.join(_MAIN_TYPES)}")
        elif row.kind == "variation":
            ref = row.get("parent")
            parent = parents.get(ref, parents.get(f"id:{ref}"))
            if parent is None:
                report.reject(row.record.line, f"variation of an unknown parent {ref!r}")
            else:
                variations.setdefault(parent, []).append(row)
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if row.kind in ("", "variation"):
            continue
        if not row.key:
            report.reject(row.record.line, "neither ID nor SKU: the product cannot be identified")
            continue
        if row.key in seen:
            report.reject(row.record.line, f"duplicate product {row.key!r} (the first one is kept)")
            continue
        seen.add(row.key)
        product = _product(row, variations.get(i, []), currency, today, report)
        if product is not None:
            report.products.append(product)
    return report.done()


def _skip_reason(row: _Row) -> str | None:
    published = row.get("published")
    if published == "-1":
        return "draft"
    if published == "0":
        return "private"
    if row.get("visibility in catalog").lower() == "hidden":
        return "hidden from the catalog"
    if row.kind == "grouped":
        return "grouped (a set of other products)"
    return not_goods_reason(
        row.get("name"),
        category=row.get("categories"),
        requires_shipping=False if "virtual" in row.kinds else None,
    )


def _product(row: _Row, children: list[_Row], currency: str, today: date, report: ImportReport) -> Product | None:
    title = clean_text(row.get("name"))
    if not title:
        report.reject(row.record.line, f"product {row.key!r} has no Name")
        return None
    reason = _skip_reason(row)
    if reason:
        report.skip(reason)
        return None
    variants: list[Variant] = []
    if row.kind == "variable":
        for child in children:
            if child.get("published") in ("0", "-1"):
                report.skip("disabled variation")
                continue
            try:
                variants.append(_variant(child, row, today))
            except (PriceError, ValueError, ValidationError) as exc:
                report.reject(child.record.line, f"variation of {row.key!r}: {short_reason(exc)}")
    else:
        try:
            variants.append(_variant(row, None, today))
        except (PriceError, ValueError, ValidationError) as exc:
            report.reject(row.record.line, f"product {row.key!r}: {short_reason(exc)}")
            return None
    if not variants:
        report.skip("no valid variant")
        return None
    categories = split_multi(row.get("categories"))
    attributes = option_attributes(variants)
    for name, values in row.attributes:
        key = canonical_key(name)
        if values and key not in attributes:
            attributes[key] = ", ".join(values)
    if len(categories) > 1:
        attributes["categories"] = ", ".join(categories)
    tags = split_multi(row.get("tags"))
    if tags:
        attributes["tags"] = ", ".join(tags)
    brand = ", ".join(split_multi(row.get("brands"))) or attributes.pop("brand", "")
    description = row.get("description") or row.get("short description")
    try:
        return Product(
            id=row.key,
            title=title,
            brand=brand,
            category_path=category_path(categories[0]) if categories else [],
            price=0.0,
            currency=currency,
            description=html_to_text(description.replace("\\n", "\n")),
            attributes=attributes,
            image_urls=split_multi(row.get("images")),
            url=row.get("external url"),
            variants=unique_variant_ids(variants),
        )
    except ValidationError as exc:
        report.reject(row.record.line, f"product {row.key!r}: {short_reason(exc)}")
        return None


def _variant(row: _Row, parent: _Row | None, today: date) -> Variant:
    regular = parse_amount(row.get("regular price"), "Regular price")
    sale = parse_amount(row.get("sale price"), "Sale price")
    price, list_price = regular, None
    if sale is not None and (regular is None or sale < regular) and _sale_applies(row, today):
        price, list_price = sale, regular
    if price is None:
        raise ValueError("no Regular price")
    options: dict[str, str] = {}
    if parent is not None:
        names = [name for name, _ in parent.attributes]
        for i, (name, values) in enumerate(row.attributes):
            if values:  # an empty value means "any": not an option of this variation
                options[name or (names[i] if i < len(names) else f"option {i + 1}")] = values[0]
    stock_text = row.get("stock")
    try:
        stock = max(0, int(float(stock_text))) if stock_text else None
    except ValueError as exc:
        raise ValueError(f"Stock is not a number: {stock_text[:40]!r}") from exc
    flag = row.get("in stock?").lower()
    in_stock = (flag in ("1", "") and (stock is None or stock > 0)) if flag != "backorder" else False
    image = split_multi(row.get("images"))
    return Variant(
        id=row.key or "/".join(options.values()) or "default",
        sku=row.get("sku"),
        options=options,
        price=as_price(price),
        list_price=as_price(list_price) if list_price is not None else None,
        stock=stock,
        in_stock=in_stock,
        image_url=image[0] if image and parent is not None else "",
    )


def _sale_applies(row: _Row, today: date) -> bool:
    """Whether today is inside the sale's dates (open-ended when a date is missing)."""
    bounds = []
    for name in ("date sale price starts", "date sale price ends"):
        text = row.get(name)
        try:
            bounds.append(datetime.fromisoformat(text.strip()).date() if text.strip() else None)
        except ValueError as exc:
            raise ValueError(f"{name.capitalize()} is not a date: {text[:40]!r}") from exc
    start, end = bounds
    return (start is None or start <= today) and (end is None or today <= end)
