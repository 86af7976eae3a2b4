from __future__ import annotations

import pytest

from retrieval.catalog import Product
from retrieval.money import Money

INR = Money("INR", "en_IN")  # the demo store's money format; most assistant tests use its catalog


@pytest.fixture
def shorts() -> Product:
    return Product(
        id="p1",
        title="Alisha Solid Women's Cycling Shorts",
        brand="Alisha",
        category_path=["clothing"],
        price=379.0,
        list_price=999.0,
        rating=4.2,
        rating_count=12,
        stock=5,
    )


@pytest.fixture
def watch() -> Product:
    return Product(
        id="p2",
        title="Sonata Analog Watch",
        brand="Sonata",
        category_path=["watches"],
        price=1599.0,
        list_price=1599.0,
        rating=None,
        stock=0,
    )
