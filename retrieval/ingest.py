"""Read store catalogs (the bundled Flipkart demo, Home Depot titles, any CSV/JSONL) into `Product`s.

A malformed row is reported with its line number and skipped; it never stops
the run and is never dropped silently. A file that cannot be a catalog at all
(missing, wrong columns) raises `IngestError` with a one-line message.
"""

from __future__ import annotations

import ast
import csv
import gzip
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from retrieval.catalog import Catalog, Product, canonical_attributes, demo_stock
from retrieval.errors import UserError
from retrieval.money import marker_regex

csv.field_size_limit(10 * 1024 * 1024)


class IngestError(UserError, ValueError):
    """The input cannot be read as a catalog at all."""


@dataclass
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class IngestReport:
    products: list[Product] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    source: str = ""

    def catalog(self, name: str) -> Catalog:
        return Catalog(self.products, name=name)


# Product field -> source column. `id` and `title` are required; the rest optional.
ColumnMapping = Mapping[str, str]
PRODUCT_FIELDS = (
    "id", "title", "brand", "category", "price", "list_price", "currency", "rating", "rating_count",
    "description", "image_url", "url", "stock",
)

HOMEDEPOT_MAPPING: dict[str, str] = {"id": "product_uid", "title": "product_title"}


def _open_text(path: Path, encoding: str) -> TextIO:
    if not path.exists():
        raise IngestError(f"catalog file not found: {path}")
    if path.is_dir():
        raise IngestError(f"expected a catalog file, got a directory: {path}")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, errors="replace", newline="")
    return path.open("r", encoding=encoding, errors="replace", newline="")


def _csv_rows(handle: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (first line number of the record, row) so errors point at the right line."""
    reader = csv.DictReader(handle)
    if not reader.fieldnames:
        raise IngestError("the file is empty or has no header row")
    start = 2
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def _jsonl_rows(handle: TextIO) -> Iterator[tuple[int, dict[str, Any] | None]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            yield number, None
            continue
        yield number, obj if isinstance(obj, dict) else None


_CURRENCY_PREFIX = re.compile(rf"^(?:{marker_regex()})\s*", re.IGNORECASE)  # "$", "Rs.", "USD", "€"...


def _float(value: Any, what: str) -> float | None:
    if value is None:
        return None
    text = str(value).strip().replace(",", "")
    text = _CURRENCY_PREFIX.sub("", text)  # "$12.50", "Rs. 499"
    if not text:
        return None
    try:
        number = float(text)
    except ValueError as exc:
        raise ValueError(f"{what} is not a number: {str(value)[:40]!r}") from exc
    if number != number or number < 0:
        raise ValueError(f"{what} must be a non-negative number, got {str(value)[:40]!r}")
    return number


def _split_list(value: str) -> list[str]:
    value = value.strip()
    if not value:
        return []
    if value.startswith("["):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            try:
                parsed = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                parsed = None
        if isinstance(parsed, list):
            return [str(x).strip() for x in parsed if str(x).strip()]
    sep = ">>" if ">>" in value else (">" if ">" in value else "|")
    return [part.strip() for part in value.split(sep) if part.strip()]


def mapped_row_to_product(row: Mapping[str, Any], mapping: ColumnMapping, currency: str) -> Product:
    """One row of any catalog -> Product, through a field -> column mapping."""

    def col(name: str) -> Any:
        column = mapping.get(name)
        return row.get(column) if column else None

    pid = str(col("id") or "").strip()
    title = str(col("title") or "").strip()
    if not pid:
        raise ValueError("empty id")
    if not title:
        raise ValueError("empty title")
    price = _float(col("price"), "price") or 0.0
    list_price = _float(col("list_price"), "list_price")
    rating = _float(col("rating"), "rating")
    if rating is not None and rating > 5:
        raise ValueError(f"rating must be 0..5, got {rating}")
    stock_value = _float(col("stock"), "stock")
    images = col("image_url")
    category = col("category")
    attributes = {
        key[len("attr:"):]: str(row.get(column) or "")
        for key, column in mapping.items()
        if key.startswith("attr:") and row.get(column)
    }
    return Product(
        id=pid,
        title=title,
        brand=str(col("brand") or ""),
        category_path=_split_list(str(category)) if category else [],
        price=price,
        list_price=list_price,
        currency=str(col("currency") or currency),
        rating=rating or None,
        rating_count=int(_float(col("rating_count"), "rating_count") or 0),
        description=str(col("description") or ""),
        attributes=canonical_attributes(attributes),
        image_urls=_split_list(str(images)) if images else [],
        url=str(col("url") or ""),
        stock=int(stock_value) if stock_value is not None else demo_stock(pid),
    )


def load_mapped(
    path: Path | str,
    mapping: ColumnMapping,
    *,
    currency: str = "",
    encoding: str = "utf-8",
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Load a CSV (or .csv.gz) or JSONL catalog through a field -> column mapping."""
    path = Path(path)
    unknown = [k for k in mapping if k not in PRODUCT_FIELDS and not k.startswith("attr:")]
    if unknown:
        raise IngestError(
            f"unknown product field(s) in mapping: {', '.join(unknown)}; known: {', '.join(PRODUCT_FIELDS)}"
        )
    for required in ("id", "title"):
        if required not in mapping:
            raise IngestError(f"the column mapping must name a column for '{required}'")
    report = IngestReport(source=str(path))
    is_jsonl = path.name.endswith((".jsonl", ".jsonl.gz", ".ndjson"))
    seen: set[str] = set()
    with _open_text(path, encoding) as handle:
        rows: Iterator[tuple[int, Any]] = _jsonl_rows(handle) if is_jsonl else _csv_rows(handle)
        first = True
        for line, row in rows:
            if first and not is_jsonl:
                missing = [c for c in mapping.values() if c not in row]
                if missing:
                    raise IngestError(
                        f"{path.name}: missing column(s) {', '.join(missing)}; found: {', '.join(list(row)[:20])}"
                    )
            first = False
            if row is None:
                report.errors.append(RowError(line, "not a JSON object"))
                continue
            try:
                product = mapped_row_to_product(row, mapping, currency)
            except (ValueError, ValidationError) as exc:
                report.errors.append(RowError(line, short_reason(exc)))
                continue
            if product.id in seen:
                report.errors.append(RowError(line, f"duplicate id {product.id!r} (first one kept)"))
                continue
            seen.add(product.id)
            report.products.append(product)
            if progress:
                progress(1)
    if first and not report.errors:
        raise IngestError(f"{path.name}: no rows")
    return report


def short_reason(exc: Exception) -> str:
    """One line saying what was wrong with a row (a validation error names the field)."""
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ()))
        return f"{where}: {err.get('msg', 'invalid')}"
    return str(exc).splitlines()[0][:200]


