"""Shared steps of every importer: options as attributes, variant ids, category paths, slug values."""

from __future__ import annotations

import re
from collections.abc import Iterable

from retrieval.catalog import Variant, canonical_key


def option_attributes(variants: Iterable[Variant]) -> dict[str, str]:
    """The product-level attributes its variants' options imply: {"size": "S, M, L", "colour": "Red, Blue"}.

    Option names map onto the canonical attribute names where one fits ("Talla" -> size,
    "Color" -> colour), so filters and comparisons read them like any catalog's.
    """
    values: dict[str, list[str]] = {}
    for variant in variants:
        for name, value in variant.options.items():
            if not value:
                continue
            seen = values.setdefault(canonical_key(name), [])
            if value not in seen:
                seen.append(value)
    return {name: ", ".join(vals) for name, vals in values.items()}


def unique_variant_ids(variants: list[Variant]) -> list[Variant]:
    """Variants whose ids are unique within the product (a repeated SKU gets "#2", "#3")."""
    seen: dict[str, int] = {}
    out: list[Variant] = []
    for variant in variants:
        n = seen.get(variant.id, 0) + 1
        seen[variant.id] = n
        out.append(variant if n == 1 else variant.model_copy(update={"id": f"{variant.id}#{n}"}))
    return out


def category_path(text: str, separators: tuple[str, ...] = (">", "/")) -> list[str]:
    """"Home & Garden > Kitchen > Cookware" -> ["Home & Garden", "Kitchen", "Cookware"]; a placeholder
    ("Uncategorized") or an empty text gives []."""
    text = text.strip()
    if not text or text.lower() in ("uncategorized", "uncategorised", "sin categoría", "default category"):
        return []
    for sep in separators:
        if sep in text:
            return [part.strip() for part in text.split(sep) if part.strip()]
    return [text]


def readable_slug(value: str) -> str:
    """Shopify exports metaobject references as handles: "gris-7" -> "gris", "recien-nacido" -> "recien nacido"
    ("12-18" and other number ranges stay as they are)."""
    value = value.strip()
    if re.fullmatch(r"[^\s]*[^\W\d][^\s]*-\d+", value):
        value = value.rsplit("-", 1)[0]
    return re.sub(r"(?<=[^\W\d_])-|-(?=[^\W\d_])", " ", value)


def clean_text(value: str) -> str:
    return " ".join(value.split())


def truthy(value: str) -> bool | None:
    """TRUE/FALSE, yes/no, 1/0 as exports write them; None when empty or anything else."""
    low = value.strip().lower()
    if low in ("true", "yes", "y", "1", "t", "sí", "si", "ja", "oui"):
        return True
    if low in ("false", "no", "n", "0", "f", "nein", "non"):
        return False
    return None
