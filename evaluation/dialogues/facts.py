"""What the catalog says about a product, read independently of the assistant's own parsers.

The checks judge cards by these facts, so a bug in the assistant's filter parser
(say, "coffee" read as a colour) cannot make a wrong card look right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from evaluation.dialogues.schema import Constraints
from retrieval.catalog import Product

# Colour families and the words the catalog's colour values (or, without one, titles) use for them.
COLOUR_FAMILIES: dict[str, tuple[str, ...]] = {
    "black": ("black", "blk"),
    "white": ("white", "off white", "ivory", "cream"),
    "red": ("red", "maroon", "crimson", "cherry red"),
    "blue": ("blue", "navy", "turquoise", "teal", "aqua"),
    "green": ("green", "olive", "mint"),
    "yellow": ("yellow", "mustard"),
    "pink": ("pink", "magenta", "peach"),
    "purple": ("purple", "violet", "lavender"),
    "orange": ("orange",),
    "brown": ("brown", "tan", "beige", "khaki", "coffee", "taupe", "almond", "alamond", "bronze"),
    "grey": ("grey", "gray", "silver", "gry"),
    "gold": ("gold", "golden"),
    "multicolour": ("multicolor", "multicolour", "multi color", "multi-color", "multi-colored", "multi", "assorted"),
}

_AUDIENCE_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bbaby\s+boys?'?s?\b", "boys"),
    (r"\bbaby\s+girls?'?s?\b", "girls"),
    (r"\bboys?'?s?\b|\bschoolboys\b", "boys"),
    (r"\bgirls?'?s?\b", "girls"),
    (r"\bwomen'?s?\b|\bwomens\b|\bladies\b|\bfemme\b", "women"),
    (r"(?<!wo)\bmen'?s?\b|(?<!wo)\bmens\b|\bgents\b", "men"),
    (r"\bunisex\b|\bcouple\b", "unisex"),
)


def _word(term: str, text: str) -> bool:
    """`term` as a whole word (or phrase) of `text`, plural forms included."""
    return re.search(rf"(?<![a-z0-9]){re.escape(term.lower())}(?:s|es)?(?![a-z0-9])", text) is not None


def colour_families(product: Product) -> set[str]:
    """Colour families of the product's colour value; of its title when the catalog gives no colour."""
    source = (product.colour or product.title).lower()
    return {family for family, words in COLOUR_FAMILIES.items() if any(_word(w, source) for w in words)}


def audiences(product: Product) -> set[str]:
    """Who the catalog says the product is for: men, women, boys, girls, unisex (empty when it says nothing).

    The "ideal for" attribute decides when present; otherwise the category path and the title."""
    gender = product.attributes.get("gender", "")
    sources = [gender] if gender else [" ".join(product.category_path), product.title]
    found: set[str] = set()
    for source in sources:
        low = source.lower()
        for pattern, who in _AUDIENCE_WORDS:
            if re.search(pattern, low):
                found.add(who)
    return found


def fits_audience(product: Product, audience: str) -> bool:
    who = audiences(product)
    if "unisex" in who:
        return True
    if audience == "kids":
        return bool(who & {"boys", "girls"})
    return audience in who


def type_text(product: Product) -> str:
    return (product.title + " | " + " > ".join(product.category_path)).lower()


def has_type(product: Product, terms: Iterable[str]) -> bool:
    text = type_text(product)
    return any(_word(t, text) for t in terms)


def has_brand(product: Product, brands: Iterable[str]) -> bool:
    """The brand field, or (Flipkart titles start with the brand) the title's first words."""
    title = product.title.lower()
    for b in brands:
        low = b.lower()
        if product.brand.lower() == low or title == low or title.startswith(low + " "):
            return True
    return False


def violations(product: Product, where: Constraints, earlier: dict[int, list[str]] | None = None) -> list[str]:
    """Each constraint the product breaks, as a short phrase ("price ₹1,299 > ₹1,000")."""
    out: list[str] = []
    if where.max_price is not None and product.price > where.max_price:
        out.append(f"price {product.price:g} > {where.max_price:g}")
    if where.min_price is not None and product.price < where.min_price:
        out.append(f"price {product.price:g} < {where.min_price:g}")
    if where.type_any and not has_type(product, where.type_any):
        out.append(f"not a {'/'.join(where.type_any)}")
    if where.type_none and has_type(product, where.type_none):
        out.append(f"is a {'/'.join(t for t in where.type_none if has_type(product, [t]))}")
    if where.category_any and product.category.lower() not in {c.lower() for c in where.category_any}:
        out.append(f"category {product.category!r}")
    if where.colour and where.colour not in colour_families(product):
        out.append(f"colour {product.colour or '(none in catalog)'!r}")
    if where.brand_any and not has_brand(product, where.brand_any):
        out.append(f"brand {product.brand or product.title.split(' ')[0]!r}")
    if where.audience and not fits_audience(product, where.audience):
        out.append(f"for {sorted(audiences(product)) or 'unknown'}")
    if where.in_stock and not product.in_stock:
        out.append("out of stock")
    if where.on_sale and not product.on_sale:
        out.append("not on sale")
    if where.min_rating is not None and (product.rating or 0.0) < where.min_rating:
        out.append(f"rating {product.rating}")
    if where.not_in_turn is not None and earlier is not None and product.id in earlier.get(where.not_in_turn, []):
        out.append(f"already shown in turn {where.not_in_turn}")
    return out


def satisfies(product: Product, where: Constraints) -> bool:
    return not violations(product, where)


def spec_value(product: Product, attribute: str) -> str | None:
    """The catalog value of an attribute (key match ignoring case and underscores), None when absent."""
    want = attribute.lower().replace("_", " ")
    for key, value in product.attributes.items():
        if key.lower().replace("_", " ") == want and value.strip():
            return value.strip()
    return None


def price_text(amount: float) -> list[str]:
    """Ways a price is written in an answer: ₹1,299 / 1,299 / 1299."""
    whole = f"{amount:,.0f}" if abs(amount - round(amount)) < 0.005 else f"{amount:,.2f}"
    return [whole, whole.replace(",", "")]