def load_homedepot(path: Path | str, progress: Callable[[int], None] | None = None) -> IngestReport:
    """Home Depot titles (`product_uid, product_title`); no prices, so `price` is 0 (unknown)."""
    return load_mapped(path, HOMEDEPOT_MAPPING, currency="USD", encoding="ISO-8859-1", progress=progress)


# ---------------------------------------------------------------- Flipkart

FLIPKART_CURRENCY = "INR"  # the Flipkart marketplace export format: its prices are rupees, no column says so
FLIPKART_COLUMNS = ("uniq_id", "product_name", "product_category_tree", "retail_price", "discounted_price")


def _flipkart_specs(raw: str) -> dict[str, str]:
    raw = raw.strip()
    if not raw:
        return {}
    try:
        parsed = ast.literal_eval(raw.replace("=>", ":"))
    except (ValueError, SyntaxError):
        return {}
    items = parsed.get("product_specification") if isinstance(parsed, dict) else parsed
    if isinstance(items, dict):
        items = [items]
    out: dict[str, str] = {}
    for item in items or []:
        if isinstance(item, dict) and "key" in item and "value" in item:
            out[str(item["key"])] = str(item["value"])
    return out


def flipkart_row_to_product(row: Mapping[str, str]) -> Product:
    pid = (row.get("uniq_id") or "").strip()
    title = (row.get("product_name") or "").strip()
    if not pid or not title:
        raise ValueError("empty uniq_id or product_name")
    tree = _split_list(row.get("product_category_tree") or "")
    # The crawl's tree ends with the product's own name; drop that leaf.
    if len(tree) > 1 and tree[-1].lower().startswith(title.lower()[:20]):
        tree = tree[:-1]
    tree = [re.sub(r"\s+", " ", t).strip() for t in tree]
    list_price = _float(row.get("retail_price"), "retail_price")
    price = _float(row.get("discounted_price"), "discounted_price") or list_price or 0.0
    rating = _float(row.get("product_rating"), "product_rating")
    images = _split_list(row.get("image") or "")
    return Product(
        id=pid,
        title=title,
        brand=(row.get("brand") or "").strip(),
        category_path=tree,
        price=price,
        list_price=list_price if list_price and list_price > price else None,
        currency=FLIPKART_CURRENCY,
        rating=rating if rating else None,
        description=row.get("description") or "",
        attributes=canonical_attributes(_flipkart_specs(row.get("product_specifications") or "")),
        image_urls=images,
        url=(row.get("product_url") or "").strip(),
        stock=demo_stock(pid),
    )


def load_flipkart(path: Path | str, progress: Callable[[int], None] | None = None) -> IngestReport:
    path = Path(path)
    report = IngestReport(source=str(path))
    with _open_text(path, "utf-8") as handle:
        checked = False
        for line, row in _csv_rows(handle):
            if not checked:
                missing = [c for c in FLIPKART_COLUMNS if c not in row]
                if missing:
                    raise IngestError(f"{path.name}: not a Flipkart export, missing column(s) {', '.join(missing)}")
                checked = True
            try:
                report.products.append(flipkart_row_to_product(row))
            except (ValueError, ValidationError) as exc:
                report.errors.append(RowError(line, short_reason(exc)))
            if progress:
                progress(1)
    return report


def demo_catalog_path() -> Path:
    return Path(str(resources.files("retrieval") / "demo_store" / "flipkart_products.csv.gz"))


def load_demo_catalog() -> Catalog:
    """The bundled demo store: 1,002 real Flipkart products (CC BY-SA 4.0, see ATTRIBUTION.md)."""
    return load_flipkart(demo_catalog_path()).catalog("demo")


def detect_format(path: Path) -> str:
    """'flipkart', 'homedepot' or 'mapped', from the header of a CSV file."""
    name = path.name
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        return "mapped"
    with _open_text(path, "ISO-8859-1") as handle:
        header = next(csv.reader(handle), [])
    if all(c in header for c in FLIPKART_COLUMNS):
        return "flipkart"
    if header[:2] == ["product_uid", "product_title"]:
        return "homedepot"
    return "mapped"
