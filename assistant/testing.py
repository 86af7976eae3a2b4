"""Deterministic fakes for the assistant's tests and benchmarks (no model files, no network).

`KeywordSceneModel` stands in for the trained scene classifier behind the real
`SceneDetector` (so slot extraction and multi-turn resolution are the real code);
`make_services` assembles `Services` over an in-memory catalog with the hashing
embedder, an in-memory SQLite database and the fake chat model, for a store profile:
the demo store's unless the test passes another (`store_settings` builds one).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from assistant.config import AssistantConfig
from assistant.conversation.skills import Services
from assistant.llm.chain import build_chain
from assistant.llm.fake import FakeChatModel
from assistant.settings import RetrievalSettings, Settings, StoreSettings
from assistant.storage.store import StateStore
from retrieval.catalog import Product
from scene.model import Prediction

_RULES: tuple[tuple[str, str, str | None], ...] = (
    (r"\b(person|human|agent|representative)\b|转人工|人工客服", "handoff", None),
    (r"\bcompare\b|\bvs\.?\b|\bdifference\b|比较|对比|哪个好", "compare", None),
    (r"\b(cart|basket|checkout|check out|wishlist)\b|\badd\b|\bremove\b|购物车|加入|结算|收藏", "cart", None),
    (r"\b(coupons?|promos?|promotions?|offers?|deals?)\b|优惠券|优惠|促销", "promotion", None),
    (r"\bcancel\b|取消订单", "support", "cancel_order"),
    (r"\breturn\b|退货", "support", "get_refund"),
    (r"\b(order|refund|delivery|shipping|invoice|payment)\b|订单|退款|发货|快递", "support", "track_order"),
    (r"\b(waterproof|material|warranty|size|how much|price of|is it|does it|rating of)\b|多少钱|材质|吗",
     "product_qa", None),
    (r"\brecommend|\bsuggest|for me\b|推荐", "recommend", None),
    (r"\b(hi|hello|hey|thanks?|thank you|bye|who are you)\b|你好|谢谢|再见", "chitchat", None),
    (r"\b(weather|capital|president|poem|joke|football|recipe|stock market)\b|天气|首都", "out_of_scope", None),
)


class KeywordSceneModel:
    """A rule-based stand-in for `scene.model.SceneModel` (same `predict` contract)."""

    embedder_name = "hashing"

    def predict(self, text: str, embedding: np.ndarray | None = None) -> Prediction:
        low = text.lower()
        scene, sub = "search", None
        for pattern, name, intent in _RULES:
            if re.search(pattern, low):
                scene, sub = name, intent
                break
        probs = {s: 0.02 for s in ("search", "recommend", "compare", "product_qa", "support", "promotion", "cart",
                                   "handoff", "chitchat")}
        is_oos = scene == "out_of_scope"
        if not is_oos:
            probs[scene] = 0.84
        return Prediction(probs, sub, 0.9 if sub else 0.0, 0.95 if is_oos else 0.02, is_oos)


def store_settings(currency: str, locale: str, **store: Any) -> Settings:
    """Settings of a store with no files (no policies, coupons or orders unless `store` names them)."""
    return Settings(store=StoreSettings(currency=currency, locale=locale, **store),
                    retrieval=RetrievalSettings(catalog="test"))


def make_services(
    products: Sequence[Product],
    *,
    model: Any = None,
    database_url: str = "sqlite://",
    with_profiles: bool = True,
    ranker: Any = None,
    support: bool = False,
    settings: Settings | None = None,
    today: Any = None,
    clock: Callable[[], float] = time.time,
    embedder: Any = None,
) -> Services:
    """Services over an in-memory catalog: hashing embedder, keyword scene model, fake LLM by default, for the
    store of `settings` (the demo store's profile by default: its currency, coupons, orders, policies)."""
    from assistant.services import load_store_data
    from assistant.store_profile import demo_settings
    from retrieval.embedding import HashingEmbedder
    from retrieval.hybrid import HybridSearcher
    from retrieval.index import CatalogIndex
    from scene.detector import SceneDetector

    cfg = settings or demo_settings()
    embedder = embedder or HashingEmbedder()
    index = CatalogIndex.in_memory(list(products), embedder)
    currency, fx = cfg.store_currency, cfg.retrieval.fx_to_store
    searcher = HybridSearcher(index, store_currency=currency, fx_to_store=fx)
    detector = SceneDetector(KeywordSceneModel(), embedder, vocab=index.vocabulary,  # type: ignore[arg-type]
                             store_currency=currency, fx_to_store=fx)
    store = StateStore.from_url(database_url, clock=clock)
    services = Services(searcher=searcher, store=store, detector=detector,
                        model=build_chain(FakeChatModel() if model is None else model), ranker=ranker,
                        config=AssistantConfig.from_settings(cfg))
    if with_profiles:
        from assistant.storage.profiles import ProfileStore

        services.profiles = ProfileStore(store.db, index.catalog, clock=clock)
    load_store_data(services, cfg.store, embedder, with_support=support, today=today)
    return services


def demo_products() -> list[Product]:
    """A dozen hand-written products covering the skills (shoes, watches, jewellery, a jacket)."""
    def p(pid: str, title: str, brand: str, cat: str, price: float, list_price: float | None, rating: float | None,
          stock: int = 10, **attrs: str) -> Product:
        return Product(id=pid, title=title, brand=brand, category_path=[cat, title.split()[-1]], price=price,
                       list_price=list_price, rating=rating, rating_count=40 if rating else 0, stock=stock,
                       attributes=attrs, image_urls=[f"https://img.example/{pid}.jpg"],
                       description=f"{title} by {brand}.")
    return [
        p("s1", "Puma Running Shoes", "Puma", "Footwear", 1999, 3999, 4.3, colour="Black", material="Mesh"),
        p("s2", "Adidas Running Shoes", "Adidas", "Footwear", 2499, 2999, 4.5, colour="Blue", material="Mesh"),
        p("s3", "Nike Trail Hiking Shoes", "Nike", "Footwear", 3499, None, 4.1, colour="Grey",
          water_resistant="Yes", material="Leather"),
        p("s4", "Bata Canvas Shoes", "Bata", "Footwear", 799, 999, 3.9, colour="White", material="Canvas"),
        p("s5", "Sparx Running Shoes", "Sparx", "Footwear", 999, 1299, 4.0, stock=0, colour="Red"),
        p("w1", "Fastrack Analog Watch", "Fastrack", "Watches", 1495, 1995, 4.2, colour="Black"),
        p("w2", "Titan Analog Watch", "Titan", "Watches", 3995, None, 4.6, colour="Gold",
          water_resistant="Yes"),
        p("w3", "Casio Digital Watch", "Casio", "Watches", 1295, 1595, 4.4, colour="Black"),
        p("j1", "Sukkhi Gold Plated Earrings", "Sukkhi", "Jewellery", 499, 1299, 3.8, material="Alloy"),
        p("j2", "Voylla Silver Ring", "Voylla", "Jewellery", 899, 1499, 4.0, material="Sterling Silver"),
        p("c1", "Wildcraft Rain Jacket", "Wildcraft", "Clothing", 1799, 2499, 4.2, colour="Blue",
          water_resistant="Yes", material="Polyester"),
        p("c2", "Roadster Cotton T-Shirt", "Roadster", "Clothing", 399, 799, 3.9, colour="White",
          material="Cotton"),
    ]
