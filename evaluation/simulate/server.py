"""The assistant the simulated shoppers talk to: the real API app (`ui.api.app.create_app`) served by uvicorn
on 127.0.0.1 in a thread, in simulation mode (requests carry `X-Sim-Time`), with the fake LLM.

The light stack (default) is the demo catalog (1,002 products) in memory with MiniLM (its document vectors
cached on disk after the first run), the keyword scene model, the served LambdaMART ranker without the
cross-encoder and a SQLite file: every turn is real code from the API down to the database. `full=True`
builds the configured services instead (Chroma, the trained scene model; the demo index must exist).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant import simclock
from assistant.config import AssistantConfig
from assistant.conversation.skills import Services
from assistant.settings import ExperimentsSettings, LLMSettings, RankingSettings, Settings
from assistant.store_profile import demo_settings
from evaluation.load.server import serve_in_thread

EMBED_CACHE = Path.home() / ".cache" / "shopassist" / "simulate"
# One client address sends every simulated shopper's requests: the simulation lifts the rate limits.
SIM_LIMITS = {"rate_site_per_s": 1e6, "rate_site_burst": 10**6, "rate_visitor_per_s": 1e6, "rate_visitor_burst": 10**6}


def simulation_settings(data_dir: Path, experiments: ExperimentsSettings) -> Settings:
    """The demo store (its catalog, site keys, policies) on a throw-away data directory, without rate limits."""
    api = demo_settings().api.model_copy(update=SIM_LIMITS)
    return demo_settings(data_dir=data_dir, simulation=True, experiments=experiments, api=api,
                    database_url=f"sqlite:///{data_dir / 'shopassist.db'}",
                    llm=LLMSettings(backend="fake"), ranking=RankingSettings(cross_encoder=False))


class CachedDocuments:
    """MiniLM for queries, with the catalog's document vectors cached on disk (embedded once per machine)."""

    def __init__(self, cache_dir: Path) -> None:
        from evaluation.embcache import EmbeddingCache
        from retrieval.embedding import default_embedder

        self.live = default_embedder()
        self.name, self.dim = self.live.name, self.live.dim
        self.cache = EmbeddingCache(cache_dir, self.live)

    def embed(self, texts: Any) -> Any:
        return self.live.embed(texts)

    def embed_documents(self, texts: Any, show_progress: bool = False) -> Any:
        return self.cache.embed(list(texts))


def light_services(settings: Settings, ranker_path: Path | None) -> Services:
    from assistant.llm.fake import FakeChatModel
    from assistant.testing import make_services
    from ranking.ranker import Ranker
    from ranking.registry import registry_for
    from retrieval.ingest import load_demo_catalog

    ranker = Ranker(model_path=ranker_path or registry_for(settings.data_dir).served_path(), use_cross_encoder=False)
    services = make_services(list(load_demo_catalog()), model=FakeChatModel("A good match for what you asked."),
                             database_url=settings.resolved_database_url(), ranker=ranker, clock=simclock.now,
                             embedder=CachedDocuments(EMBED_CACHE))
    return dataclasses.replace(services, config=AssistantConfig.from_settings(settings))


def full_services(settings: Settings) -> Services:
    from assistant.services import build_services

    return build_services(settings, chat_model=None)


@contextmanager
def serve(services: Services, settings: Settings, startup_s: float = 30.0) -> Iterator[str]:
    """The API app on a free loopback port for the block; yields its base URL."""
    from assistant.services import Assistant
    from ui.api.app import create_app

    with serve_in_thread(create_app(Assistant(services), settings), startup_s) as url:
        yield url
