"""One store, one currency: a catalog priced in another is refused, or converted when rates are configured.

Shopify and WooCommerce exports do not name their currency, so their prices are
taken to be in the currency the operator names (`--currency`, by default the
store's). Merchant feeds name it on every price. A file whose prices are in a
currency other than the store's would make every price filter and every price
the assistant quotes wrong, so it is refused with a sentence saying how to fix
it, unless conversion rates were configured (settings `retrieval.fx_to_store`):
then prices are converted to the store currency, rounded to the cent, and the
summary says from which currency at which rate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from retrieval.catalog import Product
from retrieval.importers.amounts import conversion_rate, convert
from retrieval.importers.report import ImportReport
from retrieval.ingest import IngestError


def enforce_store_currency(report: ImportReport, store_currency: str, rates: Mapping[str, float] | None) -> None:
    """Leave every product of `report` priced in `store_currency`, or raise `IngestError` saying why not.

    A catalog without prices (Home Depot titles) has no currency to disagree with. A
    few products in another currency than most are skipped (counted) rather than
    refusing the whole file.
    """
    store = store_currency.upper()
    priced = [p for p in report.products if p.price > 0 or any(v.price > 0 for v in p.variants)]
    counts = Counter(p.currency.upper() or store for p in priced)  # "" is the store's own currency
    report.currency = store if priced else (report.currency or store)
    foreign = {c: n for c, n in counts.items() if c != store}
    if not foreign:
        return
    name = Path(report.source).name or "the file"
    main, main_count = counts.most_common(1)[0]
    factors = {c: conversion_rate(c, store, rates) for c in foreign} if rates is not None else {}
    if factors and all(f is not None for f in factors.values()):
        usable = {c: f for c, f in factors.items() if f is not None}
        report.converted.update({c: float(f) for c, f in usable.items()})
        report.products = [_converted(p, store, usable) for p in report.products]
        return
    if main != store:
        raise IngestError(
            f"{name}: prices are in {main} ({main_count} of {len(priced)} products) but the store sells in {store}; "
            f"if the store sells in {main}, set its currency in the store profile ([store] currency = \"{main}\", "
            f"or SHOPASSIST_STORE_CURRENCY={main}), or configure a conversion rate for {main} in "
            "retrieval.fx_to_store"
        )
    priced_ids = {p.id for p in priced}
    kept = []
    for product in report.products:
        if product.currency.upper() in foreign and product.id in priced_ids:
            report.skip(f"priced in {product.currency.upper()}, not {store}")
        else:
            kept.append(product)
    report.products = kept


def _converted(product: Product, store: str, factors: Mapping[str, Decimal]) -> Product:
    factor = factors.get(product.currency.upper())
    if factor is None:
        return product
    variants = [
        v.model_copy(update={"price": convert(v.price, factor),
                             "list_price": convert(v.list_price, factor) if v.list_price else None})
        for v in product.variants
    ]
    data = product.model_dump()
    data.update(
        currency=store,
        price=convert(product.price, factor),
        list_price=convert(product.list_price, factor) if product.list_price else None,
        variants=[v.model_dump() for v in variants],
    )
    return Product.model_validate(data)
