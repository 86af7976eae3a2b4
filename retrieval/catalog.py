"""The typed product model every layer shares.

A `Product` is what the catalog says about one item, normalized from whatever
CSV/JSONL a store ships. Everything a shopper sees on a card (title, price,
discount, rating, stock) comes from here and never from the language model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, Field, field_validator

# Attribute keys the assistant understands across catalogs; loaders map their own
# specification keys onto these so filters and comparisons work on any store.
CANONICAL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "colour": ("color", "colour", "dial color", "strap color", "frame color", "shade"),
    "material": ("material", "fabric", "outer material", "base material", "strap material", "sole material"),
    "size": ("size", "ring size", "display size", "screen size"),
    "gender": ("ideal for", "gender"),
    "occasion": ("occasion",),
    "pattern": ("pattern",),
    "type": ("type",),
    "water_resistant": ("water resistant", "waterproof"),
}


class Product(BaseModel):
    """One catalog item. Prices are in `currency` units (floats, two decimals)."""

    id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1)
    brand: str = ""
    category_path: list[str] = Field(default_factory=list)
    price: float = Field(ge=0)
    list_price: float | None = Field(default=None, ge=0)
    currency: str = ""  # ISO 4217; empty: the store's currency
    rating: float | None = Field(default=None, ge=0, le=5)
    rating_count: int = 0
    description: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
    image_urls: list[str] = Field(default_factory=list)
    url: str = ""
    stock: int = Field(default=0, ge=0)

    @field_validator("title", "brand", "description")
    @classmethod
    def _strip(cls, value: str) -> str:
        return " ".join(value.split())

    @property
    def category(self) -> str:
        """The top-level category ("" when the catalog has none)."""
        return self.category_path[0] if self.category_path else ""

    @property
    def discount_pct(self) -> float:
        """Whole percent off the list price (as shops show it), 0 when there is no higher list price."""
        if not self.list_price or self.list_price <= self.price:
            return 0.0
        return float(round(100.0 * (self.list_price - self.price) / self.list_price))

    @property
    def on_sale(self) -> bool:
        return self.discount_pct >= 1.0

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def colour(self) -> str:
        return self.attributes.get("colour", "")

    def search_text(self) -> str:
        """The text both the lexical and the dense index see for this product."""
        parts = [self.title, self.brand, " > ".join(self.category_path)]
        parts += [f"{k} {v}" for k, v in self.attributes.items() if k in CANONICAL_ATTRIBUTES]
        return " | ".join(p for p in parts if p)

    def embedding_text(self) -> str:
        """Title-first text for the dense encoder (MiniLM truncates at 256 tokens)."""
        head = self.search_text()
        return f"{head} | {self.description[:300]}" if self.description else head

    def metadata(self) -> dict[str, str | int | float | bool]:
        """Flat scalar fields for vector-store `where` filters."""
        return {
            "title": self.title,
            "brand": self.brand.lower(),
            "category": self.category.lower(),
            "category_path": " > ".join(self.category_path).lower(),
            "price": float(self.price),
            "list_price": float(self.list_price or self.price),
            "discount_pct": float(self.discount_pct),
            "on_sale": self.on_sale,
            "rating": float(self.rating or 0.0),
            "colour": self.colour.lower(),
            "in_stock": self.in_stock,
            "content_hash": self.content_hash(),
        }

    def content_hash(self) -> str:
        """Stable fingerprint so re-ingestion only re-embeds products that changed."""
        payload = self.model_dump_json(exclude={"stock"})
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]


def demo_stock(product_id: str) -> int:
    """Deterministic demo stock level: 0..40 units, about 8% out of stock.

    The public catalogs carry no inventory, so the demo store derives one from the
    id. A real store overwrites it at ingestion from its own stock column.
    """
    h = int(hashlib.sha256(product_id.encode("utf-8")).hexdigest()[:8], 16)
    return 0 if h % 100 < 8 else 1 + h % 40


def canonical_attributes(raw: Mapping[str, str]) -> dict[str, str]:
    """Map a loader's specification keys onto `CANONICAL_ATTRIBUTES` (first match wins)."""
    lowered = {k.strip().lower(): v.strip() for k, v in raw.items() if k and v and v.strip()}
    out: dict[str, str] = {}
    consumed: set[str] = set()
    for canon, aliases in CANONICAL_ATTRIBUTES.items():
        for alias in aliases:
            if alias in lowered:
                out[canon] = lowered[alias]
                consumed.add(alias)
                break
    for key, value in lowered.items():
        if key not in consumed:
            out.setdefault(key, value)
    return out


class Catalog:
    """An in-memory, id-indexed view of a product list (1e5 products fit easily)."""

    def __init__(self, products: Iterable[Product], name: str = "catalog") -> None:
        self.name = name
        self._by_id: dict[str, Product] = {}
        for p in products:
            self._by_id[p.id] = p

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Product]:
        return iter(self._by_id.values())

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._by_id

    def get(self, product_id: str) -> Product | None:
        return self._by_id.get(product_id)

    def __getitem__(self, product_id: str) -> Product:
        return self._by_id[product_id]

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    def to_jsonl(self) -> str:
        return "\n".join(p.model_dump_json() for p in self) + "\n"

    @classmethod
    def from_dicts(cls, rows: Iterable[Mapping[str, Any]], name: str = "catalog") -> Catalog:
        return cls((Product.model_validate(r) for r in rows), name=name)
