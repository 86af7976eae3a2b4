"""HTML for the chat UI's product cards, comparison table and cart panel (all values escaped).

Buttons carry `data-action` and `data-pid`; the Gradio HTML component's
`js_on_load` turns a click into a `click` event with that data (see gradio_app).
Amounts are the texts the assistant formatted in the store's currency (`price_text`,
`amount_text`, `subtotal_text`); payloads stored before those existed are formatted
with the store's `Money`. A product image sits on a placeholder that shows when the
image cannot load (gradio_app's script marks the failed image; CSS hides it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from retrieval.money import Money


def amount_text(data: Mapping[str, Any], key: str, money: Money | None = None) -> str:
    """`data[key + "_text"]`, else `data[key]` in the store's format, else the bare number ("" for none)."""
    text = data.get(f"{key}_text")
    if text:
        return str(text)
    value = data.get(key)
    if value is None:
        return ""
    return money(value) if money is not None else f"{float(value):,.2f}".removesuffix(".00")


def image_html(card: Mapping[str, Any]) -> str:
    """The card's picture on its placeholder (the placeholder alone without an image URL)."""
    img = (f'<img src="{escape(card["image_url"])}" alt="" loading="lazy" referrerpolicy="no-referrer">'
           if card.get("image_url") else "")
    return (f'<div class="sa-img{"" if img else " sa-img-none"}">'
            '<span class="sa-img-ph" aria-hidden="true">No image</span>' + img + "</div>")


def _button(action: str, pid: str, label: str, css: str = "", disabled: bool = False, title: str = "") -> str:
    return (f'<button type="button" class="{css}" data-action="{escape(action)}" data-pid="{escape(pid)}" '
            f'title="{escape(title or label)}"{" disabled" if disabled else ""}>{escape(label)}</button>')


def _title(card: Mapping[str, Any], pid: str) -> str:
    """The title; with a product page URL it is a link whose click is recorded as a `click` event."""
    title = escape(card["title"])
    if card.get("url"):
        return (f'<div class="sa-title"><a href="{escape(card["url"])}" target="_blank" rel="noopener noreferrer" '
                f'data-action="click" data-pid="{escape(pid)}">{title}</a></div>')
    return f'<div class="sa-title">{title}</div>'


def card_html(card: Mapping[str, Any], money: Money | None = None) -> str:
    pid = str(card["id"])
    img = image_html(card)
    price = f'<span class="sa-price-now">{escape(amount_text(card, "price", money))}</span>'
    if card.get("list_price") and card.get("discount_pct"):
        price += (f'<span class="sa-list">{escape(amount_text(card, "list_price", money))}</span>'
                  f'<span class="sa-off">{card["discount_pct"]:g}% off</span>')
    rating = (f'<div class="sa-rating">★ {card["rating"]:g} ({card.get("rating_count", 0)})</div>'
              if card.get("rating") is not None else '<div class="sa-rating">no ratings yet</div>')
    stock = "" if card.get("in_stock", True) else '<div class="sa-oos">out of stock</div>'
    actions = (
        _button("add_to_cart", pid, "Add to cart", "sa-add", not card.get("in_stock", True))
        + _button("like", pid, "👍", "sa-like", title="More like this")
        + _button("dislike", pid, "👎", "sa-dislike", title="Fewer like this")
    )
    return (
        f'<div class="sa-card" data-pid="{escape(pid)}">{img}'
        f'<div class="sa-pos">#{card["position"]}</div>'
        + _title(card, pid) +
        f'<div class="sa-price">{price}</div>{rating}{stock}'
        f'<div class="sa-why">{escape(card.get("why", ""))}</div>'
        f'<div class="sa-actions">{actions}</div></div>'
    )


def cards_html(products: Mapping[str, Any] | None, money: Money | None = None) -> str:
    if not products or not products.get("cards"):
        return '<div class="sa-empty">Products I find will appear here.</div>'
    chips = "".join(f'<span class="sa-chip">{escape(c)}</span>' for c in products.get("filters", ()))
    head = f'<div class="sa-chips">{chips}</div>' if chips else ""
    if products.get("note"):
        head += f'<div class="sa-note">{escape(products["note"])}</div>'
    return head + '<div class="sa-cards">' + "".join(card_html(c, money) for c in products["cards"]) + "</div>"


def comparison_html(comparison: Mapping[str, Any] | None) -> str:
    if not comparison or not comparison.get("titles"):
        return ""
    head = "".join(f"<th>[{i}] {escape(t[:60])}</th>" for i, t in enumerate(comparison["titles"], 1))
    rows = "".join(
        f"<tr><th>{escape(name)}</th>" + "".join(f"<td>{escape(v)}</td>" for v in values) + "</tr>"
        for name, values in comparison["rows"]
    )
    return (f'<table class="sa-compare"><tr><th></th>{head}</tr>{rows}</table>'
            f'<div class="sa-verdict">{escape(comparison.get("verdict", ""))}</div>')


def cart_html(cart: Mapping[str, Any] | None, money: Money | None = None) -> str:
    lines: Sequence[Mapping[str, Any]] = (cart or {}).get("lines", ())
    wish = (cart or {}).get("wishlist", ())
    if not lines:
        body = '<div class="sa-empty" id="sa-cart-empty">Your cart is empty.</div>'
    else:
        body = "".join(
            f'<div class="sa-cart-line" data-pid="{escape(ln["product_id"])}"><span>{ln["quantity"]} × '
            f'{escape(ln["title"][:50])}</span><span>{escape(amount_text(ln, "amount", money))} '
            + _button("remove", ln["product_id"], "✕", "sa-remove", title="Remove") + "</span></div>"
            for ln in lines
        )
        count = (cart or {}).get("item_count", 0)
        subtotal = escape(amount_text(cart or {}, "subtotal", money))
        body += (f'<div class="sa-cart-total" id="sa-cart-total" data-count="{count}">'
                 f'{count} item{"s" if count != 1 else ""} · {subtotal}</div>')
    if wish:
        body += '<div class="sa-note">Wishlist: ' + escape(", ".join(w[:30] for w in wish)) + "</div>"
    return body
