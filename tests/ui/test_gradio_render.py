"""Card, comparison and cart HTML: every catalog value is escaped; buttons carry their action."""

from __future__ import annotations

from assistant.conversation.events import ProductCard, ProductsEvent
from retrieval.catalog import Product
from retrieval.money import Money
from ui.render import cards_html, cart_html, comparison_html


def _card(**kw: object) -> dict:
    product = Product(id="p<1>", title='<img src=x onerror="alert(1)">Shoe', brand="B", price=999, list_price=1999,
                      rating=4.2, rating_count=7, stock=3, url="https://shop.example/p1",
                      image_urls=["https://img.example/p1.jpg"])
    card = ProductCard.of(product, 1, "matches: shoe", Money("INR", "en_IN"))
    return ProductsEvent(cards=(card,), filters=("under ₹1,000",)).to_dict()


def test_cards_escape_catalog_text_and_carry_actions():
    html = cards_html(_card())
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert 'data-action="add_to_cart" data-pid="p&lt;1&gt;"' in html
    assert 'data-action="like"' in html and 'data-action="dislike"' in html and 'data-action="click"' in html
    assert "₹999" in html and "₹1,999" in html and "50% off" in html and "★ 4.2 (7)" in html
    assert "under ₹1,000" in html and "matches: shoe" in html


def test_out_of_stock_cards_disable_add_to_cart():
    data = _card()
    data["cards"][0]["in_stock"] = False
    html = cards_html(data)
    assert "out of stock" in html and "disabled" in html


def test_empty_states_and_cart_and_comparison():
    assert "will appear here" in cards_html(None)
    assert "cart is empty" in cart_html(None)
    cart = {"lines": [{"product_id": "a", "title": "T<b>", "quantity": 2, "unit_price": 5.0, "amount": 10.0,
                       "in_stock": True}], "subtotal": 10.0, "item_count": 2, "wishlist": ["W"]}
    html = cart_html(cart, Money("INR", "en_IN"))  # a payload stored before amounts came formatted
    assert "2 × T&lt;b&gt;" in html and 'data-action="remove"' in html and "2 items · ₹10" in html
    cart["subtotal_text"] = "10\u00a0kr"
    assert "2 items · 10\u00a0kr" in cart_html(cart)  # the assistant's formatted text wins
    table = comparison_html({"titles": ["A", "B"], "rows": [["Price", ["₹1", "₹2"]]], "verdict": "A <wins>"})
    assert "<th>[1] A</th>" in table and "A &lt;wins&gt;" in table
    assert comparison_html(None) == ""


def test_a_card_sits_on_its_image_placeholder() -> None:
    html = cards_html(_card())
    assert '<div class="sa-img"><span class="sa-img-ph" aria-hidden="true">No image</span><img src=' in html
    data = _card()
    data["cards"][0]["image_url"] = ""
    assert 'class="sa-img sa-img-none"' in cards_html(data) and "<img" not in cards_html(data)
