"""Google Merchant Center product feeds (XML as RSS 2.0 or Atom 1.0 with the `g:` namespace, or the
tab-separated text format) into products with variants.

Each feed item is one offer. Offers sharing a `g:item_group_id` are the variants
of one product (support.google.com/merchants/answer/6324507); their colour, size,
material and pattern are the variant's options. Prices are written "24.99 USD"
or "1349 SEK" (ISO 4217 code, /6324371); a `g:sale_price` applies inside its
`g:sale_price_effective_date` interval, or always when it has none (/6324460).
`g:availability` is in_stock | out_of_stock | preorder | backorder (the older
spelling "in stock" too); only in_stock counts as in stock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from retrieval.catalog import Product, Variant, canonical_key
from retrieval.importers.amounts import PriceError, as_price, parse_money
from retrieval.importers.assemble import category_path, clean_text, option_attributes, unique_variant_ids
from retrieval.importers.feed_xml import FeedItem, is_feed, read_items
from retrieval.importers.goods import not_goods_reason
from retrieval.importers.html_text import html_to_text
from retrieval.importers.report import ImportReport
from retrieval.importers.tabular import decode, parse_table, read_bytes
from retrieval.ingest import IngestError, short_reason

NAME = "merchant"
AVAILABILITY = {"in_stock": True, "out_of_stock": False, "preorder": False, "backorder": False,
                "limited_availability": True, "available_for_order": True}  # the last two: retired spellings
VARIANT_OPTIONS = ("color", "size", "material", "pattern")
_COMMA_LISTS = ("additional_image_link",)  # a TSV feed lists several in one cell


def tsv_name(header: str) -> str:
    """A TSV header cell as the XML element it stands for: "g:item group id" -> "item_group_id"."""
    name = header.replace("\ufeff", "").strip().strip('"').lower()
    name = name.removeprefix("g:")
    return "_".join(name.replace("-", " ").split())


def looks_like_tsv(names: set[str]) -> bool:
    """Whether a tab-separated header is a Merchant Center text feed."""
    fields = {tsv_name(n) for n in names}
    return {"id", "title", "price"} <= fields and bool(
        fields & {"link", "availability", "image_link", "condition", "brand", "gtin", "item_group_id"}
    )


def looks_like_xml(head: str) -> bool:
    return is_feed(head) and "base.google.com/ns/1.0" in head[:8192]


def read_feed(path: Path) -> tuple[list[FeedItem], ImportReport]:
    """The offers of an XML or TSV feed, with the malformed ones already reported."""
    text = decode(read_bytes(Path(path)))[0]
    report = ImportReport(source=str(path), format=NAME)
    if is_feed(text.lstrip()[:4096]):
        items, errors = read_items(text)
    else:
        table = parse_table(text, "\t", Path(path).name)
        names = [tsv_name(h) for h in table.columns.header]
        if not {"id", "title", "price"} <= set(names):
            raise IngestError(f"{Path(path).name}: not a Merchant Center feed (needs id, title and price columns)")
        items, errors = [], table.errors
        for record in table.records:
            fields: dict[str, list[str]] = {}
            for name, cell in zip(names, record.cells, strict=True):
                if cell.strip():
                    values = cell.split(",") if name in _COMMA_LISTS else [cell]
                    fields.setdefault(name, []).extend(v.strip() for v in values if v.strip())
            items.append(FeedItem(record.line, fields))
    if not items and not errors:
        raise IngestError(f"{Path(path).name}: the feed has no items")
    report.rows = len(items) + len(errors)
    for error in errors:
        report.reject(error.line, error.reason)
    return items, report


@dataclass
class _Offer:
    item: FeedItem
    variant: Variant
    currency: str
    group: str


def load_merchant(path: Path, currency: str, now: datetime | None = None) -> ImportReport:
    """Read a Merchant Center feed; each price names its currency (`currency` is for prices that do not)."""
    items, report = read_feed(Path(path))
    now = now or datetime.now(UTC)
    groups: dict[str, list[_Offer]] = {}
    seen: set[str] = set()
    for item in items:
        try:
            offer = _offer(item, currency, now)
        except (PriceError, ValueError, ValidationError) as exc:
            report.reject(item.line, short_reason(exc))
            continue
        if offer.variant.id in seen:
            report.reject(item.line, f"duplicate id {offer.variant.id!r} (the first one is kept)")
            continue
        seen.add(offer.variant.id)
        groups.setdefault(offer.group, []).append(offer)
    currencies: Counter[str] = Counter()
    for group_id, offers in groups.items():
        product = _product(group_id, offers, report)
        if product is not None:
            report.products.append(product)
            currencies[product.currency] += 1
    report.currency = currencies.most_common(1)[0][0] if currencies else currency
    return report.done()


def _offer(item: FeedItem, default_currency: str, now: datetime) -> _Offer:
    offer_id = item.first("id")
    if not offer_id:
        raise ValueError("no g:id")
    if not item.first("title"):
        raise ValueError(f"{offer_id}: no title")
    price, currency = parse_money(item.first("price"), "price")
    if price is None:
        raise ValueError(f"{offer_id}: no price")
    sale, sale_currency = parse_money(item.first("sale_price"), "sale_price")
    list_price: Decimal | None = None
    if sale is not None and sale < price and _sale_applies(item.first("sale_price_effective_date"), now):
        if sale_currency and currency and sale_currency != currency:
            raise ValueError(f"{offer_id}: sale_price is in {sale_currency}, price in {currency}")
        price, list_price = sale, price
    availability = "_".join(item.first("availability").lower().split()) or "in_stock"
    if availability not in AVAILABILITY:
        raise ValueError(f"{offer_id}: availability {item.first('availability')!r} is not one of "
                         "in_stock, out_of_stock, preorder, backorder")
    options = {name: clean_text(item.first(name)) for name in VARIANT_OPTIONS if item.first(name)}
    variant = Variant(
        id=offer_id,
        sku=offer_id,
        options=options,
        price=as_price(price),
        list_price=as_price(list_price) if list_price is not None else None,
        in_stock=AVAILABILITY[availability],
        image_url=item.first("image_link"),
        barcode=item.first("gtin"),
    )
    return _Offer(item, variant, (currency or default_currency).upper(), item.first("item_group_id") or offer_id)


def _sale_applies(interval: str, now: datetime) -> bool:
    """Whether `now` falls in "start/end" (ISO 8601, either side may be a date); no interval: always."""
    if not interval.strip():
        return True
    start_text, _, end_text = interval.partition("/")
    try:
        start = _instant(start_text) if start_text.strip() else None
        end = _instant(end_text) if end_text.strip() else None
    except ValueError as exc:
        raise ValueError(f"sale_price_effective_date is not an ISO 8601 interval: {interval[:60]!r}") from exc
    return (start is None or start <= now) and (end is None or now <= end)


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _product(group_id: str, offers: list[_Offer], report: ImportReport) -> Product | None:
    first = offers[0].item
    currencies = {o.currency for o in offers}
    if len(currencies) > 1:
        report.reject(first.line, f"item group {group_id!r} mixes currencies ({', '.join(sorted(currencies))})")
        return None
    title = _group_title([o.item.first("title") for o in offers])
    product_type = first.first("product_type")
    google_category = first.first("google_product_category")
    reason = not_goods_reason(title, product_type=product_type, category=google_category)
    if reason:
        report.skip(reason)
        return None
    variants = [o.variant for o in offers]
    attributes = option_attributes(variants)
    # An option every variant shares is a fact of the product, not a choice ("Black" on a one-colour shirt).
    shared = {k for k in variants[0].options if len({v.options.get(k) for v in variants}) == 1}
    variants = [v.model_copy(update={"options": {k: x for k, x in v.options.items() if k not in shared}})
                for v in variants]
    for name in ("gender", "age_group", "mpn", "condition"):
        value = clean_text(first.first(name))
        if value:
            attributes.setdefault(canonical_key(name.replace("_", " ")), value)
    if google_category:
        attributes["google product category"] = google_category
    images: list[str] = []
    for offer in offers:
        for url in [offer.item.first("image_link"), *offer.item.all("additional_image_link")]:
            if url and url not in images:
                images.append(url)
    try:
        return Product(
            id=group_id,
            title=title,
            brand=clean_text(first.first("brand")),
            category_path=category_path(product_type) or _category_from_google(google_category),
            price=0.0,
            currency=currencies.pop(),
            description=html_to_text(first.first("description")),
            attributes=attributes,
            image_urls=images,
            url=first.first("link"),
            variants=unique_variant_ids(variants),
        )
    except ValidationError as exc:
        report.reject(first.line, f"{group_id}: {short_reason(exc)}")
        return None


def _category_from_google(google_category: str) -> list[str]:
    """Google's taxonomy path when the feed writes it out; a bare numeric id says nothing readable."""
    return [] if google_category.strip().isdigit() else category_path(google_category)


def _group_title(titles: list[str]) -> str:
    """The product's name from its variants' titles: their common leading words ("Tee - Red - M", "Tee - Blue - S"
    -> "Tee"), or the first title when they share too little."""
    cleaned = [clean_text(t) for t in titles if t.strip()]
    if len(cleaned) < 2:
        return cleaned[0] if cleaned else ""
    words = [t.split(" ") for t in cleaned]
    common: list[str] = []
    for column in zip(*words, strict=False):
        if len(set(column)) != 1:
            break
        common.append(column[0])
    title = " ".join(common).rstrip(" -–—|,/:(")
    return title if len(title) >= 3 else cleaned[0]

