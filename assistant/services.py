"""Build the whole assistant once per process from `Settings`: index, searcher, scene detector,
ranker, profile store, state store, support answerer and the chat model.

Everything heavy loads here, at app start, never per turn: the first shopper's
cards must not wait for a model to load. Optional parts degrade instead of
failing: without a ranker model the search order is shown, without a chat model
(or when it fails to load) the answers are templates built from the same facts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from assistant.config import AssistantConfig
from assistant.conversation.skills import Services
from assistant.conversation.skills.support import apply_saved_statuses
from assistant.conversation.turn import Conversation
from assistant.llm.base import ChatModel
from assistant.llm.chain import build_chain
from assistant.settings import RankingSettings, Settings, StoreSettings
from assistant.storage.store import StateStore
from retrieval.embedding import Embedder
from retrieval.errors import UserError

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class AppBuildError(UserError, RuntimeError):
    """The assistant cannot start (no catalog index, unreadable database); the message says how to fix it."""


def _note(progress: Progress | None, text: str) -> None:
    log.info(text)
    if progress is not None:
        progress(text)


def build_services(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    chat_model: ChatModel | str | None = "auto",
    with_ranker: bool = True,
    with_support: bool = True,
    progress: Progress | None = None,
) -> Services:
    """All shared services. `chat_model="auto"` builds the configured backend; pass a model or None to override
    (a model passed in is wrapped in the same middleware chain as a configured one)."""
    from assistant.conversation.grounding import known_brands
    from retrieval.embedding import default_embedder
    from retrieval.hybrid import HybridSearcher
    from retrieval.index import CatalogIndexError
    from retrieval.service import open_index
    from retrieval.store import StoreError
    from scene.detector import SceneDetector
    from scene.loader import load_model

    if not settings.retrieval.catalog:
        raise AppBuildError(
            "no store is configured: run `shopassist init` to write a store profile (shopassist.toml), then "
            "`shopassist index --file <catalog export> --catalog <its catalog>`; `shopassist run` runs the demo store"
        )
    data_dir = settings.ensure_data_dir()
    if embedder is None:
        _note(progress, "loading the embedding model")
        st = default_embedder()
        st.warm_up()
        embedder = st
    _note(progress, f"opening catalog {settings.retrieval.catalog!r} (the first run builds the index)")
    try:
        index = open_index(data_dir, settings.retrieval.catalog, embedder, settings.retrieval.chroma_url)
    except (CatalogIndexError, StoreError) as exc:
        raise AppBuildError(f"{exc}; build it with `shopassist index`") from exc
    searcher = HybridSearcher(index, store_currency=settings.store_currency, fx_to_store=settings.retrieval.fx_to_store)
    _note(progress, "loading the scene model")
    detector = SceneDetector(load_model(embedder, data_dir), embedder,
                             vocab=index.vocabulary, store_currency=settings.store_currency,
                             fx_to_store=settings.retrieval.fx_to_store)
    try:
        store = StateStore.from_url(settings.resolved_database_url(), clock=_clock(settings))
    except Exception as exc:
        raise AppBuildError(f"cannot open the database {settings.resolved_database_url()!r}: {exc}") from exc
    services = Services(searcher=searcher, store=store, detector=detector,
                        config=AssistantConfig.from_settings(settings), known_brands=known_brands(index.catalog))
    services.profiles = _profiles(store, index, _clock(settings))
    if with_ranker:
        services.ranker = _ranker(settings.ranking, data_dir)
    if isinstance(chat_model, str):
        _note(progress, "starting the chat model")
        services.model = _chat_model(settings, data_dir)
    else:
        services.model = build_chain(chat_model, settings.llm) if chat_model is not None else None
    _note(progress, "reading the store's promotions, orders and policies")
    load_store_data(services, settings.store, embedder, data_dir / "policies" if with_support else None,
                    with_support=with_support)
    _warm_up(services)
    return services


def _clock(settings: Settings) -> Callable[[], float]:
    """The wall clock; in a simulation, the time each request says it is (`assistant.simclock`)."""
    from assistant import simclock

    return simclock.now if settings.simulation else time.time


def _profiles(store: StateStore, index: Any, clock: Callable[[], float] = time.time) -> Any:
    from assistant.storage.profiles import ProfileStore

    def embed(product: Any) -> Any:
        pos = index.position.get(product.id)
        return index.vectors[pos] if pos is not None else None

    return ProfileStore(store.db, index.catalog, embed=embed, clock=clock)


def _ranker(settings: RankingSettings, data_dir: Path) -> Any:
    from ranking.cross_encoder import load_default as load_cross_encoder
    from ranking.ranker import Ranker
    from ranking.registry import registry_for

    try:  # a model promoted by `shopassist train ranker --from-events`, else the shipped one
        ranker = Ranker(model_path=registry_for(data_dir).served_path(), use_cross_encoder=False)
        _ = ranker.model  # load now, not in the first turn
    except Exception as exc:
        log.warning("personalized ranking is off (%s); products are shown in search order", exc)
        return None
    if not settings.cross_encoder:
        return ranker
    try:
        ce = load_cross_encoder(threads=settings.cross_encoder_threads or None)
        ce.warm_up()  # exports the ONNX graph on the first start (a few seconds), not in a turn
    except Exception as exc:
        log.warning("the cross-encoder is off (%s); the ranker's own order is kept", exc)
        return ranker
    return Ranker(ranker.model, cross_encoder=ce)


def _chat_model(settings: Settings, data_dir: Path) -> ChatModel | None:
    """The configured generator behind its middleware; the embedded model loads in its own process in the
    background (cards and template answers work meanwhile)."""
    from assistant.llm import LLMError, build_chat_model

    try:
        model = build_chat_model(settings.llm, data_dir)
    except LLMError as exc:
        log.warning("chat model unavailable (%s); answers use templates", exc)
        return None
    if model is None:
        log.info("LLM backend 'fake': answers use the grounded templates")
    return model


def load_store_data(services: Services, store: StoreSettings, embedder: Embedder, policy_path: Path | None = None,
                    *, with_support: bool = True, today: date | None = None) -> None:
    """The store's coupons, order source and policy answers, from the files and systems its profile names.

    A profile that names a file that cannot be read stops the start with a sentence (`AppBuildError`);
    a store that names none simply has no coupons, no order lookups or no policy answers."""
    from assistant.promotions import PromotionsError, load_promotions
    from assistant.support.order_sources import build_order_book
    from assistant.support.orders import OrderSourceError
    from assistant.support.policies import PolicyError, action_citations

    money = services.config.money
    try:
        services.coupons = load_promotions(store.promotions)
        services.orders = build_order_book(store.orders, money, today)
    except (PromotionsError, OrderSourceError) as exc:
        raise AppBuildError(f"{exc} (see [store] in the profile)") from exc
    apply_saved_statuses(services)
    teach_detector(services, store)
    if not store.policies:
        log.info("the store names no policies folder: support questions go to a person")
        return
    try:
        services.citations = action_citations(Path(store.policies))
    except PolicyError as exc:
        raise AppBuildError(f"{exc} (see [store] policies in the profile)") from exc
    if not with_support:
        return
    from assistant.support.answer import SupportAnswerer
    from assistant.support.index import PolicyIndex

    try:
        policy_index = PolicyIndex.from_folder(embedder, Path(store.policies), path=policy_path,
                                               default_language=(store.languages or ["en"])[0])
        services.support = SupportAnswerer(policy_index, model=services.model, orders=services.orders,
                                           store=store.name, money=money)
    except PolicyError as exc:
        raise AppBuildError(f"{exc} (see [store] policies in the profile)") from exc
    except Exception as exc:
        log.warning("support answers are off (%s)", exc)


def teach_detector(services: Services, store: StoreSettings, max_products: int = 20_000) -> None:
    """The scene detector learns this store's service words (its policy documents against its catalog's
    vocabulary) and its order-number pattern, so its policy questions and order numbers route to support."""
    use_store = getattr(services.detector, "use_store", None)
    if use_store is None:  # a stand-in detector (tests)
        return
    from itertools import islice

    from scene.support_words import SupportLexicon, catalog_words

    folder = Path(store.policies) if store.policies else None
    try:
        texts = [f.read_text(encoding="utf-8") for f in sorted(folder.glob("*.md"))] if folder else []
    except OSError as exc:
        raise AppBuildError(f"cannot read the policies in {folder}: {exc} "
                            "(see [store] policies in the profile)") from exc
    lexicon = SupportLexicon.from_texts(texts, catalog_words(islice(services.catalog, max_products)),
                                        exclude=[store.name])
    use_store(lexicon, store.orders.number_pattern if services.orders is not None else None)


def _warm_up(services: Services) -> None:
    """One detection, search and ranking call so the first shopper does not pay for lazy loads."""
    try:
        result = services.detector.detect("running shoes")
        response = services.searcher.search(result.slots.query or "running shoes", k=20)
        if services.ranker is not None and response.hits:
            services.ranker.rank("running shoes", response.hits, None, k=5)
        if services.support is not None:
            services.support.classifier.predict("where is my order")
    except Exception as exc:
        log.warning("warm-up failed: %s", exc)


class Assistant:
    """The services plus conversation lookup: what the front ends hold."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> Assistant:
        return cls(build_services(settings, **kwargs))

    def conversation(self, user_id: str, conversation_id: str | None = None) -> Conversation:
        """The given conversation (if it belongs to `user_id`), else the user's latest, else a new one."""
        if conversation_id:
            stored = self.services.store.conversations.get(conversation_id)
            if stored is not None and stored.user_id == user_id:
                return Conversation(self.services, conversation_id, user_id)
        return Conversation.resume(self.services, user_id)

    def new_conversation(self, user_id: str) -> Conversation:
        return Conversation.start(self.services, user_id)
